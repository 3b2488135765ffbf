// The consent cookie: a compact, server-readable encoding of one decision (README "Cookie format").
//
//   1.<consentId>.<receiptId>.<updatedAt>.<method><flags>.<policyVersion>.<choices>.<checksum>
//
// consentId and receiptId are UUIDs (receiptId may be empty), updatedAt is epoch
// milliseconds in base 36, method is one letter (b, p, l, a, g) and flags are letters after it,
// policyVersion is percent-encoded (with "." as %2E), choices are `<purposeId><0|1>` joined by "|",
// and the checksum is FNV-1a (32 bit, base 36) of everything before it.
import { emptyMap } from './bases';
import { UUID } from './ids';
import type { Method } from './types';

/** A decoded consent cookie. */
export interface DecodedConsent {
  /** Encoding version (1). */
  v: 1;
  consentId: string;
  /** The id of the last receipt recorded, or null. */
  receiptId: string | null;
  /** Epoch milliseconds of the last decision. */
  updatedAt: number;
  method: Method;
  /** Global Privacy Control has been applied to this decision. */
  gpc: boolean;
  /** Entries wait in this browser's outbox. */
  pending: boolean;
  policyVersion: string;
  /** The purposes the visitor answered, granted or denied: a map with no prototype (use `Object.hasOwn`). */
  choices: Record<string, boolean>;
}

const METHODS: Record<string, Method> = { b: 'banner', p: 'preferences', l: 'placeholder', a: 'api', g: 'gpc' };

/** FNV-1a, enough to tell a corrupted or hand-edited cookie; it is not a security measure. */
export const checksum = (s: string): string => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x1000193);
  return (h >>> 0).toString(36);
};

export const encodeConsentCookie = (c: DecodedConsent): string => {
  const body = [
    1,
    c.consentId,
    c.receiptId || '',
    c.updatedAt.toString(36),
    // A method's first letter, but the second of `placeholder`, whose first is `preferences`'s.
    c.method[+(c.method[1] === 'l')] + (c.gpc ? 'g' : '') + (c.pending ? 'o' : ''),
    encodeURIComponent(c.policyVersion).replace(/\./g, '%2E'),
    Object.keys(c.choices)
      // `+true` is 1: the unary plus writes a boolean as its digit (shorter than a ternary).
      .map((id) => id + +c.choices[id])
      .join('|'),
  ].join('.');
  return `${body}.${checksum(body)}`;
};

/**
 * Whether a consent cookie value says entries wait (its `o` flag, as decodeConsentCookie reads it),
 * without checking the rest: the sync chunk needs only this, and the whole decoder would add 0.3 KB
 * brotli to it (the loader keeps its own `mode.includes('o')`: calling this costs it 25 B).
 */
export const saysPending = (value: string | null | undefined): boolean => !!value?.split('.')[4]?.includes('o');

/** Decodes a consent cookie value; null when it is malformed, of another version or fails its checksum. */
export const decodeConsentCookie = (value: string | null | undefined): DecodedConsent | null => {
  const parts = (value || '').split('.');
  if (parts.length !== 8 || parts[0] !== '1') return null;
  const [, id, receipt, time, mode, version, choices, sum] = parts;
  const method = METHODS[mode[0]];
  if (checksum(parts.slice(0, 7).join('.')) !== sum || !UUID.test(id) || (receipt && !UUID.test(receipt)) || !method)
    return null;
  const out: DecodedConsent = {
    v: 1,
    consentId: id,
    receiptId: receipt || null,
    updatedAt: parseInt(time, 36),
    method,
    gpc: mode.includes('g'),
    pending: mode.includes('o'),
    policyVersion: '',
    choices: emptyMap(),
  };
  try {
    out.policyVersion = decodeURIComponent(version);
  } catch {
    return null;
  }
  for (const choice of choices ? choices.split('|') : []) {
    const granted = choice.slice(-1);
    if (granted !== '0' && granted !== '1') return null;
    out.choices[choice.slice(0, -1)] = granted === '1';
  }
  return Number.isFinite(out.updatedAt) ? out : null;
};
