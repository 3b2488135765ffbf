// Delivery to the endpoint (SPEC §6): batches by fetch, retried with exponential backoff and jitter
// (honouring Retry-After) until a 2xx answer confirms them; keepalive copies when the page hides;
// one tab sends at a time. Only an entry the endpoint rejects by name, or answers as a conflict,
// leaves the outbox unconfirmed. A signature is kept only when it signs the very text sent.
import { emptyMap } from '../core/bases';
import type { Entry } from '../core/types';

/** What the endpoint refused, by entry id: why. */
type Refused = Record<string, string>;

/** What the endpoint answered for one batch. */
export type Outcome =
  | {
      kind: 'delivered';
      /** Signatures whose payload is byte for byte the entry sent. */
      signatures: Record<string, string>;
      /** Ids whose signature signs other bytes: not kept. */
      forged: string[];
      rejected: Refused;
      /** The endpoint holds other bytes under the same id. */
      conflicts: Refused;
    }
  | { kind: 'rejected'; rejected: Refused; conflicts: Refused; retryAfter?: number }
  | { kind: 'retry'; retryAfter?: number; status?: number; message?: string }
  | { kind: 'split' };

/** Batches stay under the 64 KiB that browsers allow keepalive requests of one page in flight. */
export const MAX_BATCH_BYTES = 60_000;
const KEEPALIVE_QUOTA = 65_536;

interface Result {
  id?: string;
  status?: string;
  reason?: string;
  signature?: string;
}

/**
 * What every request to the endpoint carries. text/plain keeps the request simple: no CORS
 * preflight. The request's own referrer policy keeps the `Origin` header, which the endpoint
 * requires: under a page's `no-referrer` or `same-origin`, the Fetch standard sends `Origin: null`
 * for a same-origin POST and for a no-cors one (as sendBeacon's). No `Referer` is sent at all.
 */
const REQUEST: RequestInit = {
  method: 'POST',
  headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
  referrer: '',
  referrerPolicy: 'origin',
};

const refusedIn = (body: unknown, status: 'rejected' | 'conflict'): Refused => {
  const out = emptyMap<string>();
  const b = body as { results?: Result[]; error?: { ids?: string[]; message?: string } } | null;
  for (const r of (Array.isArray(b?.results) && b?.results) || [])
    if (r?.status === status && typeof r.id === 'string') out[r.id] = r.reason || status;
  if (status === 'rejected')
    for (const id of (Array.isArray(b?.error?.ids) && b?.error?.ids) || []) out[id] = b?.error?.message || status;
  return out;
};

/**
 * Whether a compact JWS signs exactly this text: its payload, base64url-decoded as UTF-8, is the
 * same string. A signature over other bytes (another receipt under the same id) proves nothing.
 */
export const signs = (jws: unknown, text: string): boolean => {
  if (typeof jws !== 'string' || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(jws)) return false;
  try {
    const binary = atob(jws.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes) === text;
  } catch {
    return false;
  }
};

/** Seconds (or an HTTP date) of a Retry-After header, as milliseconds. */
export const retryAfterMs = (header: string | null, now = Date.now()): number | undefined => {
  if (!header) return;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
};

/** Sends one batch and classifies the answer. */
export const post = async (endpoint: string, batch: Entry[]): Promise<Outcome> => {
  // The text of each entry, exactly as sent: what its signature must sign.
  const texts = batch.map((e) => JSON.stringify(e));
  let res: Response;
  try {
    // Not keepalive: a request that outlived its page could answer with an old cookie that no page
    // is left to correct (the copies sent as the page hides carry no cookie).
    res = await fetch(endpoint, { ...REQUEST, body: `[${texts.join(',')}]`, credentials: 'same-origin' });
  } catch {
    return { kind: 'retry' };
  }
  const answer = await res.json().catch(() => null);
  const retryAfter = retryAfterMs(res.headers.get('Retry-After'));
  const rejected = refusedIn(answer, 'rejected');
  const conflicts = refusedIn(answer, 'conflict');
  if (res.ok) {
    const signatures = emptyMap<string>();
    const forged: string[] = [];
    const results = (answer as { results?: Result[] } | null)?.results;
    for (const r of Array.isArray(results) ? results : []) {
      const i = batch.findIndex((e) => e.id === r?.id);
      if (i < 0 || !r.signature) continue;
      if (signs(r.signature, texts[i])) signatures[r.id as string] = r.signature;
      else forged.push(r.id as string);
    }
    return { kind: 'delivered', signatures, forged, rejected, conflicts };
  }
  if (res.status === 413 && batch.length > 1) return { kind: 'split' };
  if ((res.status === 400 || res.status === 422) && Object.keys({ ...rejected, ...conflicts }).length)
    return { kind: 'rejected', rejected, conflicts, retryAfter };
  const said = (answer as { error?: { message?: unknown } } | null)?.error?.message;
  return { kind: 'retry', retryAfter, status: res.status, message: typeof said === 'string' ? said : undefined };
};

/** Full-jitter exponential backoff: 1 s, 2 s, 4 s… capped at 5 minutes, never sooner than Retry-After. */
export const backoffMs = (attempt: number, retryAfter = 0, random = Math.random): number =>
  Math.max(retryAfter, Math.round(random() * Math.min(300_000, 1000 * 2 ** attempt)));

const byteLength = (s: string) => new TextEncoder().encode(s).length;

/** Splits entries into batches whose JSON stays under the byte limit. */
export const batches = (items: Entry[], limit = MAX_BATCH_BYTES): Entry[][] => {
  const out: Entry[][] = [];
  let current: Entry[] = [];
  let size = 2;
  for (const item of items) {
    const length = byteLength(JSON.stringify(item)) + 1;
    if (current.length && size + length > limit) {
      out.push(current);
      current = [];
      size = 2;
    }
    current.push(item);
    size += length;
  }
  if (current.length) out.push(current);
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

/**
 * Runs `work` while no other tab of the origin sends: Web Locks where the browser has them (not on
 * plain-http pages), else a short lease in localStorage. If another tab holds the lock, `work` is
 * skipped: that tab sends every queued entry, this tab's included. A page that goes gives the lease
 * back as it goes: Firefox may run the rest of its `work` only after the next page has started, which
 * would otherwise find the lease taken and wait it out.
 */
export const exclusively = async (work: () => Promise<void>): Promise<void> => {
  if (navigator.locks)
    return navigator.locks.request('assent:outbox', { ifAvailable: true }, (lock) => (lock ? work() : undefined));
  const key = 'assent:outbox-lock';
  const me = Math.random().toString(36).slice(2);
  try {
    const [, until] = (localStorage.getItem(key) || '').split(' ');
    if (Number(until) > Date.now()) return;
    localStorage.setItem(key, `${me} ${Date.now() + 30_000}`);
    if (!localStorage.getItem(key)?.startsWith(me)) return;
  } catch {
    // No storage either: sending twice is harmless, the endpoint removes duplicates by id.
  }
  const release = () => {
    try {
      if (localStorage.getItem(key)?.startsWith(me)) localStorage.removeItem(key);
    } catch {}
  };
  addEventListener('pagehide', release);
  try {
    await work();
  } finally {
    removeEventListener('pagehide', release);
    release();
  }
};
