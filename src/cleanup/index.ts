// The clean-up chunk, loaded when a purpose is withdrawn, and once more on the next page view (a
// script still running when the purpose was withdrawn may have stored it all again): deletes the
// cookies and storage keys that the services which may no longer run declare (SPEC §3). HttpOnly
// and third-party cookies are out of a page's reach; the README says so.
import { type Choices, has } from '../core/bases';
import type { AssentConfig } from '../core/config';
import { matchesPattern } from '../core/patterns';
import { CLEANUP_OWED } from './owed';

/** The domains a cookie of this page may have been set on: the host, its parents, the cookie domain's. */
const domains = (cookieDomain?: string) => {
  const out = new Set<string>(['']);
  for (const host of [location.hostname, cookieDomain?.replace(/^\./, '')])
    for (let d = host; d?.includes('.'); d = d.slice(d.indexOf('.') + 1)) out.add(d);
  if (location.hostname.endsWith('.localhost') || location.hostname === 'localhost') out.add('localhost');
  return [...out];
};

/** `/`, and every folder above the current page: the paths a cookie is usually set on. */
const paths = () => {
  const out = ['/'];
  const parts = location.pathname.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++)
    out.push(`/${parts.slice(0, i).join('/')}`, `/${parts.slice(0, i).join('/')}/`);
  return out;
};

const expire = (name: string, domain: string, path: string) => {
  // biome-ignore lint/suspicious/noDocumentCookie: deleting cookies is this module's job
  document.cookie = `${name}=; Max-Age=0; Path=${path}${domain ? `; Domain=${domain}` : ''}`;
};

/**
 * Deletes what every service that may not run now stored: one with a purpose not allowed. With
 * `owed`, the next page view is told to do it again; without, that debt is paid. Returns the cookie
 * and key names deleted.
 */
export const clean = (config: AssentConfig, allowed: Choices, owed = false): string[] => {
  const own = config.consent?.cookieName || 'assent';
  // The config passed only the loader's check: services may hold anything, and a pattern that is no
  // valid /regex/ matches nothing rather than stop the clean-up of the rest.
  const list = <T>(x: T[] | undefined): T[] => (Array.isArray(x) ? x : []);
  const matches = (pattern: unknown, value: string) => {
    try {
      return matchesPattern(String(pattern), value, true);
    } catch {
      return false;
    }
  };
  const services = list(config.services).filter((s) => list(s?.purposes).some((p) => !has(allowed, p) || !allowed[p]));
  const deleted: string[] = [];
  const names = document.cookie
    .split('; ')
    .map((c) => c.slice(0, c.indexOf('=')))
    .filter((n) => n && n !== own);
  for (const service of services) {
    for (const cookie of list(service.cookies)) {
      const pattern = typeof cookie === 'string' ? cookie : cookie?.name;
      for (const name of names)
        if (matches(pattern, name)) {
          for (const domain of domains(config.consent?.cookieDomain))
            for (const path of paths()) expire(name, domain, path);
          deleted.push(name);
        }
    }
    try {
      for (const pattern of list(service.storage))
        for (const store of [localStorage, sessionStorage])
          for (const key of Object.keys(store))
            if (matches(pattern, key)) {
              store.removeItem(key);
              deleted.push(key);
            }
    } catch {
      // Storage blocked (sandboxed frames, some private modes): there is nothing to delete there.
    }
  }
  try {
    if (owed) localStorage.setItem(CLEANUP_OWED, '1');
    else localStorage.removeItem(CLEANUP_OWED);
  } catch {}
  return deleted;
};
