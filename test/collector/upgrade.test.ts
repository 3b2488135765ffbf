// A data directory of release 1 (receipts in the clear, one table) moves into the sealed, chained store
// at the first start: every receipt keeps its bytes, its time and its signature; what today's checks
// refuse stays behind in entries_v1, and the collector says so.
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guarded, migrate, openPglite } from '../../src/collector/db';
import { signCompact } from '../../src/collector/jws';
import { jwks, loadSigningKey } from '../../src/collector/keys';
import { MIGRATIONS } from '../../src/collector/schema';
import { Store } from '../../src/collector/store';
import { upgradeV1 } from '../../src/collector/upgrade';
import { verifyStore } from '../../src/collector/verify';
import { uuid } from '../../src/core/ids';
import { canonicalJson } from '../../src/core/receipt';
import { signedPayload } from '../../src/core/signature';
import { ORIGIN, sampleReceipt } from '../fixtures/receipts';

/** A data directory as release 1 left it: its one table, and its signing key. */
const releaseOne = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'assent-upgrade-'));
  const db = guarded(await openPglite(join(dir, 'pglite')));
  await db.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY)');
  for (const statement of MIGRATIONS[0].split(';').filter((s) => s.trim())) await db.query(statement);
  await db.query('INSERT INTO schema_migrations VALUES (1)');
  return { dir, db, key: await loadSigningKey(db, dir) };
};

describe('upgrading from release 1', () => {
  it('moves every receipt with its bytes, time and signature, and keeps what today’s checks refuse', async () => {
    // Release 1's schema, with its rows.
    const { db, key } = await releaseOne();
    const receipt = sampleReceipt({ consentId: uuid() });
    const raw = JSON.stringify(receipt, null, 1);
    const signature = signCompact(raw, key);
    const texts = { title: 'Vos données' };
    const goodTexts = {
      type: 'texts',
      id: uuid(Date.now()),
      textHash: `sha256-${createHash('sha256').update(canonicalJson(texts)).digest('base64')}`,
      language: 'fr',
      texts,
    };
    const poisoned = { ...goodTexts, id: uuid(Date.now() + 1), texts: { title: 'autre chose' } };
    const insert = (id: string, type: string, consentId: string | null, body: string, sig: string | null, at: string) =>
      db.query(
        'INSERT INTO entries (id, type, consent_id, body, signature, received_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, type, consentId, body, sig, at],
      );
    await insert(receipt.id, 'consent', receipt.consentId, raw, signature, '2026-03-04T10:00:00Z');
    await insert(goodTexts.id, 'texts', null, JSON.stringify(goodTexts), null, '2026-03-04T10:00:01Z');
    await insert(poisoned.id, 'texts', null, JSON.stringify(poisoned), null, '2026-03-04T10:00:02Z');

    await migrate(db);
    const store = new Store(db, key, { origins: [ORIGIN], tombstoneDays: 1095 });
    const said: string[] = [];
    await upgradeV1(store, (m) => said.push(m));

    const [moved] = await store.subjectReceipts(receipt.consentId);
    expect(moved.raw).toBe(raw);
    expect(moved.receivedAt.toISOString()).toBe('2026-03-04T10:00:00.000Z');
    expect(moved.receivedFrom).toBe('release 1');
    expect(await signedPayload(moved.signature as string, await jwks(db))).toBe(raw);
    expect(said).toEqual([
      'moving 3 entries of release 1 into the sealed, chained store (once)',
      "1 entries of release 1 fail today's checks; they stay in the table entries_v1",
    ]);
    expect(await db.query('SELECT id FROM entries_v1')).toEqual([{ id: poisoned.id }]);
    expect(await verifyStore(db)).toMatchObject({ ok: true, links: 2 });
    // A second start moves nothing twice.
    await upgradeV1(store, (m) => said.push(m));
    expect(await verifyStore(db)).toMatchObject({ ok: true, links: 2 });
    await db.close();
  }, 60_000);

  it('erases what release 1 left in the clear, too', async () => {
    const { db, key } = await releaseOne();
    const consentId = uuid();
    // Release 1 took an upper-case language; today's checks do not, so this receipt stays behind.
    const old = { ...sampleReceipt({ consentId }), language: 'FR' };
    await db.query('INSERT INTO entries (id, type, consent_id, body) VALUES ($1, $2, $3, $4)', [
      old.id,
      'consent',
      consentId,
      JSON.stringify(old),
    ]);
    await migrate(db);
    const store = new Store(db, key, { origins: [ORIGIN], tombstoneDays: 1095 });
    await upgradeV1(store, () => {});
    expect(await db.query('SELECT count(*)::int AS n FROM entries_v1')).toEqual([{ n: 1 }]);
    expect(await store.erase(consentId)).toBe(1);
    expect(await db.query('SELECT count(*)::int AS n FROM entries_v1')).toEqual([{ n: 0 }]);
    await db.close();
  }, 60_000);
});
