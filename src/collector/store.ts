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
const inRange = `type = 'consent' AND ($1::date IS NULL OR received_at >= $1::date)
  AND ($2::date IS NULL OR received_at < $2::date + 1)`;
const rangeParams = (r: Range) => [r.from || null, r.to || null];

/** Every stored consent receipt in a range, oldest first, as received. */
export const receiptsIn = (db: Db, range: Range) =>
  db.query<{ body: string; signature: string; received_at: Date }>(
    `SELECT body, signature, received_at FROM entries WHERE ${inRange} ORDER BY received_at, id`,
    rangeParams(range),
  );

/** Counts over every stored receipt in a range: per day, per purpose (granted, denied), method, language. */
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
  const purposes = await db.query<{ purpose_id: string; granted: string; denied: string }>(
    `SELECT purpose->>'id' AS purpose_id,
       count(*) FILTER (WHERE (purpose->>'granted')::boolean) AS granted,
       count(*) FILTER (WHERE NOT (purpose->>'granted')::boolean) AS denied
     FROM entries, jsonb_array_elements(body::jsonb->'purposes') AS purpose
     WHERE ${inRange} GROUP BY purpose_id ORDER BY purpose_id`,
    p,
  );
  const count = (rows: { k: string; n: string }[]) => Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
  const [erasures] = await db.query<{ n: string }>(
    'SELECT coalesce(sum(count), 0) AS n FROM erasures WHERE ($1::date IS NULL OR day >= $1::date) AND ($2::date IS NULL OR day <= $2::date)',
    p,
  );
  return {
    from: range.from ?? null,
    to: range.to ?? null,
    decisions: Number(total.n),
    perDay: Object.fromEntries(byDay.map((r) => [r.day, Number(r.n)])),
    perPurpose: Object.fromEntries(
      purposes.map((r) => [r.purpose_id, { granted: Number(r.granted), denied: Number(r.denied) }]),
    ),
    perMethod: count(await by('method')),
    perLanguage: count(await by('language')),
    erasures: Number(erasures.n),
  };
};
