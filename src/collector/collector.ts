// A running collector: the data directory and database opened, the schema and release 1's rows
// brought up to date, the app built, its upkeep scheduled (checkpoints, retention, tombstones,
// scrubbing) and the store verified. `assent-collector` and the demo both start one.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from './app';
import { publishCheckpoint } from './chain';
import { prepareDataDir } from './datadir';
import { type Db, guarded, migrate, openPglite, openPostgres } from './db';
import { Health } from './health';
import { loadSigningKey } from './keys';
import { Store } from './store';
import { upgradeV1 } from './upgrade';
import { verifyStore } from './verify';

export interface CollectorSettings
  extends Pick<
    AppOptions,
    'origins' | 'rateLimit' | 'trustProxy' | 'adminToken' | 'ingestToken' | 'cookies' | 'logger'
  > {
  dataDir: string;
  /** PostgreSQL when set, else PGlite in the data directory. */
  databaseUrl?: string;
  signingKey?: string;
  retentionDays?: number;
  tombstoneDays?: number;
  log?: (message: string) => void;
}

/** PostgreSQL may be down when the collector starts: wait for it, saying so. */
const waitForPostgres = async (url: string, log: (m: string) => void): Promise<Db> => {
  const db = guarded(await openPostgres(url, log));
  for (let attempt = 0; ; attempt++)
    try {
      await db.query('SELECT 1');
      return db;
    } catch (e) {
      if (attempt % 5 === 0) log(`waiting for PostgreSQL (${(e as Error).message})`);
      await new Promise((r) => setTimeout(r, 2000));
    }
};

/** The database and signing key of a data directory (taken for this process, on PGlite). */
export const openStoreFiles = async (s: Pick<CollectorSettings, 'dataDir' | 'databaseUrl' | 'signingKey' | 'log'>) => {
  const log = s.log ?? ((m: string) => console.error(`assent-collector: ${m}`));
  const release = await prepareDataDir(s.dataDir, { lock: !s.databaseUrl });
  try {
    const db = s.databaseUrl
      ? await waitForPostgres(s.databaseUrl, log)
      : guarded(await openPglite(resolve(s.dataDir, 'pglite')));
    await migrate(db);
    const key = await loadSigningKey(db, s.dataDir, s.signingKey);
    // Checkpoints are also kept beside PGlite's files, where a damaged database cannot take them along.
    const copies = resolve(s.dataDir, 'checkpoints.jws');
    const readCopies = () => (existsSync(copies) ? readFileSync(copies, 'utf8').split('\n').filter(Boolean) : []);
    const keepCopy = s.databaseUrl ? undefined : (line: string) => appendFileSync(copies, line, { mode: 0o600 });
    return { db, key, release, readCopies, keepCopy };
  } catch (e) {
    release();
    throw e;
  }
};

export interface Collector {
  app: FastifyInstance;
  /** The signing key's id (its RFC 7638 thumbprint). */
  keyId: string;
  db: Db;
  store: Store;
  health: Health;
  /** Resolves once the start-up verification has ended (the collector serves meanwhile). */
  verified: Promise<void>;
  /** Finishes the requests in flight, publishes the chain's head, closes the database. */
  close(): Promise<void>;
}

export const startCollector = async (s: CollectorSettings): Promise<Collector> => {
  const files = await openStoreFiles(s);
  const { db, key, release, readCopies, keepCopy } = files;
  const tombstoneDays = s.tombstoneDays ?? 1095;
  const store = new Store(db, key, { origins: s.origins, retentionDays: s.retentionDays, tombstoneDays });
  await upgradeV1(store, s.log);
  const health = new Health(db);
  const app = await buildApp({ ...s, db, key, store, health });

  const checkpoint = async () => {
    if (!store.unpublished) return;
    store.unpublished = 0;
    await publishCheckpoint(db, key, store.writer, keepCopy);
  };
  const upkeep = async () => {
    await checkpoint();
    if (s.retentionDays) {
      const pruned = await store.prune(s.retentionDays);
      if (pruned) app.log.info({ pruned, retentionDays: s.retentionDays }, 'retention');
    }
    const expired = await store.expireTombstones();
    if (expired) app.log.info({ expired, tombstoneDays }, 'tombstones expired');
    await store.scrub();
  };
  const timers = [
    [10_000, checkpoint],
    [3600_000, upkeep],
    // An erasure is scrubbed from the data directory within a minute, not at the next hour.
    [60_000, () => store.scrub()],
  ].map(([ms, work]) =>
    setInterval(
      () =>
        (work as () => Promise<void>)().catch((e) => app.log.warn({ err: String(e?.message ?? e) }, 'upkeep failed')),
      ms as number,
    ).unref(),
  );
  await upkeep();

  // The store is verified while the collector serves: a damaged store still takes new receipts.
  const verified = verifyStore(db, { copies: readCopies() }).then(
    (report) => {
      health.chain = report.ok ? 'whole' : 'broken';
      health.problems = report.problems.length;
      for (const p of report.problems) app.log.error({ problem: p }, 'the store is not whole');
      if (report.ok) app.log.info({ chains: report.writers, links: report.links }, 'the store is whole');
    },
    (e) => app.log.error({ err: String(e?.message ?? e) }, 'the store could not be verified'),
  );

  return {
    app,
    keyId: key.kid,
    db,
    store,
    health,
    verified,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await app.close();
      await verified;
      await checkpoint().catch(() => {});
      await db.close();
      release();
    },
  };
};
