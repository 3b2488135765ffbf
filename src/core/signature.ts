// Checking a signature the collector made (SPEC §7): a compact JWS, EdDSA with Ed25519, against the
// collector's JWKS alone. The one definition for `assent verify`, the collector and the dashboard; it
// needs only WebCrypto, so it runs the same in Node and in the browser.
import { canonicalJson } from './receipt';
import { sha256Tag } from './sha256';

/** An Ed25519 public key as the collector publishes it (RFC 8037; `kid` is its RFC 7638 thumbprint). */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/** The collector's `/.well-known/jwks.json`. */
export interface Jwks {
  keys: PublicJwk[];
}

export type Verdict =
  | { state: 'verified'; kid: string; payload: string }
  | { state: 'failed'; reason: string }
  /** This engine cannot check: no WebCrypto here, or no Ed25519 in it. */
  | { state: 'unchecked'; reason: string };

/** What the signed payload must be, besides signed. */
export interface Expected {
  /** The exact text, as sent and stored: compared byte for byte. */
  text?: string;
  /**
   * A JSON value the payload must equal, key order and white space aside: a receipt as the collector
   * serves it (parsed from the bytes signed, and written again).
   */
  json?: unknown;
  /** The consent id the signed receipt must be of. */
  consentId?: string;
  /** The texts of a `texts` entry: the signed receipt's `textHash` must be their hash. */
  texts?: unknown;
}

/** More than the largest receipt the collector takes (a body is at most 256 KB) makes once signed. */
export const MAX_JWS_LENGTH = 512 * 1024;

const PARTS = ['header', 'payload', 'signature'];
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const OTHER_CONTENTS = 'the signature is for other contents than this receipt: the receipt was altered';
// fatal: bytes that are not UTF-8 are no text. ignoreBOM: a leading BOM is a byte of the payload like any other.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const failed = (reason: string): Verdict => ({ state: 'failed', reason });

/** A value from the token, safe in a sentence on a terminal or a page: quoted, printable ASCII, cut short. */
const shown = (value: unknown) => {
  const text = (JSON.stringify(value) ?? String(value)).replace(
    /[^ -~]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  // 64: a kid (a 43-character thumbprint) is shown whole.
  return text.length > 64 ? `${text.slice(0, 63)}…` : text;
};

/** The bytes of strict base64url (RFC 7515 §2: no padding, no white space, no stray bits), or null. */
const base64url = (text: string): Uint8Array<ArrayBuffer> | null => {
  if (!/^[\w-]*$/.test(text) || text.length % 4 === 1) return null;
  const bytes = new Uint8Array((text.length * 3) >> 2);
  let bits = 0;
  let value = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    value = (value << 6) | BASE64URL.indexOf(text[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[n++] = (value >> bits) & 255;
    }
  }
  // Bits set past the last byte would be a second spelling of the same bytes.
  return value & ((1 << bits) - 1) ? null : bytes;
};

const textOf = (bytes: Uint8Array): string | null => {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
};

/** The JSON value of a text; undefined (which JSON cannot hold) when it is none. */
const jsonOf = (text: string | null): unknown => {
  try {
    return text === null ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** The raw public key of the one JWKS key with this kid; or why there is none. */
const keyOf = (jwks: unknown, kid: string): Uint8Array<ArrayBuffer> | string => {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return 'the collector’s JWKS is not a JSON object with a "keys" array';
  const named = keys.filter((k) => (k as { kid?: unknown } | null)?.kid === kid);
  if (named.length > 1)
    return `the collector publishes ${named.length} keys with kid ${shown(kid)}: which one is meant is unclear`;
  const jwk = named[0] as { [field in keyof PublicJwk]?: unknown } | undefined;
  if (!jwk) return `signed by a key the collector does not publish (kid ${shown(kid)})`;
  const x = typeof jwk.x === 'string' ? base64url(jwk.x) : null;
  if (
    jwk.kty !== 'OKP' ||
    jwk.crv !== 'Ed25519' ||
    x?.length !== 32 ||
    (jwk.alg ?? 'EdDSA') !== 'EdDSA' ||
    (jwk.use ?? 'sig') !== 'sig'
  )
    return `the key ${shown(kid)} is not an Ed25519 signing key (kty "OKP", crv "Ed25519", a 32-byte x; alg "EdDSA" and use "sig" if given)`;
  return x;
};

// Where a signature can be checked, WebCrypto is there: no SHA-256 in JavaScript to bundle.
const noJsSha256 = () => Promise.reject(new Error('SHA-256 needs WebCrypto here'));

/** A `texts` entry's `textHash`: the SHA-256 of the canonical JSON of its texts (SPEC §6). */
export const textHashOf = (texts: unknown): Promise<string> => sha256Tag(canonicalJson(texts), noJsSha256);

/**
 * Whether `jws` is a compact JWS (RFC 7515) that the one key of the JWKS its `kid` names made with
 * EdDSA (Ed25519, RFC 8037), over a payload that is what `expected` says. Never throws: whatever is
 * not that is `failed`, with the reason.
 */
export const verifySignature = async (jws: unknown, jwks: unknown, expected: Expected = {}): Promise<Verdict> => {
  if (jws === undefined || jws === null || jws === '') return failed('the receipt has no signature');
  if (typeof jws !== 'string') return failed('the signature is not a compact JWS');
  if (jws.length > MAX_JWS_LENGTH)
    return failed(`the signature is longer than any receipt’s: ${jws.length} characters, at most ${MAX_JWS_LENGTH}`);
  const parts = jws.split('.');
  if (parts.length !== 3) return failed('the signature is not a compact JWS');
  if (!parts[1]) return failed('the signature is detached (RFC 7515 appendix F): put its payload back to check it');
  const [header, payload, signature] = parts.map(base64url);
  if (!header || !payload || !signature)
    return failed(
      `the signature’s ${PARTS[[header, payload, signature].indexOf(null)]} is not base64url (no padding, no white space, no stray bits)`,
    );
  const head = jsonOf(textOf(header)) as { alg?: unknown; kid?: unknown; crit?: unknown } | null | undefined;
  if (!head || typeof head !== 'object' || Array.isArray(head)) return failed('the signature’s header is not readable');
  if (head.alg !== 'EdDSA') return failed(`the signature uses ${shown(head.alg)}, not EdDSA`);
  // RFC 7515 §4.1.11: an extension the verifier does not know fails the signature.
  if (head.crit !== undefined)
    return failed('the signature’s header asks for extensions (crit) this check does not know');
  if (typeof head.kid !== 'string') return failed('the signature’s header names no key (kid)');
  const key = keyOf(jwks, head.kid);
  if (typeof key === 'string') return failed(key);
  if (signature.length !== 64) return failed('the signature is not an Ed25519 signature (64 bytes)');

  // WebCrypto exists only in secure contexts (https, localhost), and in Node.
  if (!globalThis.crypto?.subtle)
    return {
      state: 'unchecked',
      reason: 'no WebCrypto here: a page that is not a secure context (https or localhost) has none',
    };
  let publicKey: CryptoKey;
  try {
    publicKey = await crypto.subtle.importKey('raw', key, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return { state: 'unchecked', reason: 'this browser cannot check Ed25519 signatures' };
  }
  let valid = false;
  try {
    valid = await crypto.subtle.verify(
      'Ed25519',
      publicKey,
      signature,
      new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
    );
  } catch {}
  if (!valid) return failed('the signature does not match its contents: it was altered');

  const text = textOf(payload);
  if (text === null) return failed('the signed payload is not UTF-8');
  if (expected.text !== undefined && text !== expected.text) return failed(OTHER_CONTENTS);
  if (expected.json !== undefined || expected.consentId !== undefined || expected.texts !== undefined) {
    const signed = jsonOf(text) as { consentId?: unknown; textHash?: unknown } | null | undefined;
    if (signed === undefined) return failed('the signed payload is not a JSON receipt');
    if (expected.json !== undefined && canonicalJson(signed) !== canonicalJson(expected.json))
      return failed(OTHER_CONTENTS);
    if (expected.consentId !== undefined && signed?.consentId !== expected.consentId)
      return failed(`this receipt belongs to another consent id (${shown(signed?.consentId)})`);
    if (expected.texts !== undefined && signed?.textHash !== (await textHashOf(expected.texts)))
      return failed('the texts given are not the ones the receipt’s textHash stands for');
  }
  return { state: 'verified', kid: head.kid, payload: text };
};

/** The payload text of a JWS that a key of the JWKS signed, or null: for the collector's own statements. */
export const signedPayload = async (jws: unknown, jwks: unknown): Promise<string | null> => {
  const verdict = await verifySignature(jws, jwks);
  return verdict.state === 'verified' ? verdict.payload : null;
};
