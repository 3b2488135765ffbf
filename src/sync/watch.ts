// Watching the consent cookie after this tab's decisions. A late answer to a tab on another
// subdomain of the cookie domain re-issues that tab's older decision over this tab's newer one,
// the collector cannot know better (the newer receipt did not exist when it answered), and no
// BroadcastChannel crosses subdomains: the tab that decided last must see the cookie move
// backwards, and the loader's reassert() then writes its decision back. The newest decision made
// on this origin is also kept in the store (IndexedDB), so that a later page view of this origin
// puts it back when every tab that could have has closed.
import type { AssentConfig } from '../core/config';
import { maxAgeDays } from '../core/decision';
import { cookieNameOf, readCookie, writeCookie } from '../loader/cookie-jar';
import type { SyncHost } from './index';
import type { Key, Store } from './store';

/** How long after each of this tab's decisions the cookie is polled where there is no CookieStore. */
export const WATCH_MS = 120_000;
export const POLL_MS = 1000;

/** The store key of this origin's newest decision: `[epoch ms, cookie value]`, value '' after forget(). */
export const newestKey = (config: AssentConfig): Key => `n:${cookieNameOf(config)}`;

/**
 * From this tab's first decision (or forget()) on, calls `reassert` whenever the consent cookie may
 * have changed behind this tab's back: on every CookieStore change of it where the browser has
 * CookieStore, else every POLL_MS for WATCH_MS after each of this tab's decisions and while
 * `waiting()` (entries wait in the outbox, so an answer is still to come); and whenever the window
 * gets the focus (the loader itself looks again whenever the page becomes visible). Returns what each
 * of this tab's decisions calls.
 */
export const watchCookie = (config: AssentConfig, reassert: () => void, waiting: () => boolean): (() => void) => {
  const name = cookieNameOf(config);
  const cookies = (window as { cookieStore?: CookieStore }).cookieStore;
  cookies?.addEventListener('change', (e) => {
    if ([...e.changed, ...e.deleted].some((c) => c.name === name)) reassert();
  });
  addEventListener('focus', () => reassert());
  let until = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = () => {
    reassert();
    timer = Date.now() < until || waiting() ? setTimeout(poll, POLL_MS) : undefined;
  };
  return () => {
    until = Date.now() + WATCH_MS;
    if (!cookies && !timer) timer = setTimeout(poll, POLL_MS);
  };
};

/**
 * Keeps this tab's decision made at `time` as this origin's newest: the cookie's value while it
 * holds the decision's receipt (a UUID, so nothing else contains it), or, for forget(), none.
 */
export const remember = (store: Store, config: AssentConfig, time: number, receiptId: string | null) => {
  const value = readCookie(cookieNameOf(config));
  if (!receiptId || value?.includes(receiptId)) return store.put([[newestKey(config), [time, receiptId ? value : '']]]);
};

/**
 * This origin's newest decision (or its forget()) when the cookie holds an older one: a late answer
 * re-issued it after every tab that decided here had closed. The loader first settles with the
 * cookie (the newest decision wins), so that its state is what the cookie holds, if the cookie holds
 * anything; no cookie is left alone (cleared, expired or blocked). Resolves with the cookie value to
 * put back ('' for a forget()), or undefined when there is none.
 */
export const newer = async (
  store: Store,
  { config, reassert, api }: Pick<SyncHost, 'config' | 'reassert' | 'api'>,
): Promise<string | undefined> => {
  const key = newestKey(config);
  // (A record of an earlier release is a string `<time> <value>`: its first character, read as the
  // time, is never after a decision, so it is passed over.)
  const [, [time, value] = []] = (await store.list<[number, string]>(key)).find(([k]) => k === key) || [];
  reassert();
  if (readCookie(cookieNameOf(config)) && (time as number) > Date.parse(api.getState().updatedAt as string))
    return value;
};

/**
 * Puts a decision found by `newer` back (the `history` part does, on the rare page view that needs
 * it). The loader then adopts what the cookie says, and alone decides whether a decision still
 * counts: one that no longer does (kept under another policy version, say) leaves none, and the
 * visitor is asked again.
 */
export const putBack = ({ config, reassert }: Pick<SyncHost, 'config' | 'reassert'>, value: string) => {
  writeCookie(cookieNameOf(config), value || null, maxAgeDays(config), config.consent?.cookieDomain);
  reassert(true);
};
