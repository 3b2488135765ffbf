// The `plain` part: what plain-http pages (other than localhost) use where browsers hide
// crypto.subtle and Web Locks. Secure pages never download it.
import type { Lease } from './deliver';

export { sha256Js } from '../core/sha256-js';

/**
 * A short lease in localStorage instead of a Web Lock. A page that goes gives the lease back as it
 * goes: Firefox may run the rest of its `work` only after the next page has started, which would
 * otherwise find the lease taken and wait it out.
 */
export const lease: Lease = async (work) => {
  const key = 'assent:outbox-lock';
  const me = Math.random().toString(36).slice(2);
  try {
    const [, until] = (localStorage.getItem(key) || '').split(' ');
    if (Number(until) > Date.now()) return;
    localStorage.setItem(key, `${me} ${Date.now() + 30_000}`);
    if (!localStorage.getItem(key)?.startsWith(me)) return;
  } catch {
    // No storage either: sending twice is harmless, the endpoint removes duplicates by id.
  }
  const release = () => {
    try {
      if (localStorage.getItem(key)?.startsWith(me)) localStorage.removeItem(key);
    } catch {}
  };
  addEventListener('pagehide', release);
  try {
    await work();
  } finally {
    removeEventListener('pagehide', release);
    release();
  }
};
