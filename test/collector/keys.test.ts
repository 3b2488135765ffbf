import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/collector/app';
import { type Db, migrate, openPglite } from '../../src/collector/db';
import { newPrivateJwk, signCompact } from '../../src/collector/jws';
import { jwks, loadSigningKey } from '../../src/collector/keys';
import { signedPayload } from '../../src/core/signature';

/** A fresh PGlite store and its signing key, for an app of its own. */
const appStore = async () => {
  const db = await openPglite(mkdtempSync(join(tmpdir(), 'assent-app-')));
  await migrate(db);
  return { db, key: await loadSigningKey(db, mkdtempSync(join(tmpdir(), 'assent-data-'))) };
};

describe('signing keys', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite(mkdtempSync(join(tmpdir(), 'assent-keys-')));
    await migrate(db);
  }, 60_000);
  afterAll(() => db?.close());

  it('persists a key in the data directory, private to its owner, and reuses it after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-data-'));
    const first = await loadSigningKey(db, dir);
    expect(statSync(join(dir, 'signing-key.json')).mode & 0o077).toBe(0);
    expect((await loadSigningKey(db, dir)).kid).toBe(first.kid);
    expect(JSON.parse(readFileSync(join(dir, 'signing-key.json'), 'utf8'))).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
    });
  });

  it('takes ASSENT_SIGNING_KEY, and keeps retired keys in the JWKS so old signatures verify', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-data-'));
    const a = await loadSigningKey(db, dir, JSON.stringify(newPrivateJwk()));
    const old = signCompact('{"id":"x"}', a);
    const b = await loadSigningKey(db, dir, JSON.stringify(newPrivateJwk()));
    const keys = await jwks(db);
    expect(keys.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([a.kid, b.kid]));
    expect(await signedPayload(old, keys)).toBe('{"id":"x"}');
    expect(keys.keys.every((k) => !('d' in k))).toBe(true);
  });

  it('refuses a signing key that is not a private Ed25519 JWK', async () => {
    await expect(loadSigningKey(db, tmpdir(), '{"kty":"RSA"}')).rejects.toThrow('private Ed25519 JWK');
    await expect(loadSigningKey(db, tmpdir(), 'nope')).rejects.toThrow('ASSENT_SIGNING_KEY is not JSON');
  });

  it('a forged or altered JWS does not verify', async () => {
    const key = await loadSigningKey(db, mkdtempSync(join(tmpdir(), 'assent-data-')));
    const jws = signCompact('{"a":1}', key);
    const [h, , s] = jws.split('.');
    const keys = await jwks(db);
    expect(await signedPayload(`${h}.${Buffer.from('{"a":2}').toString('base64url')}.${s}`, keys)).toBeNull();
    expect(await signedPayload('a.b', keys)).toBeNull();
    expect(await signedPayload(jws, { keys: [] })).toBeNull();
  });
});

describe('behind a proxy', () => {
  it('limits per client address: the socket’s, or X-Forwarded-For with --trust-proxy', async () => {
    const { db, key } = await appStore();
    for (const trustProxy of [false, true]) {
      const app = await buildApp({ db, key, origins: [], rateLimit: 2, trustProxy });
      const hit = (ip: string) => app.inject({ url: '/.well-known/jwks.json', headers: { 'x-forwarded-for': ip } });
      await hit('10.0.0.1');
      await hit('10.0.0.1');
      // Another forwarded address counts apart only when the proxy is trusted.
      expect((await hit('10.0.0.2')).statusCode).toBe(trustProxy ? 200 : 429);
      await app.close();
    }
  }, 60_000);

  it('cuts off a body that trickles in after 30 s, within a second of it', async () => {
    const { db, key } = await appStore();
    const app = await buildApp({ db, key, origins: ['https://shop.example'], rateLimit: 0, trustProxy: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const started = Date.now();
    const answer = await new Promise<string>((done) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('POST /v1/receipts HTTP/1.1\r\nHost: x\r\nOrigin: https://shop.example\r\n');
        socket.write('Content-Type: text/plain\r\nContent-Length: 100000\r\n\r\n[');
        const drip = setInterval(() => socket.write(' '), 500);
        socket.once('data', (d) => {
          clearInterval(drip);
          socket.destroy();
          done(String(d).split('\r\n')[0]);
        });
      });
    });
    const took = Date.now() - started;
    expect(answer).toBe('HTTP/1.1 408 Request Timeout');
    expect(took).toBeGreaterThanOrEqual(29_000);
    expect(took).toBeLessThan(32_000);
    await app.close();
    await db.close();
  }, 60_000);

  it('believes only the hops it is told to: a client cannot name its own address in front of the proxy’s', async () => {
    const { db, key } = await appStore();
    // The proxy appends the address it saw; whatever the client wrote stands before it.
    const forged = (i: number, seen: string) => `10.0.${i}.1, ${seen}`;
    for (const [trustProxy, seen] of [
      [true, '203.0.113.7'],
      [2, '203.0.113.7, 192.0.2.1'],
      [['127.0.0.1', '192.0.2.1'], '203.0.113.7, 192.0.2.1'],
    ] as const) {
      const app = await buildApp({ db, key, origins: [], rateLimit: 3, trustProxy: trustProxy as never });
      const codes = [];
      for (let i = 0; i < 5; i++)
        codes.push(
          (await app.inject({ url: '/.well-known/jwks.json', headers: { 'x-forwarded-for': forged(i, seen) } }))
            .statusCode,
        );
      expect(codes, String(trustProxy)).toEqual([200, 200, 200, 429, 429]);
      await app.close();
    }
    await db.close();
  }, 60_000);
});
