// The reset every unit test of the loader needs: one simulated page on which Assent starts again.
import { vi } from 'vitest';

/** Clears the consent cookie and `dataLayer`; other tabs and receipt delivery are tested in Chromium. */
export const freshPage = () => {
  vi.stubGlobal('BroadcastChannel', undefined);
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response('{"results":[]}')),
  );
  document.cookie = 'assent=; Max-Age=0; Path=/';
  delete (window as { dataLayer?: unknown }).dataLayer;
};
