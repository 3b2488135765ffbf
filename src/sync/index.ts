// The sync chunk: records receipts in this browser's history and delivers every entry to the
// endpoint without ever losing one. The loader loads it when a decision is made, when the banner
// shows (so that a decision is recorded at once), and on any page view whose cookie says entries wait.
// What not every page with the chunk needs are parts of their own that it loads on first use:
// `receipt` (a decision's receipt, and the watch on the cookie after it), `history` (receipts(),
// forget(), a receipt rebuilt, a newer decision put back), `download`, `trouble` (what goes wrong: an
// answer other than a clean 2xx, no IndexedDB) and `plain` (plain-http pages).
import type { AssentConfig } from '../core/config';
import { saysPending } from '../core/cookie';
import type { Decision } from '../core/decision';
import type { AssentApi, AssentEvents, Entry, Receipt } from '../core/types';
import { cookieNameOf, readCookie } from '../loader/cookie-jar';
import type { Load, Part, PartName } from '../loader/parts';
import { backoffMs, batches, exclusively, post, resultsOf, sendOnExit } from './deliver';
import { openStore, type Store } from './store';
import { newer } from './watch';

/** What the loader gives the sync chunk. */
export interface SyncHost {
  config: AssentConfig;
  language: string;
  emit<E extends 'sync' | 'error'>(event: E, detail: AssentEvents[E]): void;
  /** The decision as the page found it, and the state, to rebuild a receipt lost when a page closed. */
  decision: Decision;
  api: AssentApi;
  /**
   * Writes whether entries wait in the outbox into the cookie, so the next page view knows to send
   * them; called only for a decision (not after forget()) whose cookie says otherwise.
   */
  setPending(pending: boolean): void;
  /** Loads a part: the sync chunk's own (`receipt`, `history`, `download`, `trouble`, `plain`) and UI texts (`texts-fr`). */
  load: Load;
  /**
   * Called after every response of the endpoint, which may re-issue the consent cookie it was sent
   * (SPEC §7), and whenever the cookie may have changed behind this tab's back: an older decision
   * there is written over, a newer one (another tab's, another subdomain's) adopted. No decision
   * there is adopted only with `adoptNone`.
   */
  reassert(adoptNone?: true): void;
}

/** A decision to record, with what its receipt adds: the receipt it supersedes and the state it gives. */
export type Decided = Decision & { previousId: string | null; purposes: Record<string, boolean> };

/** What the parts this chunk loads on demand work with. */
export interface Sync {
  host: SyncHost;
  store: Store;
  /** The endpoint's absolute URL, '' without one. */
  endpoint: string;
  /** Sends everything queued. */
  flush(): Promise<void>;
  /** Sends a batch; resolves with the delay to wait before sending again, or undefined once it went through. */
  send(batch: Entry[]): Promise<number | undefined>;
  /** Stores a receipt with the `receipt` part, counted as waiting until the outbox holds it; then sends. */
  keep(stored: (m: Part<'receipt'>) => Promise<Receipt>): Promise<Receipt>;
  /** Loads a part this chunk cannot do without: again and again, until it loads. */
  need: Load;
  /** Adds entries to the copy of the outbox in memory, which is sent as the page hides. */
  queue(entries: Entry[]): void;
  /** Whether entries wait in the outbox (an answer is still to come). */
  waiting(): boolean;
}

let host: SyncHost;
let store: Store;
let sync: Sync;
/** The `trouble` part, once the store failed: at hand as the page goes, to say what is lost. */
let trouble: Part<'trouble'> | undefined;
let endpoint = '';
/** A copy of the outbox in memory, sent as the page hides (IndexedDB is async). */
let queued: Entry[] = [];
let attempt = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
/** Receipts on their way into the outbox: not listed there yet, but waiting all the same. */
let storing = 0;

/** Starts once per page: opens the store, sends what waits, and guards the page's exit. */
export const start = (h: SyncHost) => {
  if (host) return;
  host = h;
  endpoint = h.config.endpoint ? new URL(h.config.endpoint, location.href).href : '';
  // Said before anything is delivered (the store waits for it); said not at all if the part cannot load.
  store = openStore((reason) =>
    host.load('trouble').then(
      (m) => (trouble = m).unavailable(sync, reason),
      () => {},
    ),
  );
  sync = {
    host,
    store,
    endpoint,
    flush,
    send,
    keep,
    need,
    queue: (entries) => queued.push(...entries),
    waiting: () => queued.length > 0,
  };
  const leaving = () => {
    // (Only a page with an endpoint queues anything.)
    if (!queued.length) return;
    sendOnExit(endpoint, queued);
    // Loaded for the store's failure: the entries live in this page only.
    trouble?.lost(sync, queued.length);
  };
  addEventListener('pagehide', leaving);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && leaving());
  addEventListener('online', flush);
  // A decision put back is newer than the one this page found, which then needs no receipt.
  return newer(store, h)
    .then((value) => (value === undefined ? recover() : need('history').then((m) => m.putBack(h, value))))
    .then(flush);
};

/** Records this tab's decision: its receipt (and the texts behind its hash, once per hash), then sends them. */
export const record = (d: Decided, ui?: Record<string, string>) => keep((m) => m.record(sync, d, ui));

/** This browser's consent history, newest first, with the endpoint's signatures where known. */
export const receipts = () => host.load('history').then((m) => m.receipts(sync));

/** Erases the local history and asks the endpoint to erase its copy; `time`: when the visitor asked. */
export const forget = (consentId: string, time = Date.now()) =>
  need('history').then((m) => m.forget(sync, consentId, time));

/** The visitor's record as a JSON file. */
export const download = () => host.load('download').then((m) => m.download(sync));

/** Stores a receipt with the `receipt` part and sends it; counts it as waiting until the outbox holds it. */
const keep = (stored: (m: Part<'receipt'>) => Promise<Receipt>) => {
  storing++;
  return need('receipt')
    .then(stored)
    .finally(() => {
      storing--;
      return flush();
    });
};

/**
 * A part this chunk cannot do without (offline, say): loaded again once the browser is back online,
 * or 5 s later, whichever comes first; meanwhile the cookie says that entries wait.
 */
const need: Load = <N extends PartName>(name: N): Promise<Part<N>> =>
  host.load(name).catch(() =>
    new Promise((later) => {
      addEventListener('online', later, { once: true });
      setTimeout(later, 5000);
    }).then(() => need(name)),
  );

/** A decision whose receipt its page could not store before it closed is rebuilt (the `history` part). */
const recover = async () => {
  const d = host.decision;
  // (A decision with a method has its time: decisionFromCookie gives both or neither.)
  if (d.pending && d.receiptId && d.method && !(await store.list(`h:${d.receiptId}`)).length)
    // Not loaded (offline, say): the cookie still says so, and the next page view tries again.
    await host.load('history').then(
      (m) => m.recover(sync),
      () => {},
    );
};

const outbox = async () => (await store.list<Entry>('o:')).map(([, entry]) => entry);

/** Sends everything queued, one tab at a time; schedules a retry while anything is left. */
const flush = async (): Promise<void> => {
  clearTimeout(timer);
  if (!endpoint) return;
  let wait: number | undefined;
  await exclusively(
    async () => {
      for (const batch of batches(await outbox())) if ((wait = await send(batch)) !== undefined) break;
    },
    () => host.load('plain').then((m) => m.lease),
    // Without the lease (the `plain` part did not load), the entries wait for the next attempt.
  ).catch(() => {});
  queued = await outbox();
  // The cookie is written again only when it says otherwise: a collector on the site's origin clears
  // the flag itself in the cookie it re-issues, which a write by script would cut to Safari's 7 days.
  const pending = queued.length + storing > 0;
  const cookie = readCookie(cookieNameOf(host.config));
  if (cookie && host.api.getState().method && saysPending(cookie) !== pending) host.setPending(pending);
  if (queued.length) timer = setTimeout(flush, backoffMs(attempt++, wait));
};

/** Sends a batch; resolves with the delay to wait before sending again, or undefined once it went through. */
const send = async (batch: Entry[]): Promise<number | undefined> => {
  // The text of each entry, exactly as sent: what its signature must sign.
  const texts = batch.map((e) => JSON.stringify(e));
  const res = await post(endpoint, texts);
  host.reassert();
  if (!res) return 0;
  const answer: unknown = await res.json().catch(() => null);
  // Not loaded: the batch stays queued.
  if (!res.ok)
    return host.load('trouble').then(
      (m) => m.answered(sync, batch, texts, res, answer),
      () => 0,
    );
  attempt = 0;
  const [signed, problems] = resultsOf(batch, texts, answer);
  await store.remove(batch.map((e) => `o:${e.id}` as const));
  await store.put(signed);
  if (problems.length) host.load('trouble').then((m) => m.report(sync, problems));
  // Entries refused by name leave the outbox unconfirmed: no `sync` for them.
  const ids = batch.filter((e) => !problems.some(([code, id]) => code !== 'signature' && id === e.id)).map((e) => e.id);
  if (ids.length) host.emit('sync', { ids });
};
