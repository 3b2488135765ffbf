// Ingest throughput of the collector (part of `npm run bench`): autocannon against loopback, the
// collector in a process of its own with --rate-limit 0, on PGlite and on PostgreSQL, batches of 1
// and 20. Every request carries new receipts, so every one is really stored and signed.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { uuid } from '../src/core/ids';
import { sampleReceipt } from '../test/fixtures/receipts';

const root = resolve(import.meta.dirname, '..');

const start = (env: Record<string, string>) =>
  new Promise<{ url: string; proc: ChildProcess }>((done, fail) => {
    const proc = spawn(
      process.execPath,
      [
        join(root, 'dist/collector.mjs'),
        '--port',
        '0',
        '--rate-limit',
        '0',
        '--data',
        mkdtempSync(join(tmpdir(), 'assent-bench-')),
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
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
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
  for (const [name, env] of [['PGlite', {}], ...(pg ? [['PostgreSQL', { DATABASE_URL: pg }]] : [])] as [
    string,
    Record<string, string>,
  ][]) {
    const collector = await start(env);
    for (const size of [1, 20]) {
      const m = await measure(collector.url, size);
      rows.push([name, size, m.receiptsPerSecond, m.p50, m.p99, m.errors]);
    }
    collector.proc.kill('SIGTERM');
  }
  return { rows, postgres: !!pg };
};
