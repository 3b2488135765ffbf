// @vitest-environment happy-dom
// The sync chunk's watch on the consent cookie after this tab's decisions, and this origin's newest
// decision kept for a later page view. The whole race, with two real subdomains, is in
// test/e2e/subdomains.spec.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeConsentCookie } from '../../src/core/cookie';
import type { ConsentState } from '../../src/core/types';
import type { SyncHost } from '../../src/sync/index';
import { openStore, type Store } from '../../src/sync/store';
import { newer, newestKey, POLL_MS, putBack, remember, WATCH_MS, watchCookie } from '../../src/sync/watch';
import { shopConfig } from '../fixtures/configs';

const config = shopConfig();
const rawCookie = () => document.cookie.match(/(?:^|; )assent=([^;]*)/)?.[1];
const decision = (receiptId: string, updatedAt: number, marketing: boolean) =>
  encodeConsentCookie({
    v: 1,
    consentId: '3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b',
    receiptId,
    updatedAt,
    method: 'api',
    gpc: false,
    pending: false,
    policyVersion: config.policy.version,
    choices: { analytics: marketing, marketing, security: marketing },
  });
const OLDER = '0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b';
const NEWER = '0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6c';

let store: Store;
beforeEach(() => {
  document.cookie = 'assent=; Max-Age=0; Path=/';
  // happy-dom has no IndexedDB: the store keeps entries in memory, as it does in such browsers.
  store = openStore(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('watching the cookie after a decision', () => {
  it('without CookieStore: looks every second for two minutes after each decision, then stops', () => {
    vi.useFakeTimers();
    vi.stubGlobal('cookieStore', undefined);
    const reassert = vi.fn();
    const decided = watchCookie(config, reassert, () => false);
    vi.advanceTimersByTime(10 * POLL_MS);
    expect(reassert).not.toHaveBeenCalled();
    decided();
    vi.advanceTimersByTime(POLL_MS);
    expect(reassert).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(WATCH_MS);
    const calls = reassert.mock.calls.length;
    expect(calls).toBeGreaterThanOrEqual(WATCH_MS / POLL_MS);
    vi.advanceTimersByTime(10 * POLL_MS);
    expect(reassert).toHaveBeenCalledTimes(calls);
  });

  it('without CookieStore: goes on looking while entries wait in the outbox (an answer is still to come)', () => {
    vi.useFakeTimers();
    vi.stubGlobal('cookieStore', undefined);
    const reassert = vi.fn();
    let waiting = true;
    watchCookie(config, reassert, () => waiting)();
    vi.advanceTimersByTime(WATCH_MS + 30 * POLL_MS);
    const calls = reassert.mock.calls.length;
    expect(calls).toBeGreaterThan(WATCH_MS / POLL_MS + 20);
    waiting = false;
    vi.advanceTimersByTime(10 * POLL_MS);
    expect(reassert).toHaveBeenCalledTimes(calls + 1);
  });

  it('with CookieStore: looks on each change of the consent cookie, and never polls', () => {
    vi.useFakeTimers();
    const cookieStore = new EventTarget();
    vi.stubGlobal('cookieStore', cookieStore);
    const reassert = vi.fn();
    watchCookie(config, reassert, () => true)();
    vi.advanceTimersByTime(10 * POLL_MS);
    expect(reassert).not.toHaveBeenCalled();
    const change = (changed: string[], deleted: string[] = []) =>
      cookieStore.dispatchEvent(
        Object.assign(new Event('change'), {
          changed: changed.map((name) => ({ name })),
          deleted: deleted.map((name) => ({ name })),
        }),
      );
    change(['_ga']);
    expect(reassert).not.toHaveBeenCalled();
    change([], ['assent']);
    change(['assent']);
    expect(reassert).toHaveBeenCalledTimes(2);
  });

  it('looks when the window gets the focus', () => {
    const reassert = vi.fn();
    watchCookie(config, reassert, () => false);
    dispatchEvent(new Event('focus'));
    expect(reassert).toHaveBeenCalledWith();
  });
});

describe('the newest decision of this origin, for a later page view', () => {
  /** What the sync chunk does at start: finds a newer decision (the `history` part puts it back). */
  const restore = async (host: Pick<SyncHost, 'config' | 'reassert' | 'api'>) => {
    const value = await newer(store, host);
    if (value !== undefined) putBack(host, value);
    return value !== undefined;
  };
  /** A loader whose state is the decision in the cookie, as it is once it has re-read it. */
  const loader = () => {
    const calls: unknown[] = [];
    const host = {
      config,
      reassert: (adoptNone?: true) => {
        calls.push(adoptNone);
      },
      api: {
        getState: () => {
          const time = rawCookie() ? Number.parseInt((rawCookie() as string).split('.')[3], 36) : null;
          return { updatedAt: time === null ? null : new Date(time).toISOString() } as ConsentState;
        },
      },
    } as unknown as Pick<SyncHost, 'config' | 'reassert' | 'api'>;
    return { host, calls };
  };

  it('puts back this origin’s withdrawal when a late answer re-issued an older "Accept all"', async () => {
    const now = Date.now();
    const withdrawal = decision(NEWER, now, false);
    document.cookie = `assent=${withdrawal}; Path=/`;
    await remember(store, config, now, NEWER);
    expect(await store.list('n:')).toEqual([[newestKey(config), [now, withdrawal]]]);
    document.cookie = `assent=${decision(OLDER, now - 4000, true)}; Path=/`;
    const { host, calls } = loader();
    expect(await restore(host)).toBe(true);
    expect(rawCookie()).toBe(withdrawal);
    expect(calls).toEqual([undefined, true]);
  });

  it('puts back a forget() made here, by deleting an older decision re-issued since', async () => {
    const now = Date.now();
    await remember(store, config, now, null);
    document.cookie = `assent=${decision(OLDER, now - 4000, true)}; Path=/`;
    const { host, calls } = loader();
    expect(await restore(host)).toBe(true);
    expect(rawCookie() ?? '').toBe('');
    expect(calls).toEqual([undefined, true]);
  });

  it('leaves a newer decision in the cookie, and no cookie at all, alone', async () => {
    const now = Date.now();
    document.cookie = `assent=${decision(OLDER, now - 4000, false)}; Path=/`;
    await remember(store, config, now - 4000, OLDER);
    const newer = decision(NEWER, now, true);
    document.cookie = `assent=${newer}; Path=/`;
    expect(await restore(loader().host)).toBe(false);
    expect(rawCookie()).toBe(newer);
    document.cookie = 'assent=; Max-Age=0; Path=/';
    expect(await restore(loader().host)).toBe(false);
    expect(rawCookie() ?? '').toBe('');
  });

  it('keeps nothing when the cookie no longer holds this tab’s decision (another tab decided since)', async () => {
    document.cookie = `assent=${decision(OLDER, Date.now(), true)}; Path=/`;
    await remember(store, config, Date.now(), NEWER);
    expect(await store.list('n:')).toEqual([]);
  });
});
