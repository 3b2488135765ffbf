// Talking to the collector from the dashboard: every failure becomes a CollectorError that names the
// URL that failed and says whether the collector is unreachable, refused the token, or answered oddly.
import type { stats } from '../collector/counters';
import type { Jwks } from '../core/signature';
import type { Receipt } from '../core/types';

/** What `GET /v1/stats` answers: the collector's own return type, so the two cannot drift apart. */
export type Stats = Awaited<ReturnType<typeof stats>>;

export interface SubjectReceipt {
  receipt: Receipt;
  signature: string;
  receivedAt: string;
  /** Stored beside an earlier receipt with the same id and other bytes (SPEC §7). */
  conflict?: true;
}

export type ErrorKind = 'down' | 'token' | 'answer';

export class CollectorError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 10_000;

/** A collector route's absolute URL; the base is a folder, with or without its final slash. */
export const routeUrl = (base: string, route: string) => new URL(route, base.endsWith('/') ? base : `${base}/`).href;

const request = async (url: string, token?: string): Promise<Response> => {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    const late = e instanceof DOMException && e.name === 'TimeoutError';
    throw new CollectorError('down', url, late ? `no answer within ${TIMEOUT_MS / 1000} s` : 'no answer');
  }
  if (res.status === 401) throw new CollectorError('token', url, 'the admin token was refused (401)');
  if (!res.ok) {
    const said = await res
      .json()
      .then((body: { error?: { message?: string } }) => body.error?.message)
      .catch(() => undefined);
    throw new CollectorError('answer', url, `answered ${res.status}${said ? `: ${said}` : ''}`);
  }
  return res;
};

const json = async <T>(url: string, token?: string): Promise<T> => {
  const res = await request(url, token);
  try {
    return (await res.json()) as T;
  } catch {
    throw new CollectorError('answer', url, 'did not answer with JSON: is this the collector’s address?');
  }
};

/** Only the parts of a range that are set. */
const rangeQuery = (range: { from: string; to: string }, extra: Record<string, string> = {}) =>
  new URLSearchParams(
    Object.entries({ ...extra, from: range.from, to: range.to }).filter(([, v]) => v) as [string, string][],
  ).toString();

export const fetchStats = (base: string, token: string, range: { from: string; to: string }) =>
  json<Stats>(routeUrl(base, `v1/stats?${rangeQuery(range)}`), token);

export const fetchSubjectReceipts = async (base: string, consentId: string) =>
  (await json<{ receipts: SubjectReceipt[] }>(routeUrl(base, `v1/subjects/${encodeURIComponent(consentId)}/receipts`)))
    .receipts;

export const fetchJwks = (base: string) => json<Jwks>(routeUrl(base, '.well-known/jwks.json'));

/** The admin export of a range, as a file the browser saves (a link cannot carry the bearer token). */
export const downloadExport = async (
  base: string,
  token: string,
  range: { from: string; to: string },
  format: 'ndjson' | 'csv',
) => {
  const res = await request(routeUrl(base, `v1/export?${rangeQuery(range, { format })}`), token);
  const href = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = href;
  link.download = `assent-receipts-${range.from || 'start'}-to-${range.to || 'now'}.${format}`;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by now; the object URL is only needed until then.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
};
