// Google Consent Mode v2 and Microsoft UET consent mode signals (SPEC §4).
import type { Choices } from '../core/bases';
import type { AssentConfig } from '../core/config';
import { consentModeValues } from '../core/consent-mode';

type Gtag = (...args: unknown[]) => void;
const w = window as unknown as { dataLayer: unknown[]; gtag: Gtag; uetq: unknown[] };

/** `window.dataLayer`, created if absent. */
export const dataLayer = () => (w.dataLayer ||= []);

// Set once the loader sent a default of its own, before fetching the config by URL.
let defaulted: unknown;

/**
 * Sends `default` (first on the page, with `wait_for_update` while the banner will show) or
 * `update`. Defines `gtag` when the page has not yet. After the loader's own default (see
 * pushWaitingDefault), the config's default goes as an update.
 */
export const pushConsentMode = (
  config: AssentConfig,
  allowed: Choices,
  command: 'default' | 'update',
  waiting?: boolean,
) => {
  const gcm = config.googleConsentMode;
  if (!gcm) return;
  w.gtag ||= function () {
    // gtag queues its arguments object, not an array.
    // biome-ignore lint/complexity/noArguments: that is the gtag protocol
    dataLayer().push(arguments);
  };
  const values: Record<string, unknown> = consentModeValues(gcm.purposes, allowed);
  if (command === 'default' && !defaulted) {
    if (waiting) values.wait_for_update = gcm.waitForUpdate ?? 500;
    if (gcm.regions) values.region = gcm.regions;
  }
  w.gtag('consent', defaulted ? 'update' : command, values);
  if (command === 'default') {
    if (gcm.adsDataRedaction) w.gtag('set', 'ads_data_redaction', true);
    if (gcm.urlPassthrough) w.gtag('set', 'url_passthrough', true);
  }
  if (config.microsoftUet) (w.uetq ||= []).push('consent', command, { ad_storage: values.ad_storage });
};

/**
 * Before a config fetched by URL, or when there is none to be had, so that tags find a default
 * (SPEC §1): every type denied, waiting for the update that the config's default then becomes.
 */
export const pushWaitingDefault = () => {
  pushConsentMode({ googleConsentMode: {} } as never, {}, 'default', true);
  defaulted = 1;
};
