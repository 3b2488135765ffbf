#!/usr/bin/env node
// `assent-collector`: the reference endpoint, configured by flags or the environment (SPEC §7), and
// `assent-collector verify`, which checks that the store is whole.
import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CookieSettings } from './app';
import { openStoreFiles, startCollector } from './collector';
import { builtDashboard } from './dashboard';
import { verifyStore } from './verify';

const USAGE = `usage: assent-collector [verify] [options]

Stores consent receipts, signed and hash-chained (PGlite in the data directory, or PostgreSQL when
DATABASE_URL is set). "verify" checks that the store is whole, then exits (0 whole, 1 not).

  --port <n>              PORT                  8787 (0: any free port)
  --host <host>           HOST                  127.0.0.1
  --data <dir>            ASSENT_DATA_DIR       ./.assent-data
  --origin <origin>       ASSENT_ORIGINS        none (comma-separated in the environment; repeatable)
                          ASSENT_ADMIN_TOKEN    unset: admin routes answer 401
                          ASSENT_INGEST_TOKEN   unset: a server relay may post with this bearer token
  --retention-days <n>    ASSENT_RETENTION_DAYS unset: keep every receipt
  --tombstone-days <n>    ASSENT_TOMBSTONE_DAYS 1095
  --rate-limit <n>        ASSENT_RATE_LIMIT     300 requests a minute per client address (0: off)
  --trust-proxy           ASSENT_TRUST_PROXY    off; on: the one proxy in front (the environment may give
                                                a number of hops, or the proxies' addresses, comma-separated)
  --checkpoints <file>    (verify only)         checkpoints saved from GET /v1/checkpoints (repeatable)
  --cookie-name [<origin>=]<name>        ASSENT_COOKIE_NAME        assent
  --cookie-domain [<origin>=]<domain>    ASSENT_COOKIE_DOMAIN      none
  --max-age-days [<origin>=]<days>       ASSENT_COOKIE_MAX_AGE_DAYS 182
                          how the visitor's consent cookie is re-issued, per origin (repeatable)
                          ASSENT_SIGNING_KEY    a private Ed25519 JWK (else one kept in the data directory)
  --help`;

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        origin: { type: 'string', multiple: true },
        'retention-days': { type: 'string' },
        'tombstone-days': { type: 'string' },
        'rate-limit': { type: 'string' },
        'trust-proxy': { type: 'boolean' },
        checkpoints: { type: 'string', multiple: true },
        'cookie-name': { type: 'string', multiple: true },
        'cookie-domain': { type: 'string', multiple: true },
        'max-age-days': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    console.error(`assent-collector: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
})();
const env = process.env;
const list = (flag: string[] | undefined, name: string) =>
  flag ??
  (env[name] || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const number = (name: string, value: string | undefined, fallback: number, min = 0) => {
  const n = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name} must be a whole number of at least ${min} (got ${value})`);
  return n;
};

/** `--cookie-name shop=x`, `--cookie-name https://a.example=x` or `--cookie-name x` (every origin). */
const perOrigin = (origins: string[]) => {
  const out: Record<string, Partial<CookieSettings>> = Object.fromEntries(origins.map((o) => [o, {}]));
  const set = (flag: string[] | undefined, envName: string, field: keyof CookieSettings) => {
    for (const item of list(flag, envName)) {
      const m = /^(https?:\/\/[^=]+)=(.*)$/.exec(item);
      const value = m ? m[2] : item;
      const parsed = field === 'maxAgeDays' ? number(`--max-age-days / ${envName}`, value, 182, 1) : value;
      if (m && !origins.includes(m[1])) throw new Error(`${envName}: ${m[1]} is not one of the --origin values`);
      for (const origin of m ? [m[1]] : origins) (out[origin] as Record<string, unknown>)[field] = parsed;
    }
  };
  set(values['cookie-name'], 'ASSENT_COOKIE_NAME', 'name');
  set(values['cookie-domain'], 'ASSENT_COOKIE_DOMAIN', 'domain');
  set(values['max-age-days'], 'ASSENT_COOKIE_MAX_AGE_DAYS', 'maxAgeDays');
  return out;
};

const tombstoneDays = () =>
  number('--tombstone-days / ASSENT_TOMBSTONE_DAYS', values['tombstone-days'] ?? env.ASSENT_TOMBSTONE_DAYS, 1095, 1);

/**
 * The proxies whose X-Forwarded-For is believed: `--trust-proxy` is the one in front; the environment
 * may say how many hops, or list the proxies' addresses. Never every hop: a client writes the first one.
 */
const trustProxy = (): boolean | number | string[] => {
  const said = (env.ASSENT_TRUST_PROXY || '').trim();
  if (/^\d+$/.test(said)) return Number(said);
  if (/^(true|yes)$/i.test(said) || values['trust-proxy']) return 1;
  if (!said || /^(false|no)$/i.test(said)) return false;
  return said.split(',').map((a) => a.trim());
};

/** The signed checkpoints in a saved answer of GET /v1/checkpoints (JSON), or one JWS a line. */
const savedCheckpoints = (file: string): string[] => {
  const text = readFileSync(file, 'utf8');
  try {
    const { checkpoints } = JSON.parse(text) as { checkpoints: { signature: string }[] };
    return checkpoints.map((c) => c.signature);
  } catch {
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  }
};

const verify = async (dataDir: string) => {
  const { db, release, copies } = await openStoreFiles({
    dataDir,
    databaseUrl: env.DATABASE_URL,
    signingKey: env.ASSENT_SIGNING_KEY,
  });
  // Checkpoints kept elsewhere (saved answers of GET /v1/checkpoints) are what catches a writer or the
  // tail of a chain deleted together with its checkpoints from the same database.
  const saved = (values.checkpoints ?? []).flatMap(savedCheckpoints);
  const report = await verifyStore(db, {
    copies: [...(copies?.read().jws ?? []), ...saved],
    signatures: true,
    tombstoneDays: tombstoneDays(),
  });
  for (const p of report.problems) console.log(`problem  ${p}`);
  console.log(
    `${report.ok ? 'whole' : 'NOT WHOLE'}: ${report.writers} chains, ${report.links} links, ${report.entries} entries checked, ${report.problems.length} problems`,
  );
  await db.close();
  release();
  return report.ok ? 0 : 1;
};

const serve = async (dataDir: string) => {
  const dashboard = builtDashboard(import.meta.url);
  const port = number('--port / PORT', values.port ?? env.PORT, 8787);
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  const origins = list(values.origin, 'ASSENT_ORIGINS');
  const retention = number(
    '--retention-days / ASSENT_RETENTION_DAYS',
    values['retention-days'] ?? env.ASSENT_RETENTION_DAYS,
    0,
  );
  const collector = await startCollector({
    dataDir,
    databaseUrl: env.DATABASE_URL,
    signingKey: env.ASSENT_SIGNING_KEY,
    origins,
    cookies: perOrigin(origins),
    retentionDays: retention || undefined,
    tombstoneDays: tombstoneDays(),
    rateLimit: number('--rate-limit / ASSENT_RATE_LIMIT', values['rate-limit'] ?? env.ASSENT_RATE_LIMIT, 300),
    trustProxy: trustProxy(),
    adminToken: env.ASSENT_ADMIN_TOKEN,
    ingestToken: env.ASSENT_INGEST_TOKEN,
    logger: true,
    // Built, the dashboard sits beside this file; run from the sources, there is none.
    dashboardDir: existsSync(resolve(dashboard, 'index.html')) ? dashboard : undefined,
  });
  const address = await collector.app.listen({ port, host });
  const url = new URL(address);
  console.log(`Assent collector ready on http://${host}:${url.port} (${collector.db.kind}, key ${collector.keyId})`);
  collector.verify();
  const inFlight = new Set<ServerResponse>();
  collector.app.server.on('request', (_req, res) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  const stop = async () => {
    collector.app.log.info(`stopping: finishing ${inFlight.size} request${inFlight.size === 1 ? '' : 's'}`);
    // Answered, their connections close at once: kept alive, they would hold the exit for the keep-alive timeout.
    for (const res of inFlight) res.shouldKeepAlive = false;
    await collector.close();
    collector.app.log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
};

const main = async () => {
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const dataDir = resolve(values.data ?? env.ASSENT_DATA_DIR ?? './.assent-data');
  if (positionals[0] === 'verify') process.exitCode = await verify(dataDir);
  else if (positionals.length) throw new Error(`unknown command ${positionals[0]}\n\n${USAGE}`);
  else await serve(dataDir);
};

main().catch((e) => {
  console.error(`assent-collector: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
