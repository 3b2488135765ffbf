// The other builds: the development loader's full report, the ES module, Consent Mode ordering.
import { NEW_VISITOR_CONSENT_MODE, shopConfig } from '../fixtures/configs';
import { expect, ran, test } from './fixtures';
import { pageWith } from './site';

test('assent.dev.js reports every problem and warning of the config, and fails closed', async ({
  page,
  site,
  messages,
}) => {
  const config = shopConfig() as unknown as Record<string, unknown> & { purposes: Record<string, unknown>[] };
  config.purposes[3].basis = 'consnet';
  config.purposes[4].titel = 'typo';
  config.consent = { maxAgeDays: 500 };
  const url = site.page(
    pageWith(
      config,
      `<script type="text/plain" data-assent="analytics" src="vendor/dev-never.js"></script>`,
      '',
      '/dist/assent.dev.js',
    ),
  );
  await page.goto(url);
  await expect.poll(() => messages.filter((m) => m.includes('assent:')).length).toBeGreaterThanOrEqual(4);
  expect(messages).toEqual(
    expect.arrayContaining([
      'warning: assent: config.consent.maxAgeDays is 500; it is clamped to 395 (13 months, as regulators recommend)',
      'error: assent: config.purposes[3].basis must be one of consent, legitimate-interest, contract, legal-obligation (got "consnet")',
      expect.stringContaining('error: assent: config.purposes[4].titel is not a known field'),
      'error: assent: the config has 2 error(s), listed above; nothing gated will run',
    ]),
  );
  expect(site.requested('/vendor/dev-never.js')).toEqual([]);
});

test('Consent Mode: the default with all seven types comes before any tag, then the stored update', async ({
  page,
  site,
}) => {
  const gtagSnippet = `<script>
    window.dataLayer = window.dataLayer || [];
    function gtag(){dataLayer.push(arguments);}
    gtag('js', new Date()); gtag('config', 'G-TEST');
    dataLayer.push({ event: 'gtm.js' });
  </script>`;
  const url = site.page(pageWith(shopConfig(), '', gtagSnippet));
  const entries = () =>
    page.evaluate(() =>
      (window as unknown as { dataLayer: unknown[] }).dataLayer.map((e) =>
        e && typeof e === 'object' && 'length' in (e as object) ? Array.from(e as ArrayLike<unknown>) : e,
      ),
    );
  await page.goto(url);
  const first = await entries();
  expect(first[0]).toEqual(['consent', 'default', NEW_VISITOR_CONSENT_MODE]);
  expect(first[1]).toMatchObject({ event: 'assent_ready' });
  const config = first.findIndex((e) => Array.isArray(e) && e[0] === 'config');
  expect(config).toBeGreaterThan(1);
  // The visitor's answer in the banner comes after the tag's config, as an update, with the event for triggers.
  await page.getByRole('button', { name: 'Reject all' }).click();
  const answered = (await entries()).slice(config + 1);
  expect(answered).toEqual(
    expect.arrayContaining([
      ['consent', 'update', expect.objectContaining({ analytics_storage: 'denied', ad_storage: 'denied' })],
      expect.objectContaining({ event: 'assent_update' }),
    ]),
  );
  await page.evaluate(() => window.assent?.set({ analytics: true, marketing: false, security: true }));
  await page.reload();
  const again = await entries();
  expect(again[0]).toEqual(['consent', 'default', expect.not.objectContaining({ wait_for_update: expect.anything() })]);
  expect(again[1]).toEqual([
    'consent',
    'update',
    expect.objectContaining({ analytics_storage: 'granted', ad_storage: 'denied' }),
  ]);
  expect(again.findIndex((e) => Array.isArray(e) && e[0] === 'config')).toBeGreaterThan(1);
});

test('the ES module build starts Assent with createAssent() and exposes the same API', async ({ page, site }) => {
  const url = site.page(`<!doctype html><html lang="en"><head><title>ESM</title>
    <script type="module">
      import { createAssent } from '/dist/assent.mjs';
      const api = createAssent(${JSON.stringify(shopConfig())});
      window.__same = api === window.assent;
      await api.acceptAll();
    </script></head><body>
    <script type="text/plain" data-assent="analytics" src="vendor/esm-gated.js"></script></body></html>`);
  await page.goto(url);
  await expect.poll(() => ran(page)).toEqual(['esm-gated']);
  expect(await page.evaluate(() => (window as { __same?: boolean }).__same)).toBe(true);
  const receipts = await page.evaluate(() => document.cookie);
  expect(receipts).toMatch(/assent=1\./);
});
