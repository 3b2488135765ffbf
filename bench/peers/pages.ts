// The peer comparison's pages: one page, the same content for every tool (the article of
// scripts/bench-site.ts), plus each tool set up as its own README tells site owners, with three purposes
// (necessary, analytics, marketing), English texts, and one script gated on analytics in the tool's own
// syntax. That script is /gated.js, which records when it starts (see server.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const TOOLS = ['assent', 'cookieconsent', 'klaro', 'tarteaucitron', 'c15t'] as const;
export type Tool = (typeof TOOLS)[number];
/** The tools, then the page without any widget. */
export type PageId = Tool | 'bare';

export const LABELS: Record<PageId, string> = {
  assent: 'Assent',
  cookieconsent: 'cookieconsent 3.1.0',
  klaro: 'Klaro 0.7.22',
  tarteaucitron: 'tarteaucitron 1.34.0',
  c15t: 'c15t 2.2.1 + React UI',
  bare: 'no widget',
};

/** Every file a widget serves lives under this prefix, so its requests and its scripts are told apart by URL. */
export const WIDGET_PREFIX = '/w/';

/** The "Accept all" control of each tool's banner, as a Playwright selector. */
export const ACCEPT_ALL: Record<Tool, string> = {
  assent: 'role=button[name="Accept all"]',
  cookieconsent: '#cc-main .cm >> role=button[name="Accept all"]',
  klaro: '#klaro-cookie-notice .cm-btn-success',
  tarteaucitron: '#tarteaucitronPersonalize2',
  c15t: '[data-testid="consent-banner-accept-button"]',
};

// The same as scripts/bench-site.ts's bench page.
const ARTICLE = '<article><h2>Product</h2><p>A page of a shop, with text and a few sections.</p></article>'.repeat(40);

const page = (head: string, end = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bench page</title>
${head}
</head><body><main><h1>Test page</h1>${ARTICLE}</main>
${end}</body></html>`;

const assentConfig = readFileSync(resolve(import.meta.dirname, 'assent-config.json'), 'utf8');

/** The HTML of each page; `c15t` names the files Vite built for c15t, relative to /w/c15t/. */
export const pages = (c15t: { js: string; css: string[] }): Record<PageId, string> => ({
  // The analytics script without any gate: the earliest it can start.
  bare: page('<script src="/gated.js"></script>'),
  // README "Embedding": the config inline, then the loader, first in <head>; gating: data-assent.
  assent: page(
    `<script type="application/json" id="assent-config">${JSON.stringify(JSON.parse(assentConfig))}</script>
<script src="/w/assent/assent.js"></script>
<script type="text/plain" data-assent="analytics" src="/gated.js"></script>`,
  ),
  // Getting started: the stylesheet in <head>, the config module at the end of <body>; gating: data-category.
  cookieconsent: page(
    `<link rel="stylesheet" href="/w/cookieconsent/cookieconsent.css">
<script type="text/plain" data-category="analytics" src="/gated.js"></script>`,
    '<script type="module" src="/w/cookieconsent/cookieconsent-config.js"></script>\n',
  ),
  // README: config.js then klaro.js (with its styles), both deferred; gating: data-name + data-src.
  klaro: page(
    `<script defer src="/w/klaro/config.js"></script>
<script defer src="/w/klaro/klaro.js"></script>
<script type="text/plain" data-type="text/javascript" data-name="analytics" data-src="/gated.js"></script>`,
  ),
  // README: tarteaucitron.js (the minified build, which then loads the minified language, services and
  // CSS files), then init; gating: a custom service whose js() adds the script.
  tarteaucitron: page(
    `<script src="/w/tarteaucitron/tarteaucitron.min.js"></script>
<script src="/w/tarteaucitron/bench-init.js"></script>`,
  ),
  // Vite's production build of bench/peers/c15t/main.js, linked as Vite links an entry; gating: `scripts`.
  c15t: page(
    `${c15t.css.map((f) => `<link rel="stylesheet" crossorigin href="/w/c15t/${f}">`).join('\n')}
<script type="module" crossorigin src="/w/c15t/${c15t.js}"></script>`,
  ),
});
