// Withdrawal clean-up (SPEC §3): the cookies and storage keys a purpose's services declare are
// deleted, on the host, the cookie domain and its parents; a page whose withdrawn scripts ran reloads
// when the config asks. Host names under .localhost reach loopback and have parent domains.
import type { AssentConfig } from '../../src/core/config';
import { shopConfig } from '../fixtures/configs';
import { expect, ran, test } from './fixtures';
import { pageWith } from './site';

const config = (over: AssentConfig['consent'] = {}): AssentConfig => ({
  ...shopConfig(),
  services: [
    {
      id: 'stats',
      name: 'Stats',
      purposes: ['analytics'],
      privacyPolicyUrl: 'https://stats.example/privacy',
      cookies: ['_ga', '/^_ga_/', { name: '_tracker', duration: '1 day' }],
      storage: ['trk', '/^trk_/'],
    },
  ],
  consent: { cookieDomain: 'shop.localhost', ...over },
});

test('withdrawing a purpose deletes its services’ cookies and storage keys, on every domain and path', async ({
  page,
  site,
}) => {
  const url = site.page(pageWith(config())).replace('127.0.0.1', 'www.shop.localhost');
  await page.goto(url);
  await page.evaluate(() => window.assent?.set({ analytics: true }));
  await page.evaluate(() => {
    const path = location.pathname.replace(/\/$/, '');
    document.cookie = '_ga=1; path=/';
    document.cookie = '_ga_X1=1; domain=shop.localhost; path=/';
    document.cookie = `_tracker=1; path=${path}`;
    document.cookie = '_ga=2; domain=www.shop.localhost; path=/';
    document.cookie = 'keep=1; path=/';
    localStorage.setItem('trk', '1');
    localStorage.setItem('trk_a', '1');
    localStorage.setItem('keepme', '1');
    sessionStorage.setItem('trk_b', '1');
  });
  const names = async () => (await page.context().cookies()).map((c) => `${c.name}@${c.domain}`).sort();
  expect(await names()).toEqual(
    expect.arrayContaining([
      '_ga@www.shop.localhost',
      '_ga@.www.shop.localhost',
      '_ga_X1@.shop.localhost',
      '_tracker@www.shop.localhost',
    ]),
  );
  await page.evaluate(() => window.assent?.set({ analytics: false }));
  await expect.poll(names).toEqual(['assent@.shop.localhost', 'keep@www.shop.localhost']);
  expect(await page.evaluate(() => [Object.keys(localStorage), Object.keys(sessionStorage)])).toEqual([['keepme'], []]);
});

test('a withdrawal in another tab cleans up there too', async ({ context, site }) => {
  const url = site.page(pageWith(config())).replace('127.0.0.1', 'www.shop.localhost');
  const [a, b] = [await context.newPage(), await context.newPage()];
  await a.goto(url);
  await a.evaluate(() => window.assent?.set({ analytics: true }));
  await b.goto(url);
  await b.evaluate(() => sessionStorage.setItem('trk_tab', '1'));
  await a.evaluate(() => window.assent?.set({ analytics: false }));
  await expect.poll(() => b.evaluate(() => Object.keys(sessionStorage))).toEqual([]);
});

test('with reloadOnWithdraw, a page whose withdrawn scripts ran reloads; otherwise it does not', async ({
  page,
  site,
}) => {
  for (const reloadOnWithdraw of [true, false]) {
    const url = site.page(
      pageWith(
        config({ reloadOnWithdraw }),
        '<script type="text/plain" data-assent="analytics" src="vendor/ran.js"></script>',
      ),
    );
    await page.goto(url);
    await page.evaluate(() => window.assent?.set({ analytics: true, marketing: true }));
    await expect.poll(() => ran(page)).toEqual(['ran']);
    let loads = 0;
    const count = () => loads++;
    page.on('load', count);
    // Marketing ran nothing here: withdrawing it never reloads.
    await page.evaluate(() => window.assent?.set({ marketing: false }));
    await page.waitForTimeout(300);
    expect(loads).toBe(0);
    await page.evaluate(() => {
      // Not awaited: the page may reload before the receipt's promise settles.
      window.assent?.set({ analytics: false });
    });
    await page.waitForTimeout(800);
    expect(loads).toBe(reloadOnWithdraw ? 1 : 0);
    page.off('load', count);
  }
});

test('a script still running after the withdrawal stores its cookie and key again as the page goes: the next page view deletes them, once', async ({
  page,
  site,
}) => {
  // As SDKs do: it stores what it holds at once, and again when the page goes.
  const sdk = `<script type="text/plain" data-assent="analytics">
    const store = () => { document.cookie = '_ga=again; path=/'; localStorage.setItem('trk', 'again'); };
    store();
    addEventListener('pagehide', store);
  </script>`;
  const url = site.page(pageWith(config(), sdk)).replace('127.0.0.1', 'www.shop.localhost');
  await page.goto(url);
  await page.evaluate(() => window.assent?.set({ analytics: true }));
  const names = async () => (await page.context().cookies()).map((c) => c.name).sort();
  const keys = () => page.evaluate(() => Object.keys(localStorage));
  await expect.poll(names).toEqual(['_ga', 'assent']);
  await page.evaluate(() => window.assent?.set({ analytics: false }));
  await expect.poll(names).toEqual(['assent']);
  const start = site.log.length;
  const cleanups = () => site.log.slice(start).filter((r) => r.path.endsWith('/cleanup.js')).length;
  await page.reload();
  await expect.poll(names).toEqual(['assent']);
  await expect.poll(keys).toEqual([]);
  expect(cleanups()).toBe(1);
  // Paid: the page views after it load no clean-up.
  await page.reload();
  await page.waitForLoadState('networkidle');
  expect(cleanups()).toBe(1);
});
