// The production loader's config check: only what it needs to decide safely. The complete
// validator lives in assent.dev.js and `npx assent check`. Other fields fail closed where they are
// used: an unknown `consent.gpc` acts as deny-marketing, and Consent Mode types or purposes it does
// not know leave a type denied.
import { BASES } from '../core/bases';
import { PURPOSE_ID } from '../core/ids';

const got = (path: string, want: string, value: unknown) =>
  `config.${path} must be ${want} (got ${JSON.stringify(value) ?? 'nothing'})`;

/** The first problem that stops the loader, or '' when it can run. */
// biome-ignore lint/suspicious/noExplicitAny: the config is untrusted JSON until checked
export const configProblem = (c: any): string => {
  // Anything but an object (null, a number) has no policy either: one check says so (22 B less).
  if (typeof c?.policy?.version !== 'string') return got('policy.version', 'a string', c?.policy?.version);
  if (!Array.isArray(c.purposes) || !c.purposes.length) return got('purposes', 'a non-empty array', c.purposes);
  const ids: string[] = [];
  for (let i = 0; i < c.purposes.length; i++) {
    const p = c.purposes[i] || {};
    // An id every object inherits (`constructor`, `__proto__`) would read as granted wherever it is a key.
    if (!PURPOSE_ID.test(p.id) || ids.includes(p.id) || p.id in {})
      return got(`purposes[${i}].id`, `a unique id matching ${PURPOSE_ID.source}, not on Object.prototype`, p.id);
    if (!BASES.includes(p.basis)) return got(`purposes[${i}].basis`, `one of ${BASES.join(', ')}`, p.basis);
    ids.push(p.id);
  }
  return '';
};
