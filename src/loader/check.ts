// The production loader's config check: only what it needs to decide safely. The complete
// validator lives in assent.dev.js and `npx assent check`.
import { CONSENT_MODE_TYPES } from '../core/consent-mode';

const BASES = ['consent', 'legitimate-interest', 'contract', 'legal-obligation'];
const GPC = ['deny-marketing', 'deny-all', 'ignore'];

const got = (path: string, want: string, value: unknown) =>
  `config.${path} must be ${want} (got ${JSON.stringify(value) ?? 'nothing'})`;

/** The first problem that stops the loader, or '' when it can run. */
// biome-ignore lint/suspicious/noExplicitAny: the config is untrusted JSON until checked
export const configProblem = (c: any): string => {
  if (!c || typeof c !== 'object') return got('', 'an object', c).replace('config.', 'config');
  if (typeof c.policy?.version !== 'string') return got('policy.version', 'a string', c.policy?.version);
  if (!Array.isArray(c.purposes) || !c.purposes.length) return got('purposes', 'a non-empty array', c.purposes);
  const ids: string[] = [];
  for (let i = 0; i < c.purposes.length; i++) {
    const p = c.purposes[i] || {};
    if (!/^[a-z0-9_-]{1,32}$/.test(p.id) || ids.includes(p.id))
      return got(`purposes[${i}].id`, 'a unique id of a-z, 0-9, _ and - (at most 32)', p.id);
    if (!BASES.includes(p.basis)) return got(`purposes[${i}].basis`, `one of ${BASES.join(', ')}`, p.basis);
    ids.push(p.id);
  }
  const gpc = c.consent?.gpc;
  if (gpc !== undefined && !GPC.includes(gpc)) return got('consent.gpc', `one of ${GPC.join(', ')}`, gpc);
  const map = c.googleConsentMode?.purposes || {};
  for (const id in map) {
    if (!ids.includes(id)) return got(`googleConsentMode.purposes`, 'keyed by purpose ids', id);
    if (!Array.isArray(map[id]) || map[id].some((t: string) => !CONSENT_MODE_TYPES.includes(t as never)))
      return got(`googleConsentMode.purposes.${id}`, `a list of ${CONSENT_MODE_TYPES.join(', ')}`, map[id]);
  }
  return '';
};
