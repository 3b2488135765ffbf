// `assent-collector` as a real process: its help, its request log, and a data directory damaged while
// it was stopped (the red team truncated a heap file: the collector started as if nothing had happened).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openPglite } from '../../src/collector/db';
import { uuid } from '../../src/core/ids';
import { COLLECTOR_MAIN, startCollector, stopCollector } from '../fixtures/collector-process';
import { ORIGIN, sampleReceipt } from '../fixtures/receipts';

const MAIN = COLLECTOR_MAIN;
const CLI = resolve(import.meta.dirname, '../../src/cli/main.ts');
const ADMIN = 'process-admin';
const env = { ...process.env, DATABASE_URL: '', ASSENT_ADMIN_TOKEN: ADMIN };

const start = (args: string[]) => startCollector(['--rate-limit', '0', ...args], env);
const stop = stopCollector;
const post = (url: string, body: unknown) =>
  fetch(`${url}/v1/receipts`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'text/plain', origin: ORIGIN },
  });

describe('assent-collector', () => {
  it('prints its help for --help, and a usage line for an unknown flag, never a stack trace', () => {
    const help = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--help'], { encoding: 'utf8', env });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: assent-collector');
    expect(help.stdout).toContain('--tombstone-days');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', MAIN, '--nope'], { encoding: 'utf8', env });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--nope'");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('never logs a consent id next to a client address', async () => {
    const c = await start(['--data', mkdtempSync(join(tmpdir(), 'assent-log-')), '--origin', ORIGIN]);
    const consentId = uuid();
    await fetch(`${c.url}/v1/subjects/${consentId}/receipts`);
    await fetch(`${c.url}/v1/subjects/${consentId}`, { method: 'DELETE', headers: { origin: ORIGIN } });
    await stop(c.proc);
    expect(c.output()).toContain('"remoteAddress":"127.0.0.1"');
    expect(c.output()).toContain('/v1/subjects/:id/receipts');
    expect(c.output()).not.toContain(consentId);
  }, 60_000);

  it('warns once a minute about an origin it refuses, and says when SIGTERM stops it with a request still in flight', async () => {
    const c = await start(['--data', mkdtempSync(join(tmpdir(), 'assent-stop-')), '--origin', ORIGIN]);
    const refused = sampleReceipt({ consentId: uuid(), origin: 'https://shop.example:8443' });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${c.url}/v1/receipts`, {
        method: 'POST',
        body: JSON.stringify([refused]),
        headers: { 'content-type': 'text/plain', origin: 'https://shop.example:8443' },
      });
      expect(res.status).toBe(403);
    }
    // A slow body: the request has begun when SIGTERM comes, and is answered before the collector stops.
    const receipt = JSON.stringify([sampleReceipt({ consentId: uuid() })]);
    const { port } = new URL(c.url);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    const half = Math.floor(receipt.length / 2);
    socket.write(
      `POST /v1/receipts HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${ORIGIN}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(receipt)}\r\n\r\n${receipt.slice(0, half)}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise((r) => c.proc.once('exit', r));
    c.proc.kill('SIGTERM');
    for (let i = 0; i < 40 && !c.output().includes('stopping:'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(c.output()).toContain('"msg":"stopping: finishing 1 request"');
    socket.write(receipt.slice(half));
    await exited;
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(c.output()).toContain('"msg":"stopped"');
    const warnings = c
      .output()
      .split('\n')
      .filter((l) => l.includes('"level":40'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('https://shop.example:8443');
    expect(warnings[0]).toContain('--origin');
    expect(c.output()).not.toContain(refused.consentId);
  }, 60_000);

  it('a visitor’s downloaded record still verifies after erasure, against the signed tombstones', async () => {
    const c = await start(['--data', mkdtempSync(join(tmpdir(), 'assent-stones-')), '--origin', ORIGIN]);
    const receipt = sampleReceipt({ consentId: uuid() });
    const [{ signature }] = (await (await post(c.url, [receipt])).json()).results;
    const erased = await fetch(`${c.url}/v1/subjects/${receipt.consentId}`, {
      method: 'DELETE',
      headers: { origin: ORIGIN },
    });
    expect(await erased.json()).toEqual({ erased: 1 });
    const dir = mkdtempSync(join(tmpdir(), 'assent-download-'));
    const tombstones = await (
      await fetch(`${c.url}/v1/tombstones`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).text();
    writeFileSync(join(dir, 'tombstones.ndjson'), tombstones);
    const download = (r: object) => writeFileSync(join(dir, 'record.json'), JSON.stringify({ receipts: [r] }, null, 2));
    const verify = () =>
      spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          CLI,
          'verify',
          join(dir, 'record.json'),
          '--jwks',
          `${c.url}/.well-known/jwks.json`,
          '--tombstones',
          join(dir, 'tombstones.ndjson'),
        ],
        { encoding: 'utf8', env },
      );
    download({ ...receipt, signature });
    const ok = verify();
    expect(ok.stdout).toContain(`ok      ${receipt.id} (erased; its signed tombstone matches)`);
    expect(ok.status).toBe(0);
    // A record edited after the fact matches neither its signature nor its tombstone.
    download({ ...receipt, method: 'api', signature });
    expect(verify().status).toBe(1);
    await stop(c.proc);
  }, 60_000);

  it('`verify --checkpoints` finds a writer deleted with every checkpoint the data directory had', async () => {
    const data = mkdtempSync(join(tmpdir(), 'assent-wiped-'));
    const first = await start(['--data', data, '--origin', ORIGIN]);
    expect(
      (await post(first.url, [sampleReceipt({ consentId: uuid() }), sampleReceipt({ consentId: uuid() })])).status,
    ).toBe(200);
    await stop(first.proc);
    // An auditor saved what anyone may read: GET /v1/checkpoints, after the final one of that run.
    const second = await start(['--data', data, '--origin', ORIGIN]);
    const saved = join(mkdtempSync(join(tmpdir(), 'assent-audit-')), 'checkpoints.json');
    writeFileSync(saved, await (await fetch(`${second.url}/v1/checkpoints`)).text());
    await stop(second.proc);
    // Someone with the database wipes it, and the copies beside it.
    const db = await openPglite(join(data, 'pglite'));
    for (const table of ['entries', 'chain', 'checkpoints', 'gone', 'tombstones', 'counters', 'subject_keys'])
      await db.query(`DELETE FROM ${table}`);
    await db.close();
    rmSync(join(data, 'checkpoints.jws'));
    const verify = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'verify', '--data', data, ...args], {
        encoding: 'utf8',
        env,
      });
    expect(verify().stdout).toContain('whole: 0 chains');
    const audited = verify('--checkpoints', saved);
    expect(audited.status).toBe(1);
    expect(audited.stdout).toMatch(/chain [-0-9a-f]+ is missing: its checkpoint says 2 links/);
  }, 120_000);

  it('reports a store damaged while it was stopped: /healthz answers 503, and `verify` exits 1 naming the loss', async () => {
    const data = mkdtempSync(join(tmpdir(), 'assent-damaged-'));
    const first = await start(['--data', data, '--origin', ORIGIN]);
    for (let i = 0; i < 10; i++) {
      const res = await post(
        first.url,
        Array.from({ length: 50 }, () => sampleReceipt({ consentId: uuid() })),
      );
      expect(res.status).toBe(200);
    }
    // SIGTERM publishes the chain's last checkpoint.
    await stop(first.proc);
    const whole = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'verify', '--data', data], {
      encoding: 'utf8',
      env,
    });
    expect(whole.stdout).toContain('whole: 1 chains, 500 links, 500 entries checked, 0 problems');
    expect(whole.status).toBe(0);

    const db = await openPglite(join(data, 'pglite'));
    await migrate(db);
    const [{ path }] = await db.query<{ path: string }>("SELECT pg_relation_filepath('entries') AS path");
    await db.close();
    truncateSync(join(data, 'pglite', path), 100 * 1024);

    const second = await start(['--data', data, '--origin', ORIGIN]);
    let health: Response | undefined;
    for (let i = 0; i < 40; i++) {
      health = await fetch(`${second.url}/healthz`);
      if ((await health.clone().json()).chain !== 'verifying') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(health?.status).toBe(503);
    expect(await health?.json()).toMatchObject({ ok: false, chain: 'broken' });
    expect(second.output()).toMatch(/chained entries are missing, neither erased nor pruned/);
    // It still takes new receipts: a damaged store must not lose today's decisions too.
    expect((await post(second.url, [sampleReceipt({ consentId: uuid() })])).status).toBe(200);
    await stop(second.proc);
    const broken = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'verify', '--data', data], {
      encoding: 'utf8',
      env,
    });
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/NOT WHOLE/);
    expect(broken.stdout).toMatch(/chained entries are missing/);
  }, 120_000);
});
