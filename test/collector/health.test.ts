// /healthz answers from what is known and never waits behind a long batch; a write that does not
// answer for long makes it say so. (A small piece, so the database is faked here.)
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../src/collector/db';
import { Health } from '../../src/collector/health';

const database = () => {
  let answer: (() => Promise<unknown>) | undefined = () => Promise.resolve([]);
  const db = { kind: 'pglite', query: () => (answer ? answer() : new Promise(() => {})) } as unknown as Db;
  return { db, hang: () => (answer = undefined) };
};

describe('health', () => {
  afterEach(() => vi.useRealTimers());

  it('answers at once while the database is busy, and says unavailable once a write has hung for 15 s', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { db, hang } = database();
    const health = new Health(db);
    health.chain = 'whole';
    expect(await health.status()).toMatchObject({ ok: true, database: 'writable' });
    hang();
    vi.setSystemTime(1_000_000 + 6_000);
    // A probe starts and hangs: the answer does not wait for it.
    expect(await health.status()).toMatchObject({ ok: true });
    vi.setSystemTime(1_000_000 + 6_000 + 16_000);
    expect(await health.status()).toMatchObject({ ok: false, database: 'unavailable' });
  });

  it('answers within 2 s when the database is stuck from the start: unavailable', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const { db, hang } = database();
    hang();
    const health = new Health(db);
    const answer = health.status();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await answer).toMatchObject({ ok: false, database: 'unavailable' });
  });

  it('says the store is broken when the verification found it so, whatever the database says', async () => {
    const health = new Health(database().db);
    health.chain = 'broken';
    health.problems = 3;
    expect(await health.status()).toEqual({ ok: false, database: 'writable', chain: 'broken', problems: 3 });
  });
});
