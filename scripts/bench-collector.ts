// Ingest throughput of the collector (part of `npm run bench`; alone: `npx tsx scripts/bench-collector.ts`
// after a build): autocannon against loopback, the collector in a process of its own with --rate-limit 0,
// on PGlite and on PostgreSQL, batches of 1 and 20. Every request carries new receipts, so every one is
// really stored and signed.
//
// PGlite runs twice, the same build both times: with its data directory on a disk, where each commit
// waits for its WAL to reach the disk, and on tmpfs, where a sync returns at once. The difference is
// what durable commits cost, measured without a switch in the product to turn them off.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { uuid } from '../src/core/ids';
import { ORIGIN, sampleReceipt } from '../test/fixtures/receipts';

const root = resolve(import.meta.dirname, '..');

const TMPFS_MAGIC = 0x01021994;
const onTmpfs = (dir: string) => existsSync(dir) && statfsSync(dir).type === TMPFS_MAGIC;
/** Where PGlite's data directory goes: a disk (the temporary directory, unless it is tmpfs), and tmpfs. */
const pgliteRuns = (): [string, string][] => {
  const disk = [tmpdir(), root].find((dir) => !onTmpfs(dir));
  const memory = ['/dev/shm', tmpdir()].find(onTmpfs);
  return [
    ...(disk ? [['PGlite, data on disk (durable commits)', disk] as [string, string]] : []),
    ...(memory ? [['PGlite, data on tmpfs (syncs cost nothing)', memory] as [string, string]] : []),
  ];
};

const start = (env: Record<string, string>, dataDir: string) =>
  new Promise<{ url: string; proc: ChildProcess }>((done, fail) => {
    const proc = spawn(
      process.execPath,
      [
        ...[join(root, 'dist/collector.mjs'), '--port', '0', '--rate-limit', '0'],
        ...['--origin', ORIGIN, '--data', dataDir],
      ],
      { env: { ...process.env, DATABASE_URL: '', ...env }, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    proc.stdout?.on('data', (chunk) => {
      out += chunk;
      const url = /ready on (http:\/\/[\d.:]+)/.exec(out)?.[1];
      if (url) done({ url, proc });
    });
    proc.on('exit', (code) => fail(new Error(`collector exited with ${code}`)));
  });

const batch = (size: number) =>
  JSON.stringify(
    Array.from({ length: size }, () =>
      sampleReceipt({ language: 'en', consentId: uuid(), purposes: { analytics: true, security: true } }),
    ),
  );

const measure = async (url: string, size: number) => {
  const result = await autocannon({
    url: `${url}/v1/receipts`,
    method: 'POST',
    connections: 8,
    duration: Number(process.env.BENCH_SECONDS || 5),
    headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN },
    requests: [{ setupRequest: (req) => ({ ...req, body: batch(size) }) }],
  });
  return {
    receiptsPerSecond: Math.round(result.requests.average * size),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
};

/** A PostgreSQL server: DATABASE_URL, else the one .ci/postgres.sh starts (root with apt), else none. */
const postgresUrl = () => {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  try {
    return execFileSync('bash', [join(root, '.ci/postgres.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
};

export const benchCollector = async () => {
  const rows: (string | number)[][] = [];
  const pg = postgresUrl();
  const runs: [string, Record<string, string>, string][] = [
    ...pgliteRuns().map(([name, base]): [string, Record<string, string>, string] => [name, {}, base]),
    ...(pg ? [['PostgreSQL', { DATABASE_URL: pg }, tmpdir()] as [string, Record<string, string>, string]] : []),
  ];
  for (const [name, env, base] of runs) {
    const dataDir = mkdtempSync(join(base, 'assent-bench-'));
    const collector = await start(env, dataDir);
    for (const size of [1, 20]) {
      const m = await measure(collector.url, size);
      rows.push([name, size, m.receiptsPerSecond, m.p50, m.p99, m.errors]);
    }
    collector.proc.removeAllListeners('exit');
    await new Promise((exited) => collector.proc.once('exit', exited).kill('SIGTERM'));
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { rows, postgres: !!pg };
};

if (process.argv[1] === fileURLToPath(import.meta.url))
  for (const row of (await benchCollector()).rows) console.log(`| ${row.join(' | ')} |`);
