// The JS API as a site uses it in a real browser (SPEC §4): a banner of the site's own, and what the
// console says when the config is wrong.
import type { Page } from '@playwright/test';
import { shopConfig } from '../fixtures/configs';
import { expect, ran, test } from './fixtures';
import { pageWith } from './site';

const banner = (page: Page) => page.getByRole('region', { name: 'Your privacy choices' });

test('a site-built banner decides with set(): Assent’s banner closes and does not come back', async ({
  page,
  site,
}) => {
  const url = site.page(
    pageWith(
      shopConfig(),
      `<div role="dialog" aria-label="Our cookies">
         <button type="button" onclick="assent.set({ analytics: true })">Allow statistics</button>
       </div>
       <script type="text/plain" data-assent="analytics" src="vendor/stats.js"></script>
       <script type="text/plain" data-assent="marketing" src="vendor/ads.js"></script>`,
    ),
  );
  await page.goto(url);
  await expect(banner(page)).toBeVisible();
  await page.getByRole('button', { name: 'Allow statistics' }).click();
  await expect(banner(page)).toBeHidden();
  await expect.poll(() => ran(page)).toEqual(['stats']);
  expect(await page.evaluate(() => window.assent?.getState())).toMatchObject({
    decided: true,
    method: 'api',
    purposes: { analytics: true, marketing: false, security: true },
  });
  await page.reload();
  await expect.poll(() => ran(page)).toEqual(['stats']);
  await page.waitForTimeout(300);
  await expect(banner(page)).toBeHidden();
  expect(site.requested('/vendor/ads.js')).toEqual([]);
});

for (const loader of ['assent.js', 'assent.dev.js', 'assent-autoblock.js'])
  test(`a rejected config is reported once by ${loader}: no element or tag adds an error of its own`, async ({
    page,
    site,
    messages,
  }) => {
    const config = shopConfig() as unknown as { purposes: { id: string }[] };
    // One repeated id: the config is rejected.
    config.purposes[4].id = config.purposes[3].id;
    const url = site.page(
      pageWith(
        config,
        `<script type="text/plain" data-assent="analytics" src="vendor/a.js"></script>
         <script type="text/plain" data-assent="marketing" src="vendor/b.js"></script>
         <script type="text/plain" data-assent="analytics marketing">window.__never = 1</script>
         <iframe data-assent="marketing" data-src="vendor/frame.html" title="Video"></iframe>
         <script>
           assent.get('analytics'); assent.get('marketing');
           assent.whenAllowed('analytics').then(function () { window.__allowed = 1; });
         </script>`,
        '',
        `/dist/${loader}`,
      ),
    );
    await page.goto(url);
    await page.waitForLoadState('networkidle');
    const said = messages.filter((m) => m.includes('assent') || m.startsWith('pageerror'));
    const cause =
      loader === 'assent.dev.js' ? 'config.purposes[4].id repeats the id "analytics"' : 'config.purposes[4].id';
    expect(said.filter((m) => m.includes(cause))).toHaveLength(1);
    // The dev build closes its report with one line that says what follows; nothing else is said.
    expect(said).toHaveLength(loader === 'assent.dev.js' ? 2 : 1);
    expect(site.requested(`${new URL(url).pathname}vendor/`)).toEqual([]);
    expect(await page.evaluate(() => (window as { __allowed?: number }).__allowed)).toBeUndefined();
  });
