// Script gating (SPEC §3) in real Chromium, proven by the test server's request log.
import type { Page } from '@playwright/test';
import { encodeConsentCookie } from '../../src/core/cookie';
import { shopConfig } from '../fixtures/configs';
import { expect, ran, test } from './fixtures';
import { pageWith, type Site } from './site';

const banner = (page: Page) => page.getByRole('region', { name: 'Your privacy choices' });

/** A page whose own markup or script comes before the loader. */
const pageAfter = (site: Site, before: string, body = '', loader = '/dist/assent.js') =>
  site.page(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Assent test</title>
${before}
<script type="application/json" id="assent-config">${JSON.stringify(shopConfig())}</script>
<script src="${loader}"></script>
</head><body><main><h1>Test page</h1>${body}</main></body></html>`);

const GATED = `<script type="text/plain" data-assent="analytics" src="vendor/page-gated.js"></script>
  <script type="text/plain" data-assent="necessary" src="vendor/page-needed.js"></script>`;

test('a visitor who rejected never requests a gated script, even after reloads', async ({ page, site }) => {
  const url = site.page(
    pageWith(shopConfig(), `<script type="text/plain" data-assent="analytics" src="vendor/tracker.js"></script>`),
  );
  await page.goto(url);
  await page.evaluate(() => window.assent?.rejectAll());
  for (let i = 0; i < 3; i++) await page.reload();
  expect(await page.evaluate(() => window.assent?.getState().decided)).toBe(true);
  expect(site.requested('/vendor/tracker.js')).toEqual([]);
  expect(await ran(page)).toEqual([]);
});

test('a new visitor runs nothing gated before deciding', async ({ page, site }) => {
  const url = site.page(
    pageWith(
      shopConfig(),
      `<script type="text/plain" data-assent="analytics" src="vendor/a.js"></script>
       <script type="text/plain" data-assent="marketing">(window.__ran = window.__ran || []).push('inline')</script>
       <iframe data-assent="marketing" data-src="vendor/frame.html" title="Video"></iframe>`,
    ),
  );
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  expect(site.requested(`${new URL(url).pathname}vendor/`)).toEqual([]);
  expect(await ran(page)).toEqual([]);
});

test('acceptAll() releases gated scripts exactly once, in document order, src and inline alike', async ({
  page,
  site,
}) => {
  const url = site.page(
    pageWith(
      shopConfig(),
      `<script type="text/plain" data-assent="analytics" src="vendor/first.js?delay=300"></script>
       <script type="text/plain" data-assent="analytics">(window.__ran = window.__ran || []).push('second-inline')</script>
       <script type="text/plain" data-assent="marketing" src="vendor/third.js"></script>
       <script type="text/plain" data-assent="analytics marketing">(window.__ran = window.__ran || []).push('fourth-inline')</script>
       <script type="text/plain" data-assent="necessary" src="vendor/required.js"></script>`,
    ),
  );
  await page.goto(url);
  await expect.poll(() => ran(page)).toEqual(['required']);
  await page.evaluate(() => window.assent?.acceptAll());
  await page.evaluate(() => window.assent?.acceptAll());
  await page.evaluate(() => window.assent?.set({ analytics: true }));
  await expect.poll(() => ran(page)).toEqual(['required', 'first', 'second-inline', 'third', 'fourth-inline']);
  await page.waitForTimeout(300);
  expect(await ran(page)).toHaveLength(5);
  expect(site.requested('/vendor/first.js')).toHaveLength(1);
  expect(site.requested('/vendor/third.js')).toHaveLength(1);
});

test('a script listing several purposes runs only when all of them are allowed', async ({ page, site }) => {
  const url = site.page(
    pageWith(
      shopConfig(),
      `<script type="text/plain" data-assent="analytics marketing" src="vendor/both.js"></script>`,
    ),
  );
  await page.goto(url);
  await page.evaluate(() => window.assent?.set({ analytics: true }));
  await page.waitForTimeout(200);
  expect(site.requested('/vendor/both.js')).toEqual([]);
  await page.evaluate(() => window.assent?.set({ marketing: true }));
  await expect.poll(() => ran(page)).toEqual(['both']);
});

test('for a returning visitor who accepted, gated inline scripts run and src scripts are requested before DOMContentLoaded', async ({
  page,
  site,
}) => {
  const url = site.page(
    pageWith(
      shopConfig(),
      `<script type="text/plain" data-assent="analytics" src="vendor/early.js"></script>
       <script type="text/plain" data-assent="analytics">window.__inlineAt = performance.now()</script>
       <script type="text/plain" data-assent="analytics" src="vendor/after-inline.js"></script>
       <img src="vendor/slow.png" alt="">`,
    ),
  );
  site.file('/vendor/slow.png', '', 'image/png', { delay: 500 });
  await page.goto(url);
  await page.evaluate(() => window.assent?.acceptAll());
  await page.reload();
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const start = (name: string) =>
      performance.getEntriesByType('resource').find((e) => e.name.includes(name))?.startTime ??
      Number.POSITIVE_INFINITY;
    return {
      dcl: nav.domContentLoadedEventStart,
      inline: (window as { __inlineAt?: number }).__inlineAt ?? Number.POSITIVE_INFINITY,
      early: start('early.js'),
      afterInline: start('after-inline.js'),
    };
  });
  expect(timing.inline).toBeLessThan(timing.dcl);
  expect(timing.early).toBeLessThan(timing.dcl);
  expect(timing.afterInline).toBeLessThan(timing.dcl);
  await expect.poll(() => ran(page)).toEqual(['early', 'after-inline']);
});

test('released scripts keep their attributes, their nonce through the property, and data-type="module"', async ({
  page,
  site,
}) => {
  site.file('/mod/esm.js', `window.__module = import.meta.url; (window.__ran = window.__ran || []).push('module')`);
  const url = site.page(
    pageWith(
      shopConfig(),
      `<script type="text/plain" data-assent="analytics" src="vendor/attrs.js" async nonce="n0nce" crossorigin="anonymous" data-extra="x" id="kept"></script>
       <script type="text/plain" data-assent="analytics" data-type="module" src="/mod/esm.js"></script>
       <script type="text/plain" data-assent="analytics" nonce="n0nce">(window.__ran = window.__ran || []).push('nonced-inline')</script>`,
    ),
    { headers: { 'Content-Security-Policy': "script-src 'self' 'nonce-n0nce'" } },
  );
  await page.goto(url);
  await page.evaluate(() => window.assent?.set({ analytics: true }));
  await expect.poll(async () => (await ran(page)).sort()).toEqual(['attrs', 'module', 'nonced-inline']);
  const released = await page.evaluate(() => {
    const s = document.getElementById('kept') as HTMLScriptElement;
    return {
      type: s.type,
      async: s.async,
      nonce: s.nonce,
      crossOrigin: s.crossOrigin,
      extra: s.dataset.extra,
      module: (window as { __module?: string }).__module,
    };
  });
  expect(released).toEqual({
    type: '',
    async: true,
    nonce: 'n0nce',
    crossOrigin: 'anonymous',
    extra: 'x',
    module: `${site.origin}/mod/esm.js`,
  });
});

test('gated scripts added later, in markup after the loader or inserted by script, are gated too', async ({
  page,
  site,
}) => {
  const url = site.page(pageWith(shopConfig(), `<p>content</p>`));
  await page.goto(url);
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.type = 'text/plain';
    s.dataset.assent = 'analytics';
    s.src = 'vendor/dynamic.js';
    document.body.append(s);
    const div = document.createElement('div');
    div.innerHTML = '<script type="text/plain" data-assent="analytics" src="vendor/nested.js"></script>';
    document.body.append(div);
  });
  await page.waitForTimeout(200);
  expect(site.requested(`${new URL(url).pathname}vendor/`)).toEqual([]);
  await page.evaluate(() => window.assent?.set({ analytics: true }));
  await expect.poll(() => ran(page)).toEqual(['dynamic', 'nested']);
  // After consent, a newly added gated script runs at once.
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.type = 'text/plain';
    s.dataset.assent = 'analytics';
    s.src = 'vendor/late.js';
    document.body.append(s);
  });
  await expect.poll(() => ran(page)).toEqual(['dynamic', 'nested', 'late']);
});

test('a gated iframe loads its data-src only with consent', async ({ page, site }) => {
  site.file('/frame.html', '<p>embedded</p>', 'text/html');
  const url = site.page(
    pageWith(shopConfig(), `<iframe data-assent="marketing" data-src="/frame.html" title="Embed"></iframe>`),
  );
  await page.goto(url);
  await page.waitForTimeout(200);
  expect(site.requested('/frame.html')).toEqual([]);
  await page.evaluate(() => window.assent?.set({ marketing: true }));
  await expect.poll(() => site.requested('/frame.html')).toHaveLength(1);
});

test('a change in one tab reaches the other open tabs without a reload', async ({ context, site }) => {
  const url = site.page(
    pageWith(shopConfig(), `<script type="text/plain" data-assent="analytics" src="vendor/tab.js"></script>`),
  );
  const [a, b] = [await context.newPage(), await context.newPage()];
  await a.goto(url);
  await b.goto(url);
  await b.evaluate(() => {
    (window as { __changes?: string[][] }).__changes = [];
    window.assent?.on('change', (d) => (window as unknown as { __changes: string[][] }).__changes.push(d.changed));
  });
  await a.evaluate(() => window.assent?.acceptAll());
  await expect.poll(() => b.evaluate(() => window.assent?.getState().decided)).toBe(true);
  expect(await b.evaluate(() => (window as { __changes?: string[][] }).__changes)).toEqual([
    ['analytics', 'marketing'],
  ]);
  await expect.poll(() => ran(b)).toEqual(['tab']);
  await a.evaluate(() => window.assent?.rejectAll());
  await expect.poll(() => b.evaluate(() => window.assent?.get('analytics'))).toBe(false);
});

test('a page restored from the back/forward cache sees a decision made meanwhile', async ({ page, site }) => {
  const config = shopConfig();
  const first = site.page(pageWith(config));
  const second = site.page(pageWith(config));
  await page.goto(first);
  await page.evaluate(() =>
    addEventListener('pageshow', (e) => ((window as { __restored?: boolean }).__restored = e.persisted)),
  );
  await page.goto(second);
  await page.evaluate(() => window.assent?.acceptAll());
  await page.goBack();
  await expect.poll(() => page.evaluate(() => window.assent?.getState().decided)).toBe(true);
  expect(await page.evaluate(() => window.assent?.get('analytics'))).toBe(true);
  test.info().annotations.push({
    type: 'bfcache',
    description: String(await page.evaluate(() => (window as { __restored?: boolean }).__restored)),
  });
});

test.describe('bad input leaves the page working and runs nothing that was not allowed', () => {
  test('an invalid config: one console error naming the field, no gated script, required purposes still run', async ({
    page,
    site,
    messages,
  }) => {
    const config = shopConfig() as unknown as { purposes: { basis: string }[] };
    config.purposes[3].basis = 'consnet';
    const url = site.page(
      pageWith(
        config,
        `<script type="text/plain" data-assent="analytics" src="vendor/never.js"></script>
         <script type="text/plain" data-assent="necessary" src="vendor/needed.js"></script>
         <script>window.__hostRan = true</script>`,
      ),
    );
    await page.goto(url);
    await expect.poll(() => ran(page)).toEqual(['needed']);
    expect(await page.evaluate(() => (window as { __hostRan?: boolean }).__hostRan)).toBe(true);
    expect(site.requested('/vendor/never.js')).toEqual([]);
    const errors = messages.filter((m) => m.startsWith('error: assent'));
    expect(errors).toEqual([
      'error: assent: config.purposes[3].basis must be one of consent, legitimate-interest, contract, legal-obligation (got "consnet"); `npx assent check` lists all',
    ]);
  });

  test('invalid JSON in the config element, or no config at all', async ({ page, site, messages }) => {
    const broken = `<!doctype html><html><head><script type="application/json" id="assent-config">{ "policy": </script>
      <script src="/dist/assent.js"></script></head><body>
      <script type="text/plain" data-assent="analytics" src="vendor/never.js"></script></body></html>`;
    await page.goto(site.page(broken));
    await expect.poll(() => messages.find((m) => m.includes('the JSON in #assent-config is invalid'))).toBeTruthy();
    await page.goto(
      site.page('<!doctype html><html><head><script src="/dist/assent.js"></script></head><body></body></html>'),
    );
    await expect.poll(() => messages.find((m) => m.includes('no config (add <script'))).toBeTruthy();
    expect(site.requested('/vendor/never.js')).toEqual([]);
  });

  test('an unknown purpose in data-assent is blocked with a warning', async ({ page, site, messages }) => {
    const url = site.page(
      pageWith(shopConfig(), `<script type="text/plain" data-assent="analytic" src="vendor/typo.js"></script>`),
    );
    await page.goto(url);
    await page.evaluate(() => window.assent?.acceptAll());
    await page.waitForTimeout(200);
    expect(site.requested('/vendor/typo.js')).toEqual([]);
    expect(messages).toContain('warning: assent: data-assent: unknown purpose "analytic"');
  });

  test('cookies that throw: the choice lasts for the page, an error says why, nothing leaks', async ({
    page,
    site,
    messages,
  }) => {
    await page.addInitScript(() => {
      Object.defineProperty(Document.prototype, 'cookie', {
        get() {
          throw new DOMException('blocked', 'SecurityError');
        },
        set() {
          throw new DOMException('blocked', 'SecurityError');
        },
      });
    });
    const url = site.page(
      pageWith(shopConfig(), `<script type="text/plain" data-assent="analytics" src="vendor/ok.js"></script>`),
    );
    await page.goto(url);
    expect(site.requested('/vendor/ok.js')).toEqual([]);
    await page.evaluate(() => window.assent?.acceptAll());
    await expect.poll(() => ran(page)).toEqual(['ok']);
    expect(messages).toContain('error: assent: cookies are blocked; the choice lasts for this page only');
    await page.reload();
    expect(await page.evaluate(() => window.assent?.getState().decided)).toBe(false);
  });

  test('a gated script that throws does not stop the ones after it', async ({ page, site }) => {
    const url = site.page(
      pageWith(
        shopConfig(),
        `<script type="text/plain" data-assent="analytics">throw new Error('vendor bug')</script>
         <script type="text/plain" data-assent="analytics" src="vendor/missing-file-404.js?x"></script>
         <script type="text/plain" data-assent="analytics" src="vendor/after.js"></script>`,
      ),
    );
    site.file('/vendor/missing-file-404.js', 'nope', 'text/plain', { status: 404 });
    await page.goto(url);
    await page.evaluate(() => window.assent?.acceptAll());
    await expect.poll(() => ran(page)).toContain('after');
  });

  test('calls made before the loader are queued, and calls during load work', async ({ page, site }) => {
    const url = site.page(`<!doctype html><html><head>
      <script>
        window.__log = [];
        (window.assentQueue = window.assentQueue || []).push((api) => {
          window.__log.push('queued:' + typeof api.get);
          api.on('ready', (d) => window.__log.push('ready:' + d.state.decided));
        });
      </script>
      <script type="application/json" id="assent-config">${JSON.stringify(shopConfig())}</script>
      <script src="/dist/assent.js"></script>
      <script>window.__log.push('sync:' + window.assent.get('necessary'));
        window.assentQueue.push((api) => window.__log.push('late:' + api.version));</script>
      </head><body></body></html>`);
    await page.goto(url);
    const log = await page.evaluate(() => (window as { __log?: string[] }).__log);
    expect(log).toEqual(['queued:function', 'ready:false', 'sync:true', 'late:0.1.0']);
  });

  for (const id of ['constructor', '__proto__'])
    test(`a purpose named "${id}" fails closed: its script never runs, and the error names the field`, async ({
      page,
      site,
      messages,
    }) => {
      const config = JSON.parse(JSON.stringify(shopConfig()).replace('"id":"analytics"', `"id":"${id}"`));
      const url = site.page(
        pageWith(
          config,
          `<script type="text/plain" data-assent="${id}" src="vendor/proto-gated.js"></script>
           <script type="text/plain" data-assent="necessary" src="vendor/proto-needed.js"></script>`,
        ),
      );
      await page.goto(url);
      await expect.poll(() => ran(page)).toEqual(['proto-needed']);
      expect(site.requested('/vendor/proto-gated.js')).toEqual([]);
      expect(messages.filter((m) => m.startsWith('error: assent'))).toEqual([
        expect.stringContaining(
          `config.purposes[3].id must be a unique id matching ^[a-z0-9_-]{1,32}$, not on Object.prototype (got "${id}")`,
        ),
      ]);
      expect(await page.evaluate((id) => window.assent?.get(id), id)).toBe(false);
    });

  test('data-assent naming what every object inherits stays blocked, even after "Accept all"', async ({
    page,
    site,
  }) => {
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'analytics constructor'];
    const url = site.page(
      pageWith(
        shopConfig(),
        names
          .map((n, i) => `<script type="text/plain" data-assent="${n}" src="vendor/inherited-${i}.js"></script>`)
          .join(''),
      ),
    );
    await page.goto(url);
    expect(
      await page.evaluate(() => ['toString', 'constructor', '__proto__'].map((id) => window.assent?.get(id))),
    ).toEqual([false, false, false]);
    await banner(page).getByRole('button', { name: 'Accept all' }).click();
    await page.reload();
    await expect(banner(page)).toBeHidden();
    expect(site.requested('/vendor/inherited-')).toEqual([]);
  });

  test('a decision dated centuries ahead is no decision: the banner asks, nothing gated runs', async ({
    page,
    site,
  }) => {
    const url = site.page(pageWith(shopConfig(), GATED));
    const granted = (updatedAt: number) =>
      encodeConsentCookie({
        v: 1,
        consentId: '3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b',
        receiptId: '0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b',
        updatedAt,
        method: 'banner',
        gpc: false,
        pending: false,
        policyVersion: '3',
        choices: { security: true, analytics: true, marketing: true },
      });
    const year = 365 * 864e5;
    await page.context().addCookies([{ name: 'assent', value: granted(Date.now() + 317 * year), url }]);
    await page.goto(url);
    await expect(banner(page)).toBeVisible();
    expect(await page.evaluate(() => window.assent?.getState())).toMatchObject({ decided: false, updatedAt: null });
    expect(site.requested(`${new URL(page.url()).pathname}vendor/page-gated.js`)).toEqual([]);
    // A clock set back a few minutes since the decision still finds it.
    await page.context().addCookies([{ name: 'assent', value: granted(Date.now() + 5 * 60_000), url }]);
    await page.reload();
    await expect.poll(() => ran(page)).toEqual(['page-gated', 'page-needed']);
  });

  test('a config fetched from data-config makes everything wait for it', async ({ page, site }) => {
    site.file('/config.json', JSON.stringify(shopConfig()), 'application/json', { delay: 300 });
    const url = site.page(`<!doctype html><html><head><script src="/dist/assent.js" data-config="/config.json"></script>
      <script>window.__early = [window.assent.get('necessary'), window.__ran || []]</script></head>
      <body><script type="text/plain" data-assent="necessary" src="vendor/needed.js"></script></body></html>`);
    await page.goto(url);
    // While the config is on its way, nothing is allowed and nothing gated has run.
    expect(await page.evaluate(() => (window as { __early?: unknown }).__early)).toEqual([false, []]);
    await expect.poll(() => ran(page)).toEqual(['needed']);
    expect(await page.evaluate(() => window.assent?.getState().version)).toBe('3');
  });
});

test.describe('a page that defines window.assent before the loader', () => {
  test('an element with id="assent" is harmless: the API is published over it, and everything works', async ({
    page,
    site,
    messages,
  }) => {
    await page.goto(pageAfter(site, '<meta id="assent" name="x" content="y">', GATED));
    expect(await page.evaluate(() => typeof window.assent?.acceptAll)).toBe('function');
    await banner(page).getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => ran(page)).toEqual(['page-needed', 'page-gated']);
    expect(messages.filter((m) => m.includes('assent:'))).toEqual([]);
    // The element is still there for the page's own scripts.
    expect(await page.evaluate(() => document.getElementById('assent')?.tagName)).toBe('META');
  });

  const taken: [string, string][] = [
    ['its own object', 'window.assent = { get: function () { return true; } };'],
    [
      'a getter that throws',
      "Object.defineProperty(window, 'assent', { get: function () { throw new Error('no'); } });",
    ],
    [
      'an inherited setter that swallows the write',
      "Object.defineProperty(Window.prototype, 'assent', { get: function () {}, set: function () {}, configurable: true });",
    ],
    // A Proxy answers any key it is asked, Symbol.for('assent') included: only an own brand is Assent's.
    [
      'a Proxy that answers every key',
      'window.assent = new Proxy({}, { get: function () { return function () {}; } });',
    ],
    ['an object that inherits the brand', "Object.prototype[Symbol.for('assent')] = 1; window.assent = {};"],
    [
      'a Proxy whose traps throw',
      "var no = function () { throw new Error('no'); }; window.assent = new Proxy({}, { get: no, getOwnPropertyDescriptor: no, has: no });",
    ],
  ];
  for (const [what, script] of taken)
    test(`${what}: Assent fails closed, leaves it alone, and says why and how to fix it`, async ({
      page,
      site,
      messages,
    }) => {
      await page.goto(pageAfter(site, `<script>${script}</script>`, GATED));
      await expect.poll(() => ran(page)).toEqual(['page-needed']);
      expect(site.requested(`${new URL(page.url()).pathname}vendor/page-gated.js`)).toEqual([]);
      expect(messages.filter((m) => m.startsWith('error: assent'))).toEqual([
        'error: assent: the page defines window.assent: rename it; only always-active purposes run',
      ]);
      expect(messages.filter((m) => m.startsWith('pageerror') || m.includes('loaded twice'))).toEqual([]);
      await expect(banner(page)).toHaveCount(0);
    });

  test('a second copy of Assent does nothing, and the first works on', async ({ page, site, messages }) => {
    await page.goto(pageAfter(site, '', `${GATED}<script src="/dist/assent.js"></script>`));
    expect(messages).toContain('warning: assent: loaded twice; the second copy does nothing');
    await banner(page).getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => ran(page)).toEqual(['page-needed', 'page-gated']);
    await expect(banner(page)).toHaveCount(0);
  });
});
