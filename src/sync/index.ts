// The sync chunk: records receipts in this browser's history and delivers every entry to the
// endpoint without ever losing one. The loader loads it when a decision is made, when the banner
// shows (so that a decision is recorded at once), and on any page view whose cookie says entries wait.
import type { AssentConfig } from '../core/config';
import { saysPending } from '../core/cookie';
import type { Decision } from '../core/decision';
import { uuid } from '../core/ids';
import { buildReceipt, canonicalJson, type ReceiptInput, shownTexts } from '../core/receipt';
import { sha256Tag } from '../core/sha256';
import type { Texts } from '../core/texts';
import type { AssentApi, AssentEvents, Entry, ErasureEntry, Method, Receipt, TextsEntry } from '../core/types';
import { cookieNameOf, readCookie } from '../loader/cookie-jar';
import { withOverrides } from '../ui/format';
import { backoffMs, batches, exclusively, post, sendOnExit } from './deliver';
import { type Key, openStore, type Store } from './store';
import { remember, restore, watchCookie } from './watch';

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
  /** Loads a part: here, the built-in UI texts of a language (`texts-fr`). */
  load(name: `texts-${string}`): Promise<{ default: Texts }>;
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

interface HistoryItem {
  receipt: Receipt;
  signature?: string;
}

let host: SyncHost;
let store: Store;
let endpoint = '';
/** A copy of the outbox in memory, sent as the page hides (IndexedDB is async). */
let queued: Entry[] = [];
let attempt = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
/** Keeps watching the cookie for a while: called on each of this tab's decisions. */
let watch = () => {};
/** Receipts on their way into the outbox: not listed there yet, but waiting all the same. */
let storing = 0;

/** Starts once per page: opens the store, sends what waits, and guards the page's exit. */
export const start = (h: SyncHost) => {
  if (host) return;
  host = h;
  endpoint = h.config.endpoint ? new URL(h.config.endpoint, location.href).href : '';
  store = openStore((reason) =>
    host.emit('error', {
      code: 'storage',
      message: `IndexedDB is unavailable (${reason}); consent entries are sent at once and kept only in this page until delivered`,
    }),
  );
  const leaving = () => {
    if (!queued.length) return;
    if (endpoint) sendOnExit(endpoint, queued);
    if (!store.durable)
      host.emit('error', {
        code: 'storage',
        message: `${queued.length} consent entries could not be kept after this page`,
      });
  };
  addEventListener('pagehide', leaving);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && leaving());
  addEventListener('online', () => flush());
  watch = watchCookie(h.config, h.reassert, () => queued.length > 0);
  // A decision put back is newer than the one this page found, which then needs no receipt.
  return restore(store, h)
    .catch(() => false)
    .then((restored) => (restored ? undefined : recover()))
    .then(flush);
};

/** Records this tab's decision: its receipt (and the texts behind its hash, once per hash), then sends them. */
export const record = (d: Decided, ui?: Record<string, string>) => {
  watch();
  // Not awaited: the receipt must reach the outbox (and the copy sent as the page goes) at once.
  remember(store, host.config, d.updatedAt as number, d.receiptId);
  return keep(d, ui);
};

/** Stores a receipt and sends it, and counts it as waiting until the outbox holds it. */
const keep = async (d: Decided, ui?: Record<string, string>, extra?: object) => {
  storing++;
  try {
    return await storeReceipt(d, ui, extra);
  } finally {
    storing--;
    await flush();
  }
};

/** Stores a receipt in the history and the outbox (with its texts, once per hash). */
const storeReceipt = async (d: Decided, ui?: Record<string, string>, extra?: object) => {
  const { config, language } = host;
  const texts = shownTexts(config, language, ui);
  const textHash = await sha256Tag(canonicalJson(texts));
  const input: ReceiptInput = {
    config,
    language,
    id: d.receiptId as string,
    consentId: d.consentId,
    previousId: d.previousId,
    time: d.updatedAt as number,
    method: d.method as Method,
    origin: location.origin,
    textHash,
    gpc: d.gpc,
    purposes: d.purposes,
  };
  const receipt: Receipt = { ...buildReceipt(input), ...extra };
  const items: [Key, unknown][] = [[`h:${receipt.id}`, { receipt } satisfies HistoryItem]];
  if (endpoint) {
    const outgoing: Entry[] = [receipt];
    if (!(await store.list('t:')).some(([key]) => key === `t:${textHash}`)) {
      const entry: TextsEntry = { type: 'texts', id: uuid(Date.now()), textHash, language: input.language, texts };
      outgoing.push(entry);
      items.push([`t:${textHash}`, 1]);
    }
    for (const e of outgoing) items.push([`o:${e.id}`, e]);
    // In memory at once, so that a page closing right now still sends it by beacon.
    queued.push(...outgoing);
  }
  await store.put(items);
  return receipt;
};

/** This browser's consent history, newest first, with the endpoint's signatures where known. */
export const receipts = async (): Promise<Receipt[]> =>
  (await store.list<HistoryItem>('h:'))
    .reverse()
    .map(([, item]) => (item.signature ? { ...item.receipt, signature: item.signature } : item.receipt));

/** Erases the local history and asks the endpoint to erase its copy. */
export const forget = async (consentId: string) => {
  watch();
  remember(store, host.config, Date.now(), null);
  await store.remove([...(await store.list('h:')), ...(await store.list('t:'))].map(([key]) => key));
  if (endpoint && consentId) {
    const entry: ErasureEntry = {
      type: 'erasure',
      id: uuid(Date.now()),
      consentId,
      timestamp: new Date().toISOString(),
    };
    await store.put([[`o:${entry.id}`, entry]]);
  }
  await flush();
};

/** The visitor's record as a JSON file: receipts with signatures, and Kantara and ISO/IEC TS 27560 forms. */
export const download = async () => {
  // The standard forms are needed only here: they load with the first download.
  const { toIso27560, toKantara } = await import('../core/exports');
  const list = await receipts();
  const file = {
    exportedAt: new Date().toISOString(),
    consentId: host.api.getState().id,
    receipts: list,
    kantaraConsentReceipts: list.map((r) => toKantara(r, host.config)),
    iso27560Records: list.map((r) => toIso27560(r, host.config)),
  };
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }));
  link.download = `consent-record-${location.hostname}.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
};

/**
 * A decision made just before a page closed may have left before its receipt was stored; its cookie
 * still holds everything the receipt records, so it is rebuilt (same id: the endpoint keeps one).
 */
const recover = async () => {
  const d = host.decision;
  if (!d.pending || !d.receiptId || !d.method || d.updatedAt === null) return;
  const history = await store.list<HistoryItem>('h:');
  if (history.some(([key]) => key === `h:${d.receiptId}`)) return;
  const previous = history.filter(([key]) => key < `h:${d.receiptId}`).pop();
  // A decision made in the banner or the preference center was shown their texts: the same hash.
  const ui =
    d.method === 'banner' || d.method === 'preferences'
      ? withOverrides((await host.load(`texts-${host.language}`)).default, host.config.ui?.texts?.[host.language])
      : undefined;
  await keep(
    { ...d, previousId: previous ? previous[1].receipt.id : null, purposes: host.api.getState().purposes },
    ui as Record<string, string> | undefined,
    { recovered: true },
  );
};

/** Sends everything queued, one tab at a time; schedules a retry while anything is left. */
const flush = async (): Promise<void> => {
  clearTimeout(timer);
  if (!endpoint) return;
  let retryAfter: number | undefined;
  await exclusively(async () => {
    for (const batch of batches((await store.list<Entry>('o:')).map(([, entry]) => entry))) {
      retryAfter = await send(batch);
      if (retryAfter !== undefined) break;
    }
  });
  queued = (await store.list<Entry>('o:')).map(([, entry]) => entry);
  // The cookie is written again only when it says otherwise: a collector on the site's origin clears
  // the flag itself in the cookie it re-issues, which a write by script would cut to Safari's 7 days.
  const pending = queued.length > 0 || storing > 0;
  const cookie = readCookie(cookieNameOf(host.config));
  if (cookie && host.api.getState().method && saysPending(cookie) !== pending) host.setPending(pending);
  if (queued.length) timer = setTimeout(flush, backoffMs(attempt++, retryAfter));
};

/** The statuses this page was told about: an endpoint that refuses every batch is said once. */
const told = new Set<number>();

/**
 * An endpoint that refuses the batch itself (403 for an origin it does not allow, 404 for a wrong
 * URL) is most likely misconfigured: the entries stay queued and are retried, and the site owner is
 * told once, with what the endpoint said.
 */
const tellRefusal = ({ status, message }: { status?: number; message?: string }) => {
  if (!status || status < 400 || status > 499 || status === 429 || told.has(status)) return;
  told.add(status);
  const text = `the endpoint ${endpoint} answered ${status}${message ? ` (${message})` : ''}; entries stay queued and are sent again. Check config.endpoint, and that the collector allows this origin (${location.origin}: --origin / ASSENT_ORIGINS)`;
  console.error(`assent: ${text}`);
  host.emit('error', { code: 'endpoint', message: text });
};

/** Sends one batch; returns the delay to wait before sending more, or undefined to go on. */
const send = async (batch: Entry[]): Promise<number | undefined> => {
  const outcome = await post(endpoint, batch);
  host.reassert();
  if (outcome.kind === 'split') {
    const half = Math.ceil(batch.length / 2);
    return (await send(batch.slice(0, half))) ?? send(batch.slice(half));
  }
  if (outcome.kind === 'retry') {
    tellRefusal(outcome);
    return outcome.retryAfter ?? 0;
  }
  const { rejected, conflicts } = outcome;
  const refused = (e: Entry) => Object.hasOwn(rejected, e.id) || Object.hasOwn(conflicts, e.id);
  const done = outcome.kind === 'delivered' ? batch : batch.filter(refused);
  await store.remove(done.map((e) => `o:${e.id}` as const));
  for (const [id, message] of Object.entries(rejected))
    host.emit('error', { code: 'rejected', message: `the endpoint rejected entry ${id}: ${message}`, id });
  for (const [id, message] of Object.entries(conflicts))
    host.emit('error', {
      code: 'conflict',
      message: `the endpoint holds other bytes under entry ${id} (${message}); this entry was not confirmed`,
      id,
    });
  if (outcome.kind === 'rejected') return outcome.retryAfter ?? 0;
  attempt = 0;
  for (const id of outcome.forged)
    host.emit('error', {
      code: 'signature',
      message: `the endpoint's signature for entry ${id} signs other bytes than the entry sent; it is not kept`,
      id,
    });
  const { signatures } = outcome;
  const signed = batch.filter((e): e is Receipt => e.type === 'consent' && Object.hasOwn(signatures, e.id));
  if (signed.length)
    await store.put(
      signed.map((r) => [`h:${r.id}`, { receipt: r, signature: signatures[r.id] } satisfies HistoryItem]),
    );
  const ids = batch.filter((e) => !refused(e)).map((e) => e.id);
  if (ids.length) host.emit('sync', { ids });
};
