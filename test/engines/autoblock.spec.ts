// Auto-blocking (assent-autoblock.js, the README's matrix) in Chromium, Firefox and WebKit: every way a
// tag inserts a matching script, iframe, image or stylesheet makes no request before consent, is
// released in order on consent, and stays blocked after a reject and a reload, by the request log.

import type { AssentConfig } from '../../src/core/config';
import { pageWith, type Site } from '../e2e/site';
import { shopConfig } from '../fixtures/configs';
import type { Tab } from './drivers';
import { expect, onHost, ran, settle, test } from './fixtures';

type Kind = 'script' | 'iframe' | 'img' | 'link';

/** A service that loads what `match` names (a substring or a /regex/). */
const service = (id: string, purpose: string, match: string) => ({
  id,
  name: id,
  purposes: [purpose],
  privacyPolicyUrl: `https://${id}.example/p`,
  match: [match],
});
const config = (): AssentConfig => ({
  ...shopConfig(),
  services: [
    service('tracker', 'analytics', '/tag/script/'),
    service('embeds', 'marketing', '/\\/tag\\/(iframe|img|link)\\//'),
  ],
});

/** A JS string literal that is safe inside an inline <script> (no `</script>`, no `<!--`). */
const literal = (text: string) => JSON.stringify(text).replace(/</g, '\\u003c');

/** One cell of the matrix, for the URL `u`. */
interface Cell {
  name: string;
  /** What the tag runs once the page has parsed, with `slot` (the cell's own element) in scope. */
  code?: (u: string) => string;
  /** Markup the page's own script writes with document.write while the page parses. */
  write?: (u: string) => string;
  /** Whether consent releases it (false: the browser never loads it, or it is not in the page). */
  released: boolean;
}
const run = (name: string, code: (u: string) => string, released = true): Cell => ({ name, code, released });

const CREATE: Record<Kind, string> = {
  script: "document.createElement('script')",
  iframe: "Object.assign(document.createElement('iframe'), { title: 'x' })",
  img: "Object.assign(document.createElement('img'), { alt: '' })",
  link: "Object.assign(document.createElement('link'), { rel: 'stylesheet' })",
};
const INSERT: Record<string, string> = {
  appendChild: 'slot.appendChild(e)',
  insertBefore: 'slot.insertBefore(e, slot.firstChild)',
  append: 'slot.append(e)',
};
/** What a tag sets: the URL, or for srcset a candidate list. */
const setTo = (attr: string, u: string) => literal(attr === 'srcset' ? `${u} 1x` : u);
const SET: Record<string, (attr: string, u: string) => string> = {
  property: (attr, u) => `e.${attr} = ${setTo(attr, u)}`,
  setAttribute: (attr, u) => `e.setAttribute('${attr}', ${setTo(attr, u)})`,
};

/** createElement, with the URL set before or after insertion (property or setAttribute), by each way of inserting. */
const created = (kind: Kind, attr: string): Cell[] =>
  Object.entries(INSERT).flatMap(([insert, put]) =>
    Object.entries(SET).flatMap(([how, set]) => [
      run(`${how} ${attr}, then ${insert}`, (u) => `const e = ${CREATE[kind]}; ${set(attr, u)}; ${put};`),
      run(`${insert}, then ${how} ${attr}`, (u) => `const e = ${CREATE[kind]}; ${put}; ${set(attr, u)};`),
    ]),
  );

/** The same markup by innerHTML, insertAdjacentHTML and document.write (`parsed`: whether these load at all). */
const written = (what: string, markup: (u: string) => string, parsed = true): Cell[] => [
  run(`innerHTML ${what}`, (u) => `slot.innerHTML = ${literal(markup(u))};`, parsed),
  run(`insertAdjacentHTML ${what}`, (u) => `slot.insertAdjacentHTML('beforeend', ${literal(markup(u))});`, parsed),
  { name: `document.write ${what}`, write: markup, released: true },
];

const GROUPS: Record<Kind, Cell[]> = {
  script: [
    ...created('script', 'src'),
    // Browsers never run (nor fetch) scripts that innerHTML or insertAdjacentHTML insert.
    ...written('src', (u) => `<script src="${u}"></script>`, false),
  ],
  iframe: [...created('iframe', 'src'), ...written('src', (u) => `<iframe title="x" src="${u}"></iframe>`)],
  img: [
    ...created('img', 'src'),
    ...written('src', (u) => `<img alt="" src="${u}">`),
    ...created('img', 'srcset'),
    ...written('srcset', (u) => `<img alt="" srcset="${u} 1x">`),
    ...written('src and srcset', (u) => `<img alt="" src="${u}?src" srcset="${u}?srcset 1x">`),
    run('new Image() src, then append', (u) => `const e = new Image(); e.src = ${literal(u)}; slot.append(e);`),
    run(
      'new Image() srcset, then append',
      (u) => `const e = new Image(); e.srcset = ${setTo('srcset', u)}; slot.append(e);`,
    ),
    // A pixel that is never inserted has no place in the page to be released to.
    run('new Image() src, never inserted', (u) => `window.__pixel = new Image(); __pixel.src = ${literal(u)};`, false),
  ],
  link: [
    ...created('link', 'href'),
    ...written('href', (u) => `<link rel="stylesheet" href="${u}">`),
    run(
      'preload, append, then href',
      (u) => `const e = ${CREATE.link}; e.rel = 'preload'; e.as = 'style'; ${INSERT.append}; e.href = ${literal(u)};`,
    ),
  ],
};

/** What each kind's URL serves: scripts and frames record that they ran, in `__ran` of the page. */
const FILE: Record<Kind, (id: string) => [body: string, type: string]> = {
  script: (id) => [`(window.__ran = window.__ran || []).push(${JSON.stringify(id)})`, 'text/javascript'],
  iframe: (id) => [`<script>(parent.__ran = parent.__ran || []).push(${JSON.stringify(id)})</script>`, 'text/html'],
  img: () => ['<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', 'image/svg+xml'],
  link: () => ['i{}', 'text/css'],
};
const EXT: Record<Kind, string> = { script: 'js', iframe: 'html', img: 'svg', link: 'css' };

/**
 * A page with one slot per cell, in the table's order: document.write cells write while the page
 * parses, the others run from a tag once it has parsed. `__released` lists the cells whose element got a
 * URL attribute, in the order the gate restored them (scripts aside: a blocked script keeps its src);
 * `__errors` what a cell threw.
 */
const cellPage = (site: Site, kind: Kind, list: Cell[]) => {
  const dir = `/tag/${kind}/${Math.random().toString(36).slice(2)}/`;
  const urls = list.map((_, i) => `${dir}c${i}.${EXT[kind]}`);
  for (const [i, u] of urls.entries()) site.file(u, ...FILE[kind](`c${i}`));
  const slots = list
    .map(
      (cell, i) =>
        `<div data-slot="c${i}"><i></i>${cell.write ? `<script>document.write(${literal(cell.write(urls[i]))})</script>` : ''}</div>`,
    )
    .join('\n');
  const tag = list
    .map((cell, i) =>
      cell.code
        ? `try { ((slot) => { ${cell.code(urls[i])} })(document.querySelector('[data-slot="c${i}"]')); } catch (e) { __errors.push('c${i}: ' + e); }`
        : '',
    )
    .join('\n');
  const watch = `<script>window.__errors = []; window.__released = [];
new MutationObserver((records) => { for (const r of records) { const slot = r.target.closest('[data-slot]');
  if (slot && r.target.tagName !== 'SCRIPT' && r.target.getAttribute(r.attributeName) && !__released.includes(slot.dataset.slot)) __released.push(slot.dataset.slot); } })
  .observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ['src', 'srcset', 'href'] });</script>`;
  const html = pageWith(
    config(),
    `${slots}<script>document.addEventListener('DOMContentLoaded', () => {\n${tag}\n});</script>`,
    watch,
    '/dist/assent-autoblock.js',
  );
  return { url: site.page(html), urls };
};

/** What the page shows of the cells: what ran, what got its URL back, what threw. */
const observed = (tab: Tab) =>
  tab.run(() => {
    const w = window as { __ran?: string[]; __released?: string[]; __errors?: string[] };
    return { ran: w.__ran ?? [], released: w.__released ?? [], errors: w.__errors ?? [] };
  });

for (const [kind, list] of Object.entries(GROUPS) as [Kind, Cell[]][])
  test(`${kind}: every way a tag inserts one (${list.length} cells) makes no request before consent, is released in order on consent, and stays blocked after a reject and a reload`, async ({
    tab,
    site,
  }) => {
    const { url, urls } = cellPage(site, kind, list);
    const released = list.flatMap((c, i) => (c.released ? [`c${i}`] : []));
    const count = () => urls.map((u) => site.requested(u).length);
    const none = urls.map(() => 0);
    const label = (n: number[]) => Object.fromEntries(n.map((c, i) => [list[i].name, c]));

    await tab.goto(url);
    await settle();
    expect(label(count())).toEqual(label(none));
    expect(await observed(tab)).toEqual({ ran: [], released: [], errors: [] });

    await tab.run(() => window.assent?.acceptAll());
    const once = list.map((c) => (c.released ? 1 : 0));
    await expect.poll(() => label(count().map((n) => Math.min(n, 1)))).toEqual(label(once));
    // Scripts run in document order; frames load when they will. The gate restores URLs in document order.
    if (kind === 'script') await expect.poll(() => ran(tab)).toEqual(released);
    if (kind === 'iframe') await expect.poll(async () => (await ran(tab)).sort()).toEqual([...released].sort());
    await settle();
    expect(label(count())).toEqual(label(once));
    const after = await observed(tab);
    expect(after.errors).toEqual([]);
    if (kind !== 'script') expect(after.released).toEqual(released);

    // A visitor who rejects: nothing more is requested, also after a reload (a fresh origin: a new visitor).
    const rejecting = onHost(url, 'reject.shop.test');
    await tab.goto(rejecting);
    await tab.run(() => window.assent?.rejectAll());
    await tab.reload();
    await settle();
    expect(label(count())).toEqual(label(once));
    expect(await observed(tab)).toEqual({ ran: [], released: [], errors: [] });
  });

// Markup after the loader is parsed before any script sees it, and preload scanners fetch ahead of the
// parser: scripts, images and stylesheets there may be requested, but never run or apply before consent
// (the README's "what cannot be blocked"). Chromium also requests a frame there, whose page never loads;
// Firefox and WebKit make no request for it.
test('matching elements in later markup never run or apply before consent, are released in order, and stay blocked after a reject and a reload', async ({
  tab,
  site,
  engine,
}) => {
  const dir = `/tag/markup-${Math.random().toString(36).slice(2)}`;
  const path = (kind: Kind, name: string) => `/tag/${kind}${dir}/${name}.${EXT[kind]}`;
  for (const name of ['head', 'body-1', 'body-2']) site.file(path('script', name), ...FILE.script(name));
  site.file(path('iframe', 'frame'), ...FILE.iframe('frame'));
  for (const name of ['src', 'srcset', 'both']) site.file(path('img', name), ...FILE.img(name));
  site.file(path('link', 'head'), 'main{color:rgb(1, 2, 3)}', 'text/css');
  site.file(path('link', 'body'), 'main{background-color:rgb(4, 5, 6)}', 'text/css');
  const url = site.page(
    pageWith(
      config(),
      `<script src="${path('script', 'body-1')}"></script>
       <iframe title="Video" src="${path('iframe', 'frame')}"></iframe>
       <img alt="" src="${path('img', 'src')}"><img alt="" srcset="${path('img', 'srcset')} 1x">
       <img alt="" src="${path('img', 'both')}?src" srcset="${path('img', 'both')}?srcset 1x">
       <link rel="stylesheet" href="${path('link', 'body')}">
       <script src="${path('script', 'body-2')}"></script>`,
      `<link rel="stylesheet" href="${path('link', 'head')}"><script src="${path('script', 'head')}"></script>`,
      '/dist/assent-autoblock.js',
    ),
  );
  const applied = () =>
    tab.run(() => {
      const main = getComputedStyle(document.querySelector('main') as Element);
      const images = [...document.querySelectorAll('main img')] as HTMLImageElement[];
      return { styles: [main.color, main.backgroundColor], images: images.map((i) => i.naturalWidth) };
    });
  const blocked = { styles: ['rgb(0, 0, 0)', 'rgba(0, 0, 0, 0)'], images: [0, 0, 0] };
  // Chromium may request the frame each time the parser inserts it; Firefox and WebKit never do.
  const frameRequests = () => site.requested(path('iframe', 'frame')).length;
  const leaked = (views: number) => (engine.name === 'chromium' ? views : 0);

  await tab.goto(url);
  await settle(500);
  expect(await applied()).toEqual(blocked);
  expect(await ran(tab)).toEqual([]);
  const early = frameRequests();
  expect(early).toBeLessThanOrEqual(leaked(1));

  await tab.run(() => window.assent?.acceptAll());
  await expect.poll(applied).toEqual({ styles: ['rgb(1, 2, 3)', 'rgb(4, 5, 6)'], images: [1, 1, 1] });
  await expect.poll(async () => (await ran(tab)).filter((n) => n !== 'frame')).toEqual(['head', 'body-1', 'body-2']);
  await expect.poll(async () => (await ran(tab)).includes('frame')).toBe(true);
  await settle();
  expect((await ran(tab)).length).toBe(4);
  expect(frameRequests()).toBe(early + 1);

  const accepted = frameRequests();
  await tab.goto(onHost(url, 'reject.shop.test'));
  await tab.run(() => window.assent?.rejectAll());
  await tab.reload();
  await settle(500);
  expect(await applied()).toEqual(blocked);
  expect(await ran(tab)).toEqual([]);
  expect(frameRequests() - accepted).toBeLessThanOrEqual(leaked(2));
});
