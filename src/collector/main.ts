#!/usr/bin/env node
// `assent-collector`: the reference endpoint, configured by flags or the environment (SPEC §7).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from './app';
import { migrate, openPglite, openPostgres } from './db';
import { loadSigningKey } from './keys';
import { lockDataDir } from './lock';
import { prune } from './store';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    origin: { type: 'string', multiple: true },
    'retention-days': { type: 'string' },
    'rate-limit': { type: 'string' },
    'trust-proxy': { type: 'boolean' },
  },
});
const env = process.env;
const number = (name: string, value: string | undefined, fallback: number) => {
  const n = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number (got ${value})`);
  return n;
};

const main = async () => {
  const port = number('--port / PORT', values.port ?? env.PORT, 8787);
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  const dataDir = resolve(values.data ?? env.ASSENT_DATA_DIR ?? './.assent-data');
  const origins = values.origin ?? (env.ASSENT_ORIGINS || '').split(',').filter(Boolean);
  mkdirSync(dataDir, { recursive: true });
  const release = lockDataDir(dataDir);
  const db = env.DATABASE_URL ? await openPostgres(env.DATABASE_URL) : await openPglite(resolve(dataDir, 'pglite'));
  await migrate(db);
  const key = await loadSigningKey(db, dataDir, env.ASSENT_SIGNING_KEY);
  const app = await buildApp({
    db,
    key,
    origins,
    rateLimit: number('--rate-limit / ASSENT_RATE_LIMIT', values['rate-limit'] ?? env.ASSENT_RATE_LIMIT, 300),
    trustProxy: values['trust-proxy'] ?? /^(1|true|yes)$/i.test(env.ASSENT_TRUST_PROXY || ''),
    adminToken: env.ASSENT_ADMIN_TOKEN,
    logger: true,
  });
  const retention = number(
    '--retention-days / ASSENT_RETENTION_DAYS',
    values['retention-days'] ?? env.ASSENT_RETENTION_DAYS,
    0,
  );
  if (retention) {
    const pruneOld = () =>
      prune(db, retention).then((n) => n && app.log.info({ pruned: n, retentionDays: retention }, 'retention'));
    await pruneOld();
    setInterval(pruneOld, 3600_000).unref();
  }
  const address = await app.listen({ port, host });
  const url = new URL(address);
  console.log(`Assent collector ready on http://${host}:${url.port} (${db.kind}, key ${key.kid})`);
  // Finish the requests in flight, then close the database: nothing acknowledged is lost.
  const stop = async () => {
    await app.close();
    await db.close();
    release();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
};

main().catch((e) => {
  console.error(`assent-collector: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
