// The two seed policies, as configs: valid, and carrying what each policy says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AssentConfig } from '../../src/core/config';
import { validateConfig } from '../../src/core/validate';

const load = (name: string): AssentConfig => JSON.parse(readFileSync(`demo/configs/${name}.json`, 'utf8'));
const texts = (c: AssentConfig, lang: string) =>
  JSON.stringify(c, (_, v) => (v && typeof v === 'object' && !Array.isArray(v) && lang in v ? v[lang] : v));

describe.each([
  [
    'blooom',
    'fr',
    'CNIL',
    ['access', 'rectification', 'erasure', 'portability', 'objection', 'restriction', 'post-mortem', 'complaint'],
  ],
  [
    'blokku',
    'bg',
    'Commission for Personal Data Protection',
    [
      'information',
      'access',
      'rectification',
      'erasure',
      'restriction',
      'portability',
      'objection',
      'automated-decision',
      'remedy',
      'complaint',
    ],
  ],
])('the %s config', (name, lang, authority, rights) => {
  const config = load(name);

  it('is valid, with no warning', () => {
    expect(validateConfig(config)).toEqual({ errors: [], warnings: [] });
  });

  it('lists every right the policy gives, and the supervisory authority', () => {
    expect(config.rights?.map((r) => r.id).sort()).toEqual([...rights].sort());
    expect(JSON.stringify(config.controller.authority?.name)).toContain(authority);
  });

  it(`speaks English and ${lang} in every text`, () => {
    expect(texts(config, lang)).not.toEqual(texts(config, 'en'));
    const isText = (v: unknown) => v && typeof v === 'object' && !Array.isArray(v) && 'en' in (v as object);
    JSON.stringify(config, (_, v) => {
      if (isText(v)) expect(Object.keys(v).sort()).toEqual(['en', lang].sort());
      return v;
    });
  });

  it('models tracker purposes as consent and says why; marks demo additions', () => {
    for (const id of ['analytics', 'marketing', 'media'])
      expect(config.purposes.find((p) => p.id === id)?.basis).toBe('consent');
    const demo = config.purposes.filter((p) => JSON.stringify(p.description).includes('Demo addition'));
    expect(demo.map((p) => p.id)).toEqual(expect.arrayContaining(['analytics', 'media']));
  });
});

describe('what the policies say', () => {
  it('Blooom: contract data kept at most 3 years after the relationship, a DPO, transfers under SCC/BCR/adequacy', () => {
    const c = load('blooom');
    const contract = c.purposes.filter((p) => p.basis === 'contract');
    expect(contract.length).toBeGreaterThanOrEqual(4);
    for (const p of contract) expect(JSON.stringify(p.retention)).toContain('3 years');
    expect(c.controller.dpo).toEqual({ name: 'Khalid Medaghri', email: 'dpo@byblooom.co' });
    expect(
      c.purposes.some(
        (p) => p.transfers?.outsideEU && JSON.stringify(p.transfers.safeguard).includes('standard contractual clauses'),
      ),
    ).toBe(true);
    expect(c.purposes.filter((p) => p.anonymised).length).toBeGreaterThanOrEqual(7);
  });

  it('Blokku: 5 years after the contract, 11 years for accounting, 1 year for consent data', () => {
    const c = load('blokku');
    const retention = (basis: string) =>
      c.purposes.filter((p) => p.basis === basis).map((p) => JSON.stringify(p.retention));
    for (const r of retention('contract')) expect(r).toContain('5 years');
    expect(retention('legal-obligation').join()).toContain('11 years');
    expect(c.purposes.filter((p) => p.marketing).map((p) => JSON.stringify(p.retention))).toEqual(
      expect.arrayContaining([expect.stringContaining('1 year')]),
    );
    expect(c.purposes.find((p) => p.anonymised)?.id).toBe('statistics');
  });
});
