// The collector's routes, on a real embedded PostgreSQL (PGlite) and, when DATABASE_URL is set, on a
// real PostgreSQL server too: same SQL, same answers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedReceipts, verifyAll } from '../../src/cli/verify';
import { buildApp } from '../../src/collector/app';
import { type Db, migrate, openPglite } from '../../src/collector/db';
import { verifyCompact } from '../../src/collector/jws';
import { loadSigningKey } from '../../src/collector/keys';
import { prune } from '../../src/collector/store';
import { uuid } from '../../src/core/ids';
import type { Receipt } from '../../src/core/types';
import { collectorBackends, ORIGIN, sampleReceipt } from '../fixtures/receipts';

const receiptFor = (consentId: string, over: Partial<Receipt> = {}): Receipt => ({
  ...sampleReceipt({ consentId }),
  ...over,
});

describe.each(collectorBackends('assent-pglite-'))('the collector on %s', (_, open) => {
  let db: Db;
  let app: FastifyInstance;
  const post = (body: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/v1/receipts',
      payload: body,
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN, ...headers },
    });

  beforeAll(async () => {
    db = await open();
    await migrate(db);
    await migrate(db);
    const key = await loadSigningKey(db, mkdtempSync(join(tmpdir(), 'assent-key-')));
    app = await buildApp({ db, key, origins: [ORIGIN], rateLimit: 0, trustProxy: false, adminToken: 'secret' });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('stores receipts exactly as sent, signs them, and returns them to the subject with signatures that verify', async () => {
    const consentId = uuid();
    const a = receiptFor(consentId);
    const b = receiptFor(consentId, { previousId: a.id, method: 'preferences' });
    const rawA = JSON.stringify(a, null, 1);
    const res = await post(`[${rawA}, ${JSON.stringify(b)}]`);
    expect(res.statusCode).toBe(200);
    const { results } = res.json();
    expect(results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted']);
    const keys = (await app.inject('/.well-known/jwks.json')).json();
    expect(verifyCompact(results[0].signature, keys)).toBe(rawA);
    const back = (await app.inject(`/v1/subjects/${consentId}/receipts`)).json().receipts;
    expect(back.map((r: { receipt: Receipt }) => r.receipt.id)).toEqual([a.id, b.id]);
    expect(verifyCompact(back[0].signature, keys)).toBe(rawA);
    expect(back[0].receivedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('never stores a duplicate id twice, and returns the first signature', async () => {
    const r = receiptFor(uuid());
    const first = (await post(`[${JSON.stringify(r)}]`)).json().results[0];
    const again = (await post(`[${JSON.stringify({ ...r, method: 'api' })}]`)).json().results[0];
    expect(again).toEqual({ id: r.id, status: 'duplicate', signature: first.signature });
    expect((await app.inject(`/v1/subjects/${r.consentId}/receipts`)).json().receipts).toHaveLength(1);
  });

  it('rejects an invalid entry with a reason and stores the valid ones of the same batch', async () => {
    const good = receiptFor(uuid());
    const res = await post(JSON.stringify([{ type: 'consent', id: 'nope' }, good, { no: 'id' }]));
    const { results } = res.json();
    expect(results.map((r: { status: string }) => r.status)).toEqual(['rejected', 'accepted', 'rejected']);
    expect(results[0].reason).toContain('entry.id must be text matching');
  });

  it('stores SQL metacharacters and <script> verbatim and harmlessly', async () => {
    const nasty = `'); DROP TABLE entries; -- <script>alert("x")</script> \\ \u2028 é`;
    const r = receiptFor(uuid(), { language: nasty, origin: nasty, policy: { url: nasty, version: nasty } });
    const raw = JSON.stringify(r);
    expect((await post(`[${raw}]`)).json().results[0].status).toBe('accepted');
    const back = (await app.inject(`/v1/subjects/${r.consentId}/receipts`)).json().receipts[0];
    expect(back.receipt).toEqual(r);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it('answers 400 to a body that is not a JSON array, 403 to an unknown origin, 413 over 256 KB', async () => {
    for (const body of ['{"a":1}', 'not json', '[1,', '"x"']) {
      const res = await post(body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('not_an_array');
    }
    const r = receiptFor(uuid());
    const refused = await post(`[${JSON.stringify(r)}]`, { origin: 'https://evil.example' });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    expect((await app.inject(`/v1/subjects/${r.consentId}/receipts`)).json().receipts).toEqual([]);
    const big = await post(`[${JSON.stringify({ ...r, pad: 'x'.repeat(300 * 1024) })}]`);
    expect(big.statusCode).toBe(413);
  });

  it('grants CORS to allowed origins only', async () => {
    const ok = await app.inject({
      method: 'OPTIONS',
      url: '/v1/receipts',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN);
    const no = await app.inject({
      method: 'OPTIONS',
      url: '/v1/receipts',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(no.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps the texts behind a hash, and serves them', async () => {
    const textHash = `sha256-${'B'.repeat(42)}/=`;
    const entry = { type: 'texts', id: uuid(Date.now()), textHash, language: 'bg', texts: { title: 'Поверителност' } };
    expect((await post(JSON.stringify([entry]))).json().results[0].status).toBe('accepted');
    const res = await app.inject(`/v1/texts/${encodeURIComponent(textHash)}`);
    expect(res.json()).toEqual({ textHash, language: 'bg', texts: { title: 'Поверителност' } });
    expect((await app.inject(`/v1/texts/${encodeURIComponent(`sha256-${'C'.repeat(43)}=`)}`)).statusCode).toBe(404);
  });

  it('erases a subject on request (route or erasure entry); only a count per day remains', async () => {
    const [one, two] = [uuid(), uuid()];
    await post(JSON.stringify([receiptFor(one), receiptFor(two)]));
    expect((await app.inject({ method: 'DELETE', url: `/v1/subjects/${one}` })).statusCode).toBe(200);
    const erasure = { type: 'erasure', id: uuid(Date.now()), consentId: two, timestamp: new Date().toISOString() };
    expect((await post(JSON.stringify([erasure]))).json().results[0].status).toBe('accepted');
    for (const id of [one, two]) expect((await app.inject(`/v1/subjects/${id}/receipts`)).json().receipts).toEqual([]);
    const [{ count }] = await db.query<{ count: number }>('SELECT count FROM erasures WHERE day = current_date');
    expect(count).toBeGreaterThanOrEqual(2);
    expect((await app.inject({ method: 'DELETE', url: '/v1/subjects/not-a-uuid' })).statusCode).toBe(400);
  });

  it('prunes receipts older than the retention period, and only those', async () => {
    const [old, fresh] = [receiptFor(uuid()), receiptFor(uuid())];
    await post(JSON.stringify([old, fresh]));
    // Only the test reaches back in time: the collector itself never rewrites a row.
    await db.query("UPDATE entries SET received_at = now() - interval '40 days' WHERE id = $1", [old.id]);
    expect(await prune(db, 30)).toBeGreaterThanOrEqual(1);
    expect((await app.inject(`/v1/subjects/${old.consentId}/receipts`)).json().receipts).toEqual([]);
    expect((await app.inject(`/v1/subjects/${fresh.consentId}/receipts`)).json().receipts).toHaveLength(1);
  });

  it('re-issues the consent cookie with Set-Cookie when the visitor sends it', async () => {
    const value = `1.3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b..${Date.now().toString(36)}.b.3.analytics1`;
    const { checksum } = await import('../../src/core/cookie');
    const cookie = `${value}.${checksum(value)}`;
    const res = await post('[]', { cookie: `other=1; assent=${cookie}` });
    expect(res.headers['set-cookie']).toMatch(
      new RegExp(`^assent=${cookie.replace(/[.|]/g, '\\$&')}; Path=/; Max-Age=\\d+; SameSite=Lax$`),
    );
    expect((await post('[]', { cookie: 'assent=garbage' })).headers['set-cookie']).toBeUndefined();
  });
});

describe('admin routes and limits', () => {
  let db: Db;
  let app: FastifyInstance;
  const auth = { authorization: 'Bearer secret-token' };

  beforeAll(async () => {
    db = await openPglite(mkdtempSync(join(tmpdir(), 'assent-admin-')));
    await migrate(db);
    const key = await loadSigningKey(db, mkdtempSync(join(tmpdir(), 'assent-key-')));
    app = await buildApp({ db, key, origins: [ORIGIN], rateLimit: 30, trustProxy: false, adminToken: 'secret-token' });
    const consentId = uuid();
    const batch = [
      receiptFor(consentId, { method: 'banner', language: 'fr' }),
      receiptFor(uuid(), { method: 'gpc', language: 'en', origin: 'https://a,b"c.example' }),
    ];
    batch[1].purposes = batch[1].purposes.map((p) => ({ ...p, granted: false }));
    await app.inject({
      method: 'POST',
      url: '/v1/receipts',
      payload: JSON.stringify(batch),
      headers: { 'content-type': 'application/json', origin: ORIGIN },
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('refuses a missing or wrong token with 401', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'secret-token' }]) {
      const res = await app.inject({ url: '/v1/stats', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('exports NDJSON, one receipt a line, with signatures', async () => {
    const res = await app.inject({ url: '/v1/export?format=ndjson', headers: auth });
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    const keys = (await app.inject('/.well-known/jwks.json')).json();
    for (const line of lines) expect(JSON.parse(verifyCompact(line.signature, keys) as string)).toEqual(line.receipt);
  });

  it('exports CSV with a header row and quoted cells', async () => {
    const res = await app.inject({ url: '/v1/export?format=csv', headers: auth });
    const rows = res.body.trim().split('\r\n');
    expect(rows[0]).toBe(
      'received_at,id,consent_id,previous_id,timestamp,method,language,origin,policy_url,policy_version,text_hash,gpc,granted,denied,signature',
    );
    expect(rows).toHaveLength(3);
    expect(res.body).toContain('"https://a,b""c.example"');
  });

  it('counts decisions per day, purpose, method and language, within a range', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const s = (await app.inject({ url: `/v1/stats?from=${today}&to=${today}`, headers: auth })).json();
    expect(s).toMatchObject({
      decisions: 2,
      perDay: { [today]: 2 },
      perMethod: { banner: 1, gpc: 1 },
      perLanguage: { en: 1, fr: 1 },
    });
    expect(s.perPurpose.analytics).toEqual({ granted: 1, denied: 1 });
    expect(s.perPurpose.necessary).toEqual({ granted: 1, denied: 1 });
    const past = (await app.inject({ url: '/v1/stats?from=2020-01-01&to=2020-12-31', headers: auth })).json();
    expect(past.decisions).toBe(0);
    expect((await app.inject({ url: '/v1/stats?from=yesterday', headers: auth })).statusCode).toBe(400);
  });

  it('`assent verify` checks an export offline against the JWKS, and catches a tampered receipt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-verify-'));
    const ndjson = (await app.inject({ url: '/v1/export?format=ndjson', headers: auth })).body;
    writeFileSync(join(dir, 'export.ndjson'), ndjson);
    writeFileSync(join(dir, 'jwks.json'), (await app.inject('/.well-known/jwks.json')).body);
    const run = (file: string) =>
      spawnSync('npx', ['tsx', 'src/cli/main.ts', 'verify', join(dir, file), '--jwks', join(dir, 'jwks.json')], {
        encoding: 'utf8',
      });
    const ok = run('export.ndjson');
    expect(ok.stdout).toContain('2 verified, 0 failed');
    expect(ok.status).toBe(0);
    writeFileSync(join(dir, 'tampered.ndjson'), ndjson.replace('"granted":false', '"granted":true'));
    const bad = run('tampered.ndjson');
    expect(bad.stdout).toContain('the signature is for other contents than this receipt');
    expect(bad.status).toBe(1);
    const keys = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8'));
    const downloaded = { receipts: signedReceipts(ndjson).map((s) => ({ ...s.receipt, signature: s.signature })) };
    expect(verifyAll(signedReceipts(JSON.stringify(downloaded)), keys).every((r) => r.ok)).toBe(true);
  });

  it('answers 429 with Retry-After beyond the rate limit', async () => {
    let last = await app.inject('/healthz');
    for (let i = 0; i < 40 && last.statusCode !== 429; i++) last = await app.inject('/healthz');
    expect(last.statusCode).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(last.json().error.code).toBe('rate_limited');
  });
});
