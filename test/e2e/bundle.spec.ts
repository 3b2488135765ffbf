// `assent bundle`: a site's config built into the loaders, so that a page embeds one <script src> and
// nothing inline, and decides as synchronously as with an inline config.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { shopConfig } from '../fixtures/configs';
import { expect, ran, test } from './fixtures';
import type { Site } from './site';

// The CLI of the build under test, which bundles from the loaders next to it (ASSENT_DIST, as site.ts).
const DIST = resolve(process.env.ASSENT_DIST || resolve(import.meta.dirname, '../../dist'));
let folders = 0;

/** Runs `assent bundle` on a config and serves what it wrote under its own folder; returns that folder. */
const bundle = (site: Site, config: unknown): string => {
  const dir = mkdtempSync(join(tmpdir(), 'assent-bundle-'));
  writeFileSync(join(dir, 'site.json'), JSON.stringify(config));
  const r = spawnSync(
    process.execPath,
    [join(DIST, 'cli.mjs'), 'bundle', join(dir, 'site.json'), '--out', join(dir, 'out')],
    {
      encoding: 'utf8',
    },
  );
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const base = `/bundle${++folders}/assent/`;
  for (const file of readdirSync(join(dir, 'out'), { recursive: true }) as string[])
    if (file.endsWith('.js')) site.file(base + file, readFileSync(join(dir, 'out', file), 'utf8'));
  return base;
};

/** A page of a static site: the loader tag first in <head>, and no config of its own unless `head` has one. */
const page = (loader: string, body = '', head = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bundled</title>
${head}<script src="${loader}"></script>
</head><body><main><h1>A page of a static site</h1>${body}</main></body></html>`;

const banner = (p: Page) => p.getByRole('region', { name: 'Your privacy choices' });
const state = (p: Page) => p.evaluate(() => window.assent?.getState());

test('a new visitor gets the banner from the one <script src>, and a returning one runs gated scripts before DOMContentLoaded', async ({
  page: p,
  site,
}) => {
  const base = bundle(site, { ...shopConfig(), endpoint: `${site.origin}/collect` });
  const html = page(
    `${base}assent.js`,
    `<script type="text/plain" data-assent="analytics" src="/vendor/bundled.js"></script>
     <script type="text/plain" data-assent="analytics">window.__inlineAt = performance.now()</script>`,
  );
  expect(html).not.toContain('assent-config');
  const url = site.page(html);
  await p.goto(url);
  await expect(banner(p).getByRole('button', { name: 'Reject all' })).toBeVisible();
  // The UI comes from the chunks written beside the loader.
  expect(site.requested(`${base}chunks/`).some((path) => path.endsWith('/ui.js'))).toBe(true);
  expect(site.requested('/vendor/bundled.js')).toEqual([]);
  await banner(p).getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => ran(p)).toEqual(['bundled']);

  await p.reload();
  const timing = await p.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const script = performance.getEntriesByType('resource').find((e) => e.name.includes('bundled.js'));
    return {
      dcl: nav.domContentLoadedEventStart,
      inline: (window as { __inlineAt?: number }).__inlineAt ?? Number.POSITIVE_INFINITY,
      script: script?.startTime ?? Number.POSITIVE_INFINITY,
    };
  });
  expect(timing.inline).toBeLessThan(timing.dcl);
  expect(timing.script).toBeLessThan(timing.dcl);
  await expect(banner(p)).toHaveCount(0);
  expect(await state(p)).toMatchObject({ decided: true, version: '3', purposes: { analytics: true } });
});

test('the config built in wins over an inline one, window.assentConfig and data-config', async ({ page: p, site }) => {
  const builtIn = { ...shopConfig(), policy: { url: 'https://shop.example/privacy', version: 'built-in' } };
  const base = bundle(site, builtIn);
  const other = JSON.stringify({
    ...shopConfig(),
    policy: { url: 'https://shop.example/privacy', version: 'inline' },
    purposes: [{ id: 'necessary', basis: 'contract', title: 'Orders' }],
  });
  const inline = `<script type="application/json" id="assent-config">${other}</script>
    <script type="application/json" id="elsewhere">${other}</script>
    <script>window.assentConfig = ${other}</script>`;
  // Each build, and also with a data-config that names another element.
  for (const loader of ['assent.js', 'assent-autoblock.js" data-config="#elsewhere']) {
    await p.goto(site.page(page(`${base}${loader}`, '', inline)));
    expect(await state(p)).toMatchObject({ version: 'built-in', purposes: { analytics: false } });
    await expect(banner(p)).toBeVisible();
  }
});

test('assent.dev.js names the config sources of the page that the config built in overrides', async ({
  page: p,
  site,
  messages,
}) => {
  const base = bundle(site, shopConfig());
  await p.goto(
    site.page(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dev</title>
      <script type="application/json" id="assent-config">{}</script>
      <script src="${base}assent.dev.js" data-config="/config.json"></script></head><body></body></html>`,
    ),
  );
  await expect(banner(p)).toBeVisible();
  expect(messages).toContain(
    'warning: assent: this loader has a config built in (assent bundle); it ignores data-config, #assent-config',
  );
  expect(site.requested('/config.json')).toEqual([]);
});

test('texts that would break out of a script reach the page as they are, also with the loader inlined', async ({
  page: p,
  site,
}) => {
  const version =
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a text that a template literal would run
    '</script><script>window.__pwned = 1</script><!-- \u2028\u2029 ${window.__pwned = 2} \\ \\" \0 $& $\'';
  const config = { ...shopConfig(), policy: { url: 'https://shop.example/privacy', version } };
  const base = bundle(site, config);
  await p.goto(site.page(page(`${base}assent.js`)));
  expect(await state(p)).toMatchObject({ version });
  // Pasted into the page itself, the bundled loader is still one script with the same config.
  const code = await (await p.request.get(`${site.origin}${base}assent.js`)).text();
  await p.goto(site.page(`<!doctype html><html><head><script>${code}</script></head><body><p>after</p></body></html>`));
  expect(await state(p)).toMatchObject({ version });
  expect(await p.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  await expect(p.getByText('after')).toBeVisible();
});
