// `assent verify`: checks signed receipts offline against a JWKS. Takes the collector's NDJSON export,
// a subject's receipts (`GET /v1/subjects/:id/receipts`), or a record a visitor downloaded.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { attach, type PublicJwk, verifyCompact } from '../collector/jws';

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

/** One line per receipt; `ok` when the signature verifies and signs exactly this receipt. */
export const verifyAll = (items: Signed[], jwks: { keys: PublicJwk[] }) =>
  items.map(({ receipt, signature }) => {
    const { signature: _, ...bare } = receipt as { signature?: string };
    if (!signature) return { id: receipt.id, ok: false, reason: 'no signature' };
    const payload = verifyCompact(signature, jwks);
    if (payload === null) return { id: receipt.id, ok: false, reason: 'the signature does not verify with these keys' };
    if (!isDeepStrictEqual(JSON.parse(payload), bare))
      return { id: receipt.id, ok: false, reason: 'the signature is for other contents than this receipt' };
    return { id: receipt.id, ok: true };
  });

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
export const tombstoneMatches = (text: string, tombstone: Tombstone, jwks: { keys: PublicJwk[] }): boolean =>
  createHash('sha256').update(text).digest('base64url') === tombstone.sha256 &&
  !!tombstone.signature &&
  verifyCompact(attach(tombstone.signature, text), jwks) === text;
