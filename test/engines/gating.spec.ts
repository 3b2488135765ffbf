// Script gating (SPEC §3) in Chromium, Firefox and WebKit, proven by the test server's request log.

import { pageWith } from '../e2e/site';
import { shopConfig } from '../fixtures/configs';
import { bannerShown, expect, ran, settle, test } from './fixtures';

test('a rejecting visitor never requests a gated src, also after two reloads, and nothing is stored but the cookie', async ({
  tab,
  site,
}) => {
  const url = site.page(
    pageWith(
      shopConfig(),
      `<script type="text/plain" data-assent="analytics" src="vendor/tracker.js"></script>
       <script type="text/plain" data-assent="marketing">(window.__ran = window.__ran || []).push('inline')</script>
       <iframe data-assent="marketing" data-src="vendor/frame.html" title="Video"></iframe>`,
    ),
  );
  const dir = new URL(url).pathname;
  await tab.goto(url);
  await expect.poll(() => bannerShown(tab)).toBe(true);
  await tab.click('button', 'Reject all');
  await expect.poll(() => tab.run(() => window.assent?.getState().decided)).toBe(true);
  for (let i = 0; i < 2; i++) await tab.reload();
  await settle();
  expect(await tab.run(() => window.assent?.getState().purposes)).toMatchObject({ analytics: false, marketing: false });
  expect(site.requested(`${dir}vendor/`)).toEqual([]);
  expect(await ran(tab)).toEqual([]);
  expect((await tab.cookies()).map((c) => c.name)).toEqual(['assent']);
  expect(await tab.run(() => [localStorage.length, sessionStorage.length])).toEqual([0, 0]);
  // The banner does not come back to a visitor who answered.
  expect(await bannerShown(tab)).toBe(false);
});

test('for a returning visitor who accepted, inline and src gated scripts run before DOMContentLoaded, in document order, once', async ({
  tab,
  site,
}) => {
  const push = (name: string) => `(window.__ran = window.__ran || []).push(${JSON.stringify(name)})`;
  const url = site.page(
    pageWith(
      shopConfig(),
      `<script type="text/plain" data-assent="analytics" src="vendor/early.js?delay=150"></script>
       <script type="text/plain" data-assent="analytics">${push('inline-1')}</script>
       <script type="text/plain" data-assent="marketing" src="vendor/middle.js"></script>
       <script type="text/plain" data-assent="analytics marketing">${push('inline-2')}</script>
       <script type="text/plain" data-assent="analytics" src="vendor/late.js"></script>
       <script>document.addEventListener('DOMContentLoaded', () => { window.__atDcl = (window.__ran || []).slice() })</script>`,
    ),
  );
  await tab.goto(url);
  await tab.run(() => window.assent?.acceptAll());
  await tab.reload();
  const order = ['early', 'inline-1', 'middle', 'inline-2', 'late'];
  await expect.poll(() => tab.run(() => (window as { __atDcl?: string[] }).__atDcl)).toEqual(order);
  await settle();
  // Once each (WebKit may take a released script from its memory cache on reload: runs are what count).
  expect(await ran(tab)).toEqual(order);
});

for (const how of ['acceptAll()', 'the banner’s “Accept all”'] as const)
  test(`${how} releases scripts once, in order, keeping data-type="module", async, defer and nonce`, async ({
    tab,
    site,
  }) => {
    const push = (name: string) => `(window.__ran = window.__ran || []).push(${JSON.stringify(name)})`;
    // A module of this test's own: the worker's other tests serve theirs at other paths.
    const mod = `/mod/${test.info().testId}.mjs`;
    site.file(mod, `${push('module')}; window.__moduleMeta = typeof import.meta.url;`);
    const url = site.page(
      pageWith(
        shopConfig(),
        `<script type="text/plain" data-assent="analytics" src="vendor/first.js?delay=200" nonce="n0nce" data-x="kept"></script>
         <script type="text/plain" data-assent="analytics">${push('second-inline')}</script>
         <script type="text/plain" data-assent="marketing" src="vendor/third.js" defer></script>
         <script type="text/plain" data-assent="analytics" data-type="module" src="${mod}"></script>
         <script type="text/plain" data-assent="marketing" src="vendor/lazy.js" async></script>
         <script type="text/plain" data-assent="necessary" src="vendor/required.js"></script>`,
      ),
    );
    await tab.goto(url);
    await expect.poll(() => ran(tab)).toEqual(['required']);
    if (how === 'acceptAll()') {
      await tab.run(() => window.assent?.acceptAll());
      await tab.run(() => window.assent?.acceptAll());
    } else {
      await expect.poll(() => bannerShown(tab)).toBe(true);
      await tab.click('button', 'Accept all');
    }
    await expect.poll(async () => (await ran(tab)).length).toBe(6);
    await settle();
    const order = await ran(tab);
    expect(order).toHaveLength(6);
    // The ordered ones (not async, not module) run in document order; async and the module run once, anywhere.
    expect(order.filter((n) => ['required', 'first', 'second-inline', 'third'].includes(n))).toEqual([
      'required',
      'first',
      'second-inline',
      'third',
    ]);
    expect(order).toContain('module');
    expect(order).toContain('lazy');
    const dir = new URL(url).pathname;
    for (const name of ['first', 'third', 'lazy']) expect(site.requested(`${dir}vendor/${name}.js`)).toHaveLength(1);
    expect(site.requested(mod)).toHaveLength(1);
    const released = await tab.run(() =>
      [...document.querySelectorAll('script[data-assent]')].map((s) => ({
        src: s.getAttribute('src'),
        type: s.getAttribute('type'),
        async: (s as HTMLScriptElement).async,
        defer: s.hasAttribute('defer'),
        nonce: (s as HTMLScriptElement).nonce,
        x: s.getAttribute('data-x'),
      })),
    );
    expect(released.find((s) => s.src?.includes('first.js'))).toMatchObject({ nonce: 'n0nce', x: 'kept', type: null });
    expect(released.find((s) => s.src?.includes('third.js'))).toMatchObject({ defer: true });
    expect(released.find((s) => s.src?.includes('lazy.js'))).toMatchObject({ async: true });
    expect(released.find((s) => s.src === mod)).toMatchObject({ type: 'module' });
    expect(await tab.run(() => (window as { __moduleMeta?: string }).__moduleMeta)).toBe('string');
  });
