// Google Consent Mode with a config fetched by URL (SPEC §1, §4): a tag that runs while the config is
// on its way finds a default, as gtag.js would read the dataLayer.
import type { Page } from '@playwright/test';
import { NEW_VISITOR_CONSENT_MODE, shopConfig } from '../fixtures/configs';
import { expect, test } from './fixtures';
import type { Site } from './site';

const ALL_DENIED = Object.fromEntries(Object.keys(NEW_VISITOR_CONSENT_MODE).map((k) => [k, 'denied']));

/**
 * An ungated gtag.js stand-in: it reads what is queued when it runs, then every push, and notes each
 * command in order with whether the config had arrived (`assent.getState().version`) at that moment.
 */
const GTAG = `<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date()); gtag('config', 'G-TEST');
  window.__seen = [];
  var note = function (e) {
    var args = e && typeof e === 'object' && 'length' in e ? Array.prototype.slice.call(e) : null;
    var consent = args && args[0] === 'consent';
    window.__seen.push({ entry: consent ? 'consent ' + args[1] : args ? args[0] : e.event, values: consent ? args[2] : null, config: window.assent.getState().version });
  };
  dataLayer.forEach(note);
  var push = dataLayer.push;
  dataLayer.push = function () { Array.prototype.forEach.call(arguments, note); return push.apply(dataLayer, arguments); };
</script>`;

type Seen = { entry: string; values: Record<string, unknown> | null; config: string };

/** A page whose config comes from `path`, answered after `delay` ms, with the tag after the loader. */
const fetchedConfigPage = (site: Site, path: string, delay: number) => {
  site.file(path, JSON.stringify(shopConfig()), 'application/json', { delay });
  return site.page(`<!doctype html><html lang="en"><head><title>Fetched config</title>
    <script src="/dist/assent.js" data-config="${path}"></script>${GTAG}</head><body><main>Page</main></body></html>`);
};
const seen = (page: Page) => page.evaluate(() => (window as unknown as { __seen: Seen[] }).__seen);

test('a config fetched by URL: tags that run during the fetch see every type denied, then the update', async ({
  page,
  site,
}) => {
  await page.goto(fetchedConfigPage(site, '/slow-config.json', 600));
  await expect.poll(async () => (await seen(page)).some((s) => s.entry === 'consent update')).toBe(true);
  const order = await seen(page);
  // Before the fetch: the default, all seven types denied and waiting; then the tag's own commands.
  expect(order.slice(0, 3)).toEqual([
    { entry: 'consent default', values: { ...ALL_DENIED, wait_for_update: 500 }, config: '' },
    { entry: 'js', values: null, config: '' },
    { entry: 'config', values: null, config: '' },
  ]);
  expect(order.filter((s) => s.entry === 'consent default')).toHaveLength(1);
  // Once the config is there, an update with its mapping: what the necessary purpose stands for is granted.
  const update = order.find((s) => s.entry === 'consent update');
  const { wait_for_update: _, ...newVisitor } = NEW_VISITOR_CONSENT_MODE;
  expect(update?.values).toEqual(newVisitor);
  expect(order.indexOf(update as Seen)).toBeGreaterThan(2);
});

test('a config fetched by URL: a returning visitor’s stored choice comes as the update once it arrives', async ({
  page,
  site,
}) => {
  await page.goto(fetchedConfigPage(site, '/slow-config-2.json', 300));
  await expect.poll(() => page.evaluate(() => window.assent?.getState().version)).toBe('3');
  await page.evaluate(() => window.assent?.set({ analytics: true, marketing: false }));
  await page.reload();
  await expect.poll(async () => (await seen(page)).filter((s) => s.entry === 'consent update').length).toBe(2);
  const order = await seen(page);
  expect(order[0]).toEqual({ entry: 'consent default', values: { ...ALL_DENIED, wait_for_update: 500 }, config: '' });
  expect(order.filter((s) => s.entry === 'consent default')).toHaveLength(1);
  // The config's own default went as an update, and the stored choice right after it.
  const updates = order.filter((s) => s.entry === 'consent update');
  expect(updates[1].values).toMatchObject({ analytics_storage: 'granted', ad_storage: 'denied' });
});

test('an inline config still sends its own default first, with no default from the loader', async ({ page, site }) => {
  const url = site.page(`<!doctype html><html lang="en"><head><title>Inline config</title>
    <script type="application/json" id="assent-config">${JSON.stringify(shopConfig())}</script>
    <script src="/dist/assent.js"></script>${GTAG}</head><body><main>Page</main></body></html>`);
  await page.goto(url);
  const order = await seen(page);
  expect(order[0]).toEqual({ entry: 'consent default', values: NEW_VISITOR_CONSENT_MODE, config: '3' });
  expect(order.filter((s) => s.entry.startsWith('consent'))).toHaveLength(1);
});

for (const [what, config] of [
  ['an inline config that is no JSON', '<script type="application/json" id="assent-config">{ "policy": </script>'],
  ['no config at all', ''],
  ['data-config naming no element', ''],
] as const)
  test(`with ${what}, an ungated tag finds every type denied, and never an update`, async ({ page, site }) => {
    const loader = what.startsWith('data-config')
      ? '<script src="/dist/assent.js" data-config="#nope"></script>'
      : '<script src="/dist/assent.js"></script>';
    await page.goto(
      site.page(
        `<!doctype html><html lang="en"><head><title>No config</title>${config}${loader}${GTAG}</head><body><main>Page</main></body></html>`,
      ),
    );
    await page.waitForTimeout(300);
    expect(await seen(page)).toEqual([
      { entry: 'consent default', values: { ...ALL_DENIED, wait_for_update: 500 }, config: '' },
      { entry: 'js', values: null, config: '' },
      { entry: 'config', values: null, config: '' },
    ]);
  });
