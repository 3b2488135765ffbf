// Ed25519 compact JWS over the exact text of a receipt, and its JWKS (RFC 7515, 7517, 7638, 8037).
// Verification needs only the JWKS, so anyone can check a receipt offline: src/core/signature.ts.
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { PublicJwk } from '../core/signature';

export type { PublicJwk };

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** The RFC 7638 thumbprint of an Ed25519 public key: its key id. */
export const thumbprint = (x: string) =>
  b64url(createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest());

/** A signing key from a private JWK (as stored, or from ASSENT_SIGNING_KEY). */
export const keyFromJwk = (jwk: { kty?: string; crv?: string; x?: string; d?: string }): SigningKey => {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x || !jwk.d)
    throw new Error('the signing key must be a private Ed25519 JWK: {"kty":"OKP","crv":"Ed25519","x":"…","d":"…"}');
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d }, format: 'jwk' });
  const kid = thumbprint(jwk.x);
  return { kid, privateKey, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, alg: 'EdDSA', use: 'sig' } };
};

/** A new private JWK. */
export const newPrivateJwk = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });

/** Signs a payload text, byte for byte, as a compact JWS. */
export const signCompact = (payload: string, key: SigningKey): string => {
  const input = `${b64url(JSON.stringify({ alg: 'EdDSA', kid: key.kid }))}.${b64url(payload)}`;
  return `${input}.${b64url(sign(null, Buffer.from(input), key.privateKey))}`;
};

/** The detached form of a compact JWS (RFC 7515 appendix F): its payload left out. */
export const detach = (jws: string): string => {
  const [header, , signature] = jws.split('.');
  return `${header}..${signature}`;
};

/** A detached JWS made whole again with the payload it signs. */
export const attach = (detached: string, payload: string): string => detached.replace('..', `.${b64url(payload)}.`);

/** The payload of a compact JWS, parsed, without checking its signature (for JWS the collector made). */
export const payloadOf = <T = unknown>(jws: string): T =>
  JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString('utf8'));
