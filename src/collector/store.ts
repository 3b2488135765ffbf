// What the collector does with entries: store each exactly as received (append-only), sealed with its
// subject's key, signed and chained; keep texts by their verified hash; erase a subject on request,
// leaving signed tombstones; and read it all back.
import { createHash } from 'node:crypto';
import { entryIssues } from '../core/entries';
import { canonicalJson } from '../core/receipt';
import { textHashOf } from '../core/signature';
import type { Entry, Receipt } from '../core/types';
import { leafOf, Writer } from './chain';
import { contributions, Deltas, type Facts, KeyBudget, REGION } from './counters';
import { type Db, DbError } from './db';
import { attach, detach, type SigningKey, signCompact } from './jws';
import type { ScannedEntry } from './raw';
import { seal, subjectKey, subjectOf, unseal } from './shred';

export interface IngestResult {
  id: string;
  status: 'accepted' | 'duplicate' | 'conflict' | 'rejected';
  reason?: string;
  signature?: string;
}

/** Who sent a batch, as the collector verified it: a browser's allowed `Origin`, or a relay's token. */
export type Source = { origin: string } | { relay: true };
const sourceName = (s: Source) => ('origin' in s ? s.origin : 'relay');

export interface StoreOptions {
  /** Allowed origins: a relay may send receipts of these sites only. */
  origins: string[];
  /** Receipts older than this are pruned, and refused when they arrive. */
  retentionDays?: number;
  /** How long the tombstone of an erased receipt is kept. */
  tombstoneDays: number;
  /** The time an entry is received; tests move it. */
  now?: () => Date;
}

/** What an entry of an earlier release keeps when it is stored again. */
interface Kept {
  receivedAt: Date;
  receivedFrom: string;
  signature: string | null;
}

/** A stored row as the routes read it back. */
export interface StoredReceipt {
  raw: string;
  signature: string | null;
  receivedAt: Date;
  receivedFrom: string;
  /** Another entry has the same id and other bytes: this one, and every other, is in conflict. */
  conflict: boolean;
}

const MAX_REASON = 300;
const sha256 = (text: string | Uint8Array) => createHash('sha256').update(text).digest();
const reasonOf = (messages: string[]) => {
  const text = messages.length > 1 ? `${messages[0]} (and ${messages.length - 1} more)` : messages[0];
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
};
const dayMs = 864e5;

/** A receipt's text, opened with its subject's key; null when the row was altered. */
const openRow = (row: { body: Uint8Array; id: string; key: Uint8Array | null }) =>
  row.key ? (unseal(Buffer.from(row.key), row.body, row.id)?.toString('utf8') ?? null) : null;
const factsOf = (row: { facts: Uint8Array | null; id: string; key: Uint8Array | null }): Facts => {
  const text = row.facts && row.key ? unseal(Buffer.from(row.key), row.facts, `${row.id}/facts`) : null;
  return text ? JSON.parse(text.toString('utf8')) : { withdrawn: [] };
};

interface Row {
  writer: string;
  seq: string;
  id: string;
  type: string;
  body: Uint8Array;
  facts: Uint8Array | null;
  digest: Uint8Array;
  signature: string | null;
  /** Whether another entry has this id: a conflict counts for all its variants, the first included. */
  conflicted: boolean;
  received_from: string;
  received_at: Date;
  key: Uint8Array | null;
}
const ROW = `e.writer, e.seq, e.id, e.type, e.body, e.facts, e.digest, e.signature, e.received_from, e.received_at,
  (SELECT count(*) > 1 FROM entries x WHERE x.id = e.id) AS conflicted, k.key
  FROM entries e LEFT JOIN subject_keys k ON k.subject = e.subject`;
/** What a stored consent receipt adds to the counters, as it is now (its conflict state included). */
const countsOf = (row: Row, conflicted = row.conflicted) => {
  const text = row.type === 'consent' ? openRow(row) : null;
  return text ? contributions(JSON.parse(text), row.received_at, factsOf(row), conflicted) : [];
};

export class Store {
  readonly writer = new Writer();
  /** Entries stored since the last checkpoint. */
  unpublished = 0;
  private readonly budget = new KeyBudget();
  private writes: Promise<unknown> = Promise.resolve();
  private stale = false;

  constructor(
    readonly db: Db,
    readonly key: SigningKey,
    readonly options: StoreOptions,
  ) {}

  /**
   * One write at a time in this process, so that the chain's links follow the order of commits; after
   * a write whose outcome is unknown, the chain's head is read back first.
   */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writes.then(async () => {
      if (this.stale) {
        await this.writer.resync(this.db);
        this.stale = false;
      }
      try {
        return await work();
      } catch (e) {
        this.stale = true;
        throw e;
      }
    });
    this.writes = run.catch(() => {});
    return run;
  }

  /**
   * Stores a batch; one result per entry, in order. One transaction per batch: acknowledged means
   * committed. An entry the database refuses after all its checks costs only itself.
   */
  ingest(entries: ScannedEntry[], source: Source): Promise<IngestResult[]> {
    return this.exclusive(async () => {
      try {
        return await this.ingestAll(entries, source);
      } catch (e) {
        if (!(e instanceof DbError) || e.unavailable || entries.length < 2) throw e;
        await this.writer.resync(this.db);
        const out: IngestResult[] = [];
        for (const entry of entries)
          out.push(
            ...(await this.ingestAll([entry], source).catch((one) => {
              if (!(one instanceof DbError) || one.unavailable) throw one;
              const refused: IngestResult = {
                id: entry.id ?? '',
                status: 'rejected',
                reason: 'the collector could not store this entry',
              };
              return [refused];
            })),
          );
        return out;
      }
    });
  }

  /** Stores entries of an earlier release with the time and signature they were given then. */
  restore(entries: (ScannedEntry & Kept)[]): Promise<IngestResult[]> {
    return this.exclusive(() => this.ingestAll(entries, { relay: true }));
  }

  private ingestAll(entries: (ScannedEntry & Partial<Kept>)[], source: Source) {
    return this.db.transaction(async (tx) => {
      const chain = this.writer.draft();
      const deltas = new Deltas();
      const results: IngestResult[] = [];
      for (const entry of entries) results.push(await this.ingestOne(tx, entry, source, chain, deltas));
      await deltas.apply(tx);
      chain.commit();
      this.unpublished += results.filter((r) => r.status === 'accepted' || r.status === 'conflict').length;
      return results;
    });
  }

  private async ingestOne(
    tx: Db,
    scanned: ScannedEntry & Partial<Kept>,
    source: Source,
    chain: ReturnType<Writer['draft']>,
    deltas: Deltas,
  ): Promise<IngestResult> {
    const value = scanned.value as Entry;
    // An id is echoed in the answer only when it is short: a hostile entry must not grow the answer.
    const id = typeof value?.id === 'string' && value.id.length <= 64 ? value.id : (scanned.id ?? '');
    const reject = (...reasons: string[]): IngestResult => ({ id, status: 'rejected', reason: reasonOf(reasons) });
    if (scanned.problem) return reject(scanned.problem);
    const issues = entryIssues(value);
    if (issues.length) return reject(...issues.map((i) => i.message));
    if (value.type === 'erasure') {
      await this.eraseIn(tx, value.consentId, deltas);
      return { id, status: 'accepted' };
    }
    if (value.type === 'consent') {
      if ('origin' in source && value.origin !== source.origin)
        return reject(`entry.origin ${JSON.stringify(value.origin)} is not the Origin of the request`);
      if ('relay' in source && this.options.origins.length && !this.options.origins.includes(value.origin))
        return reject(`entry.origin ${JSON.stringify(value.origin)} is not an allowed origin`);
      const days = this.options.retentionDays;
      if (days && Date.parse(value.timestamp) < Date.now() - days * dayMs)
        return reject(`the receipt is older than the retention period (${days} days)`);
    } else if ((await textHashOf(value.texts)) !== value.textHash)
      return reject('entry.textHash is not the SHA-256 of the canonical JSON of entry.texts');

    const raw = scanned.raw;
    const digest = sha256(raw);
    // A replay is the same bytes: a tombstone refuses only those. Refusing its id alone would let a page
    // script erase a decoy posted under a real receipt's id, and the real receipt would be lost.
    if (value.type === 'consent') {
      const [erased] = await tx.query('SELECT 1 FROM tombstones WHERE id = $1 AND digest = $2', [id, digest]);
      if (erased) return reject('this receipt was erased; an erased receipt is not stored again');
    }
    const same = await tx.query<Row>(`SELECT ${ROW} WHERE e.id = $1`, [id]);
    const copy = same.find((r) => digest.equals(Buffer.from(r.digest)));
    if (copy)
      return {
        id,
        // The same bytes again: the signature they were given, and the state their id is in.
        status: same.length > 1 ? 'conflict' : 'duplicate',
        ...(copy.signature && { signature: attach(copy.signature, raw) }),
      };
    // Other bytes under a stored id: a page script can read a receipt's id from the cookie and race
    // the real receipt, so whichever came first, neither passes for a decision any more.
    const conflict = same.length > 0;
    if (same.length === 1) deltas.add(countsOf(same[0], false), -1).add(countsOf(same[0], true), 1);
    const receivedAt = scanned.receivedAt ?? this.options.now?.() ?? new Date();
    const receivedFrom = scanned.receivedFrom ?? sourceName(source);
    let subject: Buffer | null = null;
    let body: Buffer = Buffer.from(raw);
    let facts: Buffer | null = null;
    let signature: string | null = null;
    if (value.type === 'consent') {
      subject = subjectOf(value.consentId);
      const key = await subjectKey(tx, subject);
      const day = receivedAt.toISOString().slice(0, 10);
      const region = (value as { region?: unknown }).region;
      const known: Facts = {
        withdrawn: conflict ? [] : await this.withdrawnBy(tx, value, subject, key),
        folded: await this.budget.fold(tx, day, 'purpose', [...new Set(value.purposes.map((p) => p.id))]),
        regionFolded:
          typeof region === 'string' &&
          REGION.test(region) &&
          (await this.budget.fold(tx, day, 'region', [region])).length > 0,
      };
      body = seal(key, body, id);
      facts = seal(key, Buffer.from(JSON.stringify(known)), `${id}/facts`);
      signature = scanned.signature ?? signCompact(raw, this.key);
      deltas.add(contributions(value, receivedAt, known, conflict), 1);
    } else {
      // The hash covers the texts, not the language they are said to be in: each is kept apart.
      await tx.query(
        'INSERT INTO texts (text_hash, language, body) VALUES ($1, $2, $3) ON CONFLICT (text_hash, language) DO NOTHING',
        [value.textHash, value.language, canonicalJson(value.texts)],
      );
    }
    const leaf = leafOf({ type: value.type, id, digest, receivedAt, receivedFrom });
    const link = chain.add(leaf);
    await tx.query(
      `INSERT INTO entries (writer, seq, id, type, subject, body, facts, digest, signature, conflict, received_from, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        this.writer.id,
        link.seq,
        id,
        value.type,
        subject,
        body,
        facts,
        digest,
        signature && detach(signature),
        conflict,
        receivedFrom,
        receivedAt,
      ],
    );
    await tx.query('INSERT INTO chain (writer, seq, leaf, hash) VALUES ($1, $2, $3, $4)', [
      this.writer.id,
      link.seq,
      leaf,
      link.hash,
    ]);
    return { id, status: conflict ? 'conflict' : 'accepted', ...(signature && { signature }) };
  }

  /** The purposes a receipt withdraws: granted by the receipt it supersedes, denied by it. */
  private async withdrawnBy(tx: Db, r: Receipt, subject: Buffer, key: Buffer): Promise<string[]> {
    if (!r.previousId) return [];
    // Only a receipt that is no conflict is a decision to withdraw from.
    const [previous] = await tx.query<{ id: string; body: Uint8Array }>(
      `SELECT id, body FROM entries e WHERE id = $1 AND subject = $2 AND type = 'consent'
       AND NOT EXISTS (SELECT 1 FROM entries x WHERE x.id = e.id AND x.conflict)`,
      [r.previousId, subject],
    );
    const text = previous && unseal(key, previous.body, previous.id);
    if (!text) return [];
    const before = (JSON.parse(text.toString('utf8')) as Receipt).purposes;
    return r.purposes
      .filter((p) => !p.granted && before.some((b) => b.id === p.id && b.granted === true))
      .map((p) => p.id);
  }

  /** Erases a subject's receipts (DELETE or an erasure entry); returns how many were erased. */
  erase(consentId: string): Promise<number> {
    return this.exclusive(() =>
      this.db.transaction(async (tx) => {
        const deltas = new Deltas();
        const n = await this.eraseIn(tx, consentId, deltas);
        await deltas.apply(tx);
        return n;
      }),
    );
  }

  /**
   * Replaces each of the subject's receipts with a signed tombstone (id, SHA-256 of its bytes, its
   * detached signature: enough to prove it existed, nothing of what it said), then deletes the rows
   * and the subject's key. An id with no receipts erases and counts nothing. What release 1 left in
   * the clear (entries_v1) goes too.
   */
  private async eraseIn(tx: Db, consentId: string, deltas: Deltas): Promise<number> {
    const subject = subjectOf(consentId);
    const rows = await tx.query<Row>(`SELECT ${ROW} WHERE e.subject = $1 ORDER BY e.received_at`, [subject]);
    const erasedAt = new Date();
    for (const row of rows) {
      const tombstone = {
        type: 'tombstone',
        id: row.id,
        sha256: Buffer.from(row.digest).toString('base64url'),
        signature: row.signature,
        receivedAt: row.received_at.toISOString(),
        receivedFrom: row.received_from,
        erasedAt: erasedAt.toISOString(),
      };
      await tx.query(
        `INSERT INTO tombstones (id, digest, signature, received_at, erased_at, jws, writer, seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [
          row.id,
          row.digest,
          row.signature,
          row.received_at,
          erasedAt,
          signCompact(canonicalJson(tombstone), this.key),
          row.writer,
          row.seq,
        ],
      );
    }
    await this.remove(tx, rows, 'erased', erasedAt, deltas);
    await tx.query('DELETE FROM subject_keys WHERE subject = $1', [subject]);
    const old = this.releaseOne
      ? (await tx.query('DELETE FROM entries_v1 WHERE consent_id = $1 RETURNING id', [consentId])).length
      : 0;
    if (!rows.length && !old) return 0;
    await tx.query(
      `INSERT INTO erasure_counts (day, count) VALUES (current_date, 1)
       ON CONFLICT (day) DO UPDATE SET count = erasure_counts.count + 1`,
    );
    // Owed until done, across restarts: the deleted key still lies in the data directory.
    await tx.query(`INSERT INTO upkeep (task) VALUES ('scrub') ON CONFLICT (task) DO UPDATE SET since = now()`);
    return rows.length + old;
  }

  /** Whether release 1's table is still there (set by upgradeV1, which may leave entries in it). */
  releaseOne = false;

  /**
   * Removes stored rows (erased or pruned): their counts go, a signed record of each removal stays in
   * `gone` (so that nobody without the key can pass a deletion off as either), and a receipt left
   * alone with its id is no conflict any more.
   */
  private async remove(tx: Db, rows: Row[], reason: 'erased' | 'pruned', at: Date, deltas: Deltas) {
    if (!rows.length) return;
    for (const row of rows) deltas.add(countsOf(row), -1);
    const jws = rows.map((r) =>
      signCompact(
        canonicalJson({ type: 'gone', writer: r.writer, seq: Number(r.seq), id: r.id, reason, at: at.toISOString() }),
        this.key,
      ),
    );
    const where = [rows.map((r) => r.writer), rows.map((r) => r.seq)];
    await tx.query(
      `INSERT INTO gone (writer, seq, reason, at, jws)
       SELECT w, s, $3, $4, j FROM unnest($1::text[], $2::bigint[], $5::text[]) AS g(w, s, j)`,
      [...where, reason, at, jws],
    );
    await tx.query(
      'DELETE FROM entries WHERE (writer, seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))',
      where,
    );
    const shared = [...new Set(rows.filter((r) => r.conflicted).map((r) => r.id))];
    if (shared.length)
      for (const left of await tx.query<Row>(`SELECT ${ROW} WHERE e.id = ANY($1)`, [shared]))
        if (!left.conflicted) deltas.add(countsOf(left, true), -1).add(countsOf(left, false), 1);
  }

  /** A subject's receipts, oldest first, each as the exact text received with its signature. */
  async subjectReceipts(consentId: string): Promise<StoredReceipt[]> {
    const rows = await this.db.query<Row>(
      `SELECT ${ROW} WHERE e.subject = $1 AND e.type = 'consent' ORDER BY e.received_at, e.writer, e.seq`,
      [subjectOf(consentId)],
    );
    return rows.flatMap((row) => this.stored(row));
  }

  /**
   * Whether a decision (its receipt id and time, from a cookie) is outdated: the store received a
   * receipt of the same visitor after that decision's receipt (or, when that receipt is not here,
   * after its time), or erased that receipt. The order is the collector's own: ids and timestamps are
   * chosen by whoever posts.
   */
  async isOutdated(consentId: string, receiptId: string | null, updatedAt: number): Promise<boolean> {
    const [row] = await this.db.query<{ outdated: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM entries e WHERE e.subject = $1 AND e.type = 'consent'
           AND e.received_at > coalesce((SELECT min(received_at) FROM entries c WHERE c.id = $2), $3)
       ) OR EXISTS (SELECT 1 FROM tombstones WHERE id = $2) AS outdated`,
      [subjectOf(consentId), receiptId ?? '', new Date(updatedAt)],
    );
    return !!row?.outdated;
  }

  private stored(row: Row): StoredReceipt[] {
    const raw = openRow(row);
    if (raw === null) return [];
    return [
      {
        raw,
        signature: row.signature && attach(row.signature, raw),
        receivedAt: row.received_at,
        receivedFrom: row.received_from,
        conflict: row.conflicted,
      },
    ];
  }

  /**
   * Every stored consent receipt received in a range, oldest first, in pages of `page` rows, so that
   * an export holds neither the whole range in memory nor the database for long.
   */
  async *receiptsIn(range: { from?: string; to?: string }, page = 500): AsyncGenerator<StoredReceipt> {
    let after: [Date, string, number] = [new Date(0), '', 0];
    for (;;) {
      const rows = await this.db.query<Row>(
        `SELECT ${ROW} WHERE e.type = 'consent' AND ($1::date IS NULL OR e.received_at >= $1::date)
           AND ($2::date IS NULL OR e.received_at < $2::date + 1)
           AND (e.received_at, e.writer, e.seq) > ($3, $4, $5)
         ORDER BY e.received_at, e.writer, e.seq LIMIT $6`,
        [range.from || null, range.to || null, ...after, page],
      );
      for (const row of rows) yield* this.stored(row);
      if (rows.length < page) return;
      const last = rows[rows.length - 1];
      after = [last.received_at, last.writer, Number(last.seq)];
    }
  }

  /** The signed tombstones of receipts erased in a range, in pages. */
  async *tombstonesIn(range: { from?: string; to?: string }, page = 1000): AsyncGenerator<string> {
    let after: [Date, string, Uint8Array] = [new Date(0), '', Buffer.alloc(0)];
    for (;;) {
      const rows = await this.db.query<{ jws: string; erased_at: Date; id: string; digest: Uint8Array }>(
        `SELECT jws, erased_at, id, digest FROM tombstones WHERE ($1::date IS NULL OR erased_at >= $1::date)
           AND ($2::date IS NULL OR erased_at < $2::date + 1) AND (erased_at, id, digest) > ($3, $4, $5)
         ORDER BY erased_at, id, digest LIMIT $6`,
        [range.from || null, range.to || null, ...after, page],
      );
      for (const r of rows) yield r.jws;
      if (rows.length < page) return;
      const last = rows[rows.length - 1];
      after = [last.erased_at, last.id, last.digest];
    }
  }

  /**
   * Retention: deletes receipts received more than `days` days ago (ASSENT_RETENTION_DAYS), their
   * counts with them, and the keys of subjects left with none; returns how many receipts went.
   */
  prune(days: number): Promise<number> {
    return this.exclusive(async () => {
      let pruned = 0;
      for (;;) {
        const n = await this.db.transaction(async (tx) => {
          const rows = await tx.query<Row>(
            `SELECT ${ROW} WHERE e.type = 'consent' AND e.received_at < now() - make_interval(days => $1) LIMIT 1000`,
            [days],
          );
          const deltas = new Deltas();
          await this.remove(tx, rows, 'pruned', new Date(), deltas);
          await deltas.apply(tx);
          return rows.length;
        });
        pruned += n;
        if (n < 1000) break;
      }
      await this.db.query(
        'DELETE FROM subject_keys k WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.subject = k.subject)',
      );
      return pruned;
    });
  }

  /** Deletes tombstones older than the tombstone period; returns how many. */
  async expireTombstones(): Promise<number> {
    return (
      await this.db.query('DELETE FROM tombstones WHERE erased_at < now() - make_interval(days => $1) RETURNING id', [
        this.options.tombstoneDays,
      ])
    ).length;
  }

  /**
   * Removes what is left of erased keys from the data directory, when an erasure left that owed: the
   * key table is rewritten, and the WAL that held the keys is switched out and, with recycling off,
   * deleted at the checkpoint. On a PostgreSQL server, CHECKPOINT needs the pg_checkpoint role;
   * without it, the server's own checkpoints remove that WAL later.
   */
  scrub(): Promise<void> {
    return this.exclusive(async () => {
      const [owed] = await this.db.query<{ since: Date }>(`SELECT since FROM upkeep WHERE task = 'scrub'`);
      if (!owed) return;
      await this.db.query('VACUUM FULL subject_keys');
      if (this.db.kind === 'pglite') {
        await this.db.query('SET wal_recycle = off');
        await this.db.query('CHECKPOINT');
        await this.db.query('SELECT pg_switch_wal()');
        await this.db.query('CHECKPOINT');
      } else await this.db.query('CHECKPOINT').catch(() => {});
      // Only what was owed before this scrub began is done: a later erasure owes another.
      await this.db.query(`DELETE FROM upkeep WHERE task = 'scrub' AND since <= $1`, [owed.since]);
    });
  }
}

/** Every stored consent receipt's counters, computed afresh: what `counters` must equal. */
export const recount = async (db: Db): Promise<Map<string, number>> => {
  const totals = new Deltas();
  let after: [string, number] = ['', 0];
  for (;;) {
    const rows = await db.query<Row>(
      `SELECT ${ROW} WHERE e.type = 'consent' AND (e.writer, e.seq) > ($1, $2) ORDER BY e.writer, e.seq LIMIT 1000`,
      after,
    );
    for (const row of rows) totals.add(countsOf(row), 1);
    if (rows.length < 1000) break;
    const last = rows[rows.length - 1];
    after = [last.writer, Number(last.seq)];
  }
  for (const [k, n] of totals) if (!n) totals.delete(k);
  return totals;
};

/** The counters table as the same map. */
export const counted = async (db: Db): Promise<Map<string, number>> =>
  new Map(
    (
      await db.query<{ day: string; metric: string; key: string; n: string }>(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, metric, key, n FROM counters WHERE n <> 0`,
      )
    ).map((r) => [`${r.day}\t${r.metric}\t${r.key}`, Number(r.n)]),
  );

/** The texts behind a hash, or undefined. */
export const textsFor = async (db: Db, textHash: string) =>
  (
    await db.query<{ body: string; language: string }>('SELECT body, language FROM texts WHERE text_hash = $1', [
      textHash,
    ])
  )[0];
