// @vitest-environment happy-dom
// The JS API's state transitions, on a simulated page. Script gating, tabs and the real cookie
// jar are covered end to end in Chromium (test/e2e).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AssentConfig } from '../../src/core/config';
import { decodeConsentCookie, encodeConsentCookie } from '../../src/core/cookie';
import { startAssent } from '../../src/loader/assent';
import { publish } from '../../src/loader/global';
import { NEW_VISITOR_CONSENT_MODE, shopConfig } from '../fixtures/configs';
import { freshPage } from './fresh-page';

type Win = Window & { dataLayer?: unknown[]; gtag?: unknown };
const w = window as Win;
const rawCookie = () => document.cookie.match(/(?:^|; )assent=([^;]*)/)?.[1];
const cookie = () => decodeConsentCookie(rawCookie());
/** The endpoint's answers re-issue a cookie, as the collector does when served from the site's origin. */
const answersReissue = (value: string, status = 200) =>
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => {
      document.cookie = `assent=${value}; Path=/`;
      return new Response('{"results":[]}', { status });
    }),
  );
const setGpc = (on: boolean) =>
  Object.defineProperty(navigator, 'globalPrivacyControl', { value: on, configurable: true });

beforeEach(() => {
  freshPage();
  delete w.gtag;
  setGpc(false);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** The purposes a state allows, in order. */
const allowedIn = (purposes: Record<string, boolean>) => Object.keys(purposes).filter((id) => purposes[id]);

describe('a new visitor', () => {
  it('is undecided, with only required and legitimate-interest purposes allowed', () => {
    const api = startAssent(shopConfig());
    expect(api.getState()).toEqual({
      decided: false,
      purposes: { necessary: true, legal: true, security: true, analytics: false, marketing: false },
      id: '',
      version: '3',
      updatedAt: null,
      method: null,
    });
  });

  it('sends the Consent Mode default first, with all seven types and wait_for_update', () => {
    startAssent(shopConfig());
    const first = Array.from(w.dataLayer?.[0] as IArguments);
    expect(first).toEqual(['consent', 'default', NEW_VISITOR_CONSENT_MODE]);
    expect(w.dataLayer?.[1]).toEqual({
      event: 'assent_ready',
      assent: { necessary: 'granted', legal: 'granted', security: 'granted', analytics: 'denied', marketing: 'denied' },
    });
  });
});

describe('deciding', () => {
  it('acceptAll() grants, stores the decision in the cookie and resolves with the receipt', async () => {
    const api = startAssent(shopConfig());
    const changes: string[][] = [];
    api.on('change', (d) => changes.push(d.changed));
    const receipt = await api.acceptAll();
    expect(api.getState()).toMatchObject({ decided: true, method: 'api', id: receipt.consentId });
    expect(api.get('marketing')).toBe(true);
    expect(changes).toEqual([['analytics', 'marketing']]);
    expect(receipt).toMatchObject({ type: 'consent', method: 'api', previousId: null, gpc: false });
    expect(cookie()).toMatchObject({ consentId: receipt.consentId, receiptId: receipt.id, method: 'api' });
    expect(cookie()?.choices).toEqual({ security: true, analytics: true, marketing: true });
  });

  it('rejectAll() objects to legitimate interest too, and the next receipt points to the previous one', async () => {
    const api = startAssent(shopConfig());
    const first = await api.acceptAll();
    const second = await api.rejectAll();
    expect(api.getState().purposes).toEqual({
      necessary: true,
      legal: true,
      security: false,
      analytics: false,
      marketing: false,
    });
    expect(second.previousId).toBe(first.id);
    expect(second.consentId).toBe(first.consentId);
    expect(second.purposes.find((p) => p.id === 'security')?.granted).toBe(false);
  });

  it('set() is a decision: it changes the purposes it names and records the rest as they are', async () => {
    const api = startAssent(shopConfig());
    const receipt = await api.set({ analytics: true });
    // A new visitor: the purposes not named keep the default of their basis, and say so.
    expect(api.getState()).toMatchObject({
      decided: true,
      method: 'api',
      purposes: { analytics: true, marketing: false, security: true },
    });
    expect(cookie()?.choices).toEqual({ security: true, analytics: true, marketing: false });
    expect(receipt.purposes.map((p) => [p.id, p.granted])).toEqual([
      ['necessary', true],
      ['legal', true],
      ['security', true],
      ['analytics', true],
      ['marketing', false],
    ]);
    await api.set({ security: false });
    expect(api.getState().purposes).toMatchObject({ analytics: true, security: false, marketing: false });
  });

  it('set() of one purpose is remembered: the next page view finds the visitor decided', async () => {
    await startAssent(shopConfig()).set({ marketing: true });
    expect(startAssent(shopConfig()).getState()).toMatchObject({
      decided: true,
      method: 'api',
      purposes: { marketing: true, analytics: false, security: true },
    });
  });

  it('set() rejects unknown and always-active purposes, and records nothing', async () => {
    const api = startAssent(shopConfig());
    await expect(api.set({ nope: true })).rejects.toThrow('assent: set(): unknown purpose: "nope"');
    await expect(api.set({ necessary: false })).rejects.toThrow('set(): always active: "necessary"');
    await expect(api.set({ analytics: 'yes' as never })).rejects.toThrow('set(): not true or false: "analytics"');
    expect(api.getState().id).toBe('');
    expect(cookie()).toBeNull();
  });

  it('set() reads each value once, and own keys only: the receipt records what was allowed', async () => {
    const api = startAssent(shopConfig());
    let reads = 0;
    const shifty = {
      get analytics() {
        return reads++ ? 'yes' : false;
      },
    };
    const receipt = await api.set(shifty as never);
    expect(reads).toBe(1);
    expect(receipt.purposes.find((p) => p.id === 'analytics')?.granted).toBe(false);
    expect(api.get('analytics')).toBe(false);
    // An inherited key is no answer: it is neither checked nor recorded.
    await api.set(Object.create({ analytics: true }));
    expect(api.get('analytics')).toBe(false);
    expect(() => api.set(undefined as never)).toThrow(TypeError);
  });

  it('a config that declares an id twice, once always active, allows neither when it fails closed', () => {
    const config = shopConfig();
    config.purposes.push({ ...config.purposes[0], id: 'analytics', basis: 'contract' });
    const api = startAssent(config);
    expect(api.get('analytics')).toBe(false);
    expect(api.get('necessary')).toBe(true);
  });

  it('pushes a Consent Mode update and a dataLayer event on every change', async () => {
    const api = startAssent(shopConfig());
    await api.set({ analytics: true });
    const update = Array.from(w.dataLayer?.at(-2) as IArguments);
    expect(update.slice(0, 2)).toEqual(['consent', 'update']);
    expect(update[2]).toMatchObject({ analytics_storage: 'granted', ad_storage: 'denied' });
    expect(w.dataLayer?.at(-1)).toMatchObject({ event: 'assent_update', assent: { analytics: 'granted' } });
  });

  it('leaves dataLayer alone with dataLayer: false and no Consent Mode', async () => {
    const config: AssentConfig = { ...shopConfig(), dataLayer: false, googleConsentMode: undefined };
    await startAssent(config).acceptAll();
    expect(w.dataLayer).toBeUndefined();
  });
});

describe('a returning visitor', () => {
  it('gets the stored choice at once, and a Consent Mode update right after the default', async () => {
    await startAssent(shopConfig()).set({ analytics: true, marketing: false, security: false });
    w.dataLayer = [];
    const api = startAssent(shopConfig());
    expect(api.getState()).toMatchObject({
      decided: true,
      purposes: { analytics: true, marketing: false, security: false },
    });
    const [def, upd] = w.dataLayer.slice(0, 2).map((x) => Array.from(x as IArguments));
    expect(def[1]).toBe('default');
    expect(def[2]).not.toHaveProperty('wait_for_update');
    expect(upd[1]).toBe('update');
    expect(upd[2]).toMatchObject({ analytics_storage: 'granted' });
  });

  it('is asked again after a new policy version, keeping the consent id', async () => {
    const first = await startAssent(shopConfig()).acceptAll();
    const api = startAssent({ ...shopConfig(), policy: { url: '/p', version: '4' } });
    expect(api.getState()).toMatchObject({ decided: false, id: first.consentId, purposes: { analytics: false } });
  });

  it('is asked again about a new purpose, with the earlier answers preselected and in force', async () => {
    await startAssent(shopConfig()).acceptAll();
    const config = shopConfig();
    config.purposes.push({ id: 'chat', basis: 'consent', title: 'Chat', description: 'Support chat' });
    const api = startAssent(config);
    expect(api.getState()).toMatchObject({
      decided: false,
      purposes: { analytics: true, marketing: true, chat: false },
    });
  });

  it('forget() erases the decision: no consent id, undecided, and the next decision makes a new id', async () => {
    const api = startAssent(shopConfig());
    const first = await api.acceptAll();
    await api.forget();
    expect(api.getState()).toMatchObject({ decided: false, id: '', purposes: { analytics: false } });
    expect(cookie()).toBeNull();
    const next = await api.rejectAll();
    expect(next.consentId).not.toBe(first.consentId);
    expect(next.previousId).toBeNull();
  });

  it('treats a tampered cookie as no decision', async () => {
    await startAssent(shopConfig()).acceptAll();
    const value = document.cookie.match(/assent=([^;]*)/)?.[1] as string;
    document.cookie = `assent=${value.replace('marketing1', 'marketing0')}; Path=/`;
    expect(startAssent(shopConfig()).getState()).toMatchObject({ decided: false, purposes: { marketing: false } });
  });
});

describe('Global Privacy Control', () => {
  it('denies marketing before anything renders and records one gpc receipt that creates the consent id', async () => {
    setGpc(true);
    const api = startAssent(shopConfig());
    expect(api.get('marketing')).toBe(false);
    await vi.waitFor(() => expect(api.getState().method).toBe('gpc'));
    expect(api.getState()).toMatchObject({ decided: false, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(cookie()).toMatchObject({ gpc: true, method: 'gpc', choices: {} });
    const again = startAssent(shopConfig());
    expect(again.getState()).toMatchObject({ method: 'gpc', id: api.getState().id });
  });

  it('"Accept all" does not grant what the signal denied; switching it on explicitly does', async () => {
    setGpc(true);
    const api = startAssent(shopConfig());
    const accepted = await api.acceptAll();
    expect(accepted.gpc).toBe(true);
    expect(api.getState()).toMatchObject({ decided: true, purposes: { analytics: true, marketing: false } });
    await api.set({ marketing: true });
    expect(api.get('marketing')).toBe(true);
    expect(startAssent(shopConfig()).get('marketing')).toBe(true);
  });

  it('overrides an earlier grant once the browser starts sending the signal', async () => {
    await startAssent(shopConfig()).acceptAll();
    setGpc(true);
    const api = startAssent(shopConfig());
    expect(api.get('marketing')).toBe(false);
    await vi.waitFor(() =>
      expect(cookie()).toMatchObject({ method: 'gpc', choices: { marketing: false, analytics: true } }),
    );
    expect(api.getState().decided).toBe(true);
  });

  it('deny-all denies legitimate interest too; ignore changes nothing', () => {
    setGpc(true);
    expect(startAssent({ ...shopConfig(), consent: { gpc: 'deny-all' } }).get('security')).toBe(false);
    document.cookie = 'assent=; Max-Age=0; Path=/';
    const ignoring = startAssent({ ...shopConfig(), consent: { gpc: 'ignore' } });
    expect(ignoring.getState()).toMatchObject({ id: '', purposes: { security: true } });
  });
});

describe('events and the API around them', () => {
  it('fires ready once; a handler added later is called at once; on() returns unsubscribe', async () => {
    const api = startAssent(shopConfig());
    const ready = vi.fn();
    api.on('ready', ready);
    expect(ready).toHaveBeenCalledWith({ state: api.getState() });
    const change = vi.fn();
    const off = api.on('change', change);
    off();
    await api.acceptAll();
    expect(change).not.toHaveBeenCalled();
  });

  it('dispatches every event on window as assent:<event>', async () => {
    const seen: string[] = [];
    addEventListener('assent:change', (e) => seen.push((e as CustomEvent).detail.changed.join()));
    await startAssent(shopConfig()).set({ analytics: true });
    expect(seen).toContain('analytics');
  });

  it('keeps going when a handler throws', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const api = startAssent(shopConfig());
    const after = vi.fn();
    api.on('change', () => {
      throw new Error('boom');
    });
    api.on('change', after);
    await api.acceptAll();
    expect(after).toHaveBeenCalled();
    expect(console.error).toHaveBeenCalledWith('assent: an event handler threw', expect.any(Error));
  });

  it('whenAllowed() resolves once allowed and rejects for an unknown purpose', async () => {
    const api = startAssent(shopConfig());
    let allowed = false;
    const waiting = api.whenAllowed('analytics').then(() => (allowed = true));
    await Promise.resolve();
    expect(allowed).toBe(false);
    await api.set({ analytics: true });
    await waiting;
    await expect(api.whenAllowed('necessary')).resolves.toBeUndefined();
    await expect(api.whenAllowed('nope')).rejects.toThrow('unknown purpose');
  });

  it('get() of an unknown purpose is false with a console warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(startAssent(shopConfig()).get('nope')).toBe(false);
    expect(warn).toHaveBeenCalledWith('assent: get("nope"): unknown purpose');
  });

  it('runs calls queued before the loader, and later pushes at once', () => {
    const calls: string[] = [];
    (window as { assentQueue?: unknown }).assentQueue = [
      (api: { version: string }) => calls.push(`queued ${api.version}`),
    ];
    publish(startAssent(shopConfig()));
    (window.assentQueue as { push: (f: () => void) => void }).push(() => calls.push('later'));
    expect(calls).toEqual(['queued test', 'later']);
    expect(window.assent?.version).toBe('test');
  });
});

describe('ids that every object inherits', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'get(%j) is false, and whenAllowed() of it rejects',
    async (id) => {
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const api = startAssent(shopConfig());
      expect(api.get(id)).toBe(false);
      await expect(api.whenAllowed(id)).rejects.toThrow('unknown purpose');
    },
  );

  it.each(['constructor', '__proto__'])('a purpose named %j fails closed: no decision, nothing allowed', (id) => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    // As the loader reads it: JSON, where `__proto__` is a field like any other.
    const config = JSON.parse(JSON.stringify(shopConfig()).replace('"id":"analytics"', `"id":"${id}"`));
    const api = startAssent(config);
    expect(error.mock.calls[0][0]).toContain(`config.purposes[3].id must be a unique id`);
    expect(allowedIn(api.getState().purposes)).toEqual(['necessary', 'legal']);
    expect(api.get(id)).toBe(false);
    expect(api.get('marketing')).toBe(false);
  });

  it('a page that puts a purpose on Object.prototype gains nothing: Assent fails closed', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const proto = Object.prototype as Record<string, unknown>;
    proto.analytics = true;
    try {
      const api = startAssent(shopConfig());
      expect(api.get('analytics')).toBe(false);
      expect(allowedIn(api.getState().purposes)).toEqual(['necessary', 'legal']);
    } finally {
      delete proto.analytics;
    }
  });

  it('answers in the cookie for `constructor` or `__proto__` grant nothing', () => {
    const api = startAssent(shopConfig());
    const value = encodeConsentCookie({
      v: 1,
      consentId: '3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b',
      receiptId: null,
      updatedAt: Date.now(),
      method: 'api',
      gpc: false,
      pending: false,
      policyVersion: '3',
      choices: JSON.parse('{"constructor":true,"__proto__":true}'),
    });
    document.cookie = `assent=${value}; Path=/`;
    const again = startAssent(shopConfig());
    expect(again.getState()).toMatchObject({ decided: false, purposes: { analytics: false, marketing: false } });
    expect(api.get('constructor')).toBe(false);
  });
});

describe('endpoint responses that re-issue the cookie they were sent', () => {
  it('cannot move the decision backwards: a stale "accept all" is written over with the withdrawal', async () => {
    const api = startAssent(shopConfig());
    await api.acceptAll();
    const accepted = rawCookie() as string;
    // The withdrawal's own receipt is still on its way (here: refused for now), so nothing else
    // would write the cookie before the page closes.
    answersReissue(accepted, 503);
    const withdrawal = await api.rejectAll();
    expect(cookie()).toMatchObject({ receiptId: withdrawal.id, choices: { analytics: false, marketing: false } });
    expect(startAssent(shopConfig()).getState().purposes).toMatchObject({ analytics: false, marketing: false });
  });

  it('a newer decision there (another tab, another subdomain) is adopted', async () => {
    const api = startAssent(shopConfig());
    await api.rejectAll();
    const newer = encodeConsentCookie({
      ...(cookie() as NonNullable<ReturnType<typeof cookie>>),
      receiptId: '0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b',
      updatedAt: Date.now() + 60_000,
      choices: { analytics: true, marketing: true, security: true },
    });
    answersReissue(newer);
    await api.set({ security: false });
    expect(rawCookie()).toBe(newer);
    expect(api.getState().purposes).toMatchObject({ analytics: true, marketing: true, security: true });
  });

  it('no decision there (another tab forgot, say) is never written over', async () => {
    const api = startAssent(shopConfig());
    await api.acceptAll();
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        document.cookie = 'assent=; Max-Age=0; Path=/';
        return new Response('{}', { status: 503 });
      }),
    );
    await api.rejectAll();
    expect(cookie()).toBeNull();
  });

  it('after forget(), a response that brings the forgotten decision back is undone', async () => {
    const api = startAssent(shopConfig());
    await api.acceptAll();
    answersReissue(rawCookie() as string);
    await api.forget();
    expect(cookie()).toBeNull();
    expect(api.getState()).toMatchObject({ decided: false, id: '', purposes: { analytics: false } });
  });
});

/** Starts Assent and returns the handler it listens with when the page becomes visible again. */
const startWatched = () => {
  const listen = vi.spyOn(document, 'addEventListener');
  const api = startAssent(shopConfig());
  const [, handler] = listen.mock.calls.find(([type]) => type === 'visibilitychange') ?? [];
  listen.mockRestore();
  return { api, visible: handler as () => void };
};

describe('a page that becomes visible again (tabs on other subdomains get no BroadcastChannel message)', () => {
  it('writes its newer decision back over an older one that a late answer elsewhere re-issued', async () => {
    const { api, visible } = startWatched();
    await api.acceptAll();
    const accepted = rawCookie() as string;
    const withdrawal = await api.rejectAll();
    document.cookie = `assent=${accepted}; Path=/`;
    visible();
    expect(cookie()).toMatchObject({ receiptId: withdrawal.id, choices: { marketing: false } });
    expect(api.get('marketing')).toBe(false);
  });

  it('adopts a newer decision, and another tab’s forget()', async () => {
    const { api, visible } = startWatched();
    await api.rejectAll();
    const newer = encodeConsentCookie({
      ...(cookie() as NonNullable<ReturnType<typeof cookie>>),
      receiptId: '0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b',
      updatedAt: Date.now() + 1000,
      choices: { analytics: true, marketing: true, security: true },
    });
    document.cookie = `assent=${newer}; Path=/`;
    visible();
    expect(api.get('marketing')).toBe(true);
    document.cookie = 'assent=; Max-Age=0; Path=/';
    visible();
    expect(api.getState()).toMatchObject({ decided: false, purposes: { marketing: false } });
  });
});

describe('a bad config', () => {
  it('fails closed: one console error naming the field, required purposes only, decisions refused', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bad = { ...shopConfig(), purposes: [...shopConfig().purposes, { id: 'x', basis: 'consnet', title: 'X' }] };
    const api = startAssent(bad as AssentConfig);
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0][0]).toContain('config.purposes[5].basis must be one of consent');
    expect(error.mock.calls[0][0]).toContain('npx assent check');
    expect(allowedIn(api.getState().purposes)).toEqual(['necessary', 'legal']);
    expect(api.get('analytics')).toBe(false);
    await expect(api.acceptAll()).rejects.toThrow('no valid config');
  });

  it('after a rejected config, get(), whenAllowed() and set() add no error of their own', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const config = shopConfig() as unknown as { purposes: { id: string }[] };
    config.purposes[4].id = config.purposes[3].id;
    const api = startAssent(config as never);
    expect(api.get('analytics')).toBe(false);
    expect(api.get('marketing')).toBe(false);
    let settled = false;
    api.whenAllowed('analytics').then(
      () => (settled = true),
      () => (settled = true),
    );
    await expect(api.set({ analytics: true })).rejects.toThrow('assent: no valid config');
    await new Promise((r) => setTimeout(r, 20));
    // Nothing is allowed, so it never resolves; and the cause was said once, by the config error.
    expect(settled).toBe(false);
    expect(warn).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0][0]).toContain('config.purposes[4].id must be a unique id');
    await expect(api.whenAllowed('necessary')).resolves.toBeUndefined();
  });

  it('fails closed while a config fetched by URL has not arrived, and when it never does', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    let reject = (_: unknown) => {};
    const api = startAssent(new Promise((_, r) => (reject = r)));
    expect(api.getState().purposes).toEqual({});
    const errors: string[] = [];
    api.on('error', (e) => errors.push(e.message));
    reject('https://x/config.json answered 404');
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toContain('no config (https://x/config.json answered 404)');
  });
});

describe('a config that passes the loader check but holds junk elsewhere', () => {
  const junk = [null, 0, 42, '', 'x;y', [], {}, [1], { a: 1 }, true];
  const paths: string[][] = [
    ['consent'],
    ['consent', 'gpc'],
    ['consent', 'maxAgeDays'],
    ['consent', 'cookieName'],
    ['consent', 'cookieDomain'],
    ['googleConsentMode'],
    ['googleConsentMode', 'purposes'],
    ['googleConsentMode', 'purposes', 'analytics'],
    ['googleConsentMode', 'regions'],
    ['googleConsentMode', 'waitForUpdate'],
    ['language'],
    ['dataLayer'],
    ['microsoftUet'],
    ['services'],
    ['ui'],
  ];
  it.each(paths.map((p) => [p.join('.')] as const))('never throws and never grants consent with junk in %s', (path) => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const value of junk) {
      const config = shopConfig() as unknown as Record<string, unknown>;
      const keys = path.split('.');
      let target = config;
      for (const k of keys.slice(0, -1)) target = (target[k] ??= {}) as Record<string, unknown>;
      target[keys.at(-1) as string] = value;
      document.cookie = 'assent=; Max-Age=0; Path=/';
      const api = startAssent(config as unknown as AssentConfig);
      expect(api.getState().purposes).toMatchObject({ analytics: false, marketing: false, necessary: true });
    }
  });
});

describe('Consent Mode options and Microsoft UET', () => {
  it('sends the default for the configured regions only, redaction and passthrough by gtag("set"), and UET', async () => {
    const w2 = window as Win & { uetq?: unknown[] };
    delete w2.uetq;
    const config: AssentConfig = {
      ...shopConfig(),
      microsoftUet: true,
      googleConsentMode: {
        ...(shopConfig().googleConsentMode as NonNullable<AssentConfig['googleConsentMode']>),
        regions: ['FR', 'BG'],
        waitForUpdate: 800,
        adsDataRedaction: true,
        urlPassthrough: true,
      },
    };
    const api = startAssent(config);
    const calls = () =>
      (w.dataLayer as unknown[])
        .filter((e) => typeof e === 'object' && e && 'length' in e)
        .map((e) => Array.from(e as IArguments));
    expect(calls().slice(0, 3)).toEqual([
      [
        'consent',
        'default',
        expect.objectContaining({ ad_storage: 'denied', region: ['FR', 'BG'], wait_for_update: 800 }),
      ],
      ['set', 'ads_data_redaction', true],
      ['set', 'url_passthrough', true],
    ]);
    const uetq = () => (window as unknown as { uetq: unknown[] }).uetq;
    expect(uetq()).toEqual(['consent', 'default', { ad_storage: 'denied' }]);
    await api.set({ marketing: true });
    expect(uetq().slice(3)).toEqual(['consent', 'update', { ad_storage: 'granted' }]);
    expect(calls().at(-1)).toEqual([
      'consent',
      'update',
      expect.objectContaining({ ad_storage: 'granted', analytics_storage: 'denied' }),
    ]);
  });
});
