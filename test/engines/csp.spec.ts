// The strict Content-Security-Policy of SPEC §8 in Chromium, Firefox and WebKit: banner, preference
// center, a decision synced to an endpoint on another origin, a placeholder and the reopen button,
// with 0 `securitypolicyviolation` events, and every part really styled through adoptedStyleSheets.
import type { AssentConfig } from '../../src/core/config';
import { shopConfig } from '../fixtures/configs';
import type { Tab } from './drivers';
import { expect, onHost, ran, test } from './fixtures';

const NONCE = 'n0nce-4ssent';

const config = (endpoint: string): AssentConfig => ({
  ...shopConfig(),
  services: [
    { id: 'video', name: 'VideoTube', purposes: ['marketing'], match: ['/embed/'] },
    { id: 'stats', name: 'Stats', purposes: ['analytics'], match: ['/tags/'] },
  ],
  ui: { reopenButton: true },
  endpoint,
});

/** A page under the CSP whose first script records every violation, from the very start. */
const strictPage = (csp: string, config: AssentConfig, loader: string, body: string) => ({
  html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CSP</title>
<script nonce="${NONCE}">window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => __violations.push(e.violatedDirective + ' ' + e.blockedURI), true);</script>
${loader.replace('CONFIG', JSON.stringify(config).replace(/</g, '\\u003c'))}
</head><body><main><h1>CSP page</h1>
<script type="text/plain" data-assent="analytics" nonce="${NONCE}">(window.__ran = window.__ran || []).push('inline')</script>
<script type="text/plain" data-assent="analytics" data-type="module" nonce="${NONCE}">(window.__ran = window.__ran || []).push('module')</script>
<script type="text/plain" data-assent="analytics" src="vendor/tracker.js"></script>
<iframe data-assent="marketing" data-src="embed/video" title="Video" width="320" height="180"></iframe>
${body}
</main></body></html>`,
  headers: { 'Content-Security-Policy': csp },
});

const violations = (tab: Tab) => tab.run(() => (window as { __violations?: string[] }).__violations);

/**
 * The computed values of `props` on the first element, in the document or any open shadow root,
 * that `css` matches (and whose aria-label or text is `name`), with the number of stylesheets its
 * shadow root adopted; null when there is none.
 */
const styleOf = (tab: Tab, css: string, name: string | null, props: string[]) =>
  tab.run(
    (css: string, name: string | null, props: string[]) => {
      const roots: (Document | ShadowRoot)[] = [document];
      for (let i = 0; i < roots.length; i++)
        for (const el of roots[i].querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
      const el = roots
        .flatMap((r) => [...r.querySelectorAll(css)])
        .find((e) => name === null || (e.getAttribute('aria-label') || e.textContent || '').trim() === name);
      if (!el) return null;
      const style = getComputedStyle(el);
      const root = el.getRootNode();
      return {
        sheets: root instanceof ShadowRoot ? root.adoptedStyleSheets.length : 0,
        ...Object.fromEntries(props.map((p) => [p, style.getPropertyValue(p)])),
      };
    },
    css,
    name,
    props,
  );

const ACCENT = 'rgb(29, 78, 216)';

/** A tag manager's insertion, which auto-blocking holds until analytics is allowed. */
const INSERTED = `<script nonce="${NONCE}">const tag = document.createElement('script'); tag.src = 'tags/vendor/inserted.js'; document.head.append(tag);</script>`;

for (const { how, loader, body, runs } of [
  {
    how: 'an inline application/json config, with auto-blocking',
    loader: `<script type="application/json" id="assent-config">CONFIG</script><script src="/dist/assent-autoblock.js"></script>`,
    body: INSERTED,
    runs: ['inline', 'inserted', 'module', 'tracker'],
  },
  {
    how: 'a config fetched by URL',
    loader: `<script src="/dist/assent.js" data-config="config.json"></script>`,
    body: '',
    runs: ['inline', 'module', 'tracker'],
  },
])
  test(`under the strict CSP, with ${how}: banner, preference center, receipt, placeholder and reopen button, 0 violations`, async ({
    tab,
    site,
    collector,
  }) => {
    const endpointOrigin = onHost(site.origin, 'collect.shop.test').replace(/\/$/, '');
    const csp = `default-src 'self'; script-src 'self' 'nonce-${NONCE}'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${endpointOrigin}`;
    const c = config(`${endpointOrigin}/collect`);
    const page = strictPage(csp, c, loader, body);
    const url = onHost(site.page(page.html, { headers: page.headers }), 'shop.test');
    // The page's folder is its own: the request log tells this test's requests from the others'.
    const dir = new URL(url).pathname;
    site.file(`${dir}config.json`, JSON.stringify(c), 'application/json');
    site.file(`${dir}embed/video`, '<!doctype html><title>Video</title><p>video</p>', 'text/html');
    await tab.goto(url);

    // The banner, styled by its adopted sheets: a fixed box, and an accent-coloured 44 px "Accept all".
    await expect
      .poll(() => styleOf(tab, '#assent-consent', null, ['position']))
      .toEqual({ sheets: 0, position: 'fixed' });
    expect(await styleOf(tab, 'button', 'Accept all', ['background-color', 'min-height'])).toEqual({
      sheets: 1,
      'background-color': ACCENT,
      'min-height': '44px',
    });
    // The placeholder stands in for the iframe before any decision.
    await expect
      .poll(() => styleOf(tab, '[data-assent-ui="placeholder"]', null, ['display']))
      .toEqual({ sheets: 0, display: 'inline-block' });
    expect(await styleOf(tab, 'button', 'Load this content', ['background-color'])).toEqual({
      sheets: 1,
      'background-color': ACCENT,
    });

    // Nothing gated ran, and the tag that a script inserted was not even requested.
    expect(await ran(tab)).toEqual([]);
    expect(site.requested(`${dir}tags/`)).toEqual([]);

    // The preference center: its own sheet adopted beside the banner's; a switch 3rem wide.
    await tab.click('button', 'Choose');
    await expect.poll(() => styleOf(tab, 'dialog', null, ['display'])).toEqual({ sheets: 2, display: 'flex' });
    expect(await styleOf(tab, '[role="switch"]', null, ['width'])).toEqual({ sheets: 2, width: '48px' });
    await tab.click('[role="switch"]', 'Audience measurement Allow');
    await tab.click('button', 'Save my choices');
    await expect.poll(() => tab.run(() => window.assent?.getState().method)).toBe('preferences');
    // The gated scripts ran: the inline ones through their nonce, copied to the released script.
    await expect.poll(async () => (await ran(tab)).sort()).toEqual(runs);

    // The receipt reached the endpoint on its own origin (connect-src).
    await expect.poll(() => collector.of('consent').map((r) => r.method)).toEqual(['preferences']);
    expect(collector.posts[0].origin).toBe(new URL(url).origin);

    // The reopen button, styled, opens the preference center again.
    await expect
      .poll(() => styleOf(tab, 'button', 'Privacy settings', ['position', 'border-top-left-radius']))
      .toEqual({ sheets: 1, position: 'fixed', 'border-top-left-radius': '50%' });
    await tab.click('button', 'Privacy settings');
    await expect.poll(() => styleOf(tab, 'dialog', null, ['display'])).toEqual({ sheets: 2, display: 'flex' });
    await tab.click('button', 'Close without saving a choice');
    await expect.poll(() => styleOf(tab, 'dialog', null, ['display'])).not.toEqual({ sheets: 2, display: 'flex' });

    // The placeholder loads this one embed (default-src 'self' lets the frame in), also past auto-blocking,
    // whose setters hold back every other way of giving the iframe its URL.
    await tab.click('button', 'Load this content');
    await expect.poll(() => site.requested(`${dir}embed/video`)).toHaveLength(1);
    expect(await styleOf(tab, '[data-assent-ui="placeholder"]', null, [])).toBe(null);

    expect(await violations(tab)).toEqual([]);
    // The listener hears a violation when there is one (an inline style attribute).
    await tab.run(() => document.body.setAttribute('style', 'color: red'));
    await expect.poll(async () => (await violations(tab))?.length).toBe(1);
  });
