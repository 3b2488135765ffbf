// Checking a receipt's signature in the browser, with WebCrypto and the collector's JWKS alone: the
// same checks as `assent verify`, so a site owner need not trust the collector's word.
import { canonicalJson } from '../core/receipt';
import type { Jwks } from './client';

export type Verdict =
  | { state: 'verified'; kid: string }
  | { state: 'failed'; reason: string }
  /** This browser cannot check: no WebCrypto here, or no Ed25519 in it. */
  | { state: 'unchecked'; reason: string };

const bytes = (base64url: string) => {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
};

const decode = (base64url: string) => new TextDecoder('utf-8', { fatal: true }).decode(bytes(base64url));

/**
 * Whether `signature` is a compact JWS that a key of the JWKS made (EdDSA, Ed25519), over a payload that
 * is this very receipt, of this consent id.
 */
export const verifyReceipt = async (
  receipt: { consentId?: unknown },
  signature: string | null | undefined,
  jwks: Jwks,
  consentId: string,
): Promise<Verdict> => {
  if (!signature) return { state: 'failed', reason: 'the collector has no signature for this receipt' };
  const parts = signature.split('.');
  if (parts.length !== 3) return { state: 'failed', reason: 'the signature is not a compact JWS' };
  const [header, payload, sig] = parts;
  let kid: unknown;
  let alg: unknown;
  try {
    ({ kid, alg } = JSON.parse(decode(header)));
  } catch {
    return { state: 'failed', reason: 'the signature’s header is not readable' };
  }
  if (alg !== 'EdDSA') return { state: 'failed', reason: `the signature uses ${String(alg)}, not EdDSA` };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) return { state: 'failed', reason: `signed by a key the collector does not publish (kid ${String(kid)})` };
  // WebCrypto exists only in secure contexts (https, localhost).
  if (!globalThis.crypto?.subtle)
    return { state: 'unchecked', reason: 'this page is not a secure context (https or localhost): no WebCrypto' };
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, [
      'verify',
    ]);
  } catch {
    return { state: 'unchecked', reason: 'this browser cannot check Ed25519 signatures' };
  }
  let valid = false;
  try {
    valid = await crypto.subtle.verify('Ed25519', key, bytes(sig), new TextEncoder().encode(`${header}.${payload}`));
  } catch {}
  if (!valid) return { state: 'failed', reason: 'the signature does not match its contents: it was altered' };
  let signed: unknown;
  try {
    signed = JSON.parse(decode(payload));
  } catch {
    return { state: 'failed', reason: 'the signed payload is not a JSON receipt' };
  }
  // The payload is the exact text the browser sent; the receipt shown is the collector's copy of it.
  if (canonicalJson(signed) !== canonicalJson(receipt))
    return {
      state: 'failed',
      reason: 'the signature is for other contents than this receipt: the receipt was altered',
    };
  if (receipt.consentId !== consentId)
    return { state: 'failed', reason: `this receipt belongs to another consent id (${String(receipt.consentId)})` };
  return { state: 'verified', kid: jwk.kid };
};
