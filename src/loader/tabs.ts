// Other tabs and restored pages: a decision made elsewhere reaches this page without a reload.
import { readCookie } from './cookie-jar';

/**
 * Calls `reread` when another tab of this origin decides (BroadcastChannel), and when the page
 * becomes visible again or is restored from the back/forward cache (which also covers tabs on
 * other subdomains of the cookie domain). Returns the function that tells the other tabs, with the
 * consent cookie as it is now ('' for none): the message can arrive before the cookie does (Firefox).
 */
export const watchTabs = (cookieName: string, reread: (tab: unknown) => void): (() => void) => {
  const channel = window.BroadcastChannel && new BroadcastChannel(`assent:${cookieName}`);
  if (channel) channel.onmessage = reread;
  addEventListener('pageshow', (e) => e.persisted && reread(1));
  document.addEventListener('visibilitychange', () => document.hidden || reread(1));
  return () => channel?.postMessage(readCookie(cookieName) || '');
};
