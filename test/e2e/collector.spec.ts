// The widget and the reference collector together, each a real process: decisions reach the
// collector, come back signed, and survive the collector being killed and restarted.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signedPayload } from '../../src/core/signature';
import type { Receipt } from '../../src/core/types';
import { startCollector } from '../fixtures/collector-process';
import { shopConfig } from '../fixtures/configs';
import { expect, test } from './fixtures';
import { pageWith } from './site';

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
    expect(JSON.parse((await signedPayload(r.signature, jwks)) as string)).toEqual(r.receipt);
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
    expect(await signedPayload(r.signature, again)).not.toBeNull();

  // A second collector on the same data directory refuses to start.
  await expect(startCollector(['--data', data])).rejects.toThrow(/in use by another collector/);
  collector.proc.kill('SIGTERM');
  await new Promise((r) => collector.proc.once('exit', r));
});

test('SIGTERM finishes the requests in flight: every acknowledged receipt is there after a restart', async ({
  site,
}) => {
  test.setTimeout(90_000);
  const data = mkdtempSync(join(tmpdir(), 'assent-e2e-sigterm-'));
  const first = await startCollector(['--data', data, '--rate-limit', '0', '--origin', site.origin]);
  const { buildReceipt } = await import('../../src/core/receipt');
  const { uuid } = await import('../../src/core/ids');
  const consentId = uuid();
  const receipts = Array.from({ length: 40 }, (_, i) =>
    buildReceipt({
      config: shopConfig(),
      language: 'en',
      id: uuid(Date.now() + i),
      consentId,
      previousId: null,
      time: Date.now(),
      method: 'api',
      origin: site.origin,
      textHash: `sha256-${'A'.repeat(43)}=`,
      gpc: false,
      purposes: {},
    }),
  );
  const posts = receipts.map((r) =>
    fetch(`${first.url}/v1/receipts`, {
      method: 'POST',
      body: JSON.stringify([r]),
      headers: { 'content-type': 'text/plain', origin: site.origin },
    })
      .then(async (res) => (res.ok ? ((await res.json()).results[0].status as string) : 'failed'))
      .catch(() => 'failed'),
  );
  setTimeout(() => first.proc.kill('SIGTERM'), 5);
  const outcomes = await Promise.all(posts);
  await new Promise((r) => (first.proc.exitCode === null ? first.proc.once('exit', r) : r(null)));
  const acknowledged = receipts.filter((_, i) => outcomes[i] === 'accepted').map((r) => r.id);
  const second = await startCollector(['--data', data]);
  const stored = (await (await fetch(`${second.url}/v1/subjects/${consentId}/receipts`)).json()).receipts.map(
    (r: { receipt: Receipt }) => r.receipt.id,
  );
  expect(stored).toEqual(expect.arrayContaining(acknowledged));
  test.info().annotations.push({ type: 'acknowledged before SIGTERM', description: `${acknowledged.length} of 40` });
  second.proc.kill('SIGTERM');
  await new Promise((r) => second.proc.once('exit', r));
});
