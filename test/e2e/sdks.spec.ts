// Real analytics SDKs from npm (mixpanel-browser, posthog-js), injected the way a tag manager does,
// under assent-autoblock.js: nothing of theirs is fetched, set or stored before consent or after a
// reject; they load once on "Accept all", and a withdrawal takes their cookies and storage away.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Page } from '@playwright/test';
import type { AssentConfig } from '../../src/core/config';
import { shopConfig } from '../fixtures/configs';
import { expect, test } from './fixtures';
import { pageWith, type Site } from './site';

const dist = (pkg: string, file: string) =>
  readFileSync(join(dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), 'dist', file), 'utf8');

const config = (): AssentConfig => ({
  ...shopConfig(),
  services: [
    {
      id: 'mixpanel',
      name: 'Mixpanel',
      purposes: ['analytics'],
      privacyPolicyUrl: 'https://mixpanel.com/legal/privacy-policy',
      match: ['/sdk/mixpanel'],
      cookies: ['/^mp_/'],
      storage: ['/^(mp_|__mp)/'],
    },
    {
      id: 'posthog',
      name: 'PostHog',
      purposes: ['marketing'],
      privacyPolicyUrl: 'https://posthog.com/privacy',
      match: ['/sdk/posthog'],
      cookies: ['/^ph_/'],
      storage: ['/^(ph_|__ph)/'],
    },
  ],
  consent: { reloadOnWithdraw: true },
});

// The tag manager: adds each SDK's script and initialises it from the load event, sending its data to
// this origin (every request is then in the test server's log).
const TAG_MANAGER = `<script>
  (function () {
    var add = function (src, onload) {
      var s = document.createElement('script');
      s.async = true;
      s.onload = onload;
      s.src = src;
      document.head.appendChild(s);
    };
    window.MIXPANEL_CUSTOM_LIB_URL = '/sdk/mixpanel.min.js';
    add('/sdk/mixpanel-snippet.js', function () {
      mixpanel.init('mp-test-token', { api_host: location.origin + '/mp', persistence: 'cookie', batch_requests: false });
      mixpanel.track('page viewed');
      (window.__loaded = window.__loaded || []).push('mixpanel');
    });
    add('/sdk/posthog.js', function () {
      posthog.init('phc_test', { api_host: location.origin + '/ph', persistence: 'localStorage+cookie', autocapture: false });
      posthog.capture('page viewed');
      (window.__loaded = window.__loaded || []).push('posthog');
    });
  })();
</script>`;

const serve = (site: Site) => {
  site.file('/sdk/mixpanel-snippet.js', dist('mixpanel-browser', 'mixpanel-jslib-snippet.min.js'));
  site.file('/sdk/mixpanel.min.js', dist('mixpanel-browser', 'mixpanel.min.js'));
  site.file('/sdk/posthog.js', dist('posthog-js', 'array.js'));
  return site
    .page(pageWith(config(), TAG_MANAGER, '', '/dist/assent-autoblock.js'))
    .replace('127.0.0.1', 'www.shop.localhost');
};

/** What the SDKs left: their requests (files and data, or only files), cookies and storage keys. */
const traces = async (page: Page, site: Site, since: number, requests = /^\/(sdk|mp|ph)\//) => ({
  requests: site.log.slice(since).filter((r) => requests.test(r.path)).length,
  cookies: (await page.context().cookies()).map((c) => c.name).filter((n) => n !== 'assent'),
  storage: await page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]),
});
const NOTHING = { requests: 0, cookies: [], storage: [] };
const loaded = (page: Page) => page.evaluate(() => (window as { __loaded?: string[] }).__loaded ?? []);

test('before a choice and after "Reject all", also after reloads, the SDKs fetch, set and store nothing', async ({
  page,
  site,
}) => {
  const url = serve(site);
  const start = site.log.length;
  await page.goto(url);
  await page.waitForTimeout(500);
  expect(await traces(page, site, start)).toEqual(NOTHING);
  await page.getByRole('button', { name: 'Reject all' }).click();
  await page.reload();
  await page.waitForTimeout(500);
  await page.reload();
  await page.waitForTimeout(500);
  // The SDKs that ran may still send what they queued as the page unloads (the README's "requests from
  // already-running scripts"); after the reload, none of their files loads again.
  expect(await traces(page, site, start, /^\/sdk\//)).toEqual(NOTHING);
  expect(await loaded(page)).toEqual([]);
});

test('after "Accept all" each SDK loads once and sets its cookies; withdrawing removes them all', async ({
  page,
  site,
}) => {
  const url = serve(site);
  await page.goto(url);
  await page.getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => loaded(page)).toEqual(expect.arrayContaining(['mixpanel', 'posthog']));
  for (const file of ['/sdk/mixpanel-snippet.js', '/sdk/mixpanel.min.js', '/sdk/posthog.js'])
    expect(site.requested(file)).toHaveLength(1);
  // Their own data reaches their (here: local) endpoints once they run.
  await expect.poll(() => site.requested('/mp/').length).toBeGreaterThan(0);
  await expect.poll(() => site.requested('/ph/').length).toBeGreaterThan(0);
  const names = async () => (await page.context().cookies()).map((c) => c.name);
  await expect.poll(names).toEqual(expect.arrayContaining(['mp_mp-test-token_mixpanel', 'ph_phc_test_posthog']));
  expect(await page.evaluate(() => Object.keys(localStorage))).toContain('ph_phc_test_posthog');

  // Withdrawing both: their cookies and keys are deleted, and the page reloads without them. The
  // SDKs still run until it does, and may store again (PostHog does as the page goes): the page view
  // after it deletes that too, before anything is checked.
  const start = site.log.length;
  await Promise.all([
    page.waitForEvent('load'),
    page.evaluate(() => void window.assent?.set({ analytics: false, marketing: false })),
  ]);
  await expect.poll(() => page.evaluate(() => localStorage.getItem('assent:cleanup'))).toBeNull();
  // The SDKs that ran may still send what they queued as the page unloads (the README's "requests from
  // already-running scripts"); after the reload, none of their files loads again.
  expect(await traces(page, site, start, /^\/sdk\//)).toEqual(NOTHING);
  expect(await loaded(page)).toEqual([]);
});
