// A running collector: the data directory and database opened, the schema and release 1's rows
// brought up to date, the app built, its upkeep scheduled (checkpoints, retention, tombstones,
// scrubbing) and the store verified. `assent-collector` and the demo both start one.
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from './app';
import { publishCheckpoint } from './chain';
import { checkpointCopies } from './copies';
import { CHECKPOINT_COPIES, PGLITE_DIR, prepareDataDir } from './datadir';
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
      : guarded(await openPglite(resolve(s.dataDir, PGLITE_DIR)));
    await migrate(db);
    const key = await loadSigningKey(db, s.dataDir, s.signingKey);
    // Checkpoints are also kept beside PGlite's files, where a damaged database cannot take them along.
    const copies = s.databaseUrl ? undefined : checkpointCopies(resolve(s.dataDir, CHECKPOINT_COPIES));
    return { db, key, release, copies };
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
  /**
   * Verifies the store; call it once the collector serves (a damaged store still takes new receipts,
   * and a large one takes a while). Resolves when the walk has ended.
   */
  verify(): Promise<void>;
  /** Finishes the requests in flight, publishes the chain's head, closes the database. */
  close(): Promise<void>;
}

export const startCollector = async (s: CollectorSettings): Promise<Collector> => {
  const { db, key, release, copies } = await openStoreFiles(s);
  const tombstoneDays = s.tombstoneDays ?? 1095;
  const store = new Store(db, key, { origins: s.origins, retentionDays: s.retentionDays, tombstoneDays });
  await upgradeV1(store, s.log);
  const health = new Health(db);
  const app = await buildApp({ ...s, db, key, store, health });

  const checkpoint = async (final = false) => {
    if (!store.unpublished && !final) return;
    store.unpublished = 0;
    const jws = await publishCheckpoint(db, key, store.writer, final);
    if (jws) copies?.keep(jws);
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
  // Also what an earlier run owed: a scrub after an erasure survives a restart.
  await upkeep();

  let verified: Promise<void> | undefined;
  const verify = () =>
    (verified ??= (async () => {
      const kept = copies?.read() ?? { jws: [], unreadable: 0 };
      if (kept.unreadable) app.log.warn({ lines: kept.unreadable }, 'checkpoints.jws has lines that are no checkpoint');
      try {
        const report = await verifyStore(db, { copies: kept.jws });
        health.chain = report.ok ? 'whole' : 'broken';
        health.problems = report.problems.length;
        for (const p of report.problems) app.log.error({ problem: p }, 'the store is not whole');
        if (report.ok) app.log.info({ chains: report.writers, links: report.links }, 'the store is whole');
      } catch (e) {
        app.log.error({ err: String((e as Error)?.message ?? e) }, 'the store could not be verified');
      }
    })());

  return {
    app,
    keyId: key.kid,
    db,
    store,
    health,
    verify,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await app.close();
      await verified;
      await store.scrub().catch(() => {});
      await checkpoint(true).catch(() => {});
      await db.close();
      release();
    },
  };
};
