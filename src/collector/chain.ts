// The tamper-evident store: each writing process hashes what it stores into a chain of its own (so
// writers never wait for each other), and publishes signed checkpoints of the chain's length and head
// outside the tables they vouch for. A link holds no content: erasure and retention remove an entry,
// never its link, and say why in `gone`.
import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '../core/receipt';
import { signedPayload } from '../core/signature';
import type { Db } from './db';
import { type PublicJwk, type SigningKey, signCompact } from './jws';

const sha256 = (...parts: (string | Uint8Array)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** What a link commits to: everything about a stored entry except its content, which `digest` stands for. */
export interface LeafFields {
  type: string;
  id: string;
  digest: Uint8Array;
  receivedAt: Date;
  receivedFrom: string;
}
export const leafOf = (f: LeafFields): Buffer =>
  sha256(`assent-leaf\n${f.type}\n${f.id}\n${b64(f.digest)}\n${f.receivedAt.toISOString()}\n${f.receivedFrom}`);

const genesis = (writer: string) => sha256(`assent-chain\n${writer}`);
const next = (head: Uint8Array, leaf: Uint8Array) => sha256(head, leaf);

/** One process's chain: its id, length and head, as committed. */
export class Writer {
  readonly id = randomUUID();
  seq = 0;
  head: Buffer = genesis(this.id);
  /** The links a transaction adds; they count only once it commits. */
  draft() {
    let { seq, head } = this;
    return {
      add: (leaf: Buffer) => {
        seq++;
        head = next(head, leaf);
        return { seq, hash: head };
      },
      commit: () => {
        this.seq = seq;
        this.head = head;
      },
    };
  }
  /** After a failure whose outcome is unknown (the connection broke during COMMIT), the database tells. */
  async resync(db: Db) {
    const [last] = await db.query<{ seq: string; hash: Uint8Array }>(
      'SELECT seq, hash FROM chain WHERE writer = $1 ORDER BY seq DESC LIMIT 1',
      [this.id],
    );
    this.seq = last ? Number(last.seq) : 0;
    this.head = last ? Buffer.from(last.hash) : genesis(this.id);
  }
}

export interface Checkpoint {
  type: 'checkpoint';
  writer: string;
  count: number;
  head: string;
  at: string;
  /** The writer stopped: a link after this one was added behind its back. */
  final?: true;
}

/**
 * Publishes a signed checkpoint of what the writer has committed (`final` as it stops), and returns
 * it, or null when there is nothing new to say. Only each writer's newest checkpoint is kept: it
 * vouches for everything the older ones did.
 */
export const publishCheckpoint = async (db: Db, key: SigningKey, w: Writer, final = false): Promise<string | null> => {
  if (!w.seq) return null;
  const statement: Checkpoint = {
    type: 'checkpoint',
    writer: w.id,
    count: w.seq,
    head: b64(w.head),
    at: new Date().toISOString(),
    ...(final && { final: true as const }),
  };
  const jws = signCompact(canonicalJson(statement), key);
  const added = await db.query(
    `INSERT INTO checkpoints (writer, count, head, jws) VALUES ($1, $2, $3, $4)
     ON CONFLICT (writer, count) DO UPDATE SET jws = EXCLUDED.jws WHERE $5 RETURNING count`,
    [w.id, w.seq, w.head, jws, final],
  );
  await db.query('DELETE FROM checkpoints WHERE writer = $1 AND count < $2', [w.id, w.seq]);
  return added.length ? jws : null;
};

/** The newest signed checkpoint of each writer: from the table, and from any copies kept elsewhere. */
export const latestCheckpoints = async (
  db: Db,
  jwks: { keys: PublicJwk[] },
  copies: string[] = [],
): Promise<{ checkpoints: Map<string, Checkpoint & { jws: string }>; problems: string[] }> => {
  const rows = await db.query<{ jws: string }>(
    'SELECT DISTINCT ON (writer) jws FROM checkpoints ORDER BY writer, count DESC',
  );
  const checkpoints = new Map<string, Checkpoint & { jws: string }>();
  const problems: string[] = [];
  for (const jws of [...rows.map((r) => r.jws), ...copies]) {
    const payload = await signedPayload(jws, jwks);
    if (payload === null) {
      problems.push('a checkpoint does not verify with the collector’s keys');
      continue;
    }
    const c = JSON.parse(payload) as Checkpoint;
    const known = checkpoints.get(c.writer);
    if (!known || known.count < c.count || (known.count === c.count && c.final))
      checkpoints.set(c.writer, { ...c, jws });
  }
  return { checkpoints, problems };
};

/** What a walk of the chains found. */
export interface ChainReport {
  writers: number;
  links: number;
  problems: string[];
}

/**
 * Walks every chain: links numbered from 1 without gaps, each hash the hash of the one before and its
 * leaf, and at least as long as its last checkpoint, whose head it must pass through.
 */
export const verifyChains = async (db: Db, checkpoints: Map<string, Checkpoint>): Promise<ChainReport> => {
  const problems: string[] = [];
  const writers = new Set<string>();
  let links = 0;
  let writer = '';
  let seq = 0;
  let head = Buffer.alloc(0);
  const finish = () => {
    const c = writer ? checkpoints.get(writer) : undefined;
    if (c && seq < c.count) problems.push(`chain ${writer} is truncated: ${seq} links, its checkpoint says ${c.count}`);
    if (c?.final && seq > c.count)
      problems.push(
        `chain ${writer} goes on after its final checkpoint: links ${c.count + 1} to ${seq} were added behind its back`,
      );
  };
  const PAGE = 5000;
  let after: [string, number] = ['', 0];
  for (;;) {
    const page = await db.query<{ writer: string; seq: string; leaf: Uint8Array; hash: Uint8Array }>(
      'SELECT writer, seq, leaf, hash FROM chain WHERE (writer, seq) > ($1, $2) ORDER BY writer, seq LIMIT $3',
      [after[0], after[1], PAGE],
    );
    for (const link of page) {
      const n = Number(link.seq);
      if (link.writer !== writer) {
        finish();
        writer = link.writer;
        writers.add(writer);
        seq = 0;
        head = genesis(writer);
      }
      if (n !== seq + 1) problems.push(`chain ${writer} has a gap: links ${seq + 1} to ${n - 1} are missing`);
      const expected = next(head, link.leaf);
      if (!expected.equals(Buffer.from(link.hash)))
        problems.push(`chain ${writer} was altered at link ${n}: its hash does not follow from the link before`);
      head = Buffer.from(link.hash);
      seq = n;
      links++;
      const c = checkpoints.get(writer);
      if (c && c.count === n && b64(head) !== c.head)
        problems.push(`chain ${writer} was altered: link ${n} is not the head its checkpoint signed`);
    }
    if (page.length < PAGE) break;
    const last = page[page.length - 1];
    after = [last.writer, Number(last.seq)];
  }
  finish();
  for (const [w, c] of checkpoints)
    if (!writers.has(w)) problems.push(`chain ${w} is missing: its checkpoint says ${c.count} links`);
  return { writers: writers.size, links, problems };
};
