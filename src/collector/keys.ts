// The signing key and the JWKS, which keeps every public key ever used so that old signatures still
// verify after a rotation. The key comes from ASSENT_SIGNING_KEY, else the data directory; collectors
// that share one PostgreSQL and have neither share a key kept in the database.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIGNING_KEY } from './datadir';
import type { Db } from './db';
import { keyFromJwk, newPrivateJwk, type PublicJwk, type SigningKey } from './jws';

const parseEnvKey = (fromEnv: string) => {
  try {
    return JSON.parse(fromEnv);
  } catch {
    throw new Error('ASSENT_SIGNING_KEY is not JSON: it must be a private Ed25519 JWK');
  }
};

/** The key shared through PostgreSQL, made by whichever collector starts first. */
const sharedKey = (db: Db) =>
  db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7346874)');
    const [row] = await tx.query<{ private_jwk: string }>(
      'SELECT private_jwk FROM signing_keys WHERE private_jwk IS NOT NULL ORDER BY created_at DESC LIMIT 1',
    );
    if (row) return JSON.parse(row.private_jwk);
    const jwk = newPrivateJwk();
    const key = keyFromJwk(jwk);
    await tx.query('INSERT INTO signing_keys (kid, public_jwk, private_jwk) VALUES ($1, $2, $3)', [
      key.kid,
      JSON.stringify(key.publicJwk),
      JSON.stringify(jwk),
    ]);
    return jwk;
  });

export const loadSigningKey = async (db: Db, dataDir: string, fromEnv?: string): Promise<SigningKey> => {
  const file = join(dataDir, SIGNING_KEY);
  let jwk: object;
  if (fromEnv) jwk = parseEnvKey(fromEnv);
  else if (existsSync(file)) jwk = JSON.parse(readFileSync(file, 'utf8'));
  else if (db.kind === 'postgres') jwk = await sharedKey(db);
  else {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    jwk = newPrivateJwk();
    writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
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
