// Statistics kept at ingest: each stored receipt adds to counters per day, metric and key, and erasure
// and retention take its part away again. Statistics never re-parse stored text, so no stored string
// (a NUL, a lone surrogate) can break them, and they cost the same for a thousand receipts or a million.
import { LANGUAGES } from '../core/i18n';
import type { Receipt } from '../core/types';
import type { Db } from './db';

/** Upper bounds (exclusive) of the delivery lag histogram's buckets; the last bucket has none. */
export const LAG_BUCKETS_MS = [1_000, 10_000, 60_000, 600_000, 3_600_000, 86_400_000];

/**
 * Fine lag buckets for percentiles: bucket b > 0 holds lags in [1.02^(b-1), 1.02^b) ms, so a percentile
 * is within 1 % of the exact value (about 1,200 buckets from a millisecond to a year; few are ever used).
 */
const RATIO = 1.02;
const fineBucket = (ms: number) => (ms < 1 ? 0 : 1 + Math.floor(Math.log(ms) / Math.log(RATIO)));
/** A bucket's representative lag: the geometric middle of its bounds. */
const fineLag = (b: number) => (b === 0 ? 0 : RATIO ** (b - 0.5));

/** What a receipt means for the counters, beyond its own fields, as decided when it arrived. */
export interface Facts {
  /** Purposes that the receipt it supersedes granted and it denies. */
  withdrawn: string[];
  /** Purpose ids counted as "other": the day already counted as many as it may (KeyBudget). */
  folded?: string[];
  /** The region was counted as "other", for the same reason. */
  regionFolded?: boolean;
}

/**
 * How many distinct purpose ids, and regions, one day counts; more are counted as "other". A site has
 * a handful of purposes, but any page script can post receipts naming thousands, and each distinct
 * key is a counter row that every statistics query reads.
 */
export const KEYS_PER_DAY = { purpose: 64, region: 256 };
const METRICS = { purpose: ['granted', 'denied'], region: ['region'] };

/** Which keys of a receipt the day still has room for, in this process (several may overshoot a little). */
export class KeyBudget {
  private day = '';
  private known = { purpose: new Set<string>(), region: new Set<string>() };

  /** The keys of `group` that must be counted as "other" on this day. */
  async fold(db: Db, day: string, group: keyof typeof KEYS_PER_DAY, keys: string[]): Promise<string[]> {
    if (day !== this.day) {
      this.day = day;
      this.known = { purpose: new Set(), region: new Set() };
      for (const g of ['purpose', 'region'] as const)
        for (const r of await db.query<{ key: string }>(
          'SELECT DISTINCT key FROM counters WHERE day = $1 AND metric = ANY($2)',
          [day, METRICS[g]],
        ))
          this.known[g].add(r.key);
    }
    const known = this.known[group];
    const folded: string[] = [];
    for (const key of keys)
      if (known.has(key)) continue;
      else if (known.size < KEYS_PER_DAY[group]) known.add(key);
      else folded.push(key);
    return folded;
  }
}

export const REGION = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;
const PROFILE = /^(gdpr|us-opt-out|notice|none)$/;

/** The counters one stored receipt adds to (or, erased, takes from): `day metric key` each. */
export const contributions = (r: Receipt, receivedAt: Date, facts: Facts, conflict: boolean): string[] => {
  const day = receivedAt.toISOString().slice(0, 10);
  const at = (metric: string, key = '') => `${day}\t${metric}\t${key}`;
  // A conflict is an entry that reused another's id with other bytes: counted, but as nothing else.
  if (conflict) return [at('conflicts')];
  // Receipts name one of Assent's languages; anything else is counted as 'other', so that no entry
  // can add keys of its own choosing.
  const language = LANGUAGES.includes(r.language) ? r.language : 'other';
  const out = [at('decisions'), at('method', r.method), at('language', language)];
  const purpose = (id: string) => (facts.folded?.includes(id) ? 'other' : id);
  for (const p of r.purposes)
    out.push(at(p.granted ? 'granted' : 'denied', purpose(p.id)), at('basis', `${purpose(p.id)} ${p.basis}`));
  const extra = r as { region?: unknown; profile?: unknown };
  if (typeof extra.region === 'string')
    out.push(at('region', REGION.test(extra.region) && !facts.regionFolded ? extra.region : 'other'));
  if (typeof extra.profile === 'string') out.push(at('profile', PROFILE.test(extra.profile) ? extra.profile : 'other'));
  const lag = receivedAt.getTime() - Date.parse(r.timestamp);
  if (Number.isFinite(lag)) {
    let band = LAG_BUCKETS_MS.findIndex((bound) => lag < bound);
    if (band < 0) band = LAG_BUCKETS_MS.length;
    out.push(at('lag', String(fineBucket(lag))), at('lag-band', String(band)));
  }
  if (facts.withdrawn.length) out.push(at('withdrawals'), ...facts.withdrawn.map((id) => at('withdrawn', purpose(id))));
  return out;
};

/** Counter changes, summed in memory and written in one statement. */
export class Deltas extends Map<string, number> {
  add(keys: string[], sign: 1 | -1): this {
    for (const k of keys) this.set(k, (this.get(k) ?? 0) + sign);
    return this;
  }
  async apply(db: Db) {
    const rows = [...this].filter(([, n]) => n !== 0).map(([k, n]) => [...k.split('\t'), n] as const);
    if (!rows.length) return;
    await db.query(
      `INSERT INTO counters (day, metric, key, n)
       SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::bigint[])
       ON CONFLICT (day, metric, key) DO UPDATE SET n = counters.n + EXCLUDED.n`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3])],
    );
    this.clear();
  }
}

/** The range of an admin query: inclusive ISO dates on the time the collector received the receipt. */
export interface Range {
  from?: string;
  to?: string;
}

type Split = Record<string, { granted: number; denied: number }>;

/** Statistics of a range, read from the counters, with the shape the dashboard reads. */
export const stats = async (db: Db, range: Range) => {
  const rows = await db.query<{ day: string; metric: string; key: string; n: string }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, metric, key, n FROM counters
     WHERE n <> 0 AND ($1::date IS NULL OR day >= $1::date) AND ($2::date IS NULL OR day <= $2::date)
     ORDER BY day`,
    [range.from || null, range.to || null],
  );
  const [erasures] = await db.query<{ n: string }>(
    `SELECT coalesce(sum(count), 0) AS n FROM erasure_counts
     WHERE ($1::date IS NULL OR day >= $1::date) AND ($2::date IS NULL OR day <= $2::date)`,
    [range.from || null, range.to || null],
  );
  let decisions = 0;
  let conflicts = 0;
  const perDay: Record<string, number> = {};
  const perPurpose: Split = {};
  const perDayPerPurpose: Record<string, Split> = {};
  const bases: Record<string, string> = {};
  const perMethod: Record<string, number> = {};
  const perLanguage: Record<string, number> = {};
  const perRegion: Record<string, number> = {};
  const perProfile: Record<string, number> = {};
  const withdrawals = { total: 0, perDay: {} as Record<string, number>, perPurpose: {} as Record<string, number> };
  const fine = new Map<number, number>();
  const bands = new Map<number, number>();
  const bump = (o: Record<string, number>, k: string, n: number) => {
    o[k] = (o[k] ?? 0) + n;
  };
  for (const r of rows) {
    const n = Number(r.n);
    switch (r.metric) {
      case 'decisions':
        decisions += n;
        bump(perDay, r.day, n);
        break;
      case 'conflicts':
        conflicts += n;
        break;
      case 'granted':
      case 'denied': {
        const side = r.metric;
        (perPurpose[r.key] ??= { granted: 0, denied: 0 })[side] += n;
        ((perDayPerPurpose[r.day] ??= {})[r.key] ??= { granted: 0, denied: 0 })[side] += n;
        break;
      }
      case 'basis': {
        // Rows come oldest day first, so the basis last recorded wins.
        const [id, basis] = r.key.split(' ');
        bases[id] = basis;
        break;
      }
      case 'method':
        bump(perMethod, r.key, n);
        break;
      case 'language':
        bump(perLanguage, r.key, n);
        break;
      case 'region':
        bump(perRegion, r.key, n);
        break;
      case 'profile':
        bump(perProfile, r.key, n);
        break;
      case 'withdrawals':
        withdrawals.total += n;
        bump(withdrawals.perDay, r.day, n);
        break;
      case 'withdrawn':
        bump(withdrawals.perPurpose, r.key, n);
        break;
      case 'lag':
        fine.set(Number(r.key), (fine.get(Number(r.key)) ?? 0) + n);
        break;
      case 'lag-band':
        bands.set(Number(r.key), (bands.get(Number(r.key)) ?? 0) + n);
        break;
    }
  }
  const sorted = [...fine].sort((a, b) => a[0] - b[0]);
  const lagCount = sorted.reduce((sum, [, n]) => sum + n, 0);
  const quantile = (q: number) => {
    if (!lagCount) return null;
    let seen = 0;
    for (const [b, n] of sorted) if ((seen += n) >= q * lagCount) return Math.round(fineLag(b));
    return null;
  };
  return {
    from: range.from ?? null,
    to: range.to ?? null,
    decisions,
    perDay,
    perPurpose,
    perMethod,
    perLanguage,
    perRegion,
    perProfile,
    erasures: Number(erasures.n),
    /** Receipts that reused another entry's id with other bytes (SPEC §7); not counted as decisions. */
    conflicts,
    /** The legal basis of each purpose, as its latest receipt in the range records it. */
    bases,
    perDayPerPurpose,
    withdrawals,
    /**
     * From each receipt's timestamp (the browser's clock) to the moment the collector received it.
     * Percentiles (nearest rank) are read from buckets 2 % wide, so they are within 1 % of the exact value.
     */
    lag: {
      count: lagCount,
      p50Ms: quantile(0.5),
      p90Ms: quantile(0.9),
      p99Ms: quantile(0.99),
      maxMs: sorted.length ? Math.round(fineLag(sorted[sorted.length - 1][0])) : null,
      histogram: [...LAG_BUCKETS_MS, null].map((belowMs, i) => ({ belowMs, n: bands.get(i) ?? 0 })),
    },
  };
};
