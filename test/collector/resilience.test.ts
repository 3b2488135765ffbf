// PostgreSQL goes away under load and comes back: the collector answers 503 with Retry-After meanwhile,
// never crashes, never shows its database's address, and loses nothing it acknowledged. The server is
// a private one this test starts (initdb) so that stopping it disturbs no other test.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuid } from '../../src/core/ids';
import { ORIGIN, sampleReceipt } from '../fixtures/receipts';

const MAIN = resolve(import.meta.dirname, '../../src/collector/main.ts');
const TOKEN = 'resilience-admin';

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

/** A PostgreSQL server of this test's own, run as the postgres user when the test runs as root. */
const privatePostgres = async () => {
  const version = readdirSync('/usr/lib/postgresql').sort().pop() as string;
  const bin = `/usr/lib/postgresql/${version}/bin`;
  const dir = mkdtempSync(join(tmpdir(), 'assent-pg-'));
  const root = process.getuid?.() === 0;
  if (root) {
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
    chmodSync(dir, 0o700);
  }
  const sh = (command: string) =>
    execFileSync(root ? 'su' : 'sh', root ? ['postgres', '-c', command] : ['-c', command], { stdio: 'pipe' });
  sh(`${bin}/initdb -D ${dir}/data -A trust -U postgres >/dev/null`);
  const port = await freePort();
  const pgCtl = (action: string) =>
    sh(
      `${bin}/pg_ctl -D ${dir}/data -o "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1" -l ${dir}/log -w ${action}`,
    );
  pgCtl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => pgCtl('start'),
    stop: () => pgCtl('-m fast stop'),
  };
};

describe.runIf(process.env.DATABASE_URL)('a PostgreSQL restart under load', () => {
  let pg: Awaited<ReturnType<typeof privatePostgres>>;
  let collector: ChildProcess;
  let base = '';
  let log = '';

  beforeAll(async () => {
    pg = await privatePostgres();
    collector = spawn(
      process.execPath,
      ['--import', 'tsx', MAIN, '--port', '0', '--origin', ORIGIN, '--rate-limit', '0'],
      {
        env: {
          ...process.env,
          DATABASE_URL: pg.url,
          ASSENT_DATA_DIR: mkdtempSync(join(tmpdir(), 'assent-data-')),
          ASSENT_ADMIN_TOKEN: TOKEN,
        },
      },
    );
    base = await new Promise<string>((done, fail) => {
      collector.stdout?.on('data', (d) => {
        log += d;
        const m = /http:\/\/[\d.]+:\d+/.exec(log);
        if (m) done(m[0]);
      });
      collector.stderr?.on('data', (d) => {
        log += d;
      });
      collector.on('exit', (code) => fail(new Error(`the collector exited (${code}): ${log}`)));
    });
  }, 60_000);
  afterAll(async () => {
    collector?.kill('SIGKILL');
    try {
      pg?.stop();
    } catch {}
  });

  const post = async () => {
    const receipt = sampleReceipt({ consentId: uuid() });
    const res = await fetch(`${base}/v1/receipts`, {
      method: 'POST',
      body: JSON.stringify([receipt]),
      headers: { 'content-type': 'text/plain', origin: ORIGIN },
    }).catch(() => null);
    return {
      receipt,
      status: res?.status ?? 0,
      retryAfter: res?.headers.get('retry-after'),
      body: (await res?.text()) ?? '',
    };
  };

  it('answers 503 with Retry-After while the server is down, survives, and keeps every acknowledged receipt', async () => {
    const answers: Awaited<ReturnType<typeof post>>[] = [];
    let going = true;
    const load = async () => {
      while (going) answers.push(await post());
    };
    let workers = Array.from({ length: 6 }, load);
    await new Promise((r) => setTimeout(r, 1000));
    // The server stops while the pool's connections are idle (the red team's crash), then under load.
    going = false;
    await Promise.all(workers);
    pg.stop();
    await new Promise((r) => setTimeout(r, 1000));
    going = true;
    workers = Array.from({ length: 6 }, load);
    await new Promise((r) => setTimeout(r, 2000));
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(collector.exitCode).toBeNull();
    pg.start();
    // Back: new receipts are accepted again, without a restart of the collector.
    for (let i = 0; i < 60 && (await post()).status !== 200; i++) await new Promise((r) => setTimeout(r, 500));
    going = false;
    await Promise.all(workers);
    expect(collector.exitCode).toBeNull();

    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const a of refused) {
      expect(Number(a.retryAfter)).toBeGreaterThan(0);
      expect(JSON.parse(a.body).error.code).toBe('unavailable');
    }
    // No answer names the database, its address, a path or SQL.
    for (const a of answers)
      expect(a.body).not.toMatch(new RegExp(`ECONN|127\\.0\\.0\\.1|:${pg.port}|SELECT|INSERT|/tmp|postgres`, 'i'));
    expect(answers.every((a) => a.status === 200 || a.status === 503)).toBe(true);

    const accepted = answers.filter((a) => a.status === 200).map((a) => a.receipt.id);
    expect(accepted.length).toBeGreaterThan(0);
    const exported = await (await fetch(`${base}/v1/export`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const ids = new Set(
      exported
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).receipt.id),
    );
    expect(accepted.filter((id) => !ids.has(id))).toEqual([]);
    for (let i = 0; i < 20 && (await fetch(`${base}/healthz`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 500));
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  }, 90_000);
});
