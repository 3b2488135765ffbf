// A running collector: the data directory and database opened, the schema and release 1's rows
// brought up to date, the app built, its upkeep scheduled (checkpoints, retention, tombstones,
// scrubbing) and the store verified: on a server of its own (`assent-collector`, the demo, the Request
// handler) or as a Fastify plugin in the site owner's server.
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { type AppOptions, answerNotFound, buildApp, collectorRoutes } from './app';
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
    'origins' | 'rateLimit' | 'trustProxy' | 'adminToken' | 'ingestToken' | 'cookies' | 'logger' | 'dashboardDir'
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

/**
 * Opens the store, serves it on the app `serve` returns (the collector's own server, or the context
 * of the Fastify plugin), keeps it up, and closes it when that app closes.
 */
const runCollector = async (
  s: CollectorPluginOptions,
  serve: (parts: Pick<AppOptions, 'db' | 'key' | 'store' | 'health'>) => Promise<FastifyInstance>,
): Promise<Collector> => {
  const { db, key, release, copies } = await openStoreFiles(s);
  const tombstoneDays = s.tombstoneDays ?? 1095;
  let app: FastifyInstance;
  let store: Store;
  let health: Health;
  try {
    store = new Store(db, key, { origins: s.origins, retentionDays: s.retentionDays, tombstoneDays });
    await upgradeV1(store, s.log);
    health = new Health(db);
    app = await serve({ db, key, store, health });
  } catch (e) {
    await db.close().catch(() => {});
    release();
    throw e;
  }

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
        const report = await verifyStore(db, { copies: kept.jws, tombstoneDays });
        health.chain = report.ok ? 'whole' : 'broken';
        health.problems = report.problems.length;
        for (const p of report.problems) app.log.error({ problem: p }, 'the store is not whole');
        if (report.ok) app.log.info({ chains: report.writers, links: report.links }, 'the store is whole');
      } catch (e) {
        app.log.error({ err: String((e as Error)?.message ?? e) }, 'the store could not be verified');
      }
    })());
  // After the requests in flight have been answered.
  app.addHook('onClose', async () => {
    for (const t of timers) clearInterval(t);
    await verified;
    await store.scrub().catch(() => {});
    await checkpoint(true).catch(() => {});
    await db.close();
    release();
  });

  return { app, keyId: key.kid, db, store, health, verify, close: () => app.close() };
};

/** The collector on a Fastify server of its own (`assent-collector`, the demo, the Request handler). */
export const startCollector = (s: CollectorSettings): Promise<Collector> =>
  runCollector(s, (parts) => buildApp({ ...s, ...parts }));

/** What the Fastify plugin takes: the server's own options (logger, trustProxy, timeouts) stay the host's. */
export type CollectorPluginOptions = Omit<CollectorSettings, 'trustProxy' | 'logger'>;

/**
 * The collector as a Fastify plugin, to mount in an existing server:
 * `app.register(assentCollector, { prefix: '/consent', dataDir, origins: ['https://shop.example'] })`.
 * It closes its database when the server closes.
 */
export const assentCollector: FastifyPluginAsync<CollectorPluginOptions> = async (instance, options) => {
  const collector = await runCollector(options, async (parts) => {
    // Without a prefix the server's own not-found handler stays.
    if (instance.prefix) answerNotFound(instance);
    await collectorRoutes(instance, { ...options, ...parts });
    return instance;
  });
  instance.addHook('onReady', async () => {
    void collector.verify();
  });
};
