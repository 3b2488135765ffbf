// Playwright fixtures: one test server per worker, and the console messages of each page.
import { test as base, expect, type Page } from '@playwright/test';
import { type Collector, Site } from './site';

/** One test server per worker (scope it `worker`). */
// biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
export const startSite = async ({}, use: (site: Site) => Promise<void>) => {
  const site = await new Site().start();
  await use(site);
  await site.stop();
};

/** A fresh test collector for each test that asks for one. */
export const freshCollector = async ({ site }: { site: Site }, use: (collector: Collector) => Promise<void>) => {
  await use(site.resetCollector());
  // Tests that take no collector of their own get one that answers as endpoints normally do.
  site.resetCollector();
};

export const test = base.extend<{ messages: string[]; collector: Collector }, { site: Site }>({
  site: [startSite, { scope: 'worker' }],
  collector: freshCollector,
  messages: async ({ page }, use) => {
    const messages: string[] = [];
    page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
    await use(messages);
  },
});

export { expect };

/** Whether the consent cookie says entries still wait in the outbox. */
export const pending = async (page: Page) =>
  /\.[bplag]g?o\./.test((await page.context().cookies()).find((c) => c.name === 'assent')?.value ?? '');

/** The vendor scripts that ran on the page, in order. */
export const ran = (page: Page): Promise<string[]> => page.evaluate(() => (window as { __ran?: string[] }).__ran ?? []);
