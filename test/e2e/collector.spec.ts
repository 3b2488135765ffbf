// The widget and the reference collector together, each a real process: decisions reach the
// collector, come back signed, and survive the collector being killed and restarted.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifyCompact } from '../../src/collector/jws';
import type { Receipt } from '../../src/core/types';
import { shopConfig } from '../fixtures/configs';
import { expect, test } from './fixtures';
import { pageWith } from './site';

const MAIN = resolve(import.meta.dirname, '../../src/collector/main.ts');

/** Starts `assent-collector`; resolves with its URL once it says it is ready, or with its error. */
const startCollector = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ url: string; proc: ChildProcess; output: () => string }>((done, fail) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', ...args], {
      env: { ...process.env, DATABASE_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk;
      const url = /ready on (http:\/\/[\d.:]+)/.exec(output)?.[1];
      if (url) done({ url, proc, output: () => output });
    };
    proc.stdout?.on('data', read);
    proc.stderr?.on('data', read);
    proc.on('exit', (code) => fail(new Error(`collector exited with ${code}: ${output}`)));
  });

test.describe.configure({ mode: 'serial' });

test('decisions reach the collector and come back signed; a killed collector loses nothing acknowledged', async ({
  page,
  site,
}) => {
  test.setTimeout(90_000);
  const data = mkdtempSync(join(tmpdir(), 'assent-e2e-collector-'));
  let collector = await startCollector(['--data', data, '--origin', site.origin]);
  const config = { ...shopConfig(), endpoint: `${collector.url}/v1/receipts` };
  await page.goto(site.page(pageWith(config)));
  const consentId = await page.evaluate(async () => {
    await window.assent?.set({ analytics: true });
    await window.assent?.rejectAll();
    return window.assent?.getState().id as string;
  });
  const subject = async () => (await fetch(`${collector.url}/v1/subjects/${consentId}/receipts`)).json();
  await expect.poll(async () => (await subject()).receipts.length).toBe(2);
  const jwks = await (await fetch(`${collector.url}/.well-known/jwks.json`)).json();
  const { receipts } = await subject();
  for (const r of receipts as { receipt: Receipt; signature: string }[])
    expect(JSON.parse(verifyCompact(r.signature, jwks) as string)).toEqual(r.receipt);
  // The browser keeps the signatures in its history.
  await expect
    .poll(() => page.evaluate(async () => (await window.assent?.receipts())?.every((r) => !!r.signature)))
    .toBe(true);

  // Kill it hard: everything acknowledged is still there after a restart, and the same key verifies.
  collector.proc.kill('SIGKILL');
  await new Promise((r) => collector.proc.once('exit', r));
  collector = await startCollector(['--data', data, '--origin', site.origin]);
  await page.evaluate(() => {
    const w = window as unknown as { assent: { set: (c: object) => Promise<unknown> } };
    return w.assent.set({ marketing: true });
  });
  // The page still posts to the old port; a new page points at the new one and sends what waits.
  await page.goto(site.page(pageWith({ ...config, endpoint: `${collector.url}/v1/receipts` })));
  await expect.poll(async () => (await subject()).receipts.length, { timeout: 20_000 }).toBe(3);
  const again = await (await fetch(`${collector.url}/.well-known/jwks.json`)).json();
  expect(again).toEqual(jwks);
  for (const r of (await subject()).receipts as { receipt: Receipt; signature: string }[])
    expect(verifyCompact(r.signature, again)).not.toBeNull();

  // A second collector on the same data directory refuses to start.
  await expect(startCollector(['--data', data])).rejects.toThrow(/in use by another collector/);
  collector.proc.kill('SIGTERM');
  await new Promise((r) => collector.proc.once('exit', r));
});
