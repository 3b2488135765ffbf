// The store's own guarantees, below the routes: an entry the database refuses costs only itself, and
// a write whose outcome is unknown never forks this process's chain.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Db, DbError, guarded, migrate, openPglite } from '../../src/collector/db';
import { loadSigningKey } from '../../src/collector/keys';
import { scanBatch } from '../../src/collector/raw';
import { Store } from '../../src/collector/store';
import { verifyStore } from '../../src/collector/verify';
import { uuid } from '../../src/core/ids';
import { ORIGIN, sampleReceipt } from '../fixtures/receipts';

/** The same database, refusing (as a data error) any statement whose parameters hold `poison`. */
const refusing = (db: Db, poison: string): Db => {
  const wrap = (d: Db): Db => ({
    ...d,
    query: (sql, params) =>
      params?.some((p) => p instanceof Uint8Array && Buffer.from(p).includes(poison))
        ? Promise.reject(new DbError(false, new Error('value too long for type')))
        : d.query(sql, params),
    transaction: (work) => d.transaction((tx) => work(wrap(tx))),
  });
  return wrap(db);
};

const entries = (...receipts: object[]) => scanBatch(Buffer.from(JSON.stringify(receipts)))?.entries ?? [];

describe('the store', () => {
  it('stores the rest of a batch when the database refuses one entry that passed every check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-store-'));
    const db = guarded(await openPglite(join(dir, 'pglite')));
    await migrate(db);
    const key = await loadSigningKey(db, dir);
    const poison = 'poison-4e1d';
    const store = new Store(refusing(db, poison), key, { origins: [ORIGIN], tombstoneDays: 1095 });
    const [a, b, c] = [uuid(), uuid(), uuid()].map((consentId) => sampleReceipt({ consentId }));
    // Texts are stored in the clear, so the poison reaches the database as a parameter.
    const texts = { type: 'texts', id: uuid(Date.now()), language: 'fr', texts: { t: poison } };
    const { createHash } = await import('node:crypto');
    const textHash = `sha256-${createHash('sha256')
      .update(JSON.stringify({ t: poison }))
      .digest('base64')}`;
    const results = await store.ingest(entries(a, { ...texts, textHash }, b), { origin: ORIGIN });
    expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(results[1].reason).toBe('the collector could not store this entry');
    await store.ingest(entries(c), { origin: ORIGIN });
    // The refused batch's links were never committed: the chain goes on without a gap.
    expect(await verifyStore(db)).toMatchObject({ ok: true, links: 3, entries: 3 });
    await db.close();
  }, 60_000);
});
