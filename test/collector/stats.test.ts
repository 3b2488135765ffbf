// What the consent dashboard reads from `GET /v1/stats`: opt-in per purpose and day, withdrawals and
// delivery lag, next to the counts that were there before. On PGlite and, with DATABASE_URL, PostgreSQL.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/collector/app';
import { LAG_BUCKETS_MS } from '../../src/collector/counters';
import { type Db, migrate } from '../../src/collector/db';
import { loadSigningKey } from '../../src/collector/keys';
import { Store } from '../../src/collector/store';
import { uuid } from '../../src/core/ids';
import type { Method, Receipt } from '../../src/core/types';
import { collectorBackends, ORIGIN, sampleReceipt } from '../fixtures/receipts';

const TOKEN = 'stats-token';

// Far-future days of a random odd (so not leap) year: on a shared PostgreSQL database no other test,
// and no earlier run, has receipts there.
const year = 2201 + 2 * Math.floor(Math.random() * 390);
const DAY1 = `${year}-03-04`;
const DAY2 = `${year}-03-05`;

interface Planned {
  receipt: Receipt;
  /** When the collector "received" it. */
  receivedAt: string;
  /** The expected delivery lag, or null when the receipt's timestamp is not a real time. */
  lagMs: number | null;
}

const plan = (): Planned[] => {
  const [alice, bob] = [uuid(), uuid()];
  const out: Planned[] = [];
  const add = (
    consentId: string,
    receivedAt: string,
    lagMs: number | null,
    method: Method,
    language: string,
    purposes: Record<string, boolean>,
    previous: Planned | null,
    timestamp?: string,
  ) => {
    const receipt = sampleReceipt({
      language,
      id: uuid(Date.now() + out.length),
      consentId,
      previousId: previous?.receipt.id ?? null,
      time: Date.parse(receivedAt) - (lagMs ?? 0),
      method,
      gpc: method === 'gpc',
      purposes,
    });
    if (timestamp) receipt.timestamp = timestamp;
    const planned = { receipt, receivedAt, lagMs };
    out.push(planned);
    return planned;
  };
  const all = { analytics: true, marketing: true };
  const a1 = add(alice, `${DAY1}T10:00:00.000Z`, 500, 'banner', 'fr', all, null);
  // Alice withdraws analytics, then marketing, then grants everything again (not a withdrawal).
  const a2 = add(alice, `${DAY1}T11:00:00.000Z`, 5_000, 'preferences', 'fr', { marketing: true }, a1);
  const a3 = add(alice, `${DAY2}T10:00:00.000Z`, 30_000, 'api', 'en', {}, a2);
  add(alice, `${DAY2}T11:00:00.000Z`, 120_000, 'preferences', 'en', all, a3);
  // A previousId that names another subject's receipt is no withdrawal of this subject's.
  add(bob, `${DAY2}T12:00:00.000Z`, 2 * 3_600_000, 'gpc', 'en', {}, a1);
  add(uuid(), `${DAY2}T13:00:00.000Z`, 3 * 86_400_000, 'banner', 'de', { analytics: true }, null);
  // A timestamp of the right shape that is no time at all must not break the query, nor count as lag...
  add(uuid(), `${DAY2}T14:00:00.000Z`, null, 'banner', 'de', {}, null, `${year}-02-28T25:00:00.000Z`);
  // ...and February 31st rolls over to March 3rd, as Date.parse does.
  add(
    uuid(),
    `${DAY2}T15:00:00.000Z`,
    2 * 86_400_000 + 15 * 3_600_000,
    'banner',
    'de',
    {},
    null,
    `${year}-02-31T00:00:00.000Z`,
  );
  return out;
};

/** The nearest-rank percentile: the smallest value with at least that share of the values at or below it. */
const percentile = (values: number[], f: number) => [...values].sort((a, b) => a - b)[Math.ceil(f * values.length) - 1];
/** Within 1 %: the collector reads percentiles from buckets 2 % wide. */
const near = (expected: number) => ({
  asymmetricMatch: (actual: number) => Math.abs(actual - expected) <= 0.01 * expected,
  toString: () => `within 1 % of ${expected}`,
});

describe.each(collectorBackends('assent-stats-'))('the stats a dashboard reads, on %s', (_, open) => {
  let db: Db;
  let app: FastifyInstance;
  const planned = plan();
  const stats = async (query: string) => {
    const res = await app.inject({ url: `/v1/stats?${query}`, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    db = await open();
    await migrate(db);
    const key = await loadSigningKey(db, mkdtempSync(join(tmpdir(), 'assent-key-')));
    // The collector's clock is the test's: each receipt arrives when the plan says.
    let now = new Date();
    const store = new Store(db, key, { origins: [ORIGIN], tombstoneDays: 1095, now: () => now });
    app = await buildApp({ db, key, store, origins: [ORIGIN], rateLimit: 0, trustProxy: false, adminToken: TOKEN });
    for (const p of planned) {
      now = new Date(p.receivedAt);
      const res = await app.inject({
        method: 'POST',
        url: '/v1/receipts',
        payload: JSON.stringify([p.receipt]),
        headers: { 'content-type': 'application/json', origin: ORIGIN },
      });
      expect(res.json().results.map((r: { status: string }) => r.status)).toEqual(['accepted']);
    }
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('keeps the counts it gave before: decisions, per day, purpose, method and language', async () => {
    const s = await stats(`from=${DAY1}&to=${DAY2}`);
    expect(s).toMatchObject({
      from: DAY1,
      to: DAY2,
      decisions: 8,
      perDay: { [DAY1]: 2, [DAY2]: 6 },
      perMethod: { banner: 4, preferences: 2, api: 1, gpc: 1 },
      perLanguage: { fr: 2, en: 3, de: 3 },
      erasures: 0,
    });
    expect(s.perPurpose.analytics).toEqual({ granted: 3, denied: 5 });
    expect(s.perPurpose.marketing).toEqual({ granted: 3, denied: 5 });
    expect(s.perPurpose.necessary).toEqual({ granted: 8, denied: 0 });
  });

  it('gives granted and denied per purpose and day, and each purpose’s legal basis, for an opt-in rate chart', async () => {
    const s = await stats(`from=${DAY1}&to=${DAY2}`);
    expect(s.perDayPerPurpose[DAY1].analytics).toEqual({ granted: 1, denied: 1 });
    expect(s.perDayPerPurpose[DAY1].marketing).toEqual({ granted: 2, denied: 0 });
    expect(s.perDayPerPurpose[DAY2].analytics).toEqual({ granted: 2, denied: 4 });
    expect(Object.keys(s.perDayPerPurpose)).toEqual([DAY1, DAY2]);
    expect(s.bases).toEqual({
      analytics: 'consent',
      marketing: 'consent',
      security: 'legitimate-interest',
      necessary: 'contract',
      legal: 'legal-obligation',
    });
  });

  it('counts withdrawals: a receipt that denies what the same subject’s previous receipt granted', async () => {
    const s = await stats(`from=${DAY1}&to=${DAY2}`);
    expect(s.withdrawals).toEqual({
      total: 2,
      perDay: { [DAY1]: 1, [DAY2]: 1 },
      perPurpose: { analytics: 1, marketing: 1 },
    });
    // The receipt withdrawn from may have been received before the range.
    expect((await stats(`from=${DAY2}&to=${DAY2}`)).withdrawals).toEqual({
      total: 1,
      perDay: { [DAY2]: 1 },
      perPurpose: { marketing: 1 },
    });
  });

  it('measures the delivery lag from each receipt’s timestamp to its arrival: percentiles and a histogram', async () => {
    const lags = planned.flatMap((p) => (p.lagMs === null ? [] : [p.lagMs]));
    expect(lags).toHaveLength(7);
    const s = await stats(`from=${DAY1}&to=${DAY2}`);
    expect(s.lag).toMatchObject({
      count: 7,
      p50Ms: near(percentile(lags, 0.5)),
      p90Ms: near(percentile(lags, 0.9)),
      p99Ms: near(percentile(lags, 0.99)),
      maxMs: near(3 * 86_400_000),
    });
    const expected = [...LAG_BUCKETS_MS, null].map((belowMs, i) => ({
      belowMs,
      n: lags.filter((ms) => (i === 0 || ms >= LAG_BUCKETS_MS[i - 1]) && (belowMs === null || ms < belowMs)).length,
    }));
    expect(s.lag.histogram).toEqual(expected);
    expect(expected.map((b) => b.n)).toEqual([1, 1, 1, 1, 0, 1, 2]);
  });

  it('answers an empty range with zeros and no lag', async () => {
    const s = await stats(`from=${year - 1}-01-01&to=${year - 1}-12-31`);
    expect(s).toMatchObject({ decisions: 0, perDay: {}, perPurpose: {}, perDayPerPurpose: {}, bases: {} });
    expect(s.withdrawals).toEqual({ total: 0, perDay: {}, perPurpose: {} });
    expect(s.lag).toMatchObject({ count: 0, p50Ms: null, p90Ms: null, p99Ms: null, maxMs: null });
    expect(s.lag.histogram.every((b: { n: number }) => b.n === 0)).toBe(true);
  });
});
