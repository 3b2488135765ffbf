// How each legal basis behaves (SPEC §2). Pure functions shared by the loader, UI and tests.
import type { GpcPolicy, LegalBasis, Purpose } from './config';

export type Choices = Record<string, boolean>;

/** Every legal basis, in the order the README lists them. */
export const BASES: readonly LegalBasis[] = ['consent', 'legitimate-interest', 'contract', 'legal-obligation'];

/**
 * Whether an object holds the key itself. Keys come from configs, cookies and markup: `in` or a
 * plain lookup would find `constructor` or `toString` on Object.prototype and call them granted.
 */
export const has = (o: object, key: string): boolean => Object.hasOwn(o, key);

/** An empty map with no prototype, so that no key is there unless set. */
export const emptyMap = <T>(): Record<string, T> => Object.create(null);

/** Contract and legal-obligation purposes are always active and never toggleable. */
export const isRequired = (p: { basis?: string }): boolean => p.basis === 'contract' || p.basis === 'legal-obligation';

/**
 * The purposes Global Privacy Control denies under a policy, when the browser sends the signal. No
 * policy (or one it does not know) is deny-marketing, the default.
 */
export const gpcDenied = (purposes: Purpose[], policy: GpcPolicy | undefined, signal: boolean): string[] =>
  signal && policy !== 'ignore'
    ? purposes.filter((p) => !isRequired(p) && (policy === 'deny-all' || p.marketing)).map((p) => p.id)
    : [];

/**
 * May each purpose be processed now? Required purposes always; otherwise the visitor's answer,
 * else Global Privacy Control's denial, else the basis's default: consent off, legitimate interest
 * on (the visitor may object).
 */
export const allowedPurposes = (purposes: Purpose[], choices: Choices, denied: string[]): Choices => {
  const out = emptyMap<boolean>();
  for (const p of purposes)
    out[p.id] = isRequired(p) || (has(choices, p.id) ? choices[p.id] : !denied.includes(p.id) && p.basis !== 'consent');
  return out;
};

/** Decided means an answer for every consent and legitimate-interest purpose. */
export const isDecided = (purposes: Purpose[], choices: Choices): boolean =>
  purposes.every((p) => isRequired(p) || has(choices, p.id));

/**
 * The answers of "Accept all" or "Reject all". Accepting never grants what GPC denied, but keeps a
 * grant the visitor gave one of those purposes explicitly.
 */
export const choicesForAll = (
  purposes: Purpose[],
  grant: boolean,
  denied: string[],
  current: Choices = {},
): Choices => {
  const out: Choices = {};
  for (const p of purposes) if (!isRequired(p)) out[p.id] = grant && (!denied.includes(p.id) || current[p.id] === true);
  return out;
};

/** The ids whose value differs between two states. */
export const changedPurposes = (before: Choices, after: Choices): string[] =>
  Object.keys(after).filter((id) => before[id] !== after[id]);
