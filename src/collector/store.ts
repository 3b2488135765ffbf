// What the collector does with entries: store each exactly as received (append-only), sign
// receipts, keep texts by hash, erase a subject on request, and read them back.
import { entryIssues } from '../core/entries';
import type { Db } from './db';
import { type SigningKey, signCompact } from './jws';

export interface IngestResult {
  id: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  reason?: string;
  signature?: string;
}

/**
 * Stores a batch, given as the raw text of each entry; one result per entry, in order. One
 * transaction per batch: acknowledged means committed, and a batch costs one commit.
 */
export const ingest = (db: Db, key: SigningKey, raws: string[]): Promise<IngestResult[]> =>
  db.transaction(async (tx) => {
    const results: IngestResult[] = [];
    for (const raw of raws) results.push(await ingestOne(tx, key, raw));
    return results;
  });

const ingestOne = async (db: Db, key: SigningKey, raw: string): Promise<IngestResult> => {
  const entry = JSON.parse(raw) as {
    id?: unknown;
    type?: string;
    consentId?: string;
    textHash?: string;
    language?: string;
    texts?: unknown;
  };
  const id = typeof entry?.id === 'string' ? entry.id : '';
  const issues = entryIssues(entry);
  if (issues.length) return { id, status: 'rejected', reason: issues.map((i) => i.message).join('; ') };
  if (entry.type === 'erasure') {
    await eraseIn(db, entry.consentId as string);
    return { id, status: 'accepted' };
  }
  const signature = entry.type === 'consent' ? signCompact(raw, key) : null;
  const inserted = await db.query(
    `INSERT INTO entries (id, type, consent_id, body, signature) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [id, entry.type, entry.consentId ?? null, raw, signature],
  );
  if (entry.type === 'texts')
    await db.query(
      'INSERT INTO texts (text_hash, language, body) VALUES ($1, $2, $3) ON CONFLICT (text_hash) DO NOTHING',
      [entry.textHash, entry.language, JSON.stringify(entry.texts)],
    );
  if (inserted.length) return { id, status: 'accepted', ...(signature && { signature }) };
  const [first] = await db.query<{ signature: string | null }>('SELECT signature FROM entries WHERE id = $1', [id]);
  return { id, status: 'duplicate', ...(first?.signature && { signature: first.signature }) };
};

const eraseIn = async (tx: Db, consentId: string) => {
  await tx.query('DELETE FROM entries WHERE consent_id = $1', [consentId]);
  await tx.query(
    `INSERT INTO erasures (day, count) VALUES (current_date, 1)
     ON CONFLICT (day) DO UPDATE SET count = erasures.count + 1`,
  );
};

/** Erases a subject's receipts; only a count of erasures per day remains. */
export const erase = (db: Db, consentId: string) => db.transaction((tx) => eraseIn(tx, consentId));

/** A subject's receipts, oldest first, each as the exact text received with its signature. */
export const subjectReceipts = (db: Db, consentId: string) =>
  db.query<{ body: string; signature: string; received_at: Date }>(
    `SELECT body, signature, received_at FROM entries WHERE consent_id = $1 AND type = 'consent'
     ORDER BY received_at, id`,
    [consentId],
  );

/** The texts behind a hash, or undefined. */
export const textsFor = async (db: Db, textHash: string) =>
  (
    await db.query<{ body: string; language: string }>('SELECT body, language FROM texts WHERE text_hash = $1', [
      textHash,
    ])
  )[0];

/** Deletes receipts received more than `days` days ago (ASSENT_RETENTION_DAYS); returns how many. */
export const prune = async (db: Db, days: number) =>
  (
    await db.query(
      "DELETE FROM entries WHERE type = 'consent' AND received_at < now() - make_interval(days => $1) RETURNING id",
      [days],
    )
  ).length;

/** The range of an admin query: inclusive ISO dates on the time the collector received the receipt. */
export interface Range {
  from?: string;
  to?: string;
}
/** The consent receipts of a range; `t` qualifies the columns when the query joins tables. */
const receiptsOfRange = (t = '') => `${t}type = 'consent' AND ($1::date IS NULL OR ${t}received_at >= $1::date)
  AND ($2::date IS NULL OR ${t}received_at < $2::date + 1)`;
const inRange = receiptsOfRange();
const rangeParams = (r: Range) => [r.from || null, r.to || null];

/** Every stored consent receipt in a range, oldest first, as received. */
export const receiptsIn = (db: Db, range: Range) =>
  db.query<{ body: string; signature: string; received_at: Date }>(
    `SELECT body, signature, received_at FROM entries WHERE ${inRange} ORDER BY received_at, id`,
    rangeParams(range),
  );

/** Upper bounds (exclusive) of the delivery lag histogram's buckets; the last bucket has none. */
export const LAG_BUCKETS_MS = [1_000, 10_000, 60_000, 600_000, 3_600_000, 86_400_000];

/**
 * A receipt's own timestamp as a timestamptz, or NULL. The entry schema checks only the shape of the
 * text, and a cast of "2026-02-31T25:00:00Z" would fail the whole query, so the fields are checked here
 * and the day is added to the month, rolling over as `Date.parse` does.
 */
const RECEIPT_TIME = `CASE WHEN ts ~ '^[1-9]\\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,6})?Z$'
  THEN ((substr(ts, 1, 7) || '-01')::date + (substr(ts, 9, 2)::int - 1) + substr(ts, 12, length(ts) - 12)::interval)
    AT TIME ZONE 'UTC' END`;
/** Delivery lag in milliseconds: from the receipt's timestamp (the browser's clock) to received_at. */
const LAGS = `WITH lags AS (
  SELECT (extract(epoch FROM received_at - ${RECEIPT_TIME}) * 1000)::float8 AS ms
  FROM (SELECT received_at, body::jsonb->>'timestamp' AS ts FROM entries WHERE ${inRange}) AS received
)`;

/**
 * Counts over every stored receipt in a range: per day, per purpose (granted, denied), method and
 * language; per purpose and day, for opt-in rates; withdrawals; delivery lag percentiles and histogram.
 */
export const stats = async (db: Db, range: Range) => {
  const p = rangeParams(range);
  const [total] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM entries WHERE ${inRange}`, p);
  const byDay = await db.query<{ day: string; n: string }>(
    `SELECT to_char(received_at, 'YYYY-MM-DD') AS day, count(*) AS n FROM entries WHERE ${inRange} GROUP BY day ORDER BY day`,
    p,
  );
  const by = (field: string) =>
    db.query<{ k: string; n: string }>(
      `SELECT body::jsonb->>'${field}' AS k, count(*) AS n FROM entries WHERE ${inRange} GROUP BY k ORDER BY k`,
      p,
    );
  const purposesByDay = await db.query<{
    day: string;
    purpose_id: string;
    basis: string;
    granted: string;
    denied: string;
  }>(
    `SELECT to_char(received_at, 'YYYY-MM-DD') AS day, purpose->>'id' AS purpose_id, max(purpose->>'basis') AS basis,
       count(*) FILTER (WHERE (purpose->>'granted')::boolean) AS granted,
       count(*) FILTER (WHERE NOT (purpose->>'granted')::boolean) AS denied
     FROM entries, jsonb_array_elements(body::jsonb->'purposes') AS purpose
     WHERE ${inRange} GROUP BY day, purpose_id ORDER BY day, purpose_id`,
    p,
  );
  // A withdrawal: a receipt that denies a purpose its previous receipt granted, wherever that one falls.
  const withdrawn = await db.query<{ day: string; purpose_id: string | null; n: string }>(
    `WITH withdrawn AS (
       SELECT to_char(e.received_at, 'YYYY-MM-DD') AS day, e.id AS receipt_id, is_purpose->>'id' AS purpose_id
       FROM entries e
       JOIN entries prev ON prev.id = e.body::jsonb->>'previousId' AND prev.type = 'consent'
         AND prev.consent_id = e.consent_id
       CROSS JOIN jsonb_array_elements(e.body::jsonb->'purposes') AS is_purpose
       CROSS JOIN jsonb_array_elements(prev.body::jsonb->'purposes') AS was_purpose
       WHERE ${receiptsOfRange('e.')} AND is_purpose->>'id' = was_purpose->>'id'
         AND (was_purpose->>'granted')::boolean AND NOT (is_purpose->>'granted')::boolean
     )
     SELECT day, CASE WHEN grouping(purpose_id) = 0 THEN purpose_id END AS purpose_id, count(DISTINCT receipt_id) AS n
     FROM withdrawn GROUP BY GROUPING SETS ((day, purpose_id), (day)) ORDER BY day`,
    p,
  );
  const [lag] = await db.query<{
    n: string;
    p50: number | null;
    p90: number | null;
    p99: number | null;
    max: number | null;
  }>(
    `${LAGS} SELECT count(ms) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY ms) AS p90,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max FROM lags`,
    p,
  );
  const lagBuckets = await db.query<{ bucket: number; n: string }>(
    `${LAGS} SELECT width_bucket(ms, ARRAY[${LAG_BUCKETS_MS.join(',')}]::float8[]) AS bucket, count(*) AS n
     FROM lags WHERE ms IS NOT NULL GROUP BY bucket`,
    p,
  );
  const count = (rows: { k: string; n: string }[]) => Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
  const [erasures] = await db.query<{ n: string }>(
    'SELECT coalesce(sum(count), 0) AS n FROM erasures WHERE ($1::date IS NULL OR day >= $1::date) AND ($2::date IS NULL OR day <= $2::date)',
    p,
  );

  const perPurpose: Record<string, { granted: number; denied: number }> = {};
  const perDayPerPurpose: Record<string, Record<string, { granted: number; denied: number }>> = {};
  const bases: Record<string, string> = {};
  for (const r of purposesByDay) {
    const [granted, denied] = [Number(r.granted), Number(r.denied)];
    const sum = (perPurpose[r.purpose_id] ??= { granted: 0, denied: 0 });
    sum.granted += granted;
    sum.denied += denied;
    (perDayPerPurpose[r.day] ??= {})[r.purpose_id] = { granted, denied };
    // Rows come oldest day first, so the basis last recorded wins.
    bases[r.purpose_id] = r.basis;
  }
  const withdrawals = { total: 0, perDay: {} as Record<string, number>, perPurpose: {} as Record<string, number> };
  for (const r of withdrawn) {
    if (r.purpose_id === null) {
      withdrawals.perDay[r.day] = Number(r.n);
      withdrawals.total += Number(r.n);
    } else withdrawals.perPurpose[r.purpose_id] = (withdrawals.perPurpose[r.purpose_id] ?? 0) + Number(r.n);
  }
  const ms = (v: number | null) => (v === null ? null : Math.round(Number(v)));
  const inBucket = new Map(lagBuckets.map((r) => [Number(r.bucket), Number(r.n)]));
  return {
    from: range.from ?? null,
    to: range.to ?? null,
    decisions: Number(total.n),
    perDay: Object.fromEntries(byDay.map((r) => [r.day, Number(r.n)])),
    perPurpose,
    perMethod: count(await by('method')),
    perLanguage: count(await by('language')),
    erasures: Number(erasures.n),
    /** The legal basis of each purpose, as its latest receipt in the range records it. */
    bases,
    perDayPerPurpose,
    withdrawals,
    /** From each receipt's timestamp (the browser's clock) to the moment the collector received it. */
    lag: {
      count: Number(lag.n),
      p50Ms: ms(lag.p50),
      p90Ms: ms(lag.p90),
      p99Ms: ms(lag.p99),
      maxMs: ms(lag.max),
      // width_bucket counts from 0 (below the first bound) to the number of bounds (at or above the last).
      histogram: [...LAG_BUCKETS_MS, null].map((belowMs, i) => ({ belowMs, n: inBucket.get(i) ?? 0 })),
    },
  };
};
