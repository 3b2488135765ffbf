// One decision across the subdomains of `consent.cookieDomain` (SPEC §5, §7): the collector, served
// on each subdomain's own origin, re-issues the cookie a request carried, so a slow answer to a tab
// on a.shop.localhost can bring back a decision that a tab on b.shop.localhost changed meanwhile. No
// BroadcastChannel crosses subdomains and the collector cannot know better: the newer decision
// must win in the browser. Chromium resolves every *.localhost name to loopback.
import type { BrowserContext, Page } from '@playwright/test';
import type { AssentConfig } from '../../src/core/config';
import { shopConfig } from '../fixtures/configs';
import { expect, ran, test } from './fixtures';
import { type Collector, pageWith, type Site } from './site';

const DOMAIN = 'shop.localhost';
const config: AssentConfig = { ...shopConfig(), endpoint: '/collect', consent: { cookieDomain: DOMAIN } };
const ADS = '<script type="text/plain" data-assent="marketing" src="vendor/ads.js"></script>';

/** A page on `<sub>.shop.localhost`, with its own folder, so that the request log tells the subdomains apart. */
const pageOn = (site: Site, sub: string, body = ADS) => {
  const url = new URL(site.page(pageWith(config, body)));
  url.hostname = `${sub}.${DOMAIN}`;
  return { url: url.href, ads: `${url.pathname}vendor/ads.js` };
};

const open = async (context: BrowserContext, url: string) => {
  const page = await context.newPage();
  await page.goto(url);
  return page;
};

/** The consent cookie as a page of that subdomain reads it. */
const cookieIn = (page: Page) => page.evaluate(() => /(?:^|; )assent=([^;]*)/.exec(document.cookie)?.[1] ?? '');

/**
 * The collector answers every batch at once and re-issues the cookie for the whole domain; the
 * batch from a.shop.localhost waits until the test releases it, like an answer held by a proxy.
 */
const holdA = (collector: Collector) => {
  let release = () => {};
  const held = new Promise<void>((done) => (release = done));
  collector.answer = (batch) => ({
    reissue: true,
    cookieDomain: DOMAIN,
    ...(batch.some((e) => String(e.origin).includes(`//a.${DOMAIN}`)) ? { until: held } : {}),
  });
  return release;
};

const withoutCookieStore = (context: BrowserContext) =>
  context.addInitScript(() => Object.defineProperty(window, 'cookieStore', { value: undefined }));

for (const [how, setUp] of [
  ['with CookieStore', async () => {}],
  ['without CookieStore (the deciding tab polls the cookie)', withoutCookieStore],
] as const)
  test(`a withdrawal on b. stands when a late answer to a tab on a. re-issues the older "Accept all" (${how})`, async ({
    context,
    site,
    collector,
  }) => {
    await setUp(context);
    const release = holdA(collector);
    const a = pageOn(site, 'a');
    const b = pageOn(site, 'b');
    const tabB = await open(context, b.url);
    const tabA = await open(context, a.url);
    await tabA.evaluate(() => {
      // Resolves only once its receipt is answered: not awaited here.
      window.assent?.acceptAll();
    });
    await expect.poll(() => ran(tabA)).toEqual(['ads']);
    await expect.poll(() => collector.posts.map((p) => p.answered)).toEqual(['waiting']);
    const accepted = collector.posts[0].ids[0];
    const withdrawal = await tabB.evaluate(() => window.assent?.rejectAll().then((r) => r.id));
    expect(await cookieIn(tabB)).toContain('marketing0');
    await tabA.evaluate(() => {
      const w = window as unknown as { __synced: string[] };
      w.__synced = [];
      window.assent?.on('sync', (e) => w.__synced.push(...e.ids));
    });
    release();
    // Tab A has read its late answer (and the Set-Cookie that came with it) once it reports it confirmed.
    await expect
      .poll(() => tabA.evaluate(() => (window as unknown as { __synced: string[] }).__synced))
      .toContain(accepted);
    expect(collector.posts[0].cookie).toContain('marketing1');
    await expect.poll(() => cookieIn(tabB)).toContain(withdrawal);
    // The next page view on b. finds the withdrawal, and ads.js never loads there.
    const next = await open(context, b.url);
    expect(await cookieIn(next)).toContain(withdrawal);
    expect(await cookieIn(next)).toContain('marketing0');
    expect(await next.evaluate(() => window.assent?.get('marketing'))).toBe(false);
    // Tab A has taken the newer decision too.
    await expect.poll(() => tabA.evaluate(() => window.assent?.get('marketing'))).toBe(false);
    await next.waitForTimeout(1500);
    expect(await cookieIn(next)).toContain(withdrawal);
    expect(site.requested(b.ads)).toEqual([]);
  });

test('when every tab on b. closed before the late answer, the next page view on b. puts the withdrawal back', async ({
  context,
  site,
  collector,
}) => {
  collector.answer = () => ({ reissue: true, cookieDomain: DOMAIN });
  const a = pageOn(site, 'a');
  const b = pageOn(site, 'b');
  const tabA = await open(context, a.url);
  await tabA.evaluate(() => window.assent?.acceptAll());
  // What tab A's request carried: what its late answer re-issues (the receipt may still be on its way).
  await expect.poll(() => collector.posts.length).toBeGreaterThan(0);
  const sentByA = /(?:^|; )assent=([^;]*)/.exec(collector.posts[0].cookie ?? '')?.[1] as string;
  await tabA.close();
  const tabB = await open(context, pageOn(site, 'b', '').url);
  const withdrawal = await tabB.evaluate(() => window.assent?.rejectAll().then((r) => r.id));
  await tabB.close();
  // The late answer, with no tab of b. left to see it.
  await context.addCookies([{ name: 'assent', value: sentByA, domain: `.${DOMAIN}`, path: '/' }]);
  const next = await open(context, b.url);
  // That page view decided from the cookie before anything could know better (README: what remains)…
  expect(site.requested(b.ads)).toHaveLength(1);
  // …then put the withdrawal back, and withdrew marketing on the page.
  await expect.poll(() => next.evaluate(() => window.assent?.get('marketing'))).toBe(false);
  expect(await cookieIn(next)).toContain(withdrawal);
  expect(await cookieIn(next)).toContain('marketing0');
  const after = await open(context, b.url);
  expect(await after.evaluate(() => window.assent?.get('marketing'))).toBe(false);
  const onA = await open(context, a.url);
  expect(await onA.evaluate(() => window.assent?.get('marketing'))).toBe(false);
  expect(site.requested(b.ads)).toHaveLength(1);
  expect(site.requested(a.ads)).toHaveLength(1);
});
