// Google Consent Mode (SPEC §4) in Chromium, Firefox and WebKit: a recorder first in the page notes
// every dataLayer push (gtag's arguments) and every tag that runs, in order. The default comes first,
// then a returning visitor's update, then the tags; a new visitor's default waits for the update
// that the banner's decision sends, and only then do the gated tags run.
import type { AssentConfig } from '../../src/core/config';
import type { Site } from '../e2e/site';
import { NEW_VISITOR_CONSENT_MODE, shopConfig } from '../fixtures/configs';
import type { Tab } from './drivers';
import { expect, settle, test } from './fixtures';

const base = shopConfig();
const config: AssentConfig = {
  ...base,
  googleConsentMode: {
    ...base.googleConsentMode,
    purposes: base.googleConsentMode?.purposes ?? {},
    adsDataRedaction: true,
    urlPassthrough: true,
  },
};

/** Before the loader: notes each push as `consent default`, `set url_passthrough`, `event assent_ready`… */
const RECORDER = `<script>
  window.__log = [];
  window.__tag = function (name) { __log.push({ entry: 'tag ' + name }); };
  window.dataLayer = [];
  var push = dataLayer.push;
  dataLayer.push = function () {
    Array.prototype.forEach.call(arguments, function (e) {
      var args = e && typeof e === 'object' && 'length' in e ? Array.prototype.slice.call(e) : null;
      var noted = { entry: args ? args[0] + ' ' + args[1] : 'event ' + e.event };
      if (args && args[0] === 'consent') noted.values = args[2];
      __log.push(noted);
    });
    return push.apply(dataLayer, arguments);
  };
  document.addEventListener('DOMContentLoaded', function () { __log.push({ entry: 'DOMContentLoaded' }); });
</script>`;

/** The page: recorder, config, loader, an ungated tag (as gtag.js), then gated tags inline and by src. */
const INLINE = `<script type="application/json" id="assent-config">${JSON.stringify(config)}</script>
<script src="/dist/assent.js"></script>`;
const page = (
  loader = INLINE,
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Consent Mode</title>
${RECORDER}
${loader}
<script>__tag('ungated')</script>
</head><body><main><h1>Consent Mode</h1>
<script type="text/plain" data-assent="analytics">__tag('analytics inline')</script>
<script type="text/plain" data-assent="marketing">__tag('marketing inline')</script>
<script type="text/plain" data-assent="analytics" src="/consent-mode/analytics.js"></script>
</main></body></html>`;

type Logged = { entry: string; values?: Record<string, unknown> };
const log = (tab: Tab) => tab.run(() => (window as unknown as { __log: Logged[] }).__log);

const { wait_for_update: _, ...DEFAULT } = NEW_VISITOR_CONSENT_MODE;
const ALL_GRANTED = {
  ...DEFAULT,
  ad_storage: 'granted',
  ad_user_data: 'granted',
  ad_personalization: 'granted',
  analytics_storage: 'granted',
};

const open = (tab: Tab, site: Site, loader?: string) => {
  site.file('/consent-mode/analytics.js', "__tag('analytics src')");
  return tab.goto(site.page(page(loader)));
};

test('a returning visitor: the default first, then the update with the stored choice, then the tags, before DOMContentLoaded', async ({
  tab,
  site,
}) => {
  await open(tab, site);
  await tab.run(() => window.assent?.set({ analytics: true, marketing: false }));
  await tab.reload();
  await expect.poll(async () => (await log(tab)).at(-1)?.entry).toBe('DOMContentLoaded');
  await settle();
  expect(await log(tab)).toEqual([
    // No banner will show: the default does not wait.
    { entry: 'consent default', values: DEFAULT },
    { entry: 'set ads_data_redaction' },
    { entry: 'set url_passthrough' },
    { entry: 'consent update', values: { ...DEFAULT, analytics_storage: 'granted' } },
    { entry: 'event assent_ready' },
    { entry: 'tag ungated' },
    { entry: 'tag analytics inline' },
    { entry: 'tag analytics src' },
    { entry: 'DOMContentLoaded' },
  ]);
});

test('a new visitor: the default denies and waits for the update; the banner’s decision sends it, then the tags run', async ({
  tab,
  site,
}) => {
  await open(tab, site);
  await expect.poll(() => tab.run(() => !!document.getElementById('assent-consent')?.shadowRoot)).toBe(true);
  await settle();
  expect(await log(tab)).toEqual([
    { entry: 'consent default', values: NEW_VISITOR_CONSENT_MODE },
    { entry: 'set ads_data_redaction' },
    { entry: 'set url_passthrough' },
    { entry: 'event assent_ready' },
    { entry: 'tag ungated' },
    { entry: 'DOMContentLoaded' },
  ]);
  await tab.click('button', 'Accept all');
  await expect.poll(async () => (await log(tab)).length).toBe(11);
  await settle();
  expect((await log(tab)).slice(6)).toEqual([
    { entry: 'consent update', values: ALL_GRANTED },
    { entry: 'event assent_update' },
    { entry: 'tag analytics inline' },
    { entry: 'tag marketing inline' },
    { entry: 'tag analytics src' },
  ]);
});

test('a returning visitor, with a config fetched by URL: every type denied and waiting at once, then the config’s default and the stored choice as updates, then the tags', async ({
  tab,
  site,
}) => {
  site.file('/consent-mode/config.json', JSON.stringify(config), 'application/json', { delay: 300 });
  await open(tab, site, '<script src="/dist/assent.js" data-config="/consent-mode/config.json"></script>');
  await tab.run(() => window.assent?.whenAllowed('necessary'));
  await tab.run(() => window.assent?.set({ analytics: true, marketing: false }));
  await tab.reload();
  await expect.poll(async () => (await log(tab)).at(-1)?.entry).toBe('tag analytics src');
  await settle();
  const entries = (await log(tab)).filter((e) => e.entry !== 'DOMContentLoaded');
  const denied = Object.fromEntries(Object.keys(DEFAULT).map((k) => [k, 'denied']));
  expect(entries).toEqual([
    // Before the fetch: nothing is known, every type waits.
    { entry: 'consent default', values: { ...denied, wait_for_update: 500 } },
    { entry: 'tag ungated' },
    // The config's default, sent as an update as the page has one already.
    { entry: 'consent update', values: DEFAULT },
    { entry: 'set ads_data_redaction' },
    { entry: 'set url_passthrough' },
    { entry: 'consent update', values: { ...DEFAULT, analytics_storage: 'granted' } },
    { entry: 'event assent_ready' },
    { entry: 'tag analytics inline' },
    { entry: 'tag analytics src' },
  ]);
});
