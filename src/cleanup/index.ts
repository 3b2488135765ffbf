// The clean-up chunk, loaded when a purpose is withdrawn: deletes the cookies and storage keys that
// the purpose's services declare (SPEC §3). HttpOnly and third-party cookies are out of a page's
// reach; the README says so.
import type { AssentConfig } from '../core/config';
import { matchesPattern } from '../core/patterns';

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

/** Deletes what the services of the withdrawn purposes stored; returns the cookie and key names deleted. */
export const clean = (config: AssentConfig, withdrawn: string[]): string[] => {
  const own = config.consent?.cookieName || 'assent';
  const services = (config.services || []).filter((s) => s.purposes.some((p) => withdrawn.includes(p)));
  const deleted: string[] = [];
  const names = document.cookie
    .split('; ')
    .map((c) => c.slice(0, c.indexOf('=')))
    .filter((n) => n && n !== own);
  for (const service of services) {
    for (const cookie of service.cookies || []) {
      const pattern = typeof cookie === 'string' ? cookie : cookie.name;
      for (const name of names)
        if (matchesPattern(pattern, name, true)) {
          for (const domain of domains(config.consent?.cookieDomain))
            for (const path of paths()) expire(name, domain, path);
          deleted.push(name);
        }
    }
    for (const pattern of service.storage || [])
      for (const store of [localStorage, sessionStorage])
        for (const key of Object.keys(store))
          if (matchesPattern(pattern, key, true)) {
            store.removeItem(key);
            deleted.push(key);
          }
  }
  return deleted;
};
