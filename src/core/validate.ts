// The complete config validator (assent.dev.js, `npx assent check`, and `validateConfig` for
// bundlers). It walks the JSON Schema generated from config.ts, so the types, the schema and the
// validator cannot drift apart, then checks what a schema cannot say: references between ids,
// regular expressions, URLs, and the config regulators object to (as warnings). No eval.

import { isRequired } from './bases';
import type { AssentConfig, I18n } from './config';
import schema from './config.schema.json';
import { CONSENT_MODE_TYPES } from './consent-mode';
import { MAX_AGE_DAYS } from './decision';
import { builtInLanguage, LANGUAGES } from './i18n';
import { patternRegExp } from './patterns';
import { child, type Issue, type Schema, schemaIssues, show } from './schema-check';

export type { Issue as ConfigIssue } from './schema-check';
export interface ConfigReport {
  errors: Issue[];
  warnings: Issue[];
}

const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

const regexError = (pattern: string): string | null => {
  try {
    patternRegExp(pattern);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
};

/** The `/regex/` a name with `*` was probably meant as: `_ga_*` is `/^_ga_/`. */
const globRegex = (name: string): string => {
  const source = `^${name
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*')}$`;
  return `/${source.replace(/^\^\.\*/, '').replace(/\.\*\$$/, '')}/`;
};

const urlError = (value: string): string | null => {
  try {
    const u = new URL(value, 'https://site.invalid/');
    return /^(https?|mailto|tel):$/.test(u.protocol) ? null : `uses ${u.protocol}; use https:, http:, mailto: or tel:`;
  } catch {
    return 'is not a URL';
  }
};

/** Every problem of a config, each with its path and the fix. */
export const validateConfig = (config: unknown): ConfigReport => {
  const errors = schemaIssues(schema as Schema, config, 'config');
  const warnings: Issue[] = [];
  if (!config || typeof config !== 'object') return { errors, warnings };
  const c = config as AssentConfig;
  const err = (path: string, message: string) => errors.push({ path, message: `${path} ${message}` });
  const warn = (path: string, message: string) => warnings.push({ path, message: `${path} ${message}` });
  const list = <T>(x: T[] | undefined): T[] => (Array.isArray(x) ? x.filter((i) => i && typeof i === 'object') : []);

  /**
   * The ids of a list, each error reported once; undefined when an id is itself wrong (missing,
   * malformed, inherited, repeated), so that references are not checked: a reference to no id may
   * be meant for the one that is wrong, and would only repeat its error.
   */
  const uniqueIds = (items: { id?: unknown }[] | undefined, path: string) => {
    const seen: unknown[] = [];
    let unclear = false;
    (Array.isArray(items) ? items : []).forEach((item, i) => {
      const at = `${path}[${i}].id`;
      if (errors.some((e) => e.path === at || e.path === `${path}[${i}]`)) unclear = true;
      else if (item && seen.includes(item.id)) {
        err(at, `repeats the id ${show(item.id)}; ids must be unique`);
        unclear = true;
      }
      // Ids become keys of maps in the browser; `constructor` there would read as granted.
      else if (typeof item?.id === 'string' && item.id in Object.prototype) {
        err(
          at,
          `must not be a name every object inherits (Object.prototype); choose another id (got ${show(item.id)})`,
        );
        unclear = true;
      }
      seen.push(item?.id);
    });
    return unclear ? undefined : seen;
  };
  const purposeIds = uniqueIds(c.purposes, 'config.purposes');
  uniqueIds(c.services, 'config.services');
  const categoryIds = uniqueIds(c.dataCategories, 'config.dataCategories');
  uniqueIds(c.rights, 'config.rights');
  const purpose = (id: unknown) => list(c.purposes).find((p) => p.id === id);

  // Links: every build's UI links only to https:, http:, mailto: and tel:, and shows any other as text.
  const checkUrl = (value: unknown, path: string, link = true) => {
    const problem = typeof value === 'string' && urlError(value);
    if (problem) err(path, `${problem}${link ? '; the UI shows it as text, not as a link' : ''} (got ${show(value)})`);
  };
  const policyUrl = c.policy?.url;
  if (policyUrl && typeof policyUrl === 'object')
    for (const tag of Object.keys(policyUrl)) checkUrl(policyUrl[tag], child('config.policy.url', tag));
  else checkUrl(policyUrl, 'config.policy.url');
  checkUrl(c.endpoint, 'config.endpoint', false);
  checkUrl(c.controller?.authority?.url, 'config.controller.authority.url');
  // The version is written into the consent cookie: text that is not Unicode cannot be encoded there.
  // (With the u flag a surrogate pair is one code point: only a lone surrogate is of category Cs.)
  if (typeof c.policy?.version === 'string' && /\p{Cs}/u.test(c.policy.version))
    err('config.policy.version', `must be Unicode text: it holds a lone surrogate (got ${show(c.policy.version)})`);
  if (c.policy?.updated && Number.isNaN(Date.parse(c.policy.updated)))
    err('config.policy.updated', `must be an ISO date such as 2021-02-26 (got ${show(c.policy.updated)})`);
  for (const key of ['email'] as const) {
    const value = c.controller?.[key];
    if (typeof value === 'string' && !value.includes('@'))
      err(`config.controller.${key}`, `is not an email address (got ${show(value)})`);
  }
  if (typeof c.controller?.dpo?.email === 'string' && !c.controller.dpo.email.includes('@'))
    err('config.controller.dpo.email', `is not an email address (got ${show(c.controller.dpo.email)})`);
  if (typeof c.language === 'string' && !builtInLanguage(c.language))
    warn(
      'config.language',
      `names no language Assent has texts in, so every build passes it over for <html lang>, then the browser's languages (got ${show(c.language)}); use one of ${LANGUAGES.join(', ')}, or leave it out`,
    );
  list(c.rights).forEach((r, i) => {
    checkUrl(r.url, `config.rights[${i}].url`);
  });

  list(c.purposes).forEach((p, i) => {
    const path = `config.purposes[${i}]`;
    (Array.isArray(p.dataCategories) ? p.dataCategories : []).forEach((id, j) => {
      if (categoryIds && !categoryIds.includes(id))
        err(`${path}.dataCategories[${j}]`, `names ${show(id)}, which is not an id in config.dataCategories`);
    });
    if (p.basis === 'consent' && p.description === undefined)
      warn(path, 'is a consent purpose with no description; consent must be informed (GDPR Art. 4(11))');
    if (p.transfers?.outsideEU && !p.transfers.safeguard)
      warn(
        `${path}.transfers`,
        'sends data outside the EU without a safeguard (adequacy, scc or bcr; GDPR Art. 44–49)',
      );
    if (p.marketing && isRequired(p))
      warn(
        `${path}.marketing`,
        `is set on a ${p.basis} purpose; objection to direct marketing is absolute (GDPR Art. 21(3))`,
      );
  });

  list(c.services).forEach((s, i) => {
    const path = `config.services[${i}]`;
    (Array.isArray(s.purposes) ? s.purposes : []).forEach((id, j) => {
      if (purposeIds && !purposeIds.includes(id))
        err(`${path}.purposes[${j}]`, `names ${show(id)}, which is not a purpose id`);
    });
    const patterns = [
      ...(Array.isArray(s.cookies) ? s.cookies : []).map((x, j) => [
        typeof x === 'string' ? x : x?.name,
        `cookies[${j}]`,
      ]),
      ...(Array.isArray(s.storage) ? s.storage : []).map((x, j) => [x, `storage[${j}]`]),
      ...(Array.isArray(s.match) ? s.match : []).map((x, j) => [x, `match[${j}]`]),
    ];
    for (const [pattern, where] of patterns) {
      const problem = typeof pattern === 'string' && regexError(pattern);
      if (problem) err(`${path}.${where}`, `is not a valid /regex/: ${problem}`);
      // A cookie or storage name is exact: `*` there matches only a `*`.
      else if (
        typeof pattern === 'string' &&
        !where.startsWith('match') &&
        !patternRegExp(pattern) &&
        pattern.includes('*')
      )
        warn(
          `${path}.${where}`,
          `is the exact name ${show(pattern)}; "*" is no wildcard there: for names that vary write a /regex/ such as ${show(globRegex(pattern))}`,
        );
    }
    checkUrl(s.privacyPolicyUrl, `${path}.privacyPolicyUrl`);
    if (s.privacyPolicyUrl === undefined)
      warn(path, `(${s.name}) has no privacyPolicyUrl; visitors must be able to read it`);
    const sets = (Array.isArray(s.cookies) && s.cookies.length) || (Array.isArray(s.storage) && s.storage.length);
    if (sets)
      for (const id of Array.isArray(s.purposes) ? s.purposes : [])
        if (purpose(id)?.basis === 'legitimate-interest')
          warn(
            path,
            `(${s.name}) stores cookies or similar for the legitimate-interest purpose "${id}"; ePrivacy Art. 5(3) requires consent for that: make "${id}" a consent purpose`,
          );
  });

  const maxAge = c.consent?.maxAgeDays;
  if (typeof maxAge === 'number' && maxAge > MAX_AGE_DAYS)
    warn(
      'config.consent.maxAgeDays',
      `is ${maxAge}; it is clamped to ${MAX_AGE_DAYS} (13 months, as regulators recommend)`,
    );

  const map = c.googleConsentMode?.purposes;
  if (map && typeof map === 'object')
    for (const id of Object.keys(map)) {
      const p = purpose(id);
      if (!p) purposeIds && err(child('config.googleConsentMode.purposes', id), 'is not a purpose id');
      else if (
        p.basis === 'legitimate-interest' &&
        Array.isArray(map[id]) &&
        map[id].some((t) => t.endsWith('_storage') || t.startsWith('ad_'))
      )
        warn(
          child('config.googleConsentMode.purposes', id),
          'grants storage or advertising consent types from legitimate interest; ePrivacy Art. 5(3) requires consent',
        );
    }
  if (map && typeof map === 'object') {
    const mapped = CONSENT_MODE_TYPES.filter((t) =>
      Object.values(map).some((types) => Array.isArray(types) && types.includes(t)),
    );
    if (!mapped.length) warn('config.googleConsentMode.purposes', 'maps no consent type; every type will stay denied');
  }
  if (c.endpoint === undefined)
    warn(
      'config.endpoint',
      'is not set; receipts stay in the browser, so consent cannot be proven to a regulator (GDPR Art. 7(1))',
    );

  // Texts given per language should be given in every language the config uses.
  const texts: [string, string[]][] = [];
  // The texts' languages: a key that is no language tag (`__proto__` too) is an error of its own, and
  // counts as no language, so that it asks no other text for a translation.
  const collect = (value: I18n | undefined, path: string, [what, example] = ['text', '"…"']) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const tags = Object.keys(value).filter((tag) => {
        if (!LANGUAGE_TAG.test(tag)) err(child(path, tag), 'is not a language tag such as "en" or "fr"');
        return LANGUAGE_TAG.test(tag);
      });
      if (tags.length) texts.push([path, tags]);
      else if (!Object.keys(value).length)
        err(
          path,
          `has no ${what} in any language, so no visitor gets one; give one, or one per language such as { "en": ${example} }`,
        );
    }
  };
  collect(c.policy?.url, 'config.policy.url', ['policy link', '"/privacy"']);
  collect(c.controller?.authority?.name, 'config.controller.authority.name');
  list(c.purposes).forEach((p, i) => {
    for (const key of ['title', 'description', 'retention'] as const) collect(p[key], `config.purposes[${i}].${key}`);
    collect(p.transfers?.safeguard, `config.purposes[${i}].transfers.safeguard`);
    (Array.isArray(p.recipients) ? p.recipients : []).forEach((r, j) => {
      collect(r, `config.purposes[${i}].recipients[${j}]`);
    });
  });
  list(c.dataCategories).forEach((d, i) => {
    collect(d.title, `config.dataCategories[${i}].title`);
    collect(d.description, `config.dataCategories[${i}].description`);
  });
  list(c.rights).forEach((r, i) => {
    collect(r.description, `config.rights[${i}].description`);
  });
  list(c.services).forEach((s, i) => {
    (Array.isArray(s.cookies) ? s.cookies : []).forEach((k, j) => {
      if (k && typeof k === 'object') {
        collect(k.duration, `config.services[${i}].cookies[${j}].duration`);
        collect(k.description, `config.services[${i}].cookies[${j}].description`);
      }
    });
  });
  const languages = [...new Set(texts.flatMap(([, tags]) => tags))];
  for (const [path, tags] of texts) {
    const missing = languages.filter((l) => !tags.includes(l));
    if (missing.length)
      warn(
        path,
        `has no text in ${missing.join(', ')}; those visitors read ${tags.includes('en') ? 'en' : tags[0]} here`,
      );
  }
  for (const tag of Object.keys((c.ui?.texts as object) || {}))
    if (!LANGUAGE_TAG.test(tag)) err(child('config.ui.texts', tag), 'is not a language tag such as "en" or "fr"');

  return { errors, warnings };
};
