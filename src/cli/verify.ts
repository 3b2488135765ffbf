// `assent verify`: checks signed receipts offline against a JWKS. Takes the collector's NDJSON export,
// a subject's receipts (`GET /v1/subjects/:id/receipts`), or a record a visitor downloaded.
import { createHash } from 'node:crypto';
import { attach } from '../collector/jws';
import { verifySignature } from '../core/signature';

interface Signed {
  receipt: { id?: string };
  signature?: string;
}

/** The signed receipts in any of the three forms. */
export const signedReceipts = (text: string): Signed[] => {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || trimmed.includes('\n{"receivedAt"'))
    return trimmed
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  const doc = JSON.parse(trimmed);
  if (doc.signature && doc.receipt) return [doc];
  return (doc.receipts || []).map((r: Signed & { receipt?: unknown }) =>
    r.receipt ? r : { receipt: r, signature: (r as { signature?: string }).signature },
  );
};

/**
 * One line per receipt; `ok` when the signature verifies and signs exactly this receipt (of `consentId`,
 * when given). A receipt is compared as JSON: an export or a download re-serialises the bytes signed.
 */
export const verifyAll = (items: Signed[], jwks: unknown, consentId?: string) =>
  Promise.all(
    items.map(async ({ receipt, signature }) => {
      const { signature: _, ...bare } = receipt as { signature?: string };
      const verdict = await verifySignature(signature, jwks, { json: bare, consentId });
      return verdict.state === 'verified'
        ? { id: receipt.id, ok: true }
        : { id: receipt.id, ok: false, reason: verdict.reason };
    }),
  );

/** What the collector keeps of an erased receipt (SPEC §7). */
export interface Tombstone {
  id: string;
  /** base64url SHA-256 of the receipt's bytes. */
  sha256: string;
  /** The receipt's detached JWS. */
  signature: string | null;
}

/**
 * Whether a receipt's exact text (as the browser sent it: `JSON.stringify` of the receipt without its
 * signature) is the receipt a tombstone stands for, signed by one of these keys.
 */
export const tombstoneMatches = async (text: string, tombstone: Tombstone, jwks: unknown): Promise<boolean> =>
  createHash('sha256').update(text).digest('base64url') === tombstone.sha256 &&
  typeof tombstone.signature === 'string' &&
  (await verifySignature(attach(tombstone.signature, text), jwks, { text })).state === 'verified';
