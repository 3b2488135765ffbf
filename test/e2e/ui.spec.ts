// The visitor's side in real Chromium: banner, preference center, placeholders, reopen button,
// keyboard, axe-core, CSP, languages, and what a returning visitor downloads.
import type { Page } from '@playwright/test';
import type { AssentConfig } from '../../src/core/config';
import { uiConfig } from '../fixtures/configs';
import { twoEmbeds } from '../fixtures/embeds';
import { axe, withLandmarks } from './axe';
import { expect, pending, test } from './fixtures';
import { pageWith, type Site } from './site';

const banner = (page: Page) => page.getByRole('region', { name: 'Your privacy choices' });
const dialog = (page: Page) => page.getByRole('dialog', { name: 'Privacy settings' });
const cookie = async (page: Page) => (await page.context().cookies()).find((c) => c.name === 'assent')?.value;
const uiFiles = (site: Site, since: number) =>
  site.log
    .slice(since)
    .map((r) => r.path)
    .filter((p) => p.includes('/dist/chunks/'))
    .map((p) => p.replace(/.*\//, ''));

test('a new visitor sees the banner; Reject all records a decision and the banner does not come back', async ({
  page,
  site,
}) => {
  const url = site.page(pageWith(uiConfig()));
  await page.goto(url);
  await expect(banner(page)).toBeVisible();
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect(banner(page)).toBeHidden();
  await expect(page.getByRole('status')).toHaveText('Your choices have been saved.');
  expect(await page.evaluate(() => window.assent?.getState())).toMatchObject({ decided: true, method: 'banner' });
  await expect.poll(() => pending(page)).toBe(false);
  const mark = site.log.length;
  await page.reload();
  await page.waitForLoadState('networkidle');
  await expect(banner(page)).toHaveCount(0);
  // A returning visitor downloads no banner, no preference center and no texts: only the reopen button.
  expect(uiFiles(site, mark).sort()).toEqual(['reopen.js', 'short-en.js']);
});

test('a javascript: URL in the config is text, never a link that runs in the page, in the production build', async ({
  page,
  site,
}) => {
  const hostile = ' \tJavaScript:window.__ran=1';
  const config = uiConfig({
    policy: { url: hostile, version: '3' },
    rights: [
      { id: 'access', url: hostile },
      { id: 'erasure', url: 'mailto:privacy@shop.example' },
    ],
    controller: { name: 'Shop SAS', authority: { name: 'CNIL', url: 'java\nscript:window.__ran=1' } },
  });
  (config.services as NonNullable<AssentConfig['services']>)[0].privacyPolicyUrl = 'JAVASCRIPT:window.__ran=1';
  await page.goto(site.page(pageWith(config)));
  await expect(banner(page).getByText('Privacy policy')).toBeVisible();
  await expect(banner(page).getByRole('link')).toHaveCount(0);
  await banner(page).getByText('Privacy policy').click();
  await page.evaluate(() => window.assent?.showPreferences());
  await dialog(page).getByText('Right of access', { exact: true }).click();
  for (const details of await dialog(page).getByText('Details').all()) await details.click();
  await dialog(page).getByText('JAVASCRIPT:window.__ran=1').click();
  // Only the mailto: link is one.
  await expect(dialog(page).getByRole('link')).toHaveCount(1);
  await expect(dialog(page).getByRole('link', { name: 'Right to erasure' })).toHaveAttribute(
    'href',
    'mailto:privacy@shop.example',
  );
  expect(await page.evaluate(() => (window as { __ran?: unknown }).__ran)).toBeUndefined();
});

test('the preference center is a chunk of its own: fetched when the visitor reaches for the banner, once', async ({
  page,
  site,
}) => {
  const mark = site.log.length;
  await page.goto(site.page(pageWith(uiConfig())));
  await expect(banner(page)).toBeVisible();
  await page.waitForLoadState('networkidle');
  // A visitor who answers without touching the banner never downloads it.
  expect(uiFiles(site, mark)).not.toContain('Preferences-shared.js');
  await banner(page).getByRole('button', { name: 'Choose' }).hover();
  await expect.poll(() => uiFiles(site, mark)).toContain('Preferences-shared.js');
  await banner(page).getByRole('button', { name: 'Choose' }).click();
  await expect(dialog(page)).toBeVisible();
  // Its styles came with it: the dialog is laid out as a dialog, not as bare markup.
  expect(await dialog(page).evaluate((d) => getComputedStyle(d).flexDirection)).toBe('column');
  await dialog(page).getByRole('button', { name: 'Close' }).click();
  await page.evaluate(() => window.assent?.showPreferences());
  await expect(dialog(page)).toBeVisible();
  expect(uiFiles(site, mark).filter((f) => f === 'Preferences-shared.js')).toHaveLength(1);
});

test('Accept all and Reject all have the same size and style, on a desktop and on a phone', async ({ page, site }) => {
  const url = site.page(pageWith(uiConfig()));
  for (const size of [
    { width: 1280, height: 800 },
    { width: 360, height: 740 },
  ]) {
    await page.setViewportSize(size);
    await page.goto(url);
    const accept = banner(page).getByRole('button', { name: 'Accept all' });
    const reject = banner(page).getByRole('button', { name: 'Reject all' });
    const [a, r] = [await accept.boundingBox(), await reject.boundingBox()];
    expect(Math.round(a?.width ?? 0)).toBe(Math.round(r?.width ?? 1));
    expect(Math.round(a?.height ?? 0)).toBe(Math.round(r?.height ?? 1));
    const style = (el: Element) => {
      const s = getComputedStyle(el);
      return [s.fontSize, s.fontWeight, s.color, s.backgroundColor, s.borderColor, s.borderWidth, s.padding].join();
    };
    expect(await accept.evaluate(style)).toBe(await reject.evaluate(style));
    // No horizontal scrolling on a 360 px phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
  }
});

test('keyboard only: tab to every control, toggle with Space, save with Enter; focus returns', async ({
  page,
  site,
}) => {
  const url = site.page(pageWith(uiConfig(), '<p><a href="#top">A link of the page</a></p>'));
  await page.goto(url);
  await expect(banner(page)).toBeVisible();
  const focused = () =>
    page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      return `${el?.getAttribute('role') || el?.tagName.toLowerCase()}:${el?.getAttribute('aria-label') || el?.textContent?.trim()}`;
    });
  const seen: string[] = [];
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    seen.push(await focused());
  }
  // The close button is drawn beside the title, so it comes first.
  expect(seen).toEqual([
    'button:Close without saving a choice',
    'a:Privacy policy',
    'button:Accept all',
    'button:Reject all',
    'button:Choose',
  ]);
  await page.keyboard.press('Enter');
  await expect(dialog(page)).toBeVisible();
  // Tab through the whole dialog: every switch, details and button is reachable, and focus stays inside.
  const inDialog: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    inDialog.push(await focused());
  }
  expect(inDialog).toEqual(
    expect.arrayContaining(['button:Save my choices', 'button:Accept all', 'button:Reject all', 'summary:Details']),
  );
  expect(new Set(inDialog.filter((x) => x.startsWith('switch:'))).size).toBe(1);
  expect(inDialog.filter((x) => x.startsWith('switch:')).length).toBeGreaterThanOrEqual(3);
  expect(inDialog.some((x) => x.startsWith('a:A link of the page'))).toBe(false);
  // Go to the analytics switch and turn it on with Space, then save with Enter.
  const analytics = dialog(page).getByRole('switch', { name: 'Audience measurement Allow' });
  await analytics.focus();
  await page.keyboard.press('Space');
  await expect(analytics).toHaveAttribute('aria-checked', 'true');
  await dialog(page).getByRole('button', { name: 'Save my choices' }).focus();
  await page.keyboard.press('Enter');
  await expect(dialog(page)).toBeHidden();
  await expect(page.getByRole('status')).toHaveText('Your choices have been saved.');
  expect(await page.evaluate(() => window.assent?.getState())).toMatchObject({
    decided: true,
    method: 'preferences',
    purposes: { analytics: true, marketing: false, security: true },
  });
  // The banner that opened it is gone with the decision; focus is not left in a removed element.
  expect(
    await page.evaluate(() => document.activeElement === document.body || document.activeElement?.isConnected),
  ).toBe(true);
});

test('Escape, closing and scrolling record nothing: the banner comes back on the next page view', async ({
  page,
  site,
}) => {
  const url = site.page(pageWith(uiConfig(), '<div style="height:3000px">long page</div>'));
  await page.goto(url);
  await page.mouse.wheel(0, 2000);
  await banner(page).getByRole('button', { name: 'Accept all' }).focus();
  await page.keyboard.press('Escape');
  await expect(banner(page)).toBeHidden();
  expect(await cookie(page)).toBeUndefined();
  await page.reload();
  await banner(page).getByRole('button', { name: 'Close without saving a choice' }).click();
  await expect(banner(page)).toBeHidden();
  await page.reload();
  await expect(banner(page)).toBeVisible();
  expect(await cookie(page)).toBeUndefined();
  expect(await page.evaluate(() => window.assent?.getState().decided)).toBe(false);
});

test('the preference center: Escape closes it without recording, and focus returns to the opener', async ({
  page,
  site,
}) => {
  const url = site.page(pageWith(uiConfig(), '<button type="button" data-assent-open>Cookie settings</button>'));
  await page.goto(url);
  await page.getByRole('button', { name: 'Cookie settings' }).click();
  await expect(dialog(page)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toBeHidden();
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cookie settings');
  expect(await cookie(page)).toBeUndefined();
  await expect(banner(page)).toBeVisible();
});

for (const [lang, open, save, saved] of [
  ['en', 'Cookie settings', 'Save my choices', 'Your choices have been saved.'],
  ['fr', 'Cookie settings', 'Enregistrer mes choix', 'Vos choix ont été enregistrés.'],
])
  test(`saving closes the preference center, focus returns to its opener as with Escape, and a status says it was saved (${lang})`, async ({
    page,
    site,
  }) => {
    const url = site.page(
      pageWith(uiConfig(), `<button type="button" data-assent-open>${open}</button>`).replace(
        '<html lang="en">',
        `<html lang="${lang}">`,
      ),
    );
    await page.goto(url);
    await page.getByRole('button', { name: open }).click();
    const prefs = page.getByRole('dialog');
    await expect(prefs).toBeVisible();
    await prefs.getByRole('switch').last().click();
    await prefs.getByRole('button', { name: save }).click();
    await expect(prefs).toBeHidden();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(open);
    // A polite live region outside the dialog, so that it is still there to be read once the dialog is gone.
    const status = page.getByRole('status');
    await expect(status).toHaveText(saved);
    expect(await status.evaluate((el) => el.closest('dialog'))).toBeNull();
    expect(await page.evaluate(() => window.assent?.getState())).toMatchObject({
      decided: true,
      method: 'preferences',
    });
    // Decided: the banner does not come back.
    await expect(page.getByRole('region', { name: /./ })).toHaveCount(0);
  });

test('show() and showPreferences() fire show and hide events; hide() closes', async ({ page, site }) => {
  const url = site.page(pageWith(uiConfig()));
  await page.goto(url);
  await expect(banner(page)).toBeVisible();
  await page.evaluate(() => {
    const w = window as unknown as { __events: string[] };
    w.__events = [];
    for (const e of ['show', 'hide'] as const) window.assent?.on(e, (d) => w.__events.push(`${e}:${d.view}`));
  });
  await page.evaluate(() => window.assent?.showPreferences());
  await expect(dialog(page)).toBeVisible();
  await page.evaluate(() => window.assent?.hide());
  await expect(dialog(page)).toBeHidden();
  expect(await page.evaluate(() => (window as unknown as { __events: string[] }).__events)).toEqual([
    'hide:banner',
    'show:preferences',
    'hide:preferences',
  ]);
});

test('withdrawing is as easy as consenting: the reopen button, then one switch', async ({ page, site }) => {
  const url = site.page(pageWith(uiConfig()));
  await page.goto(url);
  await banner(page).getByRole('button', { name: 'Accept all' }).click();
  const reopen = page.getByRole('button', { name: 'Privacy settings' });
  await expect(reopen).toBeVisible();
  await reopen.click();
  const analytics = dialog(page).getByRole('switch', { name: 'Audience measurement Allow' });
  await expect(analytics).toHaveAttribute('aria-checked', 'true');
  await analytics.click();
  await dialog(page).getByRole('button', { name: 'Save my choices' }).click();
  await expect.poll(() => page.evaluate(() => window.assent?.get('analytics'))).toBe(false);
});

test('an embed placeholder keeps the iframe’s size, loads one embed, or allows the purpose for all', async ({
  page,
  site,
}) => {
  const url = site.page(pageWith(uiConfig(), twoEmbeds(site)));
  await page.goto(url);
  await banner(page).getByRole('button', { name: 'Close without saving a choice' }).click();
  const placeholders = page.getByRole('group', { name: 'VideoTube' });
  await expect(placeholders).toHaveCount(2);
  const box = await placeholders.first().boundingBox();
  // The service and the purpose are names from the config: each the value of a label, on a line of its own.
  expect(await placeholders.first().getByRole('paragraph').innerText()).toBe(
    'This embedded content needs your consent.\nProvider: VideoTube\nPurpose: Advertising',
  );
  expect(site.requested('/embed/')).toEqual([]);
  await placeholders.first().getByRole('button', { name: 'Load this content' }).click();
  await expect.poll(() => site.requested('/embed/')).toEqual(['/embed/a']);
  await expect(placeholders).toHaveCount(1);
  // The placeholder took exactly the iframe's box, so nothing moved (CLS 0).
  expect(await page.getByTitle('Video A').boundingBox()).toEqual(box);
  expect(await page.evaluate(() => window.assent?.get('marketing'))).toBe(false);
  await placeholders.getByRole('button', { name: 'Always allow: Advertising' }).click();
  await expect.poll(() => site.requested('/embed/').sort()).toEqual(['/embed/a', '/embed/b']);
  await expect(placeholders).toHaveCount(0);
  expect(await page.evaluate(() => window.assent?.get('marketing'))).toBe(true);
  // The visitor's own choice, recorded as such; the banner still asks about the other purposes.
  // (The receipt is stored a moment after the decision.)
  await expect
    .poll(() => page.evaluate(async () => (await window.assent?.receipts())?.map((r) => r.method)))
    .toEqual(['placeholder']);
  expect(await page.evaluate(() => window.assent?.getState())).toMatchObject({ method: 'placeholder', decided: false });
  await page.reload();
  expect(await page.evaluate(() => window.assent?.getState())).toMatchObject({
    method: 'placeholder',
    purposes: { marketing: true, analytics: false },
  });
});

test('a returning visitor on a page with an embed downloads only the small placeholder chunk', async ({
  page,
  site,
}) => {
  const url = site.page(
    pageWith({ ...uiConfig(), ui: {} }, `<iframe data-assent="marketing" data-src="/embed/x" title="Video"></iframe>`),
  );
  await page.goto(url);
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect.poll(() => pending(page)).toBe(false);
  const mark = site.log.length;
  await page.reload();
  await expect(page.getByRole('group', { name: 'VideoTube' })).toBeVisible();
  expect(uiFiles(site, mark).sort()).toEqual(['placeholder.js', 'short-en.js']);
});

for (const scheme of ['light', 'dark'] as const)
  test(`axe-core finds no violation on the banner, the preference center and a placeholder, on a page with its own header, navigation and footer (${scheme})`, async ({
    page,
    site,
  }) => {
    await page.emulateMedia({ colorScheme: scheme });
    const url = site.page(
      withLandmarks(
        pageWith(
          uiConfig(),
          `<iframe data-assent="marketing" data-src="/embed/x" title="Video" width="400" height="225"></iframe>`,
        ),
      ),
    );
    await page.goto(url);
    await expect(banner(page)).toBeVisible();
    await expect(page.getByRole('group', { name: 'VideoTube' })).toBeVisible();
    expect(await axe(page)).toEqual([]);
    await page.evaluate(() => window.assent?.showPreferences());
    await expect(dialog(page)).toBeVisible();
    for (const summary of await dialog(page).locator('summary').all()) await summary.click();
    expect(await axe(page)).toEqual([]);
    // After a decision: the reopen button and the placeholder, with the saved choice announced.
    await dialog(page).getByRole('button', { name: 'Reject all' }).click();
    await expect(dialog(page)).toBeHidden();
    await expect(page.getByRole('button', { name: 'Privacy settings' })).toBeVisible();
    expect(await axe(page)).toEqual([]);
  });

test('under the strict Content-Security-Policy of SPEC §8 the banner works with no violation', async ({
  page,
  site,
}) => {
  const csp =
    "default-src 'self'; script-src 'self' 'nonce-abc123'; style-src 'self'; img-src 'self' data:; connect-src 'self'";
  const config = JSON.stringify(uiConfig());
  const url = site.page(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CSP</title>
    <script nonce="abc123">window.__violations = []; addEventListener('securitypolicyviolation', (e) => __violations.push(e.violatedDirective + ' ' + e.blockedURI));</script>
    <script type="application/json" id="assent-config">${config}</script>
    <script src="/dist/assent.js"></script></head>
    <body><main><h1>CSP page</h1><iframe data-assent="marketing" data-src="/embed/x" title="Video"></iframe></main></body></html>`,
    { headers: { 'Content-Security-Policy': csp } },
  );
  await page.goto(url);
  await expect(banner(page)).toBeVisible();
  await banner(page).getByRole('button', { name: 'Choose' }).click();
  await expect(dialog(page)).toBeVisible();
  await dialog(page).getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => cookie(page)).toBeTruthy();
  expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations)).toEqual([]);
});

test('<html lang="fr"> and lang="bg" show French and Bulgarian; only that language’s strings are downloaded', async ({
  page,
  site,
}) => {
  for (const [lang, title, accept] of [
    ['fr', 'Vos choix en matière de vie privée', 'Tout accepter'],
    ['bg', 'Вашият избор за поверителност', 'Приемам всички'],
  ]) {
    const mark = site.log.length;
    await page.goto(site.page(pageWith(uiConfig()).replace('<html lang="en">', `<html lang="${lang}">`)));
    const region = page.getByRole('region', { name: title });
    await expect(region).toBeVisible();
    await expect(region.getByRole('button', { name: accept })).toBeVisible();
    expect(uiFiles(site, mark).filter((f) => f.startsWith('texts-'))).toEqual([`texts-${lang}.js`]);
  }
});

test('a right-to-left page mirrors the banner', async ({ page, site }) => {
  await page.goto(site.page(pageWith(uiConfig()).replace('<html lang="en">', '<html lang="en" dir="rtl">')));
  const close = await banner(page).getByRole('button', { name: 'Close without saving a choice' }).boundingBox();
  const box = await banner(page).boundingBox();
  expect((close?.x ?? 999) - (box?.x ?? 0)).toBeLessThan(60);
});

test('the banner keeps the focused element of the page in view (WCAG 2.4.11) and restores scroll-padding', async ({
  page,
  site,
}) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const links = Array.from({ length: 40 }, (_, i) => `<p><a href="#l${i}">Link ${i}</a></p>`).join('');
  await page.goto(site.page(pageWith(uiConfig(), links)));
  await expect(banner(page)).toBeVisible();
  // Set once the banner has been laid out, which may be a frame after it shows.
  await expect
    .poll(() => page.evaluate(() => Number.parseInt(document.documentElement.style.scrollPaddingBottom, 10) || 0))
    .toBeGreaterThan(50);
  await page.getByRole('link', { name: 'Link 20' }).focus();
  const link = await page.getByRole('link', { name: 'Link 20' }).boundingBox();
  const bannerBox = await banner(page).boundingBox();
  expect((link?.y ?? 0) + (link?.height ?? 0)).toBeLessThanOrEqual(bannerBox?.y ?? 0);
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  expect(await page.evaluate(() => document.documentElement.style.scrollPaddingBottom)).toBe('');
});

test('screenshots at 1280×800 and on 320, 360 and 414 px phones, light and dark', async ({ page, site }, info) => {
  // Saved as test artifacts; with UPDATE_SCREENSHOTS=1 also to docs/screenshots for the README.
  const save = async (name: string) => {
    await page.screenshot({ path: info.outputPath(`${name}.png`) });
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: `docs/screenshots/${name}.png` });
  };
  const url = site.page(
    pageWith(
      uiConfig(),
      '<p>Shop content.</p><iframe data-assent="marketing" data-src="/embed/x" title="Video" width="480" height="270"></iframe>',
    ),
  );
  for (const scheme of ['light', 'dark'] as const)
    for (const [w, h] of [
      [1280, 800],
      [320, 568],
      [360, 740],
      [414, 896],
    ]) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width: w, height: h });
      await page.goto(url);
      await expect(banner(page)).toBeVisible();
      await expect(page.getByRole('group', { name: 'VideoTube' })).toBeVisible();
      await save(`banner-${w}x${h}-${scheme}`);
      await page.evaluate(() => window.assent?.showPreferences());
      await expect(dialog(page)).toBeVisible();
      await save(`preferences-${w}x${h}-${scheme}`);
    }
});

test('the banner and a placeholder shift no layout (CLS 0)', async ({ page, site }) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __cls: number };
    w.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as { value: number }[]) w.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const url = site.page(
    pageWith(
      uiConfig(),
      `<p>Before</p><iframe data-assent="marketing" data-src="/embed/x" title="Video" width="480" height="270"></iframe><p>After</p>`,
    ),
  );
  await page.goto(url);
  await expect(banner(page)).toBeVisible();
  await expect(page.getByRole('group', { name: 'VideoTube' })).toBeVisible();
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __cls: number }).__cls)).toBe(0);
});

test('at 200 % zoom (640×400 CSS px) the banner needs no horizontal scrolling and every button is reachable', async ({
  page,
  site,
}) => {
  await page.setViewportSize({ width: 640, height: 400 });
  await page.goto(site.page(pageWith(uiConfig())));
  await expect(banner(page)).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
  for (const name of ['Accept all', 'Reject all', 'Choose']) {
    const button = banner(page).getByRole('button', { name });
    await button.scrollIntoViewIfNeeded();
    await expect(button).toBeInViewport();
  }
});

test('targets are at least 24×24 px, and switch states stay visible in forced-colors mode', async ({ page, site }) => {
  await page.emulateMedia({ forcedColors: 'active' });
  await page.goto(site.page(pageWith(uiConfig())));
  await page.evaluate(() => window.assent?.showPreferences());
  await expect(dialog(page)).toBeVisible();
  const small = await dialog(page)
    .locator('button, summary, [role=switch]')
    .evaluateAll((els) =>
      els
        .map((el) => ({ el, r: el.getBoundingClientRect() }))
        .filter(({ r }) => r.width < 24 || r.height < 24)
        .map(({ el }) => el.outerHTML.slice(0, 60)),
    );
  expect(small).toEqual([]);
  const on = dialog(page).getByRole('switch', { name: 'Fraud prevention Allow (switch off to object)' });
  const off = dialog(page).getByRole('switch', { name: 'Audience measurement Allow' });
  const look = (el: Element) => getComputedStyle(el).backgroundColor;
  expect(await on.evaluate(look)).not.toBe(await off.evaluate(look));
});
