// The banner, the preference center and the embed placeholder in Chromium, Firefox and WebKit: used
// with the keyboard alone, checked by axe-core in light and dark, with Accept all and Reject all
// alike, and a placeholder that stands in for its iframe. Only real key presses and clicks.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { withLandmarks } from '../e2e/axe';
import { pageWith } from '../e2e/site';
import { uiConfig } from '../fixtures/configs';
import { twoEmbeds } from '../fixtures/embeds';
import type { Tab } from './drivers';
import { expect, test } from './fixtures';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Where the focus is now, as a person would name it: `role:name`, with its box and its view. */
interface Stop {
  name: string;
  view: 'banner' | 'dialog' | 'placeholder' | 'reopen' | 'page';
  /** The box in its flow: inside a scrolled box, where it is in that box's content. */
  top: number;
  bottom: number;
  left: number;
  /** The top of the scrolled box it is in, or its own top outside one. */
  flowTop: number;
  scrolled: boolean;
  /** Its focus indicator is drawn: a solid outline at least 2 px wide. */
  outlined: boolean;
}

// Serialised into the page: no imports, no closures.
const focusedStop = (): Stop | null => {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const text = (e: Element | null) => (e?.textContent || '').replace(/\s+/g, ' ').trim();
  const root = el.getRootNode() as Document | ShadowRoot;
  const ids = el.getAttribute('aria-labelledby');
  const named = /^(a|button|summary)$/.test(el.localName);
  const name =
    el.getAttribute('aria-label') ||
    (ids
      ? ids
          .split(' ')
          .map((id) => text(root.getElementById(id)))
          .join(' ')
      : named
        ? text(el)
        : '');
  const ui = root instanceof ShadowRoot ? root.host.getAttribute('data-assent-ui') : null;
  const view = ui === 'main' ? (el.closest('dialog') ? 'dialog' : 'banner') : (ui ?? 'page');
  let box = el.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight && /auto|scroll/.test(getComputedStyle(box).overflowY)))
    box = box.parentElement;
  const r = el.getBoundingClientRect();
  const shift = box ? box.scrollTop : 0;
  const style = getComputedStyle(el);
  return {
    name: `${el.getAttribute('role') || el.localName}:${name}`,
    view: view as Stop['view'],
    top: r.top + shift,
    bottom: r.bottom + shift,
    left: r.left,
    flowTop: box ? box.getBoundingClientRect().top : r.top,
    scrolled: !!box,
    outlined: style.outlineStyle === 'solid' && Number.parseFloat(style.outlineWidth) >= 2,
  };
};

/** `a` is before `b` on screen: in an earlier box, above it, or on the same line and left of it (LTR). */
const drawnBefore = (a: Stop, b: Stop) => {
  if (a.scrolled !== b.scrolled) return a.flowTop <= b.flowTop;
  if (a.bottom <= b.top + 1) return true;
  const sameLine = a.top < b.bottom - 1 && b.top < a.bottom - 1;
  return sameLine && a.left < b.left;
};

/** Presses Tab (Shift+Tab with `back`) and says where the focus went. */
const tabStop = async (tab: Tab, back = false) => {
  await tab.press('Tab', back);
  return tab.run(focusedStop);
};

/** Presses Tab until the focus is on `name`; the stops passed on the way. */
const tabTo = async (tab: Tab, name: string, back = false) => {
  const passed: string[] = [];
  for (let i = 0; i < 40; i++) {
    const stop = await tabStop(tab, back);
    if (stop?.name === name) return passed;
    passed.push(stop?.name ?? 'nothing');
  }
  throw new Error(`Tab never reached ${name}: ${passed.join(', ')}`);
};

/** Tab from where the focus is until it comes back there: the stops of one round, starting there. */
const round = async (tab: Tab, back = false) => {
  const stops = [(await tab.run(focusedStop)) as Stop];
  for (let i = 0; i < 60; i++) {
    const stop = await tabStop(tab, back);
    if (stop?.name === stops[0].name) return stops;
    stops.push(stop ?? ({ name: 'nothing', view: 'page' } as Stop));
  }
  throw new Error(`focus never came back to ${stops[0].name}: ${stops.map((s) => s.name).join(', ')}`);
};

const shown = (tab: Tab, css: string) =>
  tab.run((selector: string) => {
    const el = document.getElementById('assent-consent')?.shadowRoot?.querySelector(selector);
    return !!el && el.getClientRects().length > 0;
  }, css);

const state = (tab: Tab) => tab.run(() => window.assent?.getState());

const open = async (tab: Tab, url: string, width = 1024, height = 768) => {
  await tab.resize(width, height);
  await tab.goto(url);
  await expect.poll(() => shown(tab, 'section')).toBe(true);
};

for (const tabsToLinks of [true, false])
  test.describe(tabsToLinks ? 'keyboard' : 'keyboard, Tab skipping links as in Safari', () => {
    test.use({ sessionOptions: { tabsToLinks } });

    test(`keyboard only${tabsToLinks ? '' : ' (Tab skips links, as in Safari)'}: Tab follows the banner’s visual order; Enter opens the preference center, where Tab and Shift+Tab wrap; Escape closes it and the banner without recording anything, and focus returns to “Choose”`, async ({
      tab,
      site,
      engine,
      collector,
    }) => {
      // MiniBrowser can skip links as Safari does by default; the others always move to them.
      const links = tabsToLinks || engine.name !== 'webkit';
      // A button too: with Tab skipping links, focus would otherwise go round the banner alone.
      await open(
        tab,
        site.page(
          pageWith(uiConfig(), '<p><a href="#top">A link of the page</a> <button type="button">Search</button></p>'),
        ),
      );
      const bannerBox = () =>
        tab.run(() => {
          const root = document.getElementById('assent-consent')?.shadowRoot;
          const r = root?.querySelector('section')?.getBoundingClientRect();
          return { sheets: root?.adoptedStyleSheets.length, box: [r?.top, r?.height] };
        });
      const untouched = await bannerBox();
      const inBanner: Stop[] = [];
      for (let stop = await tabStop(tab); stop?.view === 'banner' && inBanner.length < 9; stop = await tabStop(tab))
        inBanner.push(stop);
      // Focus in the banner fetched the preference center and its styles: the banner did not move.
      await expect.poll(async () => (await bannerBox()).sheets).toBe(2);
      expect((await bannerBox()).box).toEqual(untouched.box);
      expect(inBanner.map((s) => s.name)).toEqual([
        'button:Close without saving a choice',
        ...(links ? ['a:Privacy policy'] : []),
        'button:Accept all',
        'button:Reject all',
        'button:Choose',
      ]);
      for (let i = 1; i < inBanner.length; i++)
        expect(drawnBefore(inBanner[i - 1], inBanner[i]), JSON.stringify([inBanner[i - 1], inBanner[i]])).toBe(true);
      expect(inBanner.filter((s) => !s.outlined).map((s) => s.name)).toEqual([]);

      // Back to "Choose", and Enter.
      await tabTo(tab, 'button:Choose', true);
      await tab.press('Enter');
      await expect.poll(() => shown(tab, 'dialog[open]')).toBe(true);
      const forth = await round(tab);
      const names = forth.map((s) => s.name);
      // Focus never leaves the dialog, and every control of it is on the way.
      expect(forth.filter((s) => s.view !== 'dialog').map((s) => s.name)).toEqual([]);
      for (const control of [
        'switch:Fraud prevention Allow (switch off to object)',
        'switch:Audience measurement Allow',
        'switch:Advertising Allow',
        'summary:Details',
        'button:Accept all',
        'button:Reject all',
        'button:Save my choices',
      ])
        expect(names).toContain(control);
      expect(names.includes('a:Privacy policy')).toBe(links);
      // From the first button, in the order they are drawn, to the last, and round again.
      expect([names[0], names.at(-1)]).toEqual(['button:Close without saving a choice', 'button:Save my choices']);
      for (let i = 1; i < forth.length; i++)
        expect(drawnBefore(forth[i - 1], forth[i]), JSON.stringify([forth[i - 1], forth[i]])).toBe(true);
      expect(forth.filter((s) => !s.outlined).map((s) => s.name)).toEqual([]);
      // And back, the same stops the other way.
      const back = await round(tab, true);
      expect(back.map((s) => s.name)).toEqual([names[0], ...names.slice(1).reverse()]);

      await tab.press('Escape');
      await expect.poll(() => shown(tab, 'dialog[open]')).toBe(false);
      expect(await shown(tab, 'section')).toBe(true);
      expect((await tab.run(focusedStop))?.name).toBe('button:Choose');
      // Escape in the banner closes it too; neither records anything.
      await tab.press('Escape');
      await expect.poll(() => shown(tab, 'section')).toBe(false);
      expect(await state(tab)).toMatchObject({ decided: false, method: null });
      expect((await tab.cookies()).map((c) => c.name)).toEqual([]);
      expect(collector.posts).toEqual([]);
      await tab.reload();
      await expect.poll(() => shown(tab, 'section')).toBe(true);
    });
  });

for (const [button, key] of [
  ['Accept all', 'Enter'],
  ['Reject all', ' '],
] as const)
  test(`keyboard only: “${button}” with ${key === ' ' ? 'Space' : key} decides in the banner; then the reopen button, a switch toggled with Space and “Save my choices” with Enter change it, and focus returns to the reopen button`, async ({
    tab,
    site,
    collector,
  }) => {
    const url = site.page(pageWith(uiConfig()));
    await open(tab, url);
    await tabTo(tab, `button:${button}`);
    await tab.press(key);
    await expect.poll(() => shown(tab, 'section')).toBe(false);
    const grant = button === 'Accept all';
    expect(await state(tab)).toMatchObject({
      decided: true,
      method: 'banner',
      purposes: { analytics: grant, marketing: grant, security: grant, necessary: true },
    });
    // Focus is not left on a button that is gone.
    expect(await tab.run(() => document.activeElement === document.body || !!document.activeElement?.isConnected)).toBe(
      true,
    );

    await tab.reload();
    await tabTo(tab, 'button:Privacy settings');
    await tab.press('Enter');
    await expect.poll(() => shown(tab, 'dialog[open]')).toBe(true);
    await tabTo(tab, 'switch:Audience measurement Allow');
    await tab.press(' ');
    await expect
      .poll(() =>
        tab.run(() =>
          document
            .getElementById('assent-consent')
            ?.shadowRoot?.querySelector('[aria-labelledby^="assent-p-analytics"]')
            ?.getAttribute('aria-checked'),
        ),
      )
      .toBe(String(!grant));
    await tabTo(tab, 'button:Save my choices');
    await tab.press('Enter');
    await expect.poll(() => shown(tab, 'dialog[open]')).toBe(false);
    expect((await tab.run(focusedStop))?.name).toBe('button:Privacy settings');
    await expect
      .poll(() =>
        tab.run(
          () => document.getElementById('assent-consent')?.shadowRoot?.querySelector('[role=status]')?.textContent,
        ),
      )
      .toBe('Your choices have been saved.');
    expect(await state(tab)).toMatchObject({
      decided: true,
      method: 'preferences',
      purposes: { analytics: !grant, marketing: grant, security: grant },
    });
    // Both decisions reach the endpoint, each with the way it was made.
    await expect
      .poll(() => collector.of('consent').map((r) => [r.method, (r.purposes as { id: string; granted: boolean }[])[3]]))
      .toEqual([
        ['banner', expect.objectContaining({ id: 'analytics', granted: grant })],
        ['preferences', expect.objectContaining({ id: 'analytics', granted: !grant })],
      ]);
  });

/**
 * axe-core on the whole page, its source injected once: the violations, and how many elements of the
 * UI's shadow roots passed its colour-contrast check (so that a run that saw none of them fails).
 */
const axe = async (tab: Tab) => {
  if (!(await tab.run(() => 'axe' in window)))
    await tab.run((source: string) => {
      const script = document.createElement('script');
      script.textContent = source;
      document.head.append(script);
    }, AXE);
  return tab.run(async () => {
    type Result = { id: string; nodes: { target: unknown[] }[] };
    const { violations, passes } = await (
      window as unknown as { axe: { run: () => Promise<{ violations: Result[]; passes: Result[] }> } }
    ).axe.run();
    // A node in a shadow root has a target that goes through its host: [[host, inner]].
    const contrast = passes.find((r) => r.id === 'color-contrast')?.nodes.filter((n) => Array.isArray(n.target[0]));
    return {
      violations: violations.map((v) => `${v.id} (${v.nodes.length}): ${JSON.stringify(v.nodes[0].target)}`),
      contrast: contrast?.length ?? 0,
    };
  });
};

/**
 * The brightness (0–255) of the preference center's scroll bar track, below its thumb, as drawn on
 * screen: the screenshot is read back through a canvas in the page.
 */
const scrollBar = async (tab: Tab) => {
  await tab.run(() => {
    const body = document.getElementById('assent-consent')?.shadowRoot?.querySelector('dialog .body') as Element;
    body.scrollTop = 0;
  });
  const png = (await tab.screenshot()).toString('base64');
  return tab.run(async (data: string) => {
    const body = document.getElementById('assent-consent')?.shadowRoot?.querySelector('dialog .body') as Element;
    const r = body.getBoundingClientRect();
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const scale = image.naturalWidth / innerWidth;
    const canvas = document.createElement('canvas');
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    context.drawImage(image, 0, 0);
    const levels: number[] = [];
    for (let y = r.bottom - 35; y < r.bottom - 4; y += 6) {
      const [red, green, blue] = context.getImageData(
        Math.round((r.right - 4) * scale),
        Math.round(y * scale),
        1,
        1,
      ).data;
      levels.push(Math.round((red + green + blue) / 3));
    }
    return { scrolls: body.scrollHeight > body.clientHeight, levels };
  }, png);
};

for (const dark of [false, true])
  test.describe(dark ? 'dark' : 'light', () => {
    test.use({ sessionOptions: { dark } });

    test(`axe-core finds no violation on the banner, the preference center, a placeholder and the reopen button (${dark ? 'dark' : 'light'})`, async ({
      tab,
      site,
    }) => {
      site.file('/embed/x', '<p>video</p>', 'text/html');
      const url = site.page(
        withLandmarks(
          pageWith(
            uiConfig(),
            '<iframe data-assent="marketing" data-src="/embed/x" title="Video" width="400" height="225"></iframe>',
          ),
        ),
      );
      await open(tab, url);
      // The browser really prefers the scheme, and the UI is drawn in it: the check is not vacuous.
      expect(await tab.run(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(dark);
      const background = () =>
        tab.run((css: string) => {
          const el = document.getElementById('assent-consent')?.shadowRoot?.querySelector(css);
          return el ? getComputedStyle(el).backgroundColor : null;
        }, 'section, dialog');
      expect(await background()).toBe(dark ? 'rgb(28, 28, 30)' : 'rgb(255, 255, 255)');
      await expect
        .poll(() => tab.run(() => !!document.querySelector('[data-assent-ui="placeholder"]')?.shadowRoot))
        .toBe(true);
      const onBanner = await axe(tab);
      expect(onBanner.violations).toEqual([]);
      // The banner's seven texts and the placeholder's three.
      expect(onBanner.contrast).toBeGreaterThanOrEqual(10);

      await tab.click('button', 'Choose');
      await expect.poll(() => shown(tab, 'dialog[open]')).toBe(true);
      expect(await background()).toBe(dark ? 'rgb(28, 28, 30)' : 'rgb(255, 255, 255)');
      // Every purpose's details, opened one after the other.
      for (let i = 0; i < 2; i++) await tab.click('details:not([open]) > summary', 'Details');
      expect(
        await tab.run(() =>
          [...(document.getElementById('assent-consent')?.shadowRoot?.querySelectorAll('details') ?? [])].every(
            (d) => d.open,
          ),
        ),
      ).toBe(true);
      // What the browser draws itself, the scroll bar of the purposes, is in the scheme too.
      const bar = await scrollBar(tab);
      expect(bar.scrolls).toBe(true);
      for (const level of bar.levels) expect(dark ? level < 100 : level > 155, `${bar.levels}`).toBe(true);
      const onPreferences = await axe(tab);
      expect(onPreferences.violations).toEqual([]);
      expect(onPreferences.contrast).toBeGreaterThan(onBanner.contrast);

      await tab.click('button', 'Reject all');
      await expect.poll(() => shown(tab, 'dialog[open]')).toBe(false);
      await expect.poll(() => tab.run(() => !!document.querySelector('[data-assent-ui="reopen"]'))).toBe(true);
      const after = await axe(tab);
      expect(after.violations).toEqual([]);
      expect(after.contrast).toBeGreaterThanOrEqual(3);
    });
  });

// Everything that gives one button more weight than the other.
const LOOK = [
  'fontFamily',
  'fontSize',
  'fontWeight',
  'fontStyle',
  'lineHeight',
  'color',
  'backgroundColor',
  'borderTopColor',
  'borderTopWidth',
  'borderTopStyle',
  'borderRadius',
  'paddingTop',
  'paddingLeft',
  'textDecorationLine',
  'textTransform',
  'boxShadow',
  'opacity',
] as const;

/** The box and the look of "Accept all" and "Reject all" in a view of the main UI. */
const acceptAndReject = (tab: Tab, view: string) =>
  tab.run(
    (selector: string, look: string[]) => {
      const root = document.getElementById('assent-consent')?.shadowRoot;
      const buttons = [...(root?.querySelector(selector)?.querySelectorAll('button') ?? [])];
      return ['Accept all', 'Reject all'].map((name) => {
        const b = buttons.find((el) => el.textContent?.trim() === name) as HTMLElement;
        const r = b.getBoundingClientRect();
        const style = getComputedStyle(b) as unknown as Record<string, string>;
        return {
          width: Math.round(r.width * 10) / 10,
          height: Math.round(r.height * 10) / 10,
          look: look.map((p) => `${p}: ${style[p]}`),
        };
      });
    },
    view,
    LOOK,
  );

test('Accept all and Reject all have the same size and computed style, at 1024 px and on a 360 px phone, in the banner and the preference center', async ({
  tab,
  site,
}) => {
  const url = site.page(pageWith(uiConfig()));
  for (const [width, height] of [
    [1024, 768],
    [360, 740],
  ]) {
    await open(tab, url, width, height);
    expect(await tab.run(() => innerWidth)).toBe(width);
    for (const view of ['section', 'dialog']) {
      if (view === 'dialog') {
        await tab.click('button', 'Choose');
        await expect.poll(() => shown(tab, 'dialog[open]')).toBe(true);
      }
      const [accept, reject] = await acceptAndReject(tab, view);
      expect(accept, `${view} at ${width} px`).toEqual(reject);
      expect(accept.width).toBeGreaterThanOrEqual(44);
      expect(accept.height).toBeGreaterThanOrEqual(44);
      // Nothing scrolls sideways.
      expect(await tab.run(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    }
  }
});

test('an embed placeholder is a named group whose buttons work from the keyboard, keeps the iframe’s size, and “Load this content” loads that embed only', async ({
  tab,
  site,
}) => {
  // Other tests of this worker's server have embeds of their own: count this test's requests only.
  const since = site.log.length;
  const url = site.page(pageWith(uiConfig(), twoEmbeds(site, '<p id="after">After</p>')));
  await open(tab, url);
  const placeholders = () =>
    tab.run(() =>
      [...document.querySelectorAll('[data-assent-ui="placeholder"]')].map((host) => {
        const group = host.shadowRoot?.querySelector('[role=group]') as Element;
        const r = host.getBoundingClientRect();
        const first = (group.firstElementChild as Element).getBoundingClientRect();
        const last = (group.lastElementChild as Element).getBoundingClientRect();
        return {
          name: group.getAttribute('aria-label'),
          text: group.querySelector('p')?.textContent,
          box: [r.left, r.top, r.width, r.height].map(Math.round),
          // Nothing is cut off above, where no scrolling reaches; what fits is centred.
          cutOff: first.top < r.top,
          centred: host.scrollHeight > host.clientHeight || Math.abs(first.top - r.top - (r.bottom - last.bottom)) <= 1,
        };
      }),
    );
  await expect.poll(async () => (await placeholders()).length).toBe(2);
  const [a, b] = await placeholders();
  expect(a).toMatchObject({ name: 'VideoTube', cutOff: false, centred: true });
  // The small one is too small for its content, which scrolls.
  expect(b).toMatchObject({ name: 'VideoTube', cutOff: false });
  expect(a.text).toContain('VideoTube');
  expect(a.text).toContain('Advertising');
  const box = (css: string) =>
    tab.run((selector: string) => {
      const r = (document.querySelector(selector) as Element).getBoundingClientRect();
      return [r.left, r.top, r.width, r.height].map(Math.round);
    }, css);
  const after = await box('#after');
  expect(site.requested('/embed/', since)).toEqual([]);

  // From the banner, Tab goes on to the placeholder's buttons.
  const passed = await tabTo(tab, 'button:Load this content');
  expect(passed).toContain('button:Choose');
  await tab.press('Enter');
  await expect.poll(() => site.requested('/embed/', since)).toEqual(['/embed/a']);
  // The iframe takes the placeholder's box exactly: nothing after it moves.
  expect(await box('iframe[title="Video A"]')).toEqual(a.box);
  expect(await box('#after')).toEqual(after);
  expect(await placeholders()).toEqual([b]);
  // The focus goes to the embed that took the button's place, so Tab goes on from there.
  expect(await tab.run(() => document.activeElement?.getAttribute('title'))).toBe('Video A');
  expect(await tab.run(() => window.assent?.get('marketing'))).toBe(false);

  await tabTo(tab, 'button:Always allow: Advertising');
  await tab.press(' ');
  await expect.poll(() => site.requested('/embed/', since).sort()).toEqual(['/embed/a', '/embed/b']);
  expect(await box('iframe[title="Video B"]')).toEqual(b.box);
  expect(await placeholders()).toEqual([]);
  expect(await tab.run(() => document.activeElement?.getAttribute('title'))).toBe('Video B');
  expect(await state(tab)).toMatchObject({ method: 'placeholder', decided: false, purposes: { marketing: true } });
});
