// `assent-collector verify`, also run at every start: is the store whole? Every chain is walked
// against its last signed checkpoint, every stored entry against its link and its digest, and every
// link must still have its entry, or a record of why it went.
import { createHash } from 'node:crypto';
import { signedPayload, verifySignature } from '../core/signature';
import { type Checkpoint, latestCheckpoints, leafOf, verifyChains } from './chain';
import type { Db } from './db';
import { attach } from './jws';
import { jwks } from './keys';
import { unseal } from './shred';

export interface StoreReport {
  ok: boolean;
  writers: number;
  links: number;
  entries: number;
  /** Entries erased or pruned, each by a signed record. */
  removals: number;
  problems: string[];
}

const MAX_PROBLEMS = 50;

/**
 * Verifies the store. `copies` are checkpoints kept outside the database (the data directory's file,
 * or ones an auditor saved); `signatures` also checks each receipt's signature (slower).
 */
export const verifyStore = async (
  db: Db,
  options: { copies?: string[]; signatures?: boolean; tombstoneDays?: number } = {},
): Promise<StoreReport> => {
  const keys = await jwks(db);
  const { checkpoints, problems } = await latestCheckpoints(db, keys, options.copies);
  const chains = await verifyChains(db, checkpoints as Map<string, Checkpoint>);
  problems.push(...chains.problems);

  let entries = 0;
  let after: [string, number] = ['', 0];
  const PAGE = 2000;
  for (;;) {
    const rows = await db.query<{
      writer: string;
      seq: string;
      id: string;
      type: string;
      body: Uint8Array;
      digest: Uint8Array;
      signature: string | null;
      received_from: string;
      received_at: Date;
      key: Uint8Array | null;
      leaf: Uint8Array | null;
    }>(
      `SELECT e.writer, e.seq, e.id, e.type, e.body, e.digest, e.signature, e.received_from, e.received_at, k.key, c.leaf
       FROM entries e LEFT JOIN subject_keys k ON k.subject = e.subject
       LEFT JOIN chain c ON c.writer = e.writer AND c.seq = e.seq
       WHERE (e.writer, e.seq) > ($1, $2) ORDER BY e.writer, e.seq LIMIT $3`,
      [...after, PAGE],
    );
    // Checked side by side: one at a time, WebCrypto's round trips would double the walk.
    const signed: Promise<string | null>[] = [];
    for (const r of rows) {
      entries++;
      const where = `entry ${r.id} (chain ${r.writer}, link ${r.seq})`;
      const leaf = leafOf({
        type: r.type,
        id: r.id,
        digest: r.digest,
        receivedAt: r.received_at,
        receivedFrom: r.received_from,
      });
      if (!r.leaf) problems.push(`${where} is in no chain`);
      else if (!leaf.equals(Buffer.from(r.leaf))) problems.push(`${where} was altered: it no longer matches its link`);
      const content =
        r.type === 'consent' ? (r.key ? unseal(Buffer.from(r.key), r.body, r.id) : null) : Buffer.from(r.body);
      if (!content) problems.push(`${where} cannot be opened: altered, or its key is gone`);
      else if (!createHash('sha256').update(content).digest().equals(Buffer.from(r.digest)))
        problems.push(`${where} was altered: its content does not match its digest`);
      else if (options.signatures && r.signature) {
        const text = content.toString('utf8');
        signed.push(
          verifySignature(attach(r.signature, text), keys, { text }).then((v) =>
            v.state === 'verified' ? null : `${where} has a signature that does not verify: ${v.reason}`,
          ),
        );
      }
    }
    for (const problem of await Promise.all(signed)) if (problem) problems.push(problem);
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1];
    after = [last.writer, Number(last.seq)];
  }

  // A removal is signed: without the key, nobody can pass a deletion off as an erasure or a retention run.
  let removals = 0;
  let afterGone: [string, number] = ['', 0];
  for (;;) {
    const rows = await db.query<{ writer: string; seq: string; reason: string; jws: string }>(
      'SELECT writer, seq, reason, jws FROM gone WHERE (writer, seq) > ($1, $2) ORDER BY writer, seq LIMIT $3',
      [...afterGone, PAGE],
    );
    const said = await Promise.all(rows.map((g) => signedPayload(g.jws, keys)));
    for (const [i, g] of rows.entries()) {
      removals++;
      const text = said[i];
      const record = text === null ? null : (JSON.parse(text) as { writer?: string; seq?: number; reason?: string });
      if (!record || record.writer !== g.writer || record.seq !== Number(g.seq) || record.reason !== g.reason)
        problems.push(`chain ${g.writer} link ${g.seq} is said to be ${g.reason}, but no signed record says so`);
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1];
    afterGone = [last.writer, Number(last.seq)];
  }
  // A tombstone must be signed, and stand for the link it names.
  let afterStone: [string, Uint8Array] = ['', Buffer.alloc(0)];
  for (;;) {
    const rows = await db.query<{
      writer: string | null;
      id: string;
      digest: Uint8Array;
      received_at: Date;
      jws: string;
      leaf: Uint8Array | null;
    }>(
      `SELECT t.writer, t.id, t.digest, t.received_at, t.jws, c.leaf FROM tombstones t
       LEFT JOIN chain c ON c.writer = t.writer AND c.seq = t.seq
       WHERE (t.id, t.digest) > ($1, $2) ORDER BY t.id, t.digest LIMIT $3`,
      [...afterStone, PAGE],
    );
    const stones = await Promise.all(rows.map((t) => signedPayload(t.jws, keys)));
    for (const [i, t] of rows.entries()) {
      const stone = stones[i];
      const from = stone === null ? null : (JSON.parse(stone) as { receivedFrom?: string }).receivedFrom;
      const leaf =
        typeof from === 'string' &&
        leafOf({ type: 'consent', id: t.id, digest: t.digest, receivedAt: t.received_at, receivedFrom: from });
      if (!leaf || (t.writer && (!t.leaf || !leaf.equals(Buffer.from(t.leaf)))))
        problems.push(`the tombstone of ${t.id} is not signed, or does not stand for its link`);
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1];
    afterStone = [last.id, last.digest];
  }

  // An erased receipt keeps its tombstone for the tombstone period: one deleted sooner would let its
  // bytes be stored again, and take the proof that it existed.
  if (options.tombstoneDays) {
    const [bare] = await db.query<{ n: string; first: string | null }>(
      `SELECT count(*) AS n, min(g.writer || ' link ' || g.seq) AS first FROM gone g
       WHERE g.reason = 'erased' AND g.at >= now() - make_interval(days => $1)
         AND NOT EXISTS (SELECT 1 FROM tombstones t WHERE t.writer = g.writer AND t.seq = g.seq)`,
      [options.tombstoneDays],
    );
    if (Number(bare.n))
      problems.push(
        `${bare.n} erased receipts lost their tombstone before the tombstone period ended (first: chain ${bare.first})`,
      );
  }

  const [missing] = await db.query<{ n: string; first: string | null }>(
    `SELECT count(*) AS n, min(c.writer || ' link ' || c.seq) AS first FROM chain c
     WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.writer = c.writer AND e.seq = c.seq)
       AND NOT EXISTS (SELECT 1 FROM gone g WHERE g.writer = c.writer AND g.seq = c.seq)`,
  );
  if (Number(missing.n))
    problems.push(
      `${missing.n} chained entries are missing, neither erased nor pruned (first: chain ${missing.first})`,
    );

  const shown =
    problems.length > MAX_PROBLEMS
      ? [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more`]
      : problems;
  return { ok: !problems.length, writers: chains.writers, links: chains.links, entries, removals, problems: shown };
};
