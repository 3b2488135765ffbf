// The signing key (persisted in the data directory, or given as ASSENT_SIGNING_KEY) and the JWKS,
// which keeps every public key ever used so that old signatures still verify after a rotation.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db';
import { keyFromJwk, newPrivateJwk, type PublicJwk, type SigningKey } from './jws';

export const loadSigningKey = async (db: Db, dataDir: string, fromEnv?: string): Promise<SigningKey> => {
  let jwk: object;
  if (fromEnv) {
    try {
      jwk = JSON.parse(fromEnv);
    } catch {
      throw new Error('ASSENT_SIGNING_KEY is not JSON: it must be a private Ed25519 JWK');
    }
  } else {
    const file = join(dataDir, 'signing-key.json');
    if (existsSync(file)) jwk = JSON.parse(readFileSync(file, 'utf8'));
    else {
      mkdirSync(dataDir, { recursive: true });
      jwk = newPrivateJwk();
      writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
    }
  }
  const key = keyFromJwk(jwk);
  await db.query('INSERT INTO signing_keys (kid, public_jwk) VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING', [
    key.kid,
    JSON.stringify(key.publicJwk),
  ]);
  return key;
};

export const jwks = async (db: Db): Promise<{ keys: PublicJwk[] }> => ({
  keys: (await db.query<{ public_jwk: string }>('SELECT public_jwk FROM signing_keys ORDER BY created_at, kid')).map(
    (r) => JSON.parse(r.public_jwk),
  ),
});
