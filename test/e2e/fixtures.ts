// Playwright fixtures: one test server per worker, and the console messages of each page.
import { test as base, expect, type Page } from '@playwright/test';
import { type Collector, Site } from './site';

export const test = base.extend<{ messages: string[]; collector: Collector }, { site: Site }>({
  site: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies by destructuring
    async ({}, use) => {
      const site = await new Site().start();
      await use(site);
      await site.stop();
    },
    { scope: 'worker' },
  ],
  collector: async ({ site }, use) => {
    await use(site.resetCollector());
    // Tests that take no collector of their own get one that answers as endpoints normally do.
    site.resetCollector();
  },
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
