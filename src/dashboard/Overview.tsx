// The numbers of a date range: decisions, opt-in rate per purpose over time, methods, languages,
// withdrawals and delivery lag. Each chart or bar has its numbers in text beside it.
import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import { isRequired } from '../core/bases';
import type { Method } from '../core/types';
import type { Stats } from './client';
import { count, daysBetween, duration, languageName, METHODS, seriesStyle, share } from './format';
import { OptInChart } from './OptInChart';

export interface Range {
  from: string;
  to: string;
}

const Bar = ({ n, total }: { n: number; total: number }) => (
  <span class="bar" aria-hidden="true">
    <span style={{ width: `${total ? (100 * n) / total : 0}%` }} />
  </span>
);

/** A table wider than the screen scrolls in here, a region a keyboard can focus, not the whole page. */
const Scroll = ({ label, children }: { label: string; children: ComponentChildren }) => (
  // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls must take focus to scroll by keyboard
  <section class="scroll" aria-label={label} tabIndex={0}>
    {children}
  </section>
);

/** One row per key, with its count, its share when asked, and a bar. */
const SplitTable = ({
  caption,
  head,
  rows,
  unit = 'Decisions',
  shares = true,
  total = rows.reduce((sum, [, n]) => sum + n, 0),
}: {
  caption: string;
  head: string;
  rows: [string, number][];
  unit?: string;
  shares?: boolean;
  total?: number;
}) => (
  <Scroll label={caption}>
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{head}</th>
          <th scope="col" class="num">
            {unit}
          </th>
          {shares && (
            <th scope="col" class="num">
              Share
            </th>
          )}
          <th scope="col">
            <span class="visually-hidden">Bar</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, n]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
            <td class="num">{count(n)}</td>
            {shares && <td class="num">{share(n, total)}</td>}
            <td class="bar-cell">
              <Bar n={n} total={total} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </Scroll>
);

const lagLabel = (buckets: Stats['lag']['histogram'], i: number) => {
  const { belowMs } = buckets[i];
  const above = i ? buckets[i - 1].belowMs : null;
  if (above === null) return `under ${duration(belowMs)}`;
  if (belowMs === null) return `${duration(above)} or more`;
  return `${duration(above)} to ${duration(belowMs)}`;
};

export const Overview = ({ stats, range }: { stats: Stats; range: Range }) => {
  const days = useMemo(
    () => (range.from && range.to ? daysBetween(range.from, range.to) : Object.keys(stats.perDay).sort()),
    [stats, range],
  );
  const { purposes, charted, series } = useMemo(() => {
    const purposes = Object.keys(stats.perPurpose).sort();
    // Purposes under contract or a legal obligation are always granted: a flat line at 100 % says nothing.
    const charted = purposes.filter((id) => !isRequired({ basis: stats.bases?.[id] }));
    const series = charted.map((id) => ({
      label: id,
      values: days.map((day) => {
        const c = stats.perDayPerPurpose[day]?.[id];
        return c && c.granted + c.denied ? (100 * c.granted) / (c.granted + c.denied) : null;
      }),
    }));
    return { purposes, charted, series };
  }, [stats, days]);
  const activeDays = days.filter((d) => stats.perDay[d]);
  const methods = [
    ...(Object.keys(METHODS) as Method[]).map((m): [string, number] => [METHODS[m], stats.perMethod[m] ?? 0]),
    ...Object.entries(stats.perMethod).filter(([m]) => !(m in METHODS)),
  ].sort((a, b) => b[1] - a[1]);
  const languages = Object.entries(stats.perLanguage)
    .map(([code, n]): [string, number] => [languageName(code), n])
    .sort((a, b) => b[1] - a[1]);
  const { lag, withdrawals } = stats;

  return (
    <>
      <dl class="tiles">
        <div>
          <dt>Decisions</dt>
          <dd>{count(stats.decisions)}</dd>
        </div>
        <div>
          <dt>Withdrawals</dt>
          <dd>{count(withdrawals.total)}</dd>
        </div>
        <div>
          <dt>Erasure requests</dt>
          <dd>{count(stats.erasures)}</dd>
        </div>
        {stats.conflicts > 0 && (
          // A conflict reuses another receipt's id with other bytes: a forgery, or a broken client.
          <div class="warn">
            <dt>Conflicting receipts (not counted as decisions)</dt>
            <dd>{count(stats.conflicts)}</dd>
          </div>
        )}
        <div>
          <dt>Delivery lag, median</dt>
          <dd>{duration(lag.p50Ms)}</dd>
        </div>
        <div>
          <dt>Delivery lag, 90th percentile</dt>
          <dd>{duration(lag.p90Ms)}</dd>
        </div>
      </dl>

      <section aria-labelledby="optin-heading">
        <h2 id="optin-heading">Opt-in rate per purpose</h2>
        <p class="hint">
          The share of decisions that granted each purpose, per day the collector received them. Days without decisions
          are left blank. Purposes under a contract or a legal obligation are always granted and not drawn.
        </p>
        {charted.length ? (
          <figure>
            <OptInChart days={days} series={series} />
            <figcaption>
              <ul class="legend" aria-label="Purposes in the chart">
                {charted.map((id, i) => (
                  <li key={id}>
                    <svg width="28" height="10" aria-hidden="true">
                      <line
                        x1="0"
                        y1="5"
                        x2="28"
                        y2="5"
                        stroke={seriesStyle(i).stroke}
                        stroke-width="3"
                        stroke-dasharray={seriesStyle(i).dash.join(' ')}
                      />
                    </svg>
                    {id}
                  </li>
                ))}
              </ul>
            </figcaption>
          </figure>
        ) : (
          <p>No purpose in this range needs a choice: there is no opt-in rate to draw.</p>
        )}
        <details>
          <summary>The opt-in rates per day as a table</summary>
          <Scroll label="Opt-in rate per purpose and day">
            <table>
              <caption>Opt-in rate per purpose and day (granted of decided)</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  {charted.map((id) => (
                    <th scope="col" class="num" key={id}>
                      {id}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {activeDays.map((day) => (
                  <tr key={day}>
                    <th scope="row">{day}</th>
                    {charted.map((id) => {
                      const c = stats.perDayPerPurpose[day]?.[id] ?? { granted: 0, denied: 0 };
                      return (
                        <td class="num" key={id}>
                          {share(c.granted, c.granted + c.denied)} ({c.granted} of {c.granted + c.denied})
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        </details>
        <Scroll label="Per purpose, over the whole range">
          <table>
            <caption>Per purpose, over the whole range</caption>
            <thead>
              <tr>
                <th scope="col">Purpose</th>
                <th scope="col">Legal basis</th>
                <th scope="col" class="num">
                  Granted
                </th>
                <th scope="col" class="num">
                  Denied
                </th>
                <th scope="col" class="num">
                  Opt-in rate
                </th>
                <th scope="col" class="num">
                  Withdrawals
                </th>
              </tr>
            </thead>
            <tbody>
              {purposes.map((id) => {
                const { granted, denied } = stats.perPurpose[id];
                return (
                  <tr key={id}>
                    <th scope="row">{id}</th>
                    <td>{stats.bases?.[id] ?? '–'}</td>
                    <td class="num">{count(granted)}</td>
                    <td class="num">{count(denied)}</td>
                    <td class="num">{share(granted, granted + denied)}</td>
                    <td class="num">{count(withdrawals.perPurpose[id] ?? 0)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Scroll>
        <p class="hint">
          A withdrawal is a decision that denies a purpose the same visitor’s previous decision granted.
        </p>
      </section>

      <section aria-labelledby="split-heading">
        <h2 id="split-heading">How and in which language visitors decided</h2>
        <div class="columns">
          <SplitTable caption="By method" head="Method" rows={methods} />
          <SplitTable caption="By language" head="Language" rows={languages} />
        </div>
      </section>

      <section aria-labelledby="lag-heading">
        <h2 id="lag-heading">Delivery lag</h2>
        <p class="hint">
          From each decision (the receipt’s timestamp, on the visitor’s clock) to its arrival at the collector. Receipts
          wait in the browser’s outbox while the visitor is offline or the collector is down, so a long tail is
          expected; a visitor’s clock that runs fast counts as under 1 s.
        </p>
        <dl class="tiles">
          {(
            [
              ['Median', lag.p50Ms],
              ['90th percentile', lag.p90Ms],
              ['99th percentile', lag.p99Ms],
              ['Slowest', lag.maxMs],
            ] as const
          ).map(([label, ms]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{duration(ms)}</dd>
            </div>
          ))}
        </dl>
        <SplitTable
          caption={`Receipts by delivery lag (${count(lag.count)} with a valid timestamp)`}
          head="Lag"
          unit="Receipts"
          shares={false}
          total={lag.count}
          rows={lag.histogram.map((bucket, i) => [lagLabel(lag.histogram, i), bucket.n])}
        />
      </section>
    </>
  );
};
