import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/collector/app';
import { type Db, migrate, openPglite } from '../../src/collector/db';
import { newPrivateJwk, signCompact, verifyCompact } from '../../src/collector/jws';
import { jwks, loadSigningKey } from '../../src/collector/keys';

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
    expect(verifyCompact(old, keys)).toBe('{"id":"x"}');
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
    expect(verifyCompact(`${h}.${Buffer.from('{"a":2}').toString('base64url')}.${s}`, keys)).toBeNull();
    expect(verifyCompact('a.b', keys)).toBeNull();
    expect(verifyCompact(jws, { keys: [] })).toBeNull();
  });
});

describe('behind a proxy', () => {
  it('limits per client address: the socket’s, or X-Forwarded-For with --trust-proxy', async () => {
    const db = await openPglite(mkdtempSync(join(tmpdir(), 'assent-proxy-')));
    await migrate(db);
    const key = await loadSigningKey(db, mkdtempSync(join(tmpdir(), 'assent-data-')));
    for (const trustProxy of [false, true]) {
      const app = await buildApp({ db, key, origins: [], rateLimit: 2, trustProxy });
      const hit = (ip: string) => app.inject({ url: '/.well-known/jwks.json', headers: { 'x-forwarded-for': ip } });
      await hit('10.0.0.1');
      await hit('10.0.0.1');
      // Another forwarded address counts apart only when the proxy is trusted.
      expect((await hit('10.0.0.2')).statusCode).toBe(trustProxy ? 200 : 429);
      await app.close();
    }
    await db.close();
  }, 60_000);
});
