// Delivery to the endpoint (SPEC §6): batches by fetch, retried with exponential backoff and jitter
// until a 2xx answer confirms them; keepalive copies when the page hides; one tab sends at a time.
// A 2xx answer is read here; any other, by the `trouble` part (trouble.ts).
import type { Entry } from '../core/types';
import type { HistoryItem, Key } from './store';

/** Batches stay under the 64 KiB that browsers allow keepalive requests of one page in flight. */
export const MAX_BATCH_BYTES = 60_000;
const KEEPALIVE_QUOTA = 65_536;

/** What the endpoint says of one entry (SPEC §7); the answer is untrusted, so nothing is assumed. */
export interface Result {
  id?: unknown;
  status?: unknown;
  reason?: unknown;
  signature?: unknown;
}

/** Something to tell the site about one entry: the error code, the entry's id and what the endpoint said, if anything. */
export type Problem = [code: 'rejected' | 'conflict' | 'signature', id: string, reason?: string];

/**
 * What every request to the endpoint carries. Its body is a string, which the Fetch standard sends
 * as `text/plain;charset=UTF-8`: a simple request, with no CORS preflight. The request's own
 * referrer policy keeps the `Origin` header, which the endpoint requires: under a page's
 * `no-referrer` or `same-origin`, the Fetch standard sends `Origin: null` for a same-origin POST and
 * for a no-cors one (as sendBeacon's). No `Referer` is sent at all.
 */
const REQUEST: RequestInit = { method: 'POST', referrer: '', referrerPolicy: 'origin' };

/**
 * Whether a compact JWS signs exactly this text: its payload is the base64url of the text's UTF-8
 * bytes (RFC 7515: no padding). A signature over other bytes (another receipt under the same id)
 * proves nothing.
 */
export const signs = (jws: unknown, text: string): boolean => {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  // Whatever the endpoint sent: anything but a string with that payload is no match.
  return `${jws}`.split('.')[1] === btoa(binary).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
};

/** Sends a batch of entries, each as the text given: the endpoint's answer, or nothing when the network failed. */
export const post = (endpoint: string, texts: string[]): Promise<Response | undefined> =>
  // Not keepalive: a request that outlived its page could answer with an old cookie that no page is
  // left to correct (the copies sent as the page hides carry no cookie).
  fetch(endpoint, { ...REQUEST, body: `[${texts}]`, credentials: 'same-origin' }).catch(() => undefined);

/**
 * What an answer says of each entry of a batch: the history items of the receipts it signed, with
 * signatures whose payload is byte for byte the receipt sent, and the problems to tell the site
 * about: entries refused by name (`rejected`, `conflict`), signatures over other bytes (not kept).
 * The answer is untrusted: anything else in it is passed over.
 */
export const resultsOf = (batch: Entry[], texts: string[], answer: unknown) => {
  const signed: [Key, HistoryItem][] = [];
  const problems: Problem[] = [];
  const results = (answer as { results?: unknown } | null)?.results;
  for (const r of (Array.isArray(results) ? results : []) as (Result | null)[]) {
    const id = r?.id;
    if (typeof id !== 'string') continue;
    const { status, signature, reason } = r as Result;
    if (status === 'rejected' || status === 'conflict') problems.push([status, id, reason as string]);
    const i = batch.findIndex((e) => e.id === id);
    const receipt = batch[i];
    if (receipt && signature)
      if (!signs(signature, texts[i])) problems.push(['signature', id]);
      // Only receipts have a place in the history.
      else if (receipt.type === 'consent') signed.push([`h:${id}`, { receipt, signature: signature as string }]);
  }
  return [signed, problems] as const;
};

/** Full-jitter exponential backoff: 1 s, 2 s, 4 s… capped at 5 minutes, never sooner than Retry-After. */
export const backoffMs = (attempt: number, retryAfter = 0, random = Math.random): number =>
  Math.max(retryAfter, Math.round(random() * Math.min(300_000, 1000 * 2 ** attempt)));

const byteLength = (s: string) => new TextEncoder().encode(s).length;

/** Splits entries into batches whose JSON stays under the byte limit (an entry larger than it goes alone). */
export const batches = (items: Entry[], limit = MAX_BATCH_BYTES): Entry[][] => {
  const out: Entry[][] = [];
  // The bytes of the last batch: `[`, `]`, and each entry with its comma. The first entry starts one.
  let size = limit;
  for (const item of items) {
    const length = byteLength(JSON.stringify(item)) + 1;
    if (size + length > limit) {
      out.push([]);
      size = 2;
    }
    out[out.length - 1].push(item);
    size += length;
  }
  return out;
};

let inFlight = 0;

/**
 * Sends copies that outlive the page (keepalive fetch, which keeps the `Origin` header where
 * sendBeacon may lose it) as far as the keepalive quota allows; their answers cannot be read, so the
 * entries stay queued. Without credentials: an answer that re-issues the consent cookie could arrive
 * after a newer decision, with no page left to correct it.
 */
export const sendOnExit = (endpoint: string, items: Entry[]) => {
  for (const batch of batches(items)) {
    const body = JSON.stringify(batch);
    const size = byteLength(body);
    if (inFlight + size > KEEPALIVE_QUOTA) return;
    inFlight += size;
    fetch(endpoint, { ...REQUEST, body, keepalive: true, credentials: 'omit' })
      .catch(() => {})
      .finally(() => {
        inFlight -= size;
      });
  }
};

/** Runs `work` while no other tab of the origin sends (work, or nothing when another tab holds the lease). */
export type Lease = (work: () => Promise<void>) => Promise<void>;

/**
 * Runs `work` while no other tab of the origin sends: Web Locks where the browser has them, else
 * (plain-http pages) `fallback`, a lease in localStorage loaded with the `plain` part. If another tab
 * holds the lock, `work` is skipped: that tab sends every queued entry, this tab's included.
 */
export const exclusively = async (work: () => Promise<void>, fallback: () => Promise<Lease>) => {
  if (navigator.locks) await navigator.locks.request('assent:outbox', { ifAvailable: true }, (lock) => lock && work());
  else await (await fallback())(work);
};
