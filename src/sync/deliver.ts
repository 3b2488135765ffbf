// Delivery to the endpoint (SPEC §6): batches by fetch, retried with exponential backoff and jitter
// (honouring Retry-After) until a 2xx answer confirms them; sendBeacon copies when the page hides;
// one tab sends at a time. Only an entry the endpoint rejects by name leaves the outbox unconfirmed.
import type { Entry } from '../core/types';

/** What the endpoint answered for one batch. */
export type Outcome =
  | { kind: 'delivered'; signatures: Record<string, string>; rejected: Record<string, string> }
  | { kind: 'rejected'; rejected: Record<string, string>; retryAfter?: number }
  | { kind: 'retry'; retryAfter?: number }
  | { kind: 'split' };

/** Beacons must stay under the 64 KiB keepalive quota; batches stay under it too. */
export const MAX_BATCH_BYTES = 60_000;

interface Result {
  id?: string;
  status?: string;
  reason?: string;
  signature?: string;
}

const rejectedIn = (body: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  const b = body as { results?: Result[]; error?: { ids?: string[]; message?: string } } | null;
  for (const r of b?.results || []) if (r?.status === 'rejected' && r.id) out[r.id] = r.reason || 'rejected';
  for (const id of b?.error?.ids || []) out[id] = b?.error?.message || 'rejected';
  return out;
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
  const body = JSON.stringify(batch);
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      // text/plain keeps the request simple: no CORS preflight, and sendBeacon can send the same.
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body,
      keepalive: body.length < MAX_BATCH_BYTES,
      credentials: 'same-origin',
    });
  } catch {
    return { kind: 'retry' };
  }
  const answer = await res.json().catch(() => null);
  const retryAfter = retryAfterMs(res.headers.get('Retry-After'));
  if (res.ok) {
    const signatures: Record<string, string> = {};
    for (const r of (answer as { results?: Result[] } | null)?.results || [])
      if (r?.id && r.signature) signatures[r.id] = r.signature;
    return { kind: 'delivered', signatures, rejected: rejectedIn(answer) };
  }
  if (res.status === 413 && batch.length > 1) return { kind: 'split' };
  if (res.status === 400 || res.status === 422) {
    const rejected = rejectedIn(answer);
    if (Object.keys(rejected).length) return { kind: 'rejected', rejected, retryAfter };
  }
  return { kind: 'retry', retryAfter };
};

/** Full-jitter exponential backoff: 1 s, 2 s, 4 s… capped at 5 minutes, never sooner than Retry-After. */
export const backoffMs = (attempt: number, retryAfter = 0, random = Math.random): number =>
  Math.max(retryAfter, Math.round(random() * Math.min(300_000, 1000 * 2 ** attempt)));

/** Splits entries into batches whose JSON stays under the byte limit. */
export const batches = (items: Entry[], limit = MAX_BATCH_BYTES): Entry[][] => {
  const out: Entry[][] = [];
  let current: Entry[] = [];
  let size = 2;
  for (const item of items) {
    const length = new TextEncoder().encode(JSON.stringify(item)).length + 1;
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

/** Sends copies by sendBeacon, whose answers cannot be read: the entries stay queued. */
export const beacon = (endpoint: string, items: Entry[]) => {
  for (const batch of batches(items))
    navigator.sendBeacon?.(endpoint, new Blob([JSON.stringify(batch)], { type: 'text/plain;charset=UTF-8' }));
};

/**
 * Runs `work` while no other tab of the origin sends: Web Locks where the browser has them (not on
 * plain-http pages), else a short lease in localStorage. If another tab holds the lock, `work` is
 * skipped: that tab sends every queued entry, this tab's included.
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
  try {
    await work();
  } finally {
    try {
      if (localStorage.getItem(key)?.startsWith(me)) localStorage.removeItem(key);
    } catch {}
  }
};
