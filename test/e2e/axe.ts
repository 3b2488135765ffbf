// axe-core in the page under test: the ids of its violations, with how many nodes each.
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The landmarks most real pages have; Assent's UI must add none that clash with them. */
const LANDMARKS = ['header', 'nav', 'main', 'footer'];

/**
 * A page from `pageWith` given the usual landmarks around its `<main>`: a site header with its
 * navigation, and a footer.
 */
export const withLandmarks = (html: string) =>
  html
    .replace(
      '<body><main>',
      '<body><header><p>Shop</p><nav aria-label="Site"><a href="#products">Products</a> <a href="#about">About</a></nav></header><main>',
    )
    .replace('</main></body>', '</main><footer><p>© Shop SAS</p></footer></body>');

export const axe = async (page: Page): Promise<string[]> => {
  // An axe run on a page without its own landmarks cannot see Assent's UI clash with them.
  const missing = await page.evaluate(
    (names) => (document.querySelector('[data-assent-ui]') ? names.filter((n) => !document.querySelector(n)) : []),
    LANDMARKS,
  );
  if (missing.length)
    throw new Error(`axe runs on a page with the usual landmarks; this one has no ${missing.join(', ')}`);
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await (
      window as unknown as { axe: { run: (o: object) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }
    ).axe.run({ resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
  });
};
