// The collector mounted in a site owner's own server: as a Fastify plugin under a prefix (real HTTP
// requests), and as a `(Request) => Promise<Response>` handler called with real Request objects.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assentCollector, type CollectorHandler, collectorHandler } from '../../src/collector/index';
import { checksum } from '../../src/core/cookie';
import { uuid } from '../../src/core/ids';
import { signedPayload } from '../../src/core/signature';
import { ORIGIN, sampleReceipt } from '../fixtures/receipts';

const TOKEN = 'mount-admin';
const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `assent-mount-${name}-`));

/** A built dashboard as the build lays it out: its page, and assets named by their hash. */
const fakeDashboard = () => {
  const dir = tempDir('dashboard');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Consent dashboard</title>');
  writeFileSync(join(dir, 'assets/index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets/index-abc123.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'not for the web');
  return dir;
};

describe('the Fastify plugin, registered under a prefix in the site owner’s server', () => {
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    app = Fastify();
    app.get('/', async () => ({ site: 'home' }));
    await app.register(assentCollector, {
      prefix: '/consent',
      dataDir: tempDir('plugin'),
      origins: [ORIGIN],
      rateLimit: 0,
      adminToken: TOKEN,
      dashboardDir: fakeDashboard(),
    });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(() => app.close());

  const post = (body: unknown, origin = ORIGIN) =>
    fetch(`${base}/consent/v1/receipts`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'text/plain', origin },
    });

  it('stores a receipt posted from an allowed origin, signed, and the visitor reads it back', async () => {
    const receipt = sampleReceipt();
    const res = await post([receipt]);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const [result] = (await res.json()).results;
    expect(result).toMatchObject({ id: receipt.id, status: 'accepted' });
    const jwks = await (await fetch(`${base}/consent/.well-known/jwks.json`)).json();
    expect(await signedPayload(result.signature, jwks)).toBe(JSON.stringify(receipt));
    const back = await (await fetch(`${base}/consent/v1/subjects/${receipt.consentId}/receipts`)).json();
    expect(back.receipts.map((r: { receipt: { id: string } }) => r.receipt.id)).toEqual([receipt.id]);
  });

  it('refuses a POST from another origin with 403 and stores nothing', async () => {
    const receipt = sampleReceipt();
    const res = await post([receipt], 'https://evil.example');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect((await res.json()).error.code).toBe('origin_not_allowed');
    const back = await (await fetch(`${base}/consent/v1/subjects/${receipt.consentId}/receipts`)).json();
    expect(back.receipts).toEqual([]);
  });

  it('keeps admin routes behind the token, and leaves the server’s other routes alone', async () => {
    expect((await fetch(`${base}/consent/v1/stats`)).status).toBe(401);
    const stats = await fetch(`${base}/consent/v1/stats`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect((await stats.json()).decisions).toBeGreaterThanOrEqual(1);
    expect(await (await fetch(`${base}/`)).json()).toEqual({ site: 'home' });
    const unknown = await fetch(`${base}/consent/v1/nope`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('not_found');
    // Outside the prefix, 404s stay the server's own.
    expect((await (await fetch(`${base}/elsewhere`)).json()).error).toBe('Not Found');
  });

  it('serves the dashboard at its own dashboard/, with the right types and cache headers, and nothing beside it', async () => {
    const redirect = await fetch(`${base}/consent/dashboard`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(new URL(redirect.headers.get('location') as string, `${base}/consent/dashboard`).pathname).toBe(
      '/consent/dashboard/',
    );
    const page = await fetch(`${base}/consent/dashboard/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('Consent dashboard');
    const script = await fetch(`${base}/consent/dashboard/assets/index-abc123.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/consent/dashboard/assets/index-abc123.css`)).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    for (const path of ['secret.txt', '..%2f..%2fpackage.json', '%2e%2e/%2e%2e/etc/passwd', 'assets/missing.js'])
      expect((await fetch(`${base}/consent/dashboard/${path}`)).status, path).toBe(404);
  });
});

describe('the (Request) => Promise<Response> handler, for route handlers', () => {
  let handle: CollectorHandler;
  const site = 'http://shop.localhost';
  beforeAll(async () => {
    handle = collectorHandler({
      prefix: '/consent',
      dataDir: tempDir('handler'),
      origins: [ORIGIN],
      rateLimit: 3,
      // With a proxy trusted too, the address the site owner names must still win over X-Forwarded-For.
      trustProxy: true,
      adminToken: TOKEN,
      clientAddress: (request) => request.headers.get('x-test-client') ?? undefined,
    });
    await handle.ready();
  }, 60_000);
  afterAll(() => handle.close());

  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    handle(
      new Request(`${site}/consent/v1/receipts`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain', origin: ORIGIN, 'x-test-client': uuid(), ...headers },
      }),
    );

  it('takes a receipt, answers with its signature, and re-issues the visitor’s cookie', async () => {
    const receipt = sampleReceipt();
    const value = `1.${receipt.consentId}.${receipt.id}.${Date.now().toString(36)}.b.3.analytics1`;
    const res = await post(JSON.stringify([receipt]), { cookie: `assent=${value}.${checksum(value)}` });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const [result] = (await res.json()).results;
    expect(result).toMatchObject({ id: receipt.id, status: 'accepted', signature: expect.any(String) });
    expect(res.headers.get('set-cookie')).toMatch(
      new RegExp(`^assent=${value}\\.\\w+; Path=/; Max-Age=\\d+; SameSite=Lax; Secure$`),
    );
    const back = await handle(new Request(`${site}/consent/v1/subjects/${receipt.consentId}/receipts`));
    expect((await back.json()).receipts[0].receipt).toEqual(receipt);
  });

  it('answers 403 for a wrong Origin, 400 for a body that is no array, 413 for one too large', async () => {
    const receipt = sampleReceipt();
    const refused = await post(JSON.stringify([receipt]), { origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe('origin_not_allowed');
    const back = await handle(new Request(`${site}/consent/v1/subjects/${receipt.consentId}/receipts`));
    expect((await back.json()).receipts).toEqual([]);
    expect((await post('{"not":"an array"}')).status).toBe(400);
    expect((await post(`[${'"x",'.repeat(100_000)}"x"]`)).status).toBe(413);
  });

  it('answers preflights and HEAD without a body, and routes outside the prefix to a 404', async () => {
    const preflight = await handle(
      new Request(`${site}/consent/v1/receipts`, {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await preflight.text()).toBe('');
    const head = await handle(new Request(`${site}/consent/healthz`, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await handle(new Request(`${site}/other/healthz`))).status).toBe(404);
  });

  it('counts the rate limit per client address that clientAddress names', async () => {
    const from = (client: string) =>
      handle(new Request(`${site}/consent/.well-known/jwks.json`, { headers: { 'x-test-client': client } }));
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.1')).status).toBe(200);
    const limited = await from('203.0.113.1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('connection')).toBeNull();
    expect((await from('203.0.113.2')).status).toBe(200);
  });

  it('ignores X-Forwarded-For when clientAddress names the client: rotating it does not escape the rate limit', async () => {
    const from = (forwarded: string) =>
      handle(
        new Request(`${site}/consent/.well-known/jwks.json`, {
          headers: { 'x-test-client': '203.0.113.7', 'x-forwarded-for': forwarded },
        }),
      );
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await from(`198.51.100.${i + 1}`)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('answers nothing outside its prefix, nor what `..` resolves to outside it: 404 in the collector’s shape', async () => {
    const requests = [
      new Request(`${site}/v1/receipts`, { method: 'POST', body: '[]', headers: { origin: ORIGIN } }),
      new Request(`${site}/healthz`),
      new Request(`${site}/dashboard/`),
      new Request(`${site}/consent/../healthz`),
      new Request(`${site}/consent/%2e%2e/healthz`),
      new Request(`${site}/consent/%2E%2E/v1/stats`, { headers: { authorization: `Bearer ${TOKEN}` } }),
      new Request(`${site}/consentx/healthz`),
    ];
    for (const request of requests) {
      const res = await handle(request);
      expect(res.status, request.url).toBe(404);
      expect(await res.json(), request.url).toEqual({ error: { code: 'not_found', message: 'no such route' } });
    }
    expect((await handle(new Request(`${site}/consent`))).status).toBe(404);
    expect((await handle(new Request(`${site}/consent/healthz`))).status).toBe(200);
  });
});
