// `assent verify`: checks signed receipts offline against a JWKS. Takes the collector's NDJSON export,
// a subject's receipts (`GET /v1/subjects/:id/receipts`), or a record a visitor downloaded.
import { isDeepStrictEqual } from 'node:util';
import { type PublicJwk, verifyCompact } from '../collector/jws';

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
