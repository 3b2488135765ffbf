// The tamper-evident store: whatever is altered, removed or cut off behind the collector's back is
// found by `verifyStore` (what `assent-collector verify` and every start run), on both databases.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishCheckpoint } from '../../src/collector/chain';
import { type Db, migrate } from '../../src/collector/db';
import type { SigningKey } from '../../src/collector/jws';
import { jwks, loadSigningKey } from '../../src/collector/keys';
import { scanBatch } from '../../src/collector/raw';
import { Store } from '../../src/collector/store';
import { verifyStore } from '../../src/collector/verify';
import { uuid } from '../../src/core/ids';
import { signedPayload } from '../../src/core/signature';
import { collectorBackends, ORIGIN, sampleReceipt } from '../fixtures/receipts';

describe.each(collectorBackends('assent-chain-'))('the store’s chains on %s', (_, open) => {
  let db: Db;
  let key: SigningKey;
  let store: Store;
  const ingest = async (n: number) => {
    const receipts = Array.from({ length: n }, () => sampleReceipt({ consentId: uuid() }));
    const batch = scanBatch(Buffer.from(JSON.stringify(receipts))) as NonNullable<ReturnType<typeof scanBatch>>;
    const results = await store.ingest(batch.entries, { origin: ORIGIN });
    expect(results.every((r) => r.status === 'accepted')).toBe(true);
    return receipts;
  };
  const problems = async () => (await verifyStore(db, { signatures: true })).problems;

  beforeEach(async () => {
    db = await open();
    await migrate(db);
    key = await loadSigningKey(db, mkdtempSync(join(tmpdir(), 'assent-key-')));
    store = new Store(db, key, { origins: [ORIGIN], tombstoneDays: 1095 });
    await ingest(5);
    await publishCheckpoint(db, key, store.writer);
    await ingest(3);
  }, 60_000);
  afterEach(() => db?.close());

  it('finds a whole store whole, also after erasure and retention, with signed checkpoints anyone can read', async () => {
    expect(await problems()).toEqual([]);
    const [first] = await ingest(2);
    await store.erase(first.consentId);
    await db.query(
      `UPDATE entries SET received_at = received_at - interval '90 days' WHERE type = 'consent' AND seq = 1`,
    );
    // (that UPDATE alters a row, so the store is not whole until retention removes it)
    expect((await problems()).join()).toMatch(/no longer matches its link/);
    expect(await store.prune(30)).toBe(1);
    expect(await problems()).toEqual([]);
    const [checkpoint] = await db.query<{ jws: string }>('SELECT jws FROM checkpoints');
    expect(JSON.parse((await signedPayload(checkpoint.jws, await jwks(db))) as string)).toMatchObject({
      type: 'checkpoint',
      writer: store.writer.id,
      count: 5,
    });
  });

  it('finds a receipt whose sealed body was altered', async () => {
    await db.query(
      `UPDATE entries SET body = overlay(body placing '\\x00'::bytea from 20 for 1) WHERE seq = 2 AND writer = $1`,
      [store.writer.id],
    );
    expect((await problems()).join()).toMatch(/link 2\) cannot be opened: altered/);
  });

  it('finds a receipt whose digest was replaced, and one moved to another time', async () => {
    await db.query(`UPDATE entries SET digest = sha256('x') WHERE seq = 3`);
    await db.query(`UPDATE entries SET received_at = received_at + interval '1 day' WHERE seq = 4`);
    const found = (await problems()).join('\n');
    expect(found).toMatch(/link 3\) was altered/);
    expect(found).toMatch(/link 4\) was altered: it no longer matches its link/);
  });

  it('finds a receipt deleted behind the collector’s back, a gap in a chain, and an altered link', async () => {
    await db.query('DELETE FROM entries WHERE seq = 6');
    expect((await problems()).join()).toMatch(/1 chained entries are missing, neither erased nor pruned/);
    await db.query('DELETE FROM chain WHERE seq = 6');
    await db.query(`UPDATE chain SET hash = sha256('y') WHERE seq = 2`);
    const found = (await problems()).join('\n');
    expect(found).toMatch(/has a gap: links 6 to 6 are missing/);
    expect(found).toMatch(/was altered at link 3/);
  });

  it('finds a deletion passed off as an erasure or a retention run: every removal is signed', async () => {
    const [victim] = await db.query<{ id: string }>('SELECT id FROM entries WHERE seq = 4 AND writer = $1', [
      store.writer.id,
    ]);
    await db.query(`INSERT INTO gone (writer, seq, reason, jws) VALUES ($1, 4, 'erased', '')`, [store.writer.id]);
    await db.query('DELETE FROM entries WHERE id = $1', [victim.id]);
    expect((await problems()).join()).toMatch(/link 4 is said to be erased, but no signed record says so/);
  });

  it('finds a tombstone that was forged or moved, and links added after a chain’s final checkpoint', async () => {
    const [r] = await ingest(1);
    await store.erase(r.consentId);
    expect(await problems()).toEqual([]);
    await db.query(`UPDATE tombstones SET received_at = received_at - interval '1 day' WHERE id = $1`, [r.id]);
    expect((await problems()).join()).toMatch(/tombstone of .* does not stand for its link/);
    await db.query(`UPDATE tombstones SET received_at = received_at + interval '1 day' WHERE id = $1`, [r.id]);
    await publishCheckpoint(db, key, store.writer, true);
    expect(await problems()).toEqual([]);
    // Someone appends a link of their own making once the writer has stopped.
    const [last] = await db.query<{ hash: Uint8Array }>(
      'SELECT hash FROM chain WHERE writer = $1 ORDER BY seq DESC LIMIT 1',
      [store.writer.id],
    );
    await db.query('INSERT INTO chain (writer, seq, leaf, hash) VALUES ($1, $2, $3, $4)', [
      store.writer.id,
      store.writer.seq + 1,
      Buffer.alloc(32),
      last.hash,
    ]);
    await db.query(`INSERT INTO gone (writer, seq, reason, jws) VALUES ($1, $2, 'pruned', '')`, [
      store.writer.id,
      store.writer.seq + 1,
    ]);
    expect((await problems()).join()).toMatch(/goes on after its final checkpoint/);
  });

  it('finds a whole writer deleted with its checkpoints, against a copy kept elsewhere', async () => {
    const copies = (await db.query<{ jws: string }>('SELECT jws FROM checkpoints')).map((r) => r.jws);
    for (const table of ['entries', 'chain', 'checkpoints', 'gone', 'tombstones', 'counters', 'subject_keys'])
      await db.query(`DELETE FROM ${table}`);
    // Nothing in the database is left to say that anything was there: only the copy can.
    expect(await problems()).toEqual([]);
    expect((await verifyStore(db, { copies })).problems.join()).toMatch(
      /chain [-0-9a-f]+ is missing: its checkpoint says 5 links/,
    );
  });

  it('finds a tombstone deleted before its period ended, which would let the erased bytes in again', async () => {
    const [erased] = await ingest(1);
    expect(await store.erase(erased.consentId)).toBe(1);
    const strict = async () => (await verifyStore(db, { tombstoneDays: 1095 })).problems;
    expect(await strict()).toEqual([]);
    await db.query('DELETE FROM tombstones WHERE id = $1', [erased.id]);
    expect((await strict()).join()).toMatch(/1 erased receipts lost their tombstone before the tombstone period ended/);
    // Past the period, a tombstone is pruned as it should be, and nothing is missing.
    await db.query(`UPDATE gone SET at = at - interval '1096 days'`);
    expect(await strict()).toEqual([]);
  });

  it('finds a chain cut off before its last checkpoint, and a checkpoint that was forged', async () => {
    await db.query('DELETE FROM entries WHERE seq > 2');
    await db.query('DELETE FROM chain WHERE seq > 2');
    expect((await problems()).join()).toMatch(/is truncated: 2 links, its checkpoint says 5/);
    // Deleting the checkpoints too does not help: a copy kept outside the database still says 5.
    const [copy] = await db.query<{ jws: string }>('SELECT jws FROM checkpoints');
    await db.query('DELETE FROM checkpoints');
    expect(await problems()).toEqual([]);
    const report = await verifyStore(db, { copies: [copy.jws] });
    expect(report.problems.join()).toMatch(/truncated/);
    const [h, p, s] = copy.jws.split('.');
    const forged = `${h}.${Buffer.from(Buffer.from(p, 'base64url').toString().replace('"count":5', '"count":1')).toString('base64url')}.${s}`;
    expect((await verifyStore(db, { copies: [forged] })).problems.join()).toMatch(/does not verify/);
  });
});
