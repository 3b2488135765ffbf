// @vitest-environment happy-dom
// The GTM custom template (integrations/assent-consent-mode.tpl). Its sandboxed code runs here in
// node:vm with fakes of the GTM APIs it requires; the fakes enforce the permissions the template
// declares, as GTM does, so a missing permission fails here and not on a customer's site.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import vm from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConsentModeType } from '../../src/core/config';
import { CONSENT_MODE_TYPES, consentModeValues } from '../../src/core/consent-mode';
import type { ConsentState } from '../../src/core/types';
import { startAssent } from '../../src/loader/assent';
import { publish } from '../../src/loader/global';
import { shopConfig } from '../fixtures/configs';
import { freshPage } from './fresh-page';

const TPL = readFileSync('integrations/assent-consent-mode.tpl', 'utf8');

// ---- The .tpl format -------------------------------------------------------------------------

const sectionsOf = (text: string): Record<string, string> => {
  const out: Record<string, string> = {};
  let name = '';
  for (const line of text.split('\n')) {
    const head = /^___([A-Z_]+)___\s*$/.exec(line);
    if (head) out[(name = head[1])] = '';
    else if (name) out[name] += `${line}\n`;
  }
  for (const key in out) out[key] = out[key].trim();
  return out;
};

/** A value in GTM's permission encoding: 1 string, 2 list, 3 map, 8 boolean. */
interface GtmValue {
  type: number;
  string?: string;
  boolean?: boolean;
  listItem?: GtmValue[];
  mapKey?: GtmValue[];
  mapValue?: GtmValue[];
}
const decode = (v: GtmValue): unknown => {
  if (v.type === 1) return v.string;
  if (v.type === 8) return v.boolean;
  if (v.type === 2) return (v.listItem ?? []).map(decode);
  if (v.type === 3)
    return Object.fromEntries((v.mapKey ?? []).map((k, i) => [decode(k), decode(v.mapValue?.[i] as GtmValue)]));
  throw new Error(`unknown GTM value type ${v.type}`);
};

type Access = { read?: boolean; write?: boolean; execute?: boolean };
interface Permissions {
  ids: string[];
  consent: Record<string, Access>;
  globals: Record<string, Access>;
  dataLayerKeys: string[];
}
const permissionsOf = (json: string): Permissions => {
  const p: Permissions = { ids: [], consent: {}, globals: {}, dataLayerKeys: [] };
  const entries = JSON.parse(json) as {
    instance: { key: { publicId: string }; param: { key: string; value: GtmValue }[] };
  }[];
  for (const { instance } of entries) {
    const id = instance.key.publicId;
    p.ids.push(id);
    const param = (key: string) => {
      const found = instance.param.find((x) => x.key === key);
      return found ? decode(found.value) : undefined;
    };
    if (id === 'access_consent')
      for (const e of param('consentTypes') as (Access & { consentType: string })[]) p.consent[e.consentType] = e;
    if (id === 'access_globals') for (const e of param('keys') as (Access & { key: string })[]) p.globals[e.key] = e;
    if (id === 'write_data_layer') p.dataLayerKeys = param('keyPatterns') as string[];
  }
  return p;
};

interface Param {
  type: string;
  name: string;
  defaultValue?: unknown;
  subParams?: Param[];
  simpleTableColumns?: { name: string }[];
}
const flat = (params: Param[]): Param[] => params.flatMap((p) => [p, ...flat(p.subParams ?? [])]);

const load = (text = TPL) => {
  const sections = sectionsOf(text);
  return {
    sections,
    code: sections.SANDBOXED_JS_FOR_WEB_TEMPLATE,
    info: JSON.parse(sections.INFO) as Record<string, unknown>,
    params: flat(JSON.parse(sections.TEMPLATE_PARAMETERS) as Param[]),
    permissions: permissionsOf(sections.WEB_PERMISSIONS),
  };
};
type Template = ReturnType<typeof load>;
const tpl = load();

/** The tag's data as GTM gives it when nothing was changed in the tag's form. */
const defaultData = (over: Record<string, unknown> = {}): Record<string, unknown> => {
  const data: Record<string, unknown> = {};
  for (const p of tpl.params)
    if (p.type === 'SIMPLE_TABLE') data[p.name] = [];
    else if (p.type !== 'GROUP' && p.type !== 'LABEL') data[p.name] = p.defaultValue;
  return { ...data, ...over };
};

// ---- Static checks (each returns its problems, so the tests below can show they catch some) --

/** The permission each sandboxed API needs; null when it needs none. An API missing here fails. */
const API_PERMISSION: Record<string, string | null> = {
  callInWindow: 'access_globals',
  copyFromWindow: 'access_globals',
  createQueue: 'access_globals',
  gtagSet: 'write_data_layer',
  logToConsole: 'logging',
  setDefaultConsentState: 'access_consent',
  updateConsentState: 'access_consent',
  templateStorage: 'access_template_storage',
  getType: null,
  makeInteger: null,
};

const stripComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
const requiredApis = (code: string) => [...code.matchAll(/require\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]);
/** The first arguments of calls to `api`, which must all be string literals. */
const literalArgs = (code: string, api: string) => {
  const all = [...code.matchAll(new RegExp(`\\b${api}\\(`, 'g'))].length;
  const literal = [...code.matchAll(new RegExp(`\\b${api}\\(\\s*'([^']+)'`, 'g'))].map((m) => m[1]);
  return { literal, dynamic: all - literal.length };
};

const permissionProblems = (code: string, p: Permissions): string[] => {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const api of requiredApis(code)) {
    if (!(api in API_PERMISSION)) problems.push(`${api}: unknown API, add it to API_PERMISSION`);
    const needs = API_PERMISSION[api];
    if (!needs) continue;
    used.add(needs);
    if (!p.ids.includes(needs)) problems.push(`${api} needs the ${needs} permission`);
  }
  const paths: [string, keyof Access, ...(keyof Access)[]][] = [
    ['callInWindow', 'execute'],
    ['copyFromWindow', 'read'],
    ['createQueue', 'read', 'write'],
  ];
  for (const [api, ...access] of paths) {
    const { literal, dynamic } = literalArgs(code, api);
    if (dynamic) problems.push(`${api} with a path that is not a string literal cannot be checked`);
    for (const path of literal)
      for (const a of access)
        if (!p.globals[path]?.[a]) problems.push(`${api}('${path}') needs ${a} access to ${path}`);
  }
  const gtag = literalArgs(code, 'gtagSet');
  if (gtag.dynamic) problems.push('gtagSet with a key that is not a string literal cannot be checked');
  for (const key of gtag.literal)
    if (!p.dataLayerKeys.includes(key)) problems.push(`gtagSet('${key}') needs write_data_layer for ${key}`);
  for (const type of CONSENT_MODE_TYPES)
    if (!p.consent[type]?.read || !p.consent[type]?.write) problems.push(`access_consent: ${type} read and write`);
  for (const id of p.ids) if (!used.has(id)) problems.push(`${id} is declared but no API uses it`);
  return problems;
};

// https://developers.google.com/tag-platform/tag-manager/templates/standard-library, and the
// methods of the objects the APIs return.
const STANDARD_METHODS = new Set(
  (
    'concat every filter forEach indexOf join lastIndexOf map pop push reduce reduceRight reverse shift slice some ' +
    'sort splice toString unshift charAt match replace search split substring toLowerCase toLocaleLowerCase ' +
    'toUpperCase toLocaleUpperCase trim getItem setItem removeItem clear gtmOnSuccess gtmOnFailure'
  ).split(' '),
);
const sandboxProblems = (source: string): string[] => {
  const code = stripComments(source).replace(/'(?:[^'\\\n]|\\.)*'/g, "''");
  const problems: string[] = [];
  const banned: [RegExp, string][] = [
    [/\bnew\b/, 'new (no constructors in the sandbox)'],
    [/\bthis\b/, 'this (functions have none in the sandbox)'],
    [/`/, 'template literals'],
    [/\.\.\./, 'spread'],
    [/\bclass\b/, 'classes'],
    [/\btry\b/, 'try (not documented for the sandbox; a failure must fail the tag, closed)'],
    [/\btypeof\b/, 'typeof (use getType)'],
    [/\b(window|document|console|setTimeout|Object|JSON|Math)\b/, 'browser or JS globals (use require)'],
  ];
  for (const [re, what] of banned) if (re.test(code)) problems.push(what);
  for (const [, method] of code.matchAll(/\.(\w+)\s*\(/g))
    if (!STANDARD_METHODS.has(method)) problems.push(`.${method}() is not in the sandbox's standard library`);
  return problems;
};

// ---- A GTM runtime, small: the APIs the template requires, over a page's window ---------------

type Fn = (...args: unknown[]) => unknown;
interface Call {
  api: string;
  args: unknown[];
}
interface Env {
  page: Record<string, unknown>;
  storage: Map<string, unknown>;
  calls: Call[];
  /** Errors that escaped the template's code: GTM marks the tag as failed. */
  failures: unknown[];
  mocks: Map<string, unknown>;
}
const env = (page: Record<string, unknown> = {}): Env => ({
  page,
  storage: new Map(),
  calls: [],
  failures: [],
  mocks: new Map(),
});

/** A deep copy into this realm; functions go through `wrap`. Values cross GTM's sandbox this way. */
const cross = (value: unknown, wrap: (fn: Fn) => Fn, depth = 0): unknown => {
  if (typeof value === 'function') return wrap(value as Fn);
  if (value === null || typeof value !== 'object' || depth > 20) return value;
  if (Array.isArray(value)) return Array.from(value, (v) => cross(v, wrap, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = cross((value as Record<string, unknown>)[key], wrap, depth + 1);
  return out;
};
const toSandbox = (value: unknown): unknown =>
  cross(
    value,
    (fn) =>
      (...args) =>
        toSandbox(fn.apply(undefined, args.map(toPage))),
  );
const toPage = (value: unknown): unknown =>
  cross(
    value,
    (fn) =>
      (...args) =>
        toPage(fn.apply(undefined, args.map(toSandbox))),
  );
const plain = (value: unknown) => cross(value, (fn) => fn);

const resolve = (root: unknown, path: string) =>
  path.split('.').reduce<unknown>((at, key) => (at == null ? undefined : (at as Record<string, unknown>)[key]), root);

// Globals the sandbox does not have: shadowed, so code that relies on them fails here too.
const HIDDEN =
  'window, document, console, setTimeout, Object, JSON, Math, Date, String, Number, Array, Promise, globalThis, Function';
const compile = (code: string) =>
  vm.runInNewContext(`(function (require, data, ${HIDDEN}) {\n${code}\n})`) as (
    require: unknown,
    data: unknown,
  ) => void;

const apis = (e: Env, p: Permissions): Record<string, unknown> => {
  const deny = (what: string) => {
    throw new Error(`permission denied: ${what}`);
  };
  const checkConsent = (command: unknown) => {
    for (const key of Object.keys(command as object))
      if (key !== 'region' && key !== 'wait_for_update' && !p.consent[key]?.write) deny(`write consent ${key}`);
  };
  return {
    setDefaultConsentState: (command: unknown) => checkConsent(command),
    updateConsentState: (command: unknown) => checkConsent(command),
    gtagSet: (key: string) => {
      if (!p.dataLayerKeys.some((k) => k === key || (k.endsWith('*') && key.startsWith(k.slice(0, -1)))))
        deny(`gtagSet ${key}`);
    },
    callInWindow: (path: string, ...args: unknown[]) => {
      if (!p.globals[path]?.execute) deny(`execute ${path}`);
      const fn = resolve(e.page, path);
      // GTM gives undefined for a path that is not a function; `this` is not relied on.
      return typeof fn === 'function' ? toSandbox(fn.apply(undefined, args.map(toPage))) : undefined;
    },
    copyFromWindow: (path: string) => {
      if (!p.globals[path]?.read) deny(`read ${path}`);
      return toSandbox(resolve(e.page, path));
    },
    createQueue: (name: string) => {
      if (!p.globals[name]?.read || !p.globals[name]?.write) deny(`readwrite ${name}`);
      if (e.page[name] === undefined) e.page[name] = [];
      const queue = e.page[name] as { push?: Fn };
      return (value: unknown) => (typeof queue.push === 'function' ? queue.push(toPage(value)) : undefined);
    },
    logToConsole: () => {
      if (!p.ids.includes('logging')) deny('logging');
    },
    templateStorage: {
      getItem: (key: string) =>
        p.ids.includes('access_template_storage') ? (e.storage.get(key) ?? null) : deny('storage'),
      setItem: (key: string, value: unknown) => {
        if (!p.ids.includes('access_template_storage')) deny('storage');
        e.storage.set(key, value);
      },
      removeItem: (key: string) => e.storage.delete(key),
      clear: () => e.storage.clear(),
    },
    getType: (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v),
    makeInteger: (v: unknown) => {
      const n = Number(v);
      return Number.isFinite(n) ? Math.trunc(n) : Number.NaN;
    },
  };
};

/** `require` for the template: every call recorded; a mock replaces the API (GTM tests' mock()). */
const requireFor = (e: Env, t: Template) => {
  const real = apis(e, t.permissions);
  return (name: string) => {
    if (!(name in real) && !e.mocks.has(name)) throw new Error(`no fake for the GTM API ${name}`);
    const mocked = e.mocks.has(name);
    const mock = e.mocks.get(name);
    const api = mocked ? (typeof mock === 'function' ? mock : () => mock) : real[name];
    if (typeof api !== 'function') return api;
    return (...args: unknown[]) => {
      e.calls.push({ api: name, args: args.map(plain) });
      return (api as Fn)(...args);
    };
  };
};

/** Fires the tag once, as GTM does on Consent Initialization. */
const fire = (e: Env, data: Record<string, unknown> = defaultData(), t: Template = tpl) => {
  const tagData = {
    ...data,
    gtmOnSuccess: () => e.calls.push({ api: 'gtmOnSuccess', args: [] }),
    gtmOnFailure: () => e.calls.push({ api: 'gtmOnFailure', args: [] }),
  };
  try {
    compile(t.code)(requireFor(e, t), tagData);
  } catch (error) {
    e.failures.push(error);
  }
  return e;
};

const callsTo = (e: Env, api: string) => e.calls.filter((c) => c.api === api).map((c) => c.args);
const defaults = (e: Env) => callsTo(e, 'setDefaultConsentState').map((a) => a[0] as Record<string, unknown>);
const updates = (e: Env) => callsTo(e, 'updateConsentState').map((a) => a[0] as Record<string, string>);
const order = (e: Env) => e.calls.map((c) => c.api).filter((a) => /ConsentState|gtmOnSuccess|gtagSet/.test(a));

/** What Google tags would see in `region`: the most specific default, then every update. */
const consentIn = (e: Env, region = 'ZZ') => {
  const all = defaults(e);
  const regional = (code: string) => all.find((d) => (d.region as string[] | undefined)?.includes(code));
  const base = regional(region) ?? regional(region.split('-')[0]) ?? all.find((d) => !d.region) ?? {};
  const out: Record<string, unknown> = {};
  for (const type of CONSENT_MODE_TYPES) out[type] = base[type];
  for (const u of updates(e)) Object.assign(out, u);
  return out;
};
const DENIED: Record<ConsentModeType, string> = {
  ad_storage: 'denied',
  ad_user_data: 'denied',
  ad_personalization: 'denied',
  analytics_storage: 'denied',
  functionality_storage: 'denied',
  personalization_storage: 'denied',
  security_storage: 'granted',
};

// ---- A fake window.assent, with the documented shape of getState() and on() ------------------

type Handler = (detail: unknown) => void;
const fakeAssent = (state: Partial<ConsentState> = {}, ready = true) => {
  let current: ConsentState = {
    decided: false,
    purposes: {},
    id: '',
    version: '1',
    updatedAt: null,
    method: null,
    ...state,
  };
  const handlers: Record<string, Handler[]> = {};
  const getState = () => ({ ...current, purposes: { ...current.purposes } });
  // Like the loader: handlers that throw are reported, not passed on to the page.
  const emit = (event: string) => {
    for (const h of handlers[event] ?? [])
      try {
        h({ state: getState(), changed: [] });
      } catch (error) {
        errors.push(error);
      }
  };
  const errors: unknown[] = [];
  const api = {
    getState,
    on: (event: string, h: Handler) => {
      if (event === 'ready' && ready) h({ state: getState() });
      else (handlers[event] ||= []).push(h);
      return () => {};
    },
  };
  return {
    api,
    errors,
    handlers,
    change(next: Partial<ConsentState>) {
      current = { ...current, ...next };
      emit('change');
    },
    becomeReady(next: Partial<ConsentState>) {
      current = { ...current, ...next };
      ready = true;
      emit('ready');
    },
  };
};
const RETURNING: Partial<ConsentState> = {
  decided: true,
  id: 'c0ffee',
  updatedAt: '2026-03-01T10:00:00.000Z',
  method: 'banner',
};

// ---- The tests -------------------------------------------------------------------------------

describe('the .tpl file', () => {
  it('is a GTM custom template export with the sections GTM imports', () => {
    const names = Object.keys(tpl.sections);
    const expected = [
      'TERMS_OF_SERVICE',
      'INFO',
      'TEMPLATE_PARAMETERS',
      'SANDBOXED_JS_FOR_WEB_TEMPLATE',
      'WEB_PERMISSIONS',
    ];
    expect(names.filter((n) => expected.includes(n))).toEqual(expected);
    expect(tpl.info).toMatchObject({ type: 'TAG', id: 'cvt_temp_public_id', version: 1, containerContexts: ['WEB'] });
    expect(tpl.info.displayName).toEqual(expect.any(String));
    expect(tpl.info.categories).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(tpl.info.brand).toEqual({ id: expect.any(String), displayName: 'Assent' });
  });

  it('reads only parameters it declares, with one purpose list per consent type', () => {
    const names = tpl.params.map((p) => p.name);
    const read = [...tpl.code.matchAll(/\bdata\.(\w+)/g)].map((m) => m[1]).filter((n) => !/^gtmOn/.test(n));
    expect(read.filter((n) => !names.includes(n))).toEqual([]);
    for (const type of CONSENT_MODE_TYPES) expect(names).toContain(`purposes_${type}`);
    const table = tpl.params.find((p) => p.name === 'defaults');
    expect(table?.simpleTableColumns?.map((c) => c.name)).toEqual(['region', ...CONSENT_MODE_TYPES]);
  });

  it('declares a permission for every API it requires and every global, key and consent type it touches', () => {
    expect(requiredApis(tpl.code).length).toBeGreaterThan(5);
    expect(permissionProblems(tpl.code, tpl.permissions)).toEqual([]);
    expect(tpl.permissions.consent).toEqual(
      Object.fromEntries(CONSENT_MODE_TYPES.map((t) => [t, { consentType: t, read: true, write: true }])),
    );
  });

  it('the permission check catches a permission that goes missing', () => {
    const without = (change: (p: Permissions) => void) => {
      const p = permissionsOf(tpl.sections.WEB_PERMISSIONS);
      change(p);
      return permissionProblems(tpl.code, p);
    };
    expect(without((p) => delete p.globals['assent.getState'])).toEqual([
      "callInWindow('assent.getState') needs execute access to assent.getState",
    ]);
    expect(without((p) => (p.globals.assentQueue = { read: true }))).toEqual([
      "createQueue('assentQueue') needs write access to assentQueue",
    ]);
    expect(without((p) => delete p.consent.security_storage)).toEqual([
      'access_consent: security_storage read and write',
    ]);
    expect(without((p) => (p.ids = p.ids.filter((id) => id !== 'logging')))).toEqual([
      'logToConsole needs the logging permission',
    ]);
    expect(without((p) => (p.dataLayerKeys = ['ads_data_redaction']))).toEqual([
      "gtagSet('url_passthrough') needs write_data_layer for url_passthrough",
    ]);
    expect(permissionProblems(`${tpl.code}\nconst sendPixel = require('sendPixel');`, tpl.permissions)).toEqual([
      'sendPixel: unknown API, add it to API_PERMISSION',
    ]);
  });

  it('a permission the code lacks fails the tag at run time too', () => {
    const t = load(TPL.replace('"ads_data_redaction"', '"not_it"'));
    const e = fire(env({ assent: fakeAssent().api }), defaultData({ adsDataRedaction: true }), t);
    expect(String(e.failures[0])).toContain('permission denied: gtagSet ads_data_redaction');
  });

  it('sticks to sandboxed JavaScript', () => {
    expect(sandboxProblems(tpl.code)).toEqual([]);
    expect(sandboxProblems("const d = new Date(); this.x = `y`; 'a'.padStart(2); typeof JSON;")).toEqual([
      'new (no constructors in the sandbox)',
      'this (functions have none in the sandbox)',
      'template literals',
      'typeof (use getType)',
      'browser or JS globals (use require)',
      ".padStart() is not in the sandbox's standard library",
    ]);
  });
});

describe('a new visitor', () => {
  it('gets one default with all seven types denied but security_storage, and wait_for_update', () => {
    const assent = fakeAssent({ purposes: { analytics: false, marketing: false } });
    const e = fire(env({ assent: assent.api }));
    expect(defaults(e)).toEqual([{ ...DENIED, wait_for_update: 500 }]);
    expect(updates(e)).toEqual([]);
    expect(callsTo(e, 'gtagSet')).toEqual([]);
    expect(order(e)).toEqual(['setDefaultConsentState', 'gtmOnSuccess']);
    expect(assent.handlers.change).toHaveLength(1);
    expect(e.failures).toEqual([]);
  });

  it('gets a default for everywhere and one per row with regions, each with all seven types', () => {
    const row = (region: string, granted: string[]) => ({
      region,
      ...Object.fromEntries(CONSENT_MODE_TYPES.map((t) => [t, granted.includes(t) ? 'granted' : 'denied'])),
    });
    const e = fire(
      env({ assent: fakeAssent().api }),
      defaultData({
        waitForUpdate: '800',
        defaults: [row('ES, us-ak', ['analytics_storage', 'security_storage']), row(' ', ['security_storage'])],
      }),
    );
    expect(defaults(e)).toEqual([
      { ...DENIED, wait_for_update: 800 },
      { ...DENIED, analytics_storage: 'granted', region: ['ES', 'US-AK'], wait_for_update: 800 },
    ]);
    expect(consentIn(e, 'ES').analytics_storage).toBe('granted');
    expect(consentIn(e, 'US-AK').analytics_storage).toBe('granted');
    expect(consentIn(e, 'US-CA').analytics_storage).toBe('denied');
    expect(consentIn(e, 'FR')).toEqual(DENIED);
  });

  it('keeps the denied default for everywhere when every row names regions', () => {
    const e = fire(
      env({ assent: fakeAssent().api }),
      defaultData({ defaults: [{ region: 'US', ad_storage: 'granted' }] }),
    );
    expect(defaults(e).map((d) => d.region)).toEqual([undefined, ['US']]);
    expect(defaults(e)[0]).toEqual({ ...DENIED, wait_for_update: 500 });
    // A row's missing or misspelt values are denied, never left unset (GTM would count them granted).
    expect(defaults(e)[1]).toEqual({
      ...DENIED,
      ad_storage: 'granted',
      security_storage: 'denied',
      region: ['US'],
      wait_for_update: 500,
    });
  });

  it('lets a row without regions replace the default for everywhere; anything but "granted" is denied', () => {
    const e = fire(
      env({ assent: fakeAssent().api }),
      defaultData({ defaults: [{ region: '', analytics_storage: 'Granted', ad_storage: 'granted' }] }),
    );
    expect(defaults(e)).toEqual([
      { ...DENIED, ad_storage: 'granted', security_storage: 'denied', wait_for_update: 500 },
    ]);
  });

  it.each([0, '0', '', 'soon', -5, undefined])('sends no wait_for_update for %j', (waitForUpdate) => {
    const e = fire(env({ assent: fakeAssent().api }), defaultData({ waitForUpdate }));
    expect(defaults(e)).toEqual([DENIED]);
  });
});

describe('a returning visitor', () => {
  it('gets the stored choice as an update right after the default, before the tag completes', () => {
    const assent = fakeAssent({ ...RETURNING, purposes: { necessary: true, analytics: true, marketing: false } });
    const e = fire(env({ assent: assent.api }));
    expect(order(e)).toEqual(['setDefaultConsentState', 'updateConsentState', 'gtmOnSuccess']);
    // Only the mapped types: the others keep the default of the visitor's region.
    expect(updates(e)).toEqual([
      { ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied', analytics_storage: 'granted' },
    ]);
    expect(consentIn(e)).toEqual({ ...DENIED, analytics_storage: 'granted' });
  });

  it('grants a type mapped to several purposes only when all are allowed, exactly like the loader', () => {
    const map: Record<string, ConsentModeType[]> = {
      a: ['analytics_storage', 'ad_storage', 'functionality_storage'],
      b: ['ad_storage', 'personalization_storage', 'functionality_storage'],
      c: ['personalization_storage', 'functionality_storage', 'security_storage', 'ad_personalization'],
    };
    const perType = Object.fromEntries(
      CONSENT_MODE_TYPES.map((t) => [
        `purposes_${t}`,
        Object.keys(map)
          .filter((id) => map[id].includes(t))
          .join(t === 'functionality_storage' ? ' , ' : ', '),
      ]),
    );
    const mapped = CONSENT_MODE_TYPES.filter((t) => perType[`purposes_${t}`]);
    expect(mapped).toHaveLength(6);
    for (let bits = 0; bits < 8; bits++) {
      const purposes = { a: !!(bits & 1), b: !!(bits & 2), c: !!(bits & 4) };
      const e = fire(env({ assent: fakeAssent({ ...RETURNING, purposes }).api }), defaultData(perType));
      const loader = consentModeValues(map, purposes);
      expect(updates(e), JSON.stringify(purposes)).toEqual([Object.fromEntries(mapped.map((t) => [t, loader[t]]))]);
    }
  });

  it('treats anything but true as not allowed', () => {
    const purposes = { analytics: 'true', marketing: 1 } as unknown as Record<string, boolean>;
    const e = fire(env({ assent: fakeAssent({ ...RETURNING, purposes }).api }));
    expect(consentIn(e)).toEqual(DENIED);
    expect(e.failures).toEqual([]);
  });

  it('is read once Assent is ready, when its config is still being fetched as GTM starts', () => {
    const assent = fakeAssent({}, false);
    const e = fire(env({ assent: assent.api }));
    expect(updates(e)).toEqual([]);
    expect(callsTo(e, 'gtmOnSuccess')).toHaveLength(1);
    assent.becomeReady({ ...RETURNING, purposes: { analytics: true, marketing: true } });
    expect(consentIn(e)).toEqual({
      ...DENIED,
      ad_storage: 'granted',
      ad_user_data: 'granted',
      ad_personalization: 'granted',
      analytics_storage: 'granted',
    });
  });
});

describe('a later change', () => {
  it('sends an update on every change: a choice, a withdrawal, forget()', () => {
    const assent = fakeAssent({ purposes: { analytics: false, marketing: false } });
    const e = fire(env({ assent: assent.api }));
    assent.change({ ...RETURNING, purposes: { analytics: true, marketing: true } });
    expect(consentIn(e).ad_storage).toBe('granted');
    assent.change({ purposes: { analytics: true, marketing: false } });
    expect(consentIn(e)).toEqual({ ...DENIED, analytics_storage: 'granted' });
    // forget(): no decision any more, and the update says so.
    assent.change({ decided: false, id: '', updatedAt: null, method: null, purposes: { analytics: false } });
    expect(updates(e)).toHaveLength(3);
    expect(consentIn(e)).toEqual(DENIED);
    expect(assent.errors).toEqual([]);
  });

  it('reaches the template when Assent loads after GTM, through assentQueue', () => {
    const page: Record<string, unknown> = {};
    const e = fire(env(page));
    expect(page.assentQueue).toHaveLength(1);
    expect(updates(e)).toEqual([]);
    expect(callsTo(e, 'gtmOnSuccess')).toHaveLength(1);
    // What the loader's publish() does: window.assent first, then the queued calls.
    const assent = fakeAssent({ ...RETURNING, purposes: { analytics: true } });
    page.assent = assent.api;
    for (const call of page.assentQueue as Fn[]) call(assent.api);
    expect(consentIn(e).analytics_storage).toBe('granted');
    assent.change({ purposes: { analytics: false } });
    expect(consentIn(e)).toEqual(DENIED);
  });
});

describe('without a working Assent, it fails closed', () => {
  it('leaves the denied defaults in place when Assent is not on the page, and still succeeds', () => {
    const e = fire(env());
    expect(consentIn(e)).toEqual(DENIED);
    expect(callsTo(e, 'gtmOnSuccess')).toHaveLength(1);
    expect(callsTo(e, 'logToConsole')).toHaveLength(1);
    expect(e.failures).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['on that is not a function', { on: 'no', getState: () => ({ ...RETURNING, purposes: { analytics: true } }) }],
    ['no getState', { on: (_: string, h: Handler) => h({}) }],
    ['a getState that gives null', { on: (_: string, h: Handler) => h({}), getState: () => null }],
    [
      'purposes that are not an object',
      { on: (_: string, h: Handler) => h({}), getState: () => ({ ...RETURNING, purposes: 'all' }) },
    ],
  ])('window.assent with %s', (_, assent) => {
    const e = fire(env({ assent }));
    expect(defaults(e)).toEqual([{ ...DENIED, wait_for_update: 500 }]);
    expect(updates(e)).toEqual([]);
    expect(callsTo(e, 'gtmOnSuccess')).toHaveLength(1);
    expect(e.failures).toEqual([]);
  });

  it('fails the tag, after the denied defaults, when assent.getState() throws (no try in the sandbox)', () => {
    const assent = {
      on: (_: string, h: Handler) => h({}),
      getState: () => {
        throw new Error('broken');
      },
    };
    const e = fire(env({ assent }));
    expect(String(e.failures[0])).toContain('broken');
    expect(consentIn(e)).toEqual(DENIED);
    expect(callsTo(e, 'gtmOnSuccess')).toEqual([]);
  });

  it('does nothing more when fired twice on one page', () => {
    const assent = fakeAssent({ ...RETURNING, purposes: { analytics: true } });
    const e = env({ assent: assent.api });
    fire(e);
    fire(e);
    expect(defaults(e)).toHaveLength(1);
    expect(updates(e)).toHaveLength(1);
    expect(assent.handlers.change).toHaveLength(1);
    expect(callsTo(e, 'gtmOnSuccess')).toHaveLength(2);
  });
});

describe('ads data redaction and URL passthrough', () => {
  it('are set with gtagSet when checked, after the default', () => {
    const e = fire(env({ assent: fakeAssent().api }), defaultData({ adsDataRedaction: true, urlPassthrough: true }));
    expect(callsTo(e, 'gtagSet')).toEqual([
      ['ads_data_redaction', true],
      ['url_passthrough', true],
    ]);
    expect(order(e)).toEqual(['setDefaultConsentState', 'gtagSet', 'gtagSet', 'gtmOnSuccess']);
  });

  it('are left alone when not checked', () => {
    const e = fire(env({ assent: fakeAssent().api }), defaultData({ adsDataRedaction: false, urlPassthrough: false }));
    expect(callsTo(e, 'gtagSet')).toEqual([]);
  });
});

describe("the template's own GTM tests (___TESTS___)", () => {
  // The subset of GTM's test YAML the file uses: a setup block and named scenarios.
  const parse = (yaml: string) => {
    const lines = yaml.split('\n');
    let i = 0;
    const block = (indent: number) => {
      const body: string[] = [];
      while (i < lines.length && (lines[i].startsWith(' '.repeat(indent)) || lines[i].trim() === ''))
        body.push(lines[i++].slice(indent));
      return body.join('\n').trimEnd();
    };
    let setup = '';
    const scenarios: { name: string; code: string }[] = [];
    while (i < lines.length) {
      const line = lines[i++];
      if (line === 'setup: |-') setup = block(2);
      else if (line.startsWith('- name: ')) scenarios.push({ name: line.slice(8), code: '' });
      else if (line === '  code: |-') scenarios[scenarios.length - 1].code = block(4);
    }
    return { setup, scenarios };
  };
  const { setup, scenarios } = parse(tpl.sections.TESTS ?? '');

  it('has scenarios', () => expect(scenarios.length).toBeGreaterThanOrEqual(3));

  it.each(scenarios)('$name', ({ code }) => {
    const e = env();
    const assertApi = (name: string) => {
      const calls = callsTo(e, name);
      const fail = (what: string) => {
        throw new Error(`assertApi('${name}').${what}; calls: ${JSON.stringify(calls)}`);
      };
      return {
        wasCalled: () => calls.length > 0 || fail('wasCalled()'),
        wasNotCalled: () => calls.length === 0 || fail('wasNotCalled()'),
        wasCalledWith: (...args: unknown[]) =>
          calls.some((c) => isDeepStrictEqual(c, plain(args))) || fail(`wasCalledWith(${JSON.stringify(args)})`),
      };
    };
    const run = vm.runInNewContext(`(function (require, mock, runCode, assertApi) {\n${setup}\n${code}\n})`) as (
      ...args: unknown[]
    ) => void;
    run(
      requireFor(e, tpl),
      (name: string, value: unknown) => e.mocks.set(name, value),
      (data: Record<string, unknown>) => {
        fire(e, data);
        if (e.failures.length) throw e.failures[0];
      },
      assertApi,
    );
  });

  it('a wrong expectation fails', () => {
    const e = fire(env());
    expect(() => expect(updates(e)).toEqual([{ analytics_storage: 'granted' }])).toThrow();
  });
});

describe('with the real Assent loader', () => {
  type Win = Window & { dataLayer?: unknown[]; assentQueue?: unknown; assent?: unknown };
  const w = window as Win;
  const page = window as unknown as Record<string, unknown>;
  // The site's config without googleConsentMode (the template sends the signals), and the same
  // mapping entered in the template, per type.
  const config = () => ({ ...shopConfig(), googleConsentMode: undefined });
  const map = shopConfig().googleConsentMode?.purposes as Record<string, ConsentModeType[]>;
  const data = defaultData(
    Object.fromEntries(
      CONSENT_MODE_TYPES.map((t) => [
        `purposes_${t}`,
        Object.keys(map)
          .filter((id) => map[id].includes(t))
          .join(', '),
      ]),
    ),
  );
  const mapped = CONSENT_MODE_TYPES.filter((t) => data[`purposes_${t}`]);
  const loaderValues = (purposes: Record<string, boolean>) => {
    const all = consentModeValues(map, purposes);
    return Object.fromEntries(mapped.map((t) => [t, all[t]]));
  };
  const start = () => publish(startAssent(config()));

  beforeEach(() => {
    freshPage();
    delete w.assent;
    delete w.assentQueue;
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    delete w.assent;
    delete w.assentQueue;
  });

  it('a new visitor: defaults only; after acceptAll(), the update the loader itself would send', async () => {
    start();
    const e = fire(env(page), data);
    expect(updates(e)).toEqual([]);
    await window.assent?.acceptAll();
    expect(updates(e)).toEqual([loaderValues(window.assent?.getState().purposes ?? {})]);
    expect(consentIn(e).ad_storage).toBe('granted');
    expect(e.failures).toEqual([]);
  });

  it('a returning visitor: the stored choice follows the default at once', async () => {
    start();
    await window.assent?.set({ analytics: true, marketing: false, security: false });
    delete w.assent;
    start();
    const e = fire(env(page), data);
    expect(order(e)).toEqual(['setDefaultConsentState', 'updateConsentState', 'gtmOnSuccess']);
    expect(updates(e)).toEqual([loaderValues({ necessary: true, legal: true, analytics: true, marketing: false })]);
    expect(consentIn(e)).toMatchObject({
      analytics_storage: 'granted',
      ad_storage: 'denied',
      security_storage: 'granted',
    });
  });

  it('GTM before Assent: the queued call runs when the loader starts', async () => {
    start();
    await window.assent?.set({ analytics: true, marketing: true });
    delete w.assent;
    delete w.assentQueue;
    const e = fire(env(page), data);
    expect(w.assentQueue).toHaveLength(1);
    start();
    expect(updates(e)).toEqual([loaderValues({ necessary: true, analytics: true, marketing: true })]);
  });

  it('pushes the dataLayer events the trigger recipe in docs/gtm.md relies on', async () => {
    start();
    expect(w.dataLayer).toContainEqual({
      event: 'assent_ready',
      assent: { necessary: 'granted', legal: 'granted', security: 'granted', analytics: 'denied', marketing: 'denied' },
    });
    await window.assent?.set({ analytics: true });
    expect(w.dataLayer?.at(-1)).toEqual({
      event: 'assent_update',
      assent: {
        necessary: 'granted',
        legal: 'granted',
        security: 'granted',
        analytics: 'granted',
        marketing: 'denied',
      },
    });
  });
});
