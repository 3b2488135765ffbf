// The `trouble` part: what the sync chunk loads only when something goes wrong: the endpoint answers
// other than with a clean 2xx, or IndexedDB fails. Only an entry the endpoint rejects by name, or
// answers as a conflict, leaves the outbox unconfirmed; 401, 403, 429, 5xx and the rest keep
// everything queued (SPEC §6). If this part cannot load, the batch simply stays queued and is sent
// again.
import type { Entry } from '../core/types';
import { type Problem, resultsOf } from './deliver';
import type { Sync } from './index';

/** Seconds (or an HTTP date) of a Retry-After header, as milliseconds. */
export const retryAfterMs = (header: string | null, now = Date.now()): number | undefined => {
  if (!header) return;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
};

/**
 * What a non-2xx answer says: the entries it rejects by name (only a 400 or 422 can), when to send
 * again, and the endpoint's own message.
 */
export const refusal = (batch: Entry[], texts: string[], res: Response, answer: unknown) => {
  const error = (answer as { error?: { ids?: unknown; message?: unknown } } | null)?.error;
  const message = typeof error?.message === 'string' ? error.message : undefined;
  const ids = Array.isArray(error?.ids) ? error.ids.filter((id): id is string => typeof id === 'string') : [];
  const named: Problem[] =
    res.status === 400 || res.status === 422
      ? [
          ...resultsOf(batch, texts, answer)[1].filter(([code]) => code !== 'signature'),
          ...ids.map((id): Problem => ['rejected', id, message]),
        ]
      : [];
  return { named, retryAfter: retryAfterMs(res.headers.get('Retry-After')), status: res.status, message };
};

/** Tells the site about entries, by id, with an error event each. */
export const report = ({ host }: Pick<Sync, 'host'>, problems: Problem[]) => {
  for (const [code, id, reason] of problems)
    host.emit('error', {
      code,
      message:
        code === 'rejected'
          ? `the endpoint rejected entry ${id}: ${reason || code}`
          : code === 'conflict'
            ? `the endpoint holds other bytes under entry ${id} (${reason || code}); this entry was not confirmed`
            : `the endpoint's signature for entry ${id} signs other bytes than the entry sent; it is not kept`,
      id,
    });
};

/** The statuses this page was told about: an endpoint that refuses every batch is said once. */
const told = new Set<number>();

/**
 * Handles a non-2xx answer to `batch`: a batch too large is sent again in halves; entries refused
 * by name leave the outbox (with an error each), the rest stay. An endpoint that refuses the batch
 * itself (403 for an origin it does not allow, 404 for a wrong URL) is most likely misconfigured:
 * the site owner is told once, with what the endpoint said. Resolves with the delay before sending
 * again (undefined: the halves went through).
 */
export const answered = async (
  sync: Sync,
  batch: Entry[],
  texts: string[],
  res: Response,
  answer: unknown,
): Promise<number | undefined> => {
  // Too large for the endpoint: in halves (a single entry stays queued).
  if (res.status === 413 && batch.length > 1) {
    const half = Math.ceil(batch.length / 2);
    return (await sync.send(batch.slice(0, half))) ?? sync.send(batch.slice(half));
  }
  const { named, retryAfter, status, message } = refusal(batch, texts, res, answer);
  if (named.length) {
    await sync.store.remove(batch.filter((e) => named.some((p) => p[1] === e.id)).map((e) => `o:${e.id}` as const));
    report(sync, named);
  } else if (status > 399 && status < 500 && status !== 429 && !told.has(status)) {
    told.add(status);
    const text = `the endpoint ${sync.endpoint} answered ${status}${message ? ` (${message})` : ''}; entries stay queued and are sent again. Check config.endpoint, and that the collector allows this origin (${location.origin}: --origin / ASSENT_ORIGINS)`;
    console.error(`assent: ${text}`);
    sync.host.emit('error', { code: 'endpoint', message: text });
  }
  return retryAfter ?? 0;
};

/** IndexedDB failed: from now on entries live in this page only. */
export const unavailable = ({ host }: Pick<Sync, 'host'>, reason: string) =>
  host.emit('error', {
    code: 'storage',
    message: `IndexedDB is unavailable (${reason}); consent entries are sent at once and kept only in this page until delivered`,
  });

/** The page goes with entries that nothing keeps (their copies are on their way all the same). */
export const lost = ({ host }: Pick<Sync, 'host'>, count: number) =>
  host.emit('error', { code: 'storage', message: `${count} consent entries could not be kept after this page` });
