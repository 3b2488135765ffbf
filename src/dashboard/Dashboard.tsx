// The site owner's consent dashboard: which collector, which token, which days; then the numbers, the
// exports and the look-up. UI state stays here; the collector is reached only through client.ts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { CollectorError, downloadExport, fetchStats, type Stats } from './client';
import { count, defaultRange, isDay } from './format';
import { Lookup } from './Lookup';
import { type Range as DayRange, Overview } from './Overview';
import { CollectorProblem } from './Problem';

const TOKEN_KEY = 'assent-dashboard-token';
const COLLECTOR_KEY = 'assent-dashboard-collector';

// Storage throws in some private modes and sandboxed frames; the dashboard then simply forgets.
const read = (store: () => Storage, key: string) => {
  try {
    return store().getItem(key) ?? '';
  } catch {
    return '';
  }
};
const write = (store: () => Storage, key: string, value: string) => {
  try {
    if (value) store().setItem(key, value);
    else store().removeItem(key);
  } catch {}
};
const session = () => sessionStorage;
const local = () => localStorage;

/**
 * `?collector=` first, then the last one used here, then the collector that serves this page: it serves
 * the dashboard at its own `dashboard/`, under whatever prefix it is mounted at.
 */
const initialCollector = () =>
  new URLSearchParams(location.search).get('collector') ||
  read(local, COLLECTOR_KEY) ||
  new URL('../', location.href).href;

/**
 * The token is kept with the collector it was entered for, and only ever sent there: a link with
 * another `?collector=` must not carry it away unasked.
 */
const savedToken = (collector: string) => {
  try {
    const saved = JSON.parse(read(session, TOKEN_KEY) || '{}');
    return saved.collector === collector && typeof saved.token === 'string' ? saved.token : '';
  } catch {
    return '';
  }
};
const saveToken = (collector: string, token: string) =>
  write(session, TOKEN_KEY, token ? JSON.stringify({ collector, token }) : '');

type Load =
  | { state: 'no-token' }
  | { state: 'loading' }
  | { state: 'error'; error: CollectorError }
  | { state: 'ready'; stats: Stats; range: DayRange; allTime: number | null };

export const Dashboard = () => {
  const [collector, setCollector] = useState(initialCollector);
  const [token, setToken] = useState(() => savedToken(collector));
  const [draft, setDraft] = useState({ collector, token });
  const [range, setRange] = useState<DayRange>(defaultRange);
  const [attempt, setAttempt] = useState(0);
  const [load, setLoad] = useState<Load>({ state: token ? 'loading' : 'no-token' });
  const latest = useRef(0);
  const badRange = !!(range.from && range.to && range.from > range.to);

  // `attempt` is not read: a retry, or Connect with the same values, reloads by changing it.
  useEffect(() => {
    if (!token) return setLoad({ state: 'no-token' });
    if (badRange) return;
    const mine = ++latest.current;
    setLoad({ state: 'loading' });
    (async () => {
      try {
        const stats = await fetchStats(collector, token, range);
        // An empty range: does the collector hold anything at all? The answer decides which help to give.
        const allTime =
          stats.decisions === 0 && (range.from || range.to)
            ? (await fetchStats(collector, token, { from: '', to: '' })).decisions
            : null;
        if (mine === latest.current) setLoad({ state: 'ready', stats, range, allTime });
      } catch (e) {
        if (!(e instanceof CollectorError)) throw e;
        if (mine === latest.current) setLoad({ state: 'error', error: e });
      }
    })();
  }, [collector, token, range, badRange, attempt]);

  const connect = (e: Event) => {
    e.preventDefault();
    const next = { collector: draft.collector.trim(), token: draft.token.trim() };
    write(local, COLLECTOR_KEY, next.collector);
    saveToken(next.collector, next.token);
    setCollector(next.collector);
    setToken(next.token);
    setAttempt((n) => n + 1);
  };
  const forgetToken = () => {
    saveToken(collector, '');
    setToken('');
    setDraft({ ...draft, token: '' });
  };
  const retry = () => setAttempt((n) => n + 1);

  return (
    <>
      <header class="top">
        <h1>Consent dashboard</h1>
        <p>
          The decisions your visitors made, from the receipts the Assent collector signed and stored. Days are UTC days
          on which the collector received each receipt.
        </p>
      </header>
      <main>
        <section aria-labelledby="collector-heading">
          <h2 id="collector-heading">Collector</h2>
          <form class="inline" onSubmit={connect}>
            <div class="field">
              <label for="collector-url">Collector address</label>
              <input
                id="collector-url"
                type="url"
                required
                size={34}
                value={draft.collector}
                onInput={(e) => setDraft({ ...draft, collector: e.currentTarget.value })}
                aria-describedby="collector-url-hint"
              />
              <p id="collector-url-hint" class="hint">
                Where its routes are, such as <code>https://consent.shop.example/</code>.
              </p>
            </div>
            <div class="field">
              <label for="admin-token">Admin token</label>
              <input
                id="admin-token"
                type="password"
                autocomplete="off"
                size={20}
                value={draft.token}
                onInput={(e) => setDraft({ ...draft, token: e.currentTarget.value })}
                aria-describedby="admin-token-hint"
              />
              <p id="admin-token-hint" class="hint">
                The collector’s <code>ASSENT_ADMIN_TOKEN</code>. Kept in this tab only (sessionStorage).
              </p>
            </div>
            <div class="buttons">
              <button type="submit">Connect</button>
              {token && (
                <button type="button" class="quiet" onClick={forgetToken}>
                  Forget token
                </button>
              )}
            </div>
          </form>
        </section>

        <section aria-labelledby="decisions-heading" aria-busy={load.state === 'loading'}>
          <h2 id="decisions-heading">Decisions</h2>
          <form class="inline" onSubmit={(e) => e.preventDefault()}>
            <DayField
              id="range-from"
              label="From"
              value={range.from}
              bad={badRange}
              onDay={(from) => setRange({ ...range, from })}
            />
            <DayField
              id="range-to"
              label="To"
              value={range.to}
              bad={badRange}
              onDay={(to) => setRange({ ...range, to })}
            />
            <button type="button" class="quiet" onClick={() => setRange(defaultRange())}>
              Last 30 days
            </button>
          </form>
          {badRange && (
            <p id="range-problem" role="alert" class="problem">
              “From” must be on or before “To”.
            </p>
          )}
          <p role="status" class="hint">
            {load.state === 'loading'
              ? 'Loading statistics…'
              : load.state === 'ready'
                ? `${count(load.stats.decisions)} decision${load.stats.decisions === 1 ? '' : 's'} ${rangeText(load.range)}.`
                : ''}
          </p>
          {load.state === 'no-token' && (
            <div class="notice">
              <h3>Enter the admin token</h3>
              <p>
                Statistics and exports are for the site owner: enter the collector’s admin token above, the value of{' '}
                <code>ASSENT_ADMIN_TOKEN</code> it was started with
                {demoCollector(collector) && (
                  <>
                    {' '}
                    (the demo’s is <code>demo</code>)
                  </>
                )}
                . Looking up a visitor’s receipts below needs no token.
              </p>
            </div>
          )}
          {load.state === 'error' && <CollectorProblem error={load.error} onRetry={retry} />}
          {load.state === 'ready' && load.stats.decisions === 0 && (
            <Empty collector={collector} allTime={load.allTime} onShowAll={() => setRange({ from: '', to: '' })} />
          )}
        </section>
        {load.state === 'ready' && load.stats.decisions > 0 && (
          <>
            <Overview stats={load.stats} range={load.range} />
            <Export collector={collector} token={token} range={load.range} />
          </>
        )}
        <Lookup collector={collector} />
      </main>
    </>
  );
};

/**
 * The collector at /consent/ of this very origin, on this machine: the page is served by `npm run demo`.
 * A production dashboard is not on loopback, so it never gets the demo's hints.
 */
const demoCollector = (collector: string) =>
  ['127.0.0.1', 'localhost', '[::1]'].includes(location.hostname) && collector === `${location.origin}/consent/`;

/**
 * A day typed as YYYY-MM-DD, the form the rest of the page writes days in (a date input would show the
 * browser's locale instead). The range changes only once the text is a whole day, or empty.
 */
const DayField = ({
  id,
  label,
  value,
  bad,
  onDay,
}: {
  id: string;
  label: string;
  value: string;
  bad: boolean;
  onDay: (day: string) => void;
}) => {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const unreadable = text.trim() !== '' && !isDay(text.trim());
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        autocomplete="off"
        placeholder="YYYY-MM-DD"
        size={11}
        value={text}
        onInput={(e) => {
          const next = e.currentTarget.value;
          setText(next);
          if (next.trim() === '' || isDay(next.trim())) onDay(next.trim());
        }}
        aria-invalid={bad || unreadable}
        aria-describedby={`${id}-hint${bad ? ' range-problem' : ''}`}
      />
      <p id={`${id}-hint`} class="hint">
        {unreadable ? 'Not a day: write it as YYYY-MM-DD, such as 2026-03-01.' : 'YYYY-MM-DD, a UTC day.'}
      </p>
    </div>
  );
};

const rangeText = (r: DayRange) =>
  r.from && r.to ? `from ${r.from} to ${r.to}` : r.from ? `since ${r.from}` : r.to ? `until ${r.to}` : 'in all';

const Empty = ({
  collector,
  allTime,
  onShowAll,
}: {
  collector: string;
  allTime: number | null;
  onShowAll: () => void;
}) =>
  allTime ? (
    <div class="notice">
      <h3>No decisions in this range</h3>
      <p>The collector holds {count(allTime)} decisions in all, on other days.</p>
      <button type="button" onClick={onShowAll}>
        Show all days
      </button>
    </div>
  ) : (
    <NoReceipts collector={collector} />
  );

const NoReceipts = ({ collector }: { collector: string }) => {
  const demo = demoCollector(collector);
  return (
    <div class="notice">
      <h3>No receipts yet</h3>
      <p>Each decision a visitor makes on a site becomes a signed receipt here. To get some:</p>
      <ol>
        <li>
          Point your sites at this collector: in the Assent config, set{' '}
          <code>
            "endpoint": "{new URL('v1/receipts', collector.endsWith('/') ? collector : `${collector}/`).href}"
          </code>
          .
        </li>
        <li>
          Allow the sites’ origins: start the collector with <code>--origin https://your.site</code> (or{' '}
          <code>ASSENT_ORIGINS</code>).
        </li>
        <li>
          Make a choice in the banner on one of the sites.
          {demo && (
            <>
              {' '}
              Here, in <code>npm run demo</code>, open <a href="/blooom/">the Blooom demo site</a> and choose Accept all
              or Reject all.
            </>
          )}
        </li>
      </ol>
    </div>
  );
};

const Export = ({ collector, token, range }: { collector: string; token: string; range: DayRange }) => {
  const [problem, setProblem] = useState<CollectorError | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (format: 'ndjson' | 'csv') => {
    setProblem(null);
    setBusy(true);
    try {
      await downloadExport(collector, token, range, format);
    } catch (e) {
      if (!(e instanceof CollectorError)) throw e;
      setProblem(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="export-heading">
      <h2 id="export-heading">Export receipts</h2>
      <p>
        Every receipt received {rangeText(range)}, with its signature: NDJSON keeps each receipt whole (check it offline
        with <code>npx assent verify</code>), CSV has one row per receipt for a spreadsheet.
      </p>
      <p class="buttons">
        <button type="button" disabled={busy} onClick={() => save('ndjson')}>
          Download NDJSON
        </button>
        <button type="button" disabled={busy} onClick={() => save('csv')}>
          Download CSV
        </button>
      </p>
      {problem && <CollectorProblem error={problem} onRetry={() => setProblem(null)} />}
    </section>
  );
};
