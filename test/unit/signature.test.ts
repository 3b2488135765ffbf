// The one check of the collector's signatures (src/core/signature.ts), which `assent verify`, the
// collector and the dashboard share: what it accepts, and every way a token, a JWKS or a payload can lie.
import { createHash, createHmac, sign } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keyFromJwk, newPrivateJwk, type SigningKey, signCompact } from '../../src/collector/jws';
import { uuid } from '../../src/core/ids';
import { canonicalJson } from '../../src/core/receipt';
import { MAX_JWS_LENGTH, signedPayload, textHashOf, verifySignature } from '../../src/core/signature';
import { sampleReceipt } from '../fixtures/receipts';

const key = keyFromJwk(newPrivateJwk());
const stranger = keyFromJwk(newPrivateJwk());
const jwks = { keys: [key.publicJwk] };
const consentId = uuid();
const receipt = sampleReceipt({ consentId });
// As a browser may send it: not the way JSON.stringify would write it again.
const raw = JSON.stringify(receipt, null, 1);
const signature = signCompact(raw, key);

const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');
/** A JWS with any header and payload bytes, signed by `signer` over exactly what it holds. */
const forge = (header: unknown, payload: string | Uint8Array = raw, signer: SigningKey = key) => {
  const input = `${b64(typeof header === 'string' ? header : JSON.stringify(header))}.${b64(payload)}`;
  return `${input}.${b64(sign(null, Buffer.from(input), signer.privateKey))}`;
};
const reasonOf = async (...args: Parameters<typeof verifySignature>) => {
  const verdict = await verifySignature(...args);
  return verdict.state === 'verified' ? 'verified' : verdict.reason;
};
const swap = (jws: string, part: number, text: string) =>
  jws
    .split('.')
    .map((p, i) => (i === part ? text : p))
    .join('.');

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('a signature the collector made', () => {
  it('verifies with the key its kid names, and gives the payload text byte for byte', async () => {
    expect(await verifySignature(signature, jwks)).toEqual({ state: 'verified', kid: key.kid, payload: raw });
    expect(await verifySignature(signature, jwks, { text: raw })).toMatchObject({ state: 'verified' });
    expect(await signedPayload(signature, jwks)).toBe(raw);
  });

  it('verifies a receipt as served (parsed, written again) against the bytes signed, for its consent id', async () => {
    expect(await verifySignature(signature, jwks, { json: JSON.parse(raw), consentId })).toMatchObject({
      state: 'verified',
    });
    // Key order and white space are no part of a JSON value.
    const reordered = Object.fromEntries(Object.entries(receipt).reverse());
    expect(await reasonOf(signature, jwks, { json: reordered })).toBe('verified');
  });

  it('finds its key among retired ones: every key the collector ever used stays in the JWKS', async () => {
    expect(await reasonOf(signature, { keys: [stranger.publicJwk, key.publicJwk] })).toBe('verified');
  });

  it('verifies the largest receipt the collector would take', async () => {
    const big = JSON.stringify({ ...receipt, padding: 'x'.repeat(256 * 1024 - raw.length - 20) });
    const jws = signCompact(big, key);
    expect(jws.length).toBeLessThanOrEqual(MAX_JWS_LENGTH);
    expect(await reasonOf(jws, jwks, { text: big })).toBe('verified');
  });
});

describe('contents that are not what was signed', () => {
  it('fails a payload that differs by one byte, whatever it is compared with', async () => {
    const bytes = Buffer.from(raw);
    bytes[bytes.indexOf('banner')] ^= 1;
    const altered = swap(signature, 1, b64(bytes));
    for (const expected of [{}, { text: raw }, { json: receipt }])
      expect(await reasonOf(altered, jwks, expected)).toBe('the signature does not match its contents: it was altered');
  });

  it('fails a receipt or a text that differs from the payload signed, by one byte or one value', async () => {
    const other = 'the signature is for other contents than this receipt: the receipt was altered';
    expect(await reasonOf(signature, jwks, { text: `${raw} ` })).toBe(other);
    expect(await reasonOf(signature, jwks, { text: JSON.stringify(receipt) })).toBe(other);
    expect(await reasonOf(signature, jwks, { json: { ...receipt, method: 'api' } })).toBe(other);
    expect(await reasonOf(signature, jwks, { json: { ...receipt, extra: true } })).toBe(other);
    const granted = { ...receipt, purposes: receipt.purposes.map((p) => ({ ...p, granted: true })) };
    expect(await reasonOf(signature, jwks, { json: granted })).toBe(other);
  });

  it('fails a receipt of another consent id than the one asked for', async () => {
    expect(await reasonOf(signature, jwks, { consentId: uuid() })).toBe(
      `this receipt belongs to another consent id ("${consentId}")`,
    );
    expect(await reasonOf(signCompact('{"a":1}', key), jwks, { consentId })).toBe(
      'this receipt belongs to another consent id (undefined)',
    );
    expect(await reasonOf(signCompact('not json', key), jwks, { consentId })).toBe(
      'the signed payload is not a JSON receipt',
    );
  });

  it('keeps NUL and lone surrogates as the exact text signed, and never passes a text with them for other bytes', async () => {
    const text = '{"note":"a\\u0000b\\ud800c"}';
    const jws = signCompact(text, key);
    expect(await reasonOf(jws, jwks, { text })).toBe('verified');
    expect(await reasonOf(jws, jwks, { json: { note: 'a\u0000b\ud800c' } })).toBe('verified');
    expect(await reasonOf(jws, jwks, { json: { note: 'a\u0000b\udc00c' } })).not.toBe('verified');
    // A raw NUL is a byte like any other.
    expect(await reasonOf(signCompact('a\u0000b', key), jwks, { text: 'a\u0000b' })).toBe('verified');
    // A lone surrogate has no UTF-8: signed as U+FFFD, which is not the same text.
    expect(await reasonOf(signCompact('a\ud800', key), jwks, { text: 'a\ud800' })).not.toBe('verified');
    expect(await reasonOf(signCompact('a\ud800', key), jwks, { text: 'a\ufffd' })).toBe('verified');
  });

  it('fails a payload that is not UTF-8, and keeps a leading BOM as a byte of it', async () => {
    const surrogate = Uint8Array.from([0x22, 0xed, 0xa0, 0x80, 0x22]); // CESU-8, not UTF-8
    expect(await reasonOf(forge({ alg: 'EdDSA', kid: key.kid }, surrogate), jwks)).toBe(
      'the signed payload is not UTF-8',
    );
    const bom = forge({ alg: 'EdDSA', kid: key.kid }, `\ufeff${raw}`);
    expect(await reasonOf(bom, jwks, { text: raw })).not.toBe('verified');
    expect(await reasonOf(bom, jwks, { text: `\ufeff${raw}` })).toBe('verified');
    expect(await reasonOf(bom, jwks, { json: receipt })).toBe('the signed payload is not a JSON receipt');
  });

  it('checks the textHash of a receipt against the texts of a texts entry', async () => {
    const texts = { controller: { name: 'Shop\u0000 ünïcode \ud800' }, purposes: [{ id: 'analytics' }] };
    const hash = await textHashOf(texts);
    // The same as the collector's own SHA-256 of the canonical JSON.
    expect(hash).toBe(`sha256-${createHash('sha256').update(canonicalJson(texts)).digest('base64')}`);
    const jws = signCompact(JSON.stringify({ ...receipt, textHash: hash }), key);
    expect(await reasonOf(jws, jwks, { texts })).toBe('verified');
    expect(await reasonOf(jws, jwks, { texts: { ...texts, rights: [] } })).toBe(
      'the texts given are not the ones the receipt’s textHash stands for',
    );
    expect(await reasonOf(signature, jwks, { texts })).not.toBe('verified');
  });
});

describe('tokens that are not an EdDSA compact JWS of a published key', () => {
  it('fails a missing signature, and values that are no token at all, without throwing', async () => {
    for (const missing of [undefined, null, ''])
      expect(await reasonOf(missing, jwks)).toBe('the receipt has no signature');
    for (const value of [42, true, {}, [signature], { toString: () => signature }, 'not-a-jws', 'a.b', 'a.b.c.d'])
      expect(await reasonOf(value, jwks)).toBe('the signature is not a compact JWS');
  });

  it('fails a huge token before decoding it', async () => {
    const huge = `${'A'.repeat(MAX_JWS_LENGTH)}.A.A`;
    expect(await reasonOf(huge, jwks)).toMatch(/^the signature is longer than any receipt’s: \d+ characters/);
  });

  it('fails a kid the JWKS does not hold, or a JWS without one', async () => {
    expect(await reasonOf(forge({ alg: 'EdDSA', kid: 'forged' }), jwks)).toBe(
      'signed by a key the collector does not publish (kid "forged")',
    );
    expect(await reasonOf(signCompact(raw, stranger), jwks)).toMatch(/^signed by a key the collector does not publish/);
    expect(await reasonOf(forge({ alg: 'EdDSA' }), jwks)).toBe('the signature’s header names no key (kid)');
    expect(await reasonOf(forge({ alg: 'EdDSA', kid: 7 }), jwks)).toBe('the signature’s header names no key (kid)');
  });

  it('fails a signature of another key under the kid of a published one', async () => {
    expect(await reasonOf(forge({ alg: 'EdDSA', kid: key.kid }, raw, stranger), jwks)).toBe(
      'the signature does not match its contents: it was altered',
    );
    const [, , other] = signCompact(raw, stranger).split('.');
    expect(await reasonOf(swap(signature, 2, other), jwks)).toBe(
      'the signature does not match its contents: it was altered',
    );
  });

  it('fails alg none, HS256 keyed with the public key, and any alg but EdDSA', async () => {
    const none = `${b64(JSON.stringify({ alg: 'none', kid: key.kid }))}.${b64(raw)}.`;
    expect(await reasonOf(none, jwks)).toBe('the signature uses "none", not EdDSA');
    const input = `${b64(JSON.stringify({ alg: 'HS256', kid: key.kid }))}.${b64(raw)}`;
    const mac = createHmac('sha256', Buffer.from(key.publicJwk.x, 'base64url')).update(input).digest();
    expect(await reasonOf(`${input}.${b64(mac)}`, jwks)).toBe('the signature uses "HS256", not EdDSA');
    for (const alg of ['ES256', 'eddsa', 'Ed25519', ['EdDSA'], null])
      expect(await reasonOf(forge({ alg, kid: key.kid }), jwks)).toMatch(/^the signature uses .*, not EdDSA$/);
    expect(await reasonOf(forge({ kid: key.kid }), jwks)).toBe('the signature uses undefined, not EdDSA');
  });

  it('fails a header that asks for extensions it does not know (crit, unencoded payloads)', async () => {
    expect(await reasonOf(forge({ alg: 'EdDSA', kid: key.kid, b64: false, crit: ['b64'] }), jwks)).toBe(
      'the signature’s header asks for extensions (crit) this check does not know',
    );
  });

  it('fails a header that is not a JSON object', async () => {
    for (const header of ['null', '[]', '"EdDSA"', '{"alg":"EdDSA"', ''])
      expect(await reasonOf(forge(header), jwks)).toBe('the signature’s header is not readable');
  });

  it('fails base64url that is not strict: padding, white space, the base64 alphabet, stray bits', async () => {
    const [h, p, s] = signature.split('.');
    const notBase64url = (part: string) =>
      `the signature’s ${part} is not base64url (no padding, no white space, no stray bits)`;
    expect(await reasonOf(`${h}=.${p}.${s}`, jwks)).toBe(notBase64url('header'));
    expect(await reasonOf(`${h}.${p}.${s}==`, jwks)).toBe(notBase64url('signature'));
    for (const space of [' ', '\n', '\t', '\r\n'])
      expect(await reasonOf(`${h}.${p.slice(0, 8)}${space}${p.slice(8)}.${s}`, jwks)).toBe(notBase64url('payload'));
    expect(await reasonOf(`${h}.${p}.${s} `, jwks)).toBe(notBase64url('signature'));
    expect(await reasonOf(` ${signature}`, jwks)).toBe(notBase64url('header'));
    const std = Buffer.from(sign(null, Buffer.from(`${h}.${p}`), key.privateKey)).toString('base64');
    expect(await reasonOf(`${h}.${p}.${std}`, jwks)).toMatch(/signature is not base64url/);
    expect(await reasonOf(`${h}.${p}.${s.slice(0, -1)}`, jwks)).toBe(notBase64url('signature'));
    // 64 bytes are 86 characters: the last holds 4 bits that must be 0. Set, they spell the same bytes again.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const stray = `${s.slice(0, -1)}${alphabet[alphabet.indexOf(s.at(-1) as string) | 1]}`;
    expect(Buffer.from(stray, 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    expect(await reasonOf(`${h}.${p}.${stray}`, jwks)).toBe(notBase64url('signature'));
  });

  it('fails a signature that is not 64 bytes, and a detached JWS without its payload', async () => {
    const [h, p, s] = signature.split('.');
    expect(await reasonOf(`${h}.${p}.${b64(Buffer.from(s, 'base64url').subarray(0, 63))}`, jwks)).toBe(
      'the signature is not an Ed25519 signature (64 bytes)',
    );
    expect(await reasonOf(`${h}.${p}.`, jwks)).toBe('the signature is not an Ed25519 signature (64 bytes)');
    expect(await reasonOf(`${h}.${p}.${s}A`, jwks)).toBe('the signature is not an Ed25519 signature (64 bytes)');
    expect(await reasonOf(`${h}..${s}`, jwks, { text: raw })).toMatch(/^the signature is detached/);
  });

  it('names what a token held in a form safe to print: quoted, escaped, cut short', async () => {
    const alg = `\u001b]8;;https://evil.example\u0007EdDSA\u202e${'x'.repeat(100)}`;
    const reason = await reasonOf(forge({ alg, kid: key.kid }), jwks);
    expect(reason).toMatch(
      /^the signature uses "\\u001b\]8;;https:\/\/evil\.example\\u0007EdDSA\\u202exxx+…, not EdDSA$/,
    );
    // Printable ASCII only: no terminal escape, no bidi override.
    expect(reason).toMatch(/^[ -~…]*$/);
    const long = await reasonOf(forge({ alg: 'EdDSA', kid: 'k'.repeat(10_000) }), jwks);
    expect(long.length).toBeLessThan(120);
  });
});

describe('a JWKS that is not the collector’s', () => {
  const withKey = (over: object) => ({ keys: [{ ...key.publicJwk, ...over }] });
  const notSigning = (kid: string) =>
    `the key "${kid}" is not an Ed25519 signing key (kty "OKP", crv "Ed25519", a 32-byte x; alg "EdDSA" and use "sig" if given)`;

  it('fails a JWKS without a keys array, and skips keys that are no objects', async () => {
    for (const bad of [null, undefined, 'jwks', 42, {}, { keys: {} }, { keys: 'x' }, [key.publicJwk]])
      expect(await reasonOf(signature, bad)).toBe('the collector’s JWKS is not a JSON object with a "keys" array');
    expect(await reasonOf(signature, { keys: [null, 1, 'a', [], key.publicJwk] })).toBe('verified');
  });

  it('fails a key of another type, curve, algorithm or use under the kid', async () => {
    for (const over of [
      { kty: 'RSA', n: key.publicJwk.x, e: 'AQAB' },
      { kty: 'EC', crv: 'P-256' },
      { crv: 'X25519' },
      { crv: 'Ed448' },
      { alg: 'ES256' },
      { alg: 'none' },
      { use: 'enc' },
      { x: undefined },
      { x: 42 },
      { x: key.publicJwk.x.slice(0, -2) },
      { x: `${key.publicJwk.x}AA` },
      { x: `${key.publicJwk.x}=` },
      { x: `+${key.publicJwk.x.slice(1)}` }, // the base64 alphabet, not base64url's
    ])
      expect(await reasonOf(signature, withKey(over))).toBe(notSigning(key.kid));
    // Without alg and use, a key is still an Ed25519 key.
    expect(await reasonOf(signature, withKey({ alg: undefined, use: undefined }))).toBe('verified');
  });

  it('fails when two keys share the kid: which one signed would be the attacker’s choice', async () => {
    expect(await reasonOf(signature, { keys: [key.publicJwk, { ...stranger.publicJwk, kid: key.kid }] })).toMatch(
      /^the collector publishes 2 keys with kid/,
    );
  });
});

describe('an engine that cannot check', () => {
  it('says so, and never passes the signature for verified, without WebCrypto', async () => {
    vi.stubGlobal('crypto', undefined);
    expect(await verifySignature(signature, jwks)).toEqual({
      state: 'unchecked',
      reason: 'no WebCrypto here: a page that is not a secure context (https or localhost) has none',
    });
  });

  it('says so without Ed25519 in WebCrypto', async () => {
    vi.spyOn(crypto.subtle, 'importKey').mockRejectedValue(new DOMException('Unrecognized name', 'NotSupportedError'));
    expect(await verifySignature(signature, jwks)).toEqual({
      state: 'unchecked',
      reason: 'this browser cannot check Ed25519 signatures',
    });
  });

  it('fails, not passes, when the check itself throws', async () => {
    vi.spyOn(crypto.subtle, 'verify').mockRejectedValue(new Error('boom'));
    expect(await reasonOf(signature, jwks)).toBe('the signature does not match its contents: it was altered');
  });
});
