// The dashboard checks signatures in the browser with WebCrypto (src/dashboard/verify.ts); Node has the
// same WebCrypto, so here its verdicts are held against the collector's own signing and `verifyCompact`.
import { describe, expect, it } from 'vitest';
import { keyFromJwk, newPrivateJwk, signCompact, verifyCompact } from '../../src/collector/jws';
import { uuid } from '../../src/core/ids';
import { verifyReceipt } from '../../src/dashboard/verify';
import { sampleReceipt } from '../fixtures/receipts';

const key = keyFromJwk(newPrivateJwk());
const jwks = { keys: [key.publicJwk] };
const consentId = uuid();
const receipt = sampleReceipt({ consentId });
// As the browser sent it: not the way JSON.stringify would write it again.
const raw = JSON.stringify(receipt, null, 1);
const signature = signCompact(raw, key);

describe('checking a receipt’s signature in the dashboard', () => {
  it('verifies what the collector signed, as `assent verify` does', async () => {
    expect(verifyCompact(signature, jwks)).toBe(raw);
    expect(await verifyReceipt(JSON.parse(raw), signature, jwks, consentId)).toEqual({
      state: 'verified',
      kid: key.kid,
    });
  });

  it('fails a receipt changed after signing, even with a valid signature', async () => {
    const altered = { ...receipt, purposes: receipt.purposes.map((p) => ({ ...p, granted: true })) };
    expect(await verifyReceipt(altered, signature, jwks, consentId)).toEqual({
      state: 'failed',
      reason: 'the signature is for other contents than this receipt: the receipt was altered',
    });
  });

  it('fails a signature that was altered, made by an unknown key, or missing', async () => {
    const [header, payload, sig] = signature.split('.');
    const flipped = `${header}.${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    expect(await verifyReceipt(receipt, flipped, jwks, consentId)).toMatchObject({
      state: 'failed',
      reason: 'the signature does not match its contents: it was altered',
    });
    const stranger = signCompact(raw, keyFromJwk(newPrivateJwk()));
    expect(await verifyReceipt(receipt, stranger, jwks, consentId)).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('signed by a key the collector does not publish'),
    });
    expect(await verifyReceipt(receipt, undefined, jwks, consentId)).toMatchObject({ state: 'failed' });
    expect(await verifyReceipt(receipt, 'not-a-jws', jwks, consentId)).toMatchObject({
      state: 'failed',
      reason: 'the signature is not a compact JWS',
    });
  });

  it('fails a receipt shown for another consent id than the one looked up', async () => {
    expect(await verifyReceipt(receipt, signature, jwks, uuid())).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('belongs to another consent id'),
    });
  });
});
