// The reset every unit test of the loader needs: one simulated page on which Assent starts again.
import { vi } from 'vitest';

/**
 * Clears the consent cookie and `dataLayer`, and loads the lazily loaded parts afresh: the sync
 * chunk keeps the page's loader as its host, as one page has one loader. Other tabs and receipt
 * delivery are tested in Chromium.
 */
export const freshPage = () => {
  vi.resetModules();
  vi.stubGlobal('BroadcastChannel', undefined);
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response('{"results":[]}')),
  );
  document.cookie = 'assent=; Max-Age=0; Path=/';
  delete (window as { dataLayer?: unknown }).dataLayer;
};
