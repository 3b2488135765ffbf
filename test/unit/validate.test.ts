import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateConfigSchema, SCHEMA_FILE } from '../../scripts/schema';
import { pickLanguage } from '../../src/core/i18n';
import { validateConfig } from '../../src/core/validate';
import { configProblem } from '../../src/loader/check';
import { shopConfig } from '../fixtures/configs';

const messages = (config: unknown) => validateConfig(config).errors.map((e) => e.message);
const warnings = (config: unknown) => validateConfig(config).warnings.map((e) => e.message);

describe('config validator', () => {
  it('accepts a complete config without errors or warnings', () => {
    expect(validateConfig(shopConfig())).toEqual({ errors: [], warnings: [] });
  });

  it('names the field, what it must be and what it got', () => {
    const c = shopConfig() as unknown as { purposes: { basis: string }[] };
    c.purposes[2].basis = 'consnet';
    expect(messages(c)).toEqual([
      'config.purposes[2].basis must be one of consent, legitimate-interest, contract, legal-obligation (got "consnet")',
    ]);
  });

  it('reports every problem at once, not only the first', () => {
    const c = {
      controller: { name: 3 },
      policy: { url: 'javascript:alert(1)' },
      purposes: [
        { id: 'Bad Id', basis: 'consent', title: 'x', description: 'y' },
        { id: 'a', basis: 'consent', title: { english: 'x' }, description: 'y', dataCategories: ['nope'] },
        { id: 'a', basis: 'contract', title: 'x', titel: 'typo' },
      ],
      services: [
        { id: 's', name: 'S', purposes: ['ghost'], cookies: ['/[a-/'], privacyPolicyUrl: 'https://s.example' },
      ],
      consent: { gpc: 'deny-some', maxAgeDays: 0 },
      googleConsentMode: { purposes: { a: ['ads_storage'], ghost: ['ad_storage'] } },
      language: 'French',
      endpoint: '/v1/receipts',
    };
    expect(messages(c)).toEqual([
      'config.controller.name must be a text (got 3)',
      'config.policy.version is required',
      'config.purposes[0].id must be text matching ^[a-z0-9_-]{1,32}$ (got "Bad Id")',
      'config.purposes[2].titel is not a known field; config.purposes[2] takes id, basis, title, description, dataCategories, retention, recipients, transfers, marketing, anonymised',
      'config.consent.gpc must be one of deny-marketing, deny-all, ignore (got "deny-some")',
      'config.consent.maxAgeDays must be at least 1 (got 0)',
      'config.googleConsentMode.purposes.a[0] must be one of ad_storage, ad_user_data, ad_personalization, analytics_storage, functionality_storage, personalization_storage, security_storage (got "ads_storage")',
      'config.purposes[2].id repeats the id "a"; ids must be unique',
      'config.policy.url uses javascript:; use https:, http:, mailto: or tel:; the UI shows it as text, not as a link (got "javascript:alert(1)")',
      'config.purposes[1].dataCategories[0] names "nope", which is not an id in config.dataCategories',
      // Which purpose "ghost" was meant to be waits for config.purposes[0].id, reported above.
      'config.services[0].cookies[0] is not a valid /regex/: Invalid regular expression: /[a-/: Unterminated character class',
      'config.purposes[1].title.english is not a language tag such as "en" or "fr"',
    ]);
    expect(warnings(c)).toContain(
      'config.language names no language Assent has texts in, so every build passes it over for <html lang>, then the browser\'s languages (got "French"); use one of bg, cs, da, de, el, en, es, et, fi, fr, ga, hr, hu, it, lt, lv, mt, nl, pl, pt, ro, sk, sl, sv, or leave it out',
    );
  });

  it('reports a wrong purpose id once, not again for every reference to it', () => {
    const c = shopConfig();
    c.purposes[3].id = 'Analytics';
    c.services = [{ id: 'ga', name: 'GA', purposes: ['analytics'], privacyPolicyUrl: 'https://ga.example/' }];
    expect(messages(c)).toEqual(['config.purposes[3].id must be text matching ^[a-z0-9_-]{1,32}$ (got "Analytics")']);
    const inherited = shopConfig();
    inherited.purposes[3].id = 'constructor';
    expect(messages(inherited)).toEqual([
      'config.purposes[3].id must not be a name every object inherits (Object.prototype); choose another id (got "constructor")',
    ]);
    // With every id right, a reference to no purpose is an error of its own.
    const ghost = shopConfig();
    ghost.services = [{ id: 'ga', name: 'GA', purposes: ['ghost'], privacyPolicyUrl: 'https://ga.example/' }];
    expect(messages(ghost)).toEqual(['config.services[0].purposes[0] names "ghost", which is not a purpose id']);
  });

  it('reports a repeated purpose id once, in every build', () => {
    const c = shopConfig();
    // googleConsentMode still maps `marketing`, the id that purposes[4] was probably meant to have.
    c.purposes[4].id = c.purposes[3].id;
    expect(messages(c)).toEqual(['config.purposes[4].id repeats the id "analytics"; ids must be unique']);
    expect(configProblem(c)).toBe(
      'config.purposes[4].id must be a unique id matching ^[a-z0-9_-]{1,32}$, not on Object.prototype (got "analytics")',
    );
  });

  it('refuses a policy version that is not Unicode text (it goes into the cookie), and takes any other', () => {
    const c = shopConfig();
    c.policy.version = 'v\uD800';
    expect(messages(c)).toEqual([
      'config.policy.version must be Unicode text: it holds a lone surrogate (got "v\\ud800")',
    ]);
    for (const version of ['v\uDC00x', '\uDFFF'])
      expect(messages({ ...c, policy: { ...c.policy, version } })).toHaveLength(1);
    for (const version of ['2026.1', 'v 😀', 'ß\u0000', ''])
      expect(messages({ ...c, policy: { ...c.policy, version } })).toEqual([]);
  });

  it('takes a policy URL per language, and checks each', () => {
    const c = shopConfig();
    c.policy.url = { en: 'https://shop.example/privacy', fr: 'javascript:alert(1)' };
    expect(messages(c)).toEqual([
      'config.policy.url.fr uses javascript:; use https:, http:, mailto: or tel:; the UI shows it as text, not as a link (got "javascript:alert(1)")',
    ]);
    c.policy.url = { en: 'https://shop.example/privacy', 'pt-BR': '/pt/privacidade' };
    expect(messages(c)).toEqual([]);
    c.policy.url = { english: 'https://shop.example/privacy' };
    expect(messages(c)).toEqual(['config.policy.url.english is not a language tag such as "en" or "fr"']);
  });

  it('language: one rule in every build: a value Assent has no texts for is passed over, with a warning', () => {
    for (const language of ['', 'French', 'zz', 'x-klingon']) {
      const c = { ...shopConfig(), language };
      expect(messages(c)).toEqual([]);
      expect(configProblem(c)).toBe('');
      expect(warnings(c)).toEqual([expect.stringContaining(`config.language names no language Assent has texts in`)]);
      expect(pickLanguage([language, 'de'])).toBe('de');
    }
    for (const [language, picked] of [
      ['pt-BR', 'pt'],
      ['FR', 'fr'],
      ['de_AT', 'de'],
    ]) {
      expect(warnings({ ...shopConfig(), language })).toEqual([]);
      expect(pickLanguage([language, 'en'])).toBe(picked);
    }
  });

  it('warns that * in a cookie or storage name is no wildcard, and suggests the /regex/', () => {
    const c = shopConfig();
    c.services = [
      {
        id: 'ga',
        name: 'GA',
        purposes: ['analytics'],
        privacyPolicyUrl: 'https://ga.example/',
        cookies: ['_ga', '_ga_*', { name: '*_gid' }, '/^_gat/'],
        storage: ['ga*session'],
        match: ['*.google-analytics.com'],
      },
    ];
    expect(warnings(c)).toEqual([
      'config.services[0].cookies[1] is the exact name "_ga_*"; "*" is no wildcard there: for names that vary write a /regex/ such as "/^_ga_/"',
      'config.services[0].cookies[2] is the exact name "*_gid"; "*" is no wildcard there: for names that vary write a /regex/ such as "/_gid$/"',
      'config.services[0].storage[0] is the exact name "ga*session"; "*" is no wildcard there: for names that vary write a /regex/ such as "/^ga.*session$/"',
    ]);
  });

  it('explains a text that is neither a string nor an object of strings', () => {
    const c = shopConfig();
    (c.purposes[0] as unknown as { title: unknown }).title = 42;
    expect(messages(c)).toEqual([
      'config.purposes[0].title must be a text or an object of texts per language (got 42)',
    ]);
  });

  it('warns about what regulators object to', () => {
    const c = shopConfig();
    c.consent = { maxAgeDays: 500 };
    c.purposes.push({ id: 'ads', basis: 'legitimate-interest', title: 'Ads', description: 'Ads' });
    c.purposes.push({ id: 'quiet', basis: 'consent', title: 'No description' });
    c.purposes.push({ id: 'abroad', basis: 'consent', title: 'x', description: 'y', transfers: { outsideEU: true } });
    c.services = [{ id: 'pixel', name: 'Pixel', purposes: ['ads'], cookies: ['_px'] }];
    delete c.endpoint;
    expect(warnings(c)).toEqual([
      'config.purposes[6] is a consent purpose with no description; consent must be informed (GDPR Art. 4(11))',
      'config.purposes[7].transfers sends data outside the EU without a safeguard (adequacy, scc or bcr; GDPR Art. 44–49)',
      'config.services[0] (Pixel) has no privacyPolicyUrl; visitors must be able to read it',
      'config.services[0] (Pixel) stores cookies or similar for the legitimate-interest purpose "ads"; ePrivacy Art. 5(3) requires consent for that: make "ads" a consent purpose',
      'config.consent.maxAgeDays is 500; it is clamped to 395 (13 months, as regulators recommend)',
      'config.endpoint is not set; receipts stay in the browser, so consent cannot be proven to a regulator (GDPR Art. 7(1))',
    ]);
  });

  it('warns when a text lacks a language the rest of the config has', () => {
    const c = shopConfig();
    c.purposes[4].title = { en: 'Advertising' };
    expect(warnings(c)).toEqual(['config.purposes[4].title has no text in fr; those visitors read en here']);
  });

  it('refuses a text given per language in no language: an empty policy.url links no visitor', () => {
    const c = shopConfig();
    c.policy.url = {};
    expect(validateConfig(c)).toEqual({
      errors: [
        {
          path: 'config.policy.url',
          message:
            'config.policy.url has no policy link in any language, so no visitor gets one; give one, or one per language such as { "en": "/privacy" }',
        },
      ],
      warnings: [],
    });
    const d = shopConfig();
    d.purposes[1].description = {};
    expect(messages(d)).toEqual([
      'config.purposes[1].description has no text in any language, so no visitor gets one; give one, or one per language such as { "en": "…" }',
    ]);
  });

  it('takes a key that is no language tag, `__proto__` too, for an error of its own and for no language', () => {
    // JSON text, so that `__proto__` is an own key as JSON.parse makes it.
    for (const key of ['__proto__', 'constructor', 'English']) {
      const c = shopConfig();
      c.policy.url = JSON.parse(`{ "en": "/privacy", "fr": "/confidentialite", "${key}": "/elsewhere" }`);
      expect(validateConfig(c)).toEqual({
        errors: [
          {
            path: `config.policy.url.${key}`,
            message: `config.policy.url.${key} is not a language tag such as "en" or "fr"`,
          },
        ],
        warnings: [],
      });
      c.policy.url = JSON.parse(`{ "${key}": "/elsewhere" }`);
      expect(validateConfig(c)).toEqual({
        errors: [
          {
            path: `config.policy.url.${key}`,
            message: `config.policy.url.${key} is not a language tag such as "en" or "fr"`,
          },
        ],
        warnings: [],
      });
    }
  });

  it('warns when Consent Mode storage types follow a legitimate-interest purpose', () => {
    const c = shopConfig();
    c.googleConsentMode = { purposes: { security: ['security_storage'] } };
    expect(warnings(c)).toEqual([
      'config.googleConsentMode.purposes.security grants storage or advertising consent types from legitimate interest; ePrivacy Art. 5(3) requires consent',
    ]);
  });

  it('never evaluates config text as code', () => {
    const src = readFileSync('src/core/validate.ts', 'utf8');
    expect(src).not.toMatch(/\beval\(|new Function/);
  });

  it('is driven by a schema generated from the TypeScript types, which is up to date', () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(JSON.parse(JSON.stringify(generateConfigSchema())));
    // Generating runs the TypeScript compiler: seconds on a busy machine.
  }, 60_000);
});

describe('production loader check', () => {
  it('passes a valid config', () => {
    expect(configProblem(shopConfig())).toBe('');
  });

  it.each([
    [null, 'config.policy.version must be a string (got nothing)'],
    [7, 'config.policy.version must be a string (got nothing)'],
    [{ policy: {} }, 'config.policy.version must be a string (got nothing)'],
    [{ policy: { version: '1' }, purposes: [] }, 'config.purposes must be a non-empty array (got [])'],
    [
      { policy: { version: '1' }, purposes: [{ id: 'a', basis: 'consnet' }] },
      'config.purposes[0].basis must be one of consent, legitimate-interest, contract, legal-obligation (got "consnet")',
    ],
    [
      {
        policy: { version: '1' },
        purposes: [
          { id: 'a', basis: 'consent' },
          { id: 'a', basis: 'consent' },
        ],
      },
      'config.purposes[1].id must be a unique id matching ^[a-z0-9_-]{1,32}$, not on Object.prototype (got "a")',
    ],
  ])('fails closed on %j', (config, message) => {
    expect(configProblem(config)).toBe(message);
  });

  it.each(['constructor', '__proto__'])('fails closed on the purpose id %j, which every object inherits', (id) => {
    const purposes = [
      { id: 'necessary', basis: 'contract' },
      { id, basis: 'consent' },
    ];
    // JSON.parse, as the loader reads the config: `__proto__` is then a field, not the prototype.
    const config = JSON.parse(
      JSON.stringify({ policy: { version: '1' } }).replace('}}', `},"purposes":${JSON.stringify(purposes)}}`),
    );
    expect(configProblem(config)).toBe(
      `config.purposes[1].id must be a unique id matching ^[a-z0-9_-]{1,32}$, not on Object.prototype (got "${id}")`,
    );
  });
});

describe('ids and fields that every object inherits', () => {
  const withPurpose = (id: string) => {
    const c = shopConfig();
    c.purposes[3].id = id;
    c.dataCategories = undefined;
    delete c.purposes[3].dataCategories;
    c.googleConsentMode = undefined;
    return c;
  };

  it.each(['constructor', '__proto__'])('rejects the purpose id %j, naming the field and the fix', (id) => {
    expect(messages(JSON.parse(JSON.stringify(withPurpose(id))))).toEqual([
      `config.purposes[3].id must not be a name every object inherits (Object.prototype); choose another id (got "${id}")`,
    ]);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'reports the field %j as unknown, as it does "bogus"',
    (field) => {
      const c = JSON.parse(JSON.stringify(shopConfig()).replace('"policy":{', `"policy":{"${field}":1,`));
      expect(messages(c)).toEqual([
        `config.policy.${field} is not a known field; config.policy takes url, version, updated`,
      ]);
    },
  );

  it('still reports a required field that is only inherited as missing', () => {
    const c = JSON.parse(JSON.stringify(shopConfig()));
    delete c.policy.version;
    Object.setPrototypeOf(c.policy, { version: '3' });
    expect(messages(c)).toEqual(['config.policy.version is required']);
  });
});

describe('links', () => {
  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    '  javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
  ])('rejects %j in every link field, and says the UI shows it as text', (url) => {
    const c = shopConfig();
    c.policy.url = url;
    c.controller.authority = { name: 'CNIL', url };
    c.rights = [{ id: 'access', url }];
    c.services = [{ id: 's', name: 'S', purposes: ['analytics'], privacyPolicyUrl: url }];
    const found = messages(c);
    for (const path of ['policy.url', 'controller.authority.url', 'rights[0].url', 'services[0].privacyPolicyUrl'])
      expect(found).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^config\\.${path.replace(/[.[\]]/g, '\\$&')} uses \\w+:; .*the UI shows it as text, not as a link`,
          ),
        ),
      );
  });
});
