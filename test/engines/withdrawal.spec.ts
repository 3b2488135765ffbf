// Withdrawal clean-up (SPEC §3, README "Withdrawal") in Chromium, Firefox and WebKit: the cookies and
// storage keys that the withdrawn purpose's services declare go, on the current host, the configured
// cookie domain and every folder above the page, whether the server or a script set them; what is not
// declared, and what an allowed service declares, stays. A page cannot delete HttpOnly cookies: the
// browser's cookie jar still holds them, as the README says. Proven by the browser's own cookie jar.
import type { AssentConfig } from '../../src/core/config';
import type { PageOptions, Site } from '../e2e/site';
import { shopConfig } from '../fixtures/configs';
import type { Tab } from './drivers';
import { expect, onHost, settle, test } from './fixtures';

const config: AssentConfig = {
  ...shopConfig(),
  services: [
    {
      id: 'stats',
      name: 'Stats',
      purposes: ['analytics'],
      cookies: ['_ga', '/^_ga_/', { name: '_tracker', duration: '1 day' }],
      storage: ['trk', '/^trk_/'],
    },
    { id: 'ads', name: 'Ads', purposes: ['marketing'], cookies: ['_fbp'], storage: ['fbq'] },
  ],
  ui: { reopenButton: true },
  endpoint: '/collect',
  consent: { cookieDomain: 'shop.test' },
};

/** What the server sets with the page: `name domain path` as the jar lists it, and the header. */
const FROM_SERVER = {
  '_ga www.shop.test /': '_ga=s; Path=/',
  '_ga .shop.test /a': '_ga=s; Domain=shop.test; Path=/a',
  '_ga_S .www.shop.test /a/b': '_ga_S=s; Domain=www.shop.test; Path=/a/b',
  // No Path: the folder of the page's URL.
  '_tracker www.shop.test /a/b': '_tracker=s',
  '_ga_httponly www.shop.test /': '_ga_httponly=s; Path=/; HttpOnly',
  'keep_s .shop.test /': 'keep_s=s; Domain=shop.test; Path=/',
};

/** What a script of the page sets, as its SDK would. */
const FROM_SCRIPT = {
  '_ga .shop.test /': '_ga=j; domain=shop.test; path=/',
  '_ga .www.shop.test /a': '_ga=j; domain=www.shop.test; path=/a',
  '_ga_J www.shop.test /a/b': '_ga_J=j; path=/a/b',
  '_ga_J www.shop.test /a/b/': '_ga_J=j; path=/a/b/',
  '_tracker .shop.test /a/': '_tracker=j; domain=shop.test; path=/a/',
  // Not declared: near misses of the exact name and of the anchored pattern.
  '_gat www.shop.test /': '_gat=j; path=/',
  'x_ga_1 .shop.test /': 'x_ga_1=j; domain=shop.test; path=/',
  // Declared by a service whose purpose stays allowed.
  '_fbp .shop.test /': '_fbp=j; domain=shop.test; path=/',
};

const KEPT = [
  '_fbp .shop.test /',
  // Declared, but HttpOnly: out of the page's reach (README "Withdrawal"), so the jar keeps it.
  '_ga_httponly www.shop.test /',
  '_gat www.shop.test /',
  'assent .shop.test /',
  'keep_s .shop.test /',
  'x_ga_1 .shop.test /',
];

/** A page on www.shop.test (served at a fresh folder unless `options.path` says otherwise). */
const shopPage = (site: Site, body = '', options?: PageOptions) =>
  onHost(
    site.page(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Withdrawal</title>' +
        `<script type="application/json" id="assent-config">${JSON.stringify(config)}</script>` +
        `<script src="/dist/assent.js"></script></head><body><main><h1>Shop</h1>${body}</main></body></html>`,
      options,
    ),
    'www.shop.test',
  );

const jar = async (tab: Tab) => (await tab.cookies()).map((c) => `${c.name} ${c.domain} ${c.path}`).sort();
/** The page's storage keys, but Assent's own (`assent:…`, such as the outbox's lock on plain http). */
const storage = (tab: Tab) =>
  tab.run(() => {
    const keys = (store: Storage) =>
      Object.keys(store)
        .filter((k) => !k.startsWith('assent:'))
        .sort();
    return { local: keys(localStorage), session: keys(sessionStorage) };
  });
const cleanupOwed = (tab: Tab) => tab.run(() => localStorage.getItem('assent:cleanup'));

/** Clicks once the element is there: the UI's parts load when they are needed. */
const clickWhenShown = (tab: Tab, css: string, name: string) => expect(() => tab.click(css, name)).toPass();

const withdrawals = {
  'the preference center': async (tab: Tab) => {
    await clickWhenShown(tab, 'button', 'Privacy settings');
    await clickWhenShown(tab, '[role="switch"]', 'Audience measurement Allow');
    await tab.click('button', 'Save my choices');
  },
  'the API': (tab: Tab) => tab.run(() => window.assent?.set({ analytics: false })),
};

for (const [how, withdraw] of Object.entries(withdrawals))
  test(`withdrawing through ${how} deletes the declared cookies on every domain and path, and the declared keys; the rest stays`, async ({
    tab,
    site,
  }) => {
    await tab.goto(shopPage(site, '', { path: '/a/b/', headers: { 'Set-Cookie': Object.values(FROM_SERVER) } }));
    await clickWhenShown(tab, 'button', 'Accept all');
    await expect.poll(() => tab.run(() => window.assent?.get('analytics'))).toBe(true);
    await tab.run((cookies: string[]) => {
      for (const c of cookies) document.cookie = c;
      for (const key of ['trk', 'trk_a', 'trk2', 'fbq', 'keep']) localStorage.setItem(key, '1');
      for (const key of ['trk_b', 'keep']) sessionStorage.setItem(key, '1');
    }, Object.values(FROM_SCRIPT));
    expect(await jar(tab)).toEqual(
      [...Object.keys(FROM_SERVER), ...Object.keys(FROM_SCRIPT), 'assent .shop.test /'].sort(),
    );
    // The page cannot see the HttpOnly one.
    expect(await tab.run(() => document.cookie)).not.toContain('_ga_httponly');

    await withdraw(tab);
    await expect
      .poll(() => tab.run(() => window.assent?.getState().purposes))
      .toMatchObject({ analytics: false, marketing: true });
    await expect.poll(() => jar(tab)).toEqual(KEPT);
    expect(await storage(tab)).toEqual({ local: ['fbq', 'keep', 'trk2'], session: ['keep'] });
  });

test('a withdrawal in another tab deletes this tab’s own sessionStorage keys too', async ({ tab, session, site }) => {
  const url = shopPage(site);
  await tab.goto(url);
  await tab.run(() => window.assent?.acceptAll());
  const other = await session.newTab();
  await other.goto(url);
  await other.run(() => {
    sessionStorage.setItem('trk_tab', '1');
    sessionStorage.setItem('keep', '1');
  });
  await tab.run(() => window.assent?.set({ analytics: false }));
  await expect.poll(() => storage(other)).toEqual({ local: [], session: ['keep'] });
});

test('a script still running after the withdrawal stores again as the page goes: the next page view deletes it, once', async ({
  tab,
  site,
}) => {
  // As SDKs do: it stores what it holds at once, and again when the page goes.
  const sdk = `<script type="text/plain" data-assent="analytics">
    const store = () => { document.cookie = '_ga=again; domain=shop.test; path=/'; localStorage.setItem('trk', 'again'); };
    store();
    // The undeclared key says that it did store again.
    addEventListener('pagehide', () => { store(); localStorage.setItem('sdk_left', '1'); });
  </script>`;
  const url = shopPage(site, sdk);
  await tab.goto(url);
  await tab.run(() => window.assent?.set({ analytics: true }));
  await expect.poll(() => jar(tab)).toEqual(['_ga .shop.test /', 'assent .shop.test /']);
  await tab.run(() => window.assent?.set({ analytics: false }));
  await expect.poll(() => jar(tab)).toEqual(['assent .shop.test /']);
  expect(await storage(tab)).toEqual({ local: [], session: [] });
  expect(await cleanupOwed(tab)).toBe('1');
  const start = site.log.length;
  const cleanups = () => site.log.slice(start).filter((r) => r.path.endsWith('/cleanup.js')).length;
  await tab.reload();
  await expect.poll(() => storage(tab)).toEqual({ local: ['sdk_left'], session: [] });
  expect(await jar(tab)).toEqual(['assent .shop.test /']);
  expect(await cleanupOwed(tab)).toBe(null);
  expect(cleanups()).toBe(1);
  // Paid: the next page view loads no clean-up.
  await tab.reload();
  await expect.poll(() => tab.run(() => document.readyState)).toBe('complete');
  await settle();
  expect(cleanups()).toBe(1);
});
