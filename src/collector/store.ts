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

/** Stores a batch, given as the raw text of each entry; one result per entry, in order. */
export const ingest = async (db: Db, key: SigningKey, raws: string[]): Promise<IngestResult[]> => {
  const results: IngestResult[] = [];
  for (const raw of raws) results.push(await ingestOne(db, key, raw));
  return results;
};

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
    await erase(db, entry.consentId as string);
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

/** Erases a subject's receipts; only a count of erasures per day remains. */
export const erase = async (db: Db, consentId: string) =>
  db.transaction(async (tx) => {
    await tx.query('DELETE FROM entries WHERE consent_id = $1', [consentId]);
    await tx.query(
      `INSERT INTO erasures (day, count) VALUES (current_date, 1)
       ON CONFLICT (day) DO UPDATE SET count = erasures.count + 1`,
    );
  });

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
