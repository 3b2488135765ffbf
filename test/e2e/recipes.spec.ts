// Each recipe in docs/recipes/, exactly as written (only the loader's path is mapped to the build under
// test), on a loopback site whose vendor URLs are answered by small fakes of the vendors' SDKs
// (./vendors.ts). Before a choice, and after "Reject all" even after a reload, nothing goes to a vendor
// and no vendor cookie is set; "Accept all" loads everything; a withdrawal deletes the cookies the
// recipe says it deletes. Advanced Consent Mode sends exactly the cookieless pings its recipe describes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import type { Site } from './site';
import { answerVendors, type VendorRequest } from './vendors';

const RECIPES = join(import.meta.dirname, '../../docs/recipes');
// The CLI of the build under test, as site.ts serves it.
const CLI = resolve(process.env.ASSENT_DIST || join(import.meta.dirname, '../../dist'), 'cli.mjs');

/** Every complete page in the recipes: each ```html fence not marked `<!-- fragment -->`, by file and order. */
const pages = (): Map<string, string> => {
  const out = new Map<string, string>();
  for (const file of readdirSync(RECIPES).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const fences = readFileSync(join(RECIPES, file), 'utf8').matchAll(
      /(<!--\s*fragment\b[^>]*-->\s*\n)?```html\n([\s\S]*?)\n```/g,
    );
    let n = 0;
    for (const [, fragment, html] of fences) if (!fragment) out.set(`${file}#${++n}`, html);
  }
  return out;
};

interface Expected {
  /** URLs "Accept all" must bring, in any order. */
  loads: RegExp[];
  /** First-party cookies the vendor sets once allowed, and a withdrawal deletes. */
  cookies: RegExp[];
  /** Requests allowed before consent and after a reject, one of each per page view (advanced Consent Mode). */
  cookieless?: RegExp[];
  /** Storage keys it sets on the page's origin, which a withdrawal deletes. */
  storage?: string[];
  /** An embed: its placeholder shows before consent. */
  embed?: boolean;
  /**
   * Whether a withdrawal reloads the page (`reloadOnWithdraw` with scripts Assent released); else the
   * test reloads it, to see what the next page view sends.
   */
  reloads: boolean;
}

const GA_HIT = (gcs: string, en: string, cid: boolean) =>
  new RegExp(
    `^https://www\\.google-analytics\\.com/g/collect\\?v=2&tid=G-XXXXXXXXXX&gcs=${gcs}${cid ? '&cid=\\d+\\.\\d+' : ''}&en=${en}&`,
  );
const GA_COOKIES = [/^_ga$/, /^_ga_XXXXXXXXXX$/];
const GTAG = /^https:\/\/www\.googletagmanager\.com\/gtag\/js\?id=G-XXXXXXXXXX/;

const ANY = '[^&]*';
const url = (prefix: string) => new RegExp(`^${prefix.replace(/[.?]/g, '\\$&').replaceAll('*', ANY)}`);
const EMBED = { cookies: [], reloads: false, embed: true };
const GTM = url('https://www.googletagmanager.com/gtm.js?id=GTM-XXXXXXX');

/** Each page, by file and order; `contract` is the newsletter's page, which has nothing to consent to. */
const EXPECTED: Record<string, Expected | 'contract'> = {
  'google-analytics-4.md#1': { loads: [GTAG, GA_HIT('G101', 'page_view', true)], cookies: GA_COOKIES, reloads: true },
  'google-analytics-4.md#2': {
    reloads: false,
    loads: [GA_HIT('G101', 'user_engagement', true)],
    cookies: GA_COOKIES,
    cookieless: [GTAG, GA_HIT('G100', 'page_view', false)],
  },
  'google-tag-manager.md#1': { loads: [GTM, GA_HIT('G101', 'page_view', true)], cookies: GA_COOKIES, reloads: true },
  'google-tag-manager.md#2': {
    reloads: false,
    loads: [GA_HIT('G101', 'user_engagement', true)],
    cookies: GA_COOKIES,
    cookieless: [GTM, GA_HIT('G100', 'page_view', false)],
  },
  'meta-pixel.md#1': {
    loads: [
      url('https://connect.facebook.net/en_US/fbevents.js'),
      url('https://www.facebook.com/tr/?id=1234567890123456&ev=PageView&'),
    ],
    cookies: [/^_fbp$/],
    reloads: true,
  },
  'hotjar.md#1': {
    loads: [
      url('https://static.hotjar.com/c/hotjar-1234567.js?sv=6'),
      url('https://in.hotjar.com/api/v2/client/sites/1234567/visit-data'),
    ],
    cookies: [/^_hjSessionUser_1234567$/, /^_hjSession_1234567$/],
    storage: ['hjActiveViewportIds', 'hjViewportId'],
    reloads: true,
  },
  'microsoft-clarity.md#1': {
    loads: [url('https://www.clarity.ms/tag/abcdefghij'), url('https://a.clarity.ms/collect')],
    cookies: [/^_clck$/, /^_clsk$/],
    reloads: true,
  },
  'hubspot.md#1': {
    loads: [
      url('https://js.hs-scripts.com/1234567.js'),
      url('https://js.hs-analytics.net/analytics/*/1234567.js'),
      url('https://track.hubspot.com/__ptq.gif?k=1&a=1234567&'),
    ],
    cookies: [/^__hstc$/, /^hubspotutk$/, /^__hssc$/, /^__hssrc$/],
    reloads: true,
  },
  'youtube.md#1': {
    ...EMBED,
    loads: [url('https://www.youtube-nocookie.com/embed/M7lc1UVf-VE'), url('https://i.ytimg.com/vi/M7lc1UVf-VE/')],
  },
  'vimeo.md#1': {
    ...EMBED,
    loads: [url('https://player.vimeo.com/video/76979871?h=8272103f6e'), url('https://i.vimeocdn.com/video/76979871')],
  },
  'google-maps.md#1': {
    ...EMBED,
    loads: [url('https://www.google.com/maps/embed?pb=!1m18!'), url('https://maps.googleapis.com/maps/vt')],
  },
  'newsletter.md#1': 'contract',
};

test('every page in docs/recipes has its test, and its config passes assent check with 0 errors', () => {
  const all = pages();
  expect([...all.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
  const dir = mkdtempSync(join(tmpdir(), 'assent-recipes-'));
  try {
    for (const [name, html] of all) {
      const json = /<script type="application\/json" id="assent-config">([\s\S]*?)<\/script>/.exec(html)?.[1];
      expect(json, name).toBeTruthy();
      const file = join(dir, `${name.replace('#', '-')}.json`);
      writeFileSync(file, json as string);
      const check = spawnSync(process.execPath, [CLI, 'check', file], { encoding: 'utf8' });
      expect(check.stdout + check.stderr, name).toContain(`${file}: 0 error(s)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const vendorCookies = async (page: Page) =>
  (await page.context().cookies()).map((c) => c.name).filter((n) => n !== 'assent');
const urls = (log: VendorRequest[], since = 0) => log.slice(since).map((r) => r.url);
/** Waits until the page and what it started have settled: gated scripts never ask, pings come within 500 ms. */
const settle = (page: Page) => page.waitForLoadState('load').then(() => page.waitForTimeout(700));

const storageKeys = (page: Page) =>
  page.evaluate(() =>
    [...Object.keys(localStorage), ...Object.keys(sessionStorage)].filter((k) => !k.startsWith('assent')),
  );
const HOST = 'www.shop.localhost';

/** The recipe's page on the test server, its vendors answered and logged, receipts accepted. */
const open = async (page: Page, site: Site, html: string) => {
  const url = site.page(html.replace('<script src="/assent/assent.js">', '<script src="/dist/assent.js">'));
  const log = await answerVendors(page.context(), HOST);
  await page.route('**/consent/v1/receipts', (route) => {
    const batch = JSON.parse(route.request().postData() ?? '[]') as { id: string }[];
    return route.fulfill({ json: { results: batch.map((e) => ({ id: e.id, status: 'accepted' })) } });
  });
  await page.goto(url.replace('127.0.0.1', HOST));
  await settle(page);
  return log;
};

for (const [name, html] of pages()) {
  const expected = EXPECTED[name];
  if (expected === 'contract')
    test(`${name}: nothing to ask, no third party, no cookie; the form posts to the site only`, async ({
      page,
      site,
    }) => {
      let posted = '';
      await page.route('**/newsletter/subscribe', (route) => {
        posted = route.request().postData() ?? '';
        return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Thanks</title><p>Thanks.</p>' });
      });
      const log = await open(page, site, html);
      await expect(page.getByRole('region', { name: 'Your privacy choices' })).toHaveCount(0);
      expect(await page.evaluate(() => window.assent?.get('newsletter'))).toBe(true);
      await page.getByRole('button', { name: 'Cookie settings' }).click();
      const dialog = page.getByRole('dialog', { name: 'Privacy settings' });
      await expect(dialog.getByText('Always active', { exact: true })).toBeVisible();
      await expect(dialog.getByRole('switch')).toHaveCount(0);
      await page.keyboard.press('Escape');
      await page.getByLabel('Email address').fill('reader@example.com');
      await Promise.all([
        page.waitForURL('**/newsletter/subscribe'),
        page.getByRole('button', { name: 'Subscribe' }).click(),
      ]);
      expect(posted).toBe('email=reader%40example.com');
      expect(urls(log)).toEqual([]);
      expect(await page.context().cookies()).toEqual([]);
    });
  else if (expected)
    test(`${name}: nothing before consent nor after "Reject all"; "Accept all" loads it; withdrawal deletes its cookies`, async ({
      page,
      site,
    }) => {
      const log = await open(page, site, html);
      const cookieless = expected.cookieless ?? [];
      // Exactly one of each cookieless request per page view since `since`, and nothing else.
      const onlyCookieless = async (since: number) => {
        const sent = (p: RegExp) => urls(log, since).filter((u) => p.test(u));
        for (const p of cookieless) await expect.poll(() => sent(p).length, String(p)).toBeGreaterThan(0);
        expect(urls(log, since).filter((u) => !cookieless.some((p) => p.test(u)))).toEqual([]);
        for (const p of cookieless) expect(sent(p), String(p)).toHaveLength(1);
      };

      // A new visitor: nothing (or only the cookieless pings), no cookie at all, nothing stored.
      await onlyCookieless(0);
      expect(await page.context().cookies()).toEqual([]);
      expect(await storageKeys(page)).toEqual([]);
      if (expected.embed) await expect(page.getByRole('button', { name: 'Load this content' })).toBeVisible();

      // "Reject all", then a reload: the same.
      await page.getByRole('button', { name: 'Reject all' }).click();
      let since = log.length;
      await page.reload();
      await settle(page);
      await onlyCookieless(since);
      expect(await vendorCookies(page)).toEqual([]);
      expect(await storageKeys(page)).toEqual([]);

      // "Accept all" in the preference center: everything loads, the vendor's cookies are set.
      await page.getByRole('button', { name: 'Cookie settings' }).click();
      const dialog = page.getByRole('dialog', { name: 'Privacy settings' });
      await dialog.getByRole('button', { name: 'Accept all' }).click();
      for (const p of expected.loads) await expect.poll(() => urls(log).some((u) => p.test(u)), String(p)).toBe(true);
      await expect.poll(() => vendorCookies(page)).toHaveLength(expected.cookies.length);
      for (const p of expected.cookies)
        expect(
          (await vendorCookies(page)).some((n) => p.test(n)),
          String(p),
        ).toBe(true);
      expect((await storageKeys(page)).sort()).toEqual(expected.storage ?? []);

      // Withdrawal: every switch off, saved. The vendor's cookies and keys go, and the next page view
      // loads nothing of it (or only the cookieless pings) again.
      await page.getByRole('button', { name: 'Cookie settings' }).click();
      for (const on of await dialog.getByRole('switch', { checked: true }).all()) await on.click();
      since = log.length;
      await Promise.all([
        expected.reloads ? page.waitForEvent('load') : Promise.resolve(),
        dialog.getByRole('button', { name: 'Save my choices' }).click(),
      ]);
      if (!expected.reloads) {
        await expect.poll(() => vendorCookies(page)).toEqual([]);
        since = log.length;
        await page.reload();
      }
      await settle(page);
      await expect.poll(() => page.evaluate(() => localStorage.getItem('assent:cleanup'))).toBeNull();
      expect(await vendorCookies(page)).toEqual([]);
      expect(await storageKeys(page)).toEqual([]);
      await onlyCookieless(since);
      if (expected.embed) await expect(page.getByRole('button', { name: 'Load this content' })).toBeVisible();
    });
}
