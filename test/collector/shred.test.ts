// Erasure that reaches the disk: once the retention job has run, nothing of an erased receipt can be
// read back from the data directory, WAL included. Receipts are sealed with a key per consent id, so
// it is enough that no copy of the key is left; the test looks for the key, the receipt's text and
// its consent id in every byte of every file.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guarded, migrate, openPglite } from '../../src/collector/db';
import { loadSigningKey } from '../../src/collector/keys';
import { scanBatch } from '../../src/collector/raw';
import { Store } from '../../src/collector/store';
import { uuid } from '../../src/core/ids';
import { ORIGIN, sampleReceipt } from '../fixtures/receipts';

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
/** The files of the directory that hold these bytes somewhere. */
const holding = (dir: string, bytes: Buffer) => files(dir).filter((f) => readFileSync(f).includes(bytes));

describe('erasure on PGlite', () => {
  it('leaves no copy of the subject’s key, and so nothing readable of its receipts, once the retention job has run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-shred-'));
    const db = guarded(await openPglite(join(dir, 'pglite')));
    await migrate(db);
    const key = await loadSigningKey(db, dir);
    const store = new Store(db, key, { origins: [ORIGIN], tombstoneDays: 1095 });
    const erased = uuid();
    const kept = uuid();
    const receipts = [sampleReceipt({ consentId: erased }), sampleReceipt({ consentId: kept })];
    receipts[0].policy.version = 'marker-5ac91e';
    const batch = scanBatch(Buffer.from(JSON.stringify(receipts)));
    await store.ingest(batch?.entries ?? [], { origin: ORIGIN });
    const [{ key: subjectKey }] = await db.query<{ key: Uint8Array }>(
      'SELECT key FROM subject_keys WHERE subject = sha256(convert_to($1, $2))',
      [erased, 'UTF8'],
    );
    const secret = Buffer.from(subjectKey);
    // The receipt's text and consent id never reach the disk in the clear (its id does: tombstones
    // keep it); the key does, until it is erased.
    await db.query('CHECKPOINT');
    expect(holding(dir, Buffer.from(erased))).toEqual([]);
    expect(holding(dir, Buffer.from('marker-5ac91e'))).toEqual([]);
    expect(holding(dir, secret).length).toBeGreaterThan(0);

    await store.erase(erased);
    await store.scrub();
    expect(holding(dir, secret)).toEqual([]);
    // The other subject's receipt is still there and still readable.
    expect((await store.subjectReceipts(kept)).map((r) => JSON.parse(r.raw).id)).toEqual([receipts[1].id]);
    await db.close();
  }, 60_000);

  it('owes the scrub across a restart: a collector stopped right after an erasure scrubs when it starts again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-shred-'));
    let db = guarded(await openPglite(join(dir, 'pglite')));
    await migrate(db);
    const key = await loadSigningKey(db, dir);
    let store = new Store(db, key, { origins: [ORIGIN], tombstoneDays: 1095 });
    const consentId = uuid();
    await store.ingest(scanBatch(Buffer.from(JSON.stringify([sampleReceipt({ consentId })])))?.entries ?? [], {
      origin: ORIGIN,
    });
    const [{ key: subjectKey }] = await db.query<{ key: Uint8Array }>('SELECT key FROM subject_keys');
    await store.erase(consentId);
    await db.close();
    expect(holding(dir, Buffer.from(subjectKey)).length).toBeGreaterThan(0);
    // A new process: nothing in memory remembers the erasure.
    db = guarded(await openPglite(join(dir, 'pglite')));
    await migrate(db);
    store = new Store(db, key, { origins: [ORIGIN], tombstoneDays: 1095 });
    await store.scrub();
    expect(holding(dir, Buffer.from(subjectKey))).toEqual([]);
    expect(await db.query('SELECT * FROM upkeep')).toEqual([]);
    await db.close();
  }, 60_000);
});
