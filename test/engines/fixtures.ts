// The cross-engine runner's fixtures: one test server and one browser per worker and engine, a fresh
// profile (session) per test. Playwright's test runner runs the scenarios; its browsers are not used.
import { test as base, expect } from '@playwright/test';
import { freshCollector, startSite } from '../e2e/fixtures';
import type { Collector, Site } from '../e2e/site';
import { type Engine, type EngineName, type Session, type SessionOptions, startEngine, type Tab } from './drivers';

export interface EngineOptions {
  engineName: EngineName;
}

interface TestFixtures {
  /** The options the session opens with; a test sets them with `test.use`. */
  sessionOptions: SessionOptions;
  session: Session;
  tab: Tab;
  collector: Collector;
}

export const test = base.extend<TestFixtures, EngineOptions & { site: Site; engine: Engine }>({
  engineName: ['chromium', { option: true, scope: 'worker' }],
  site: [startSite, { scope: 'worker' }],
  engine: [
    async ({ engineName, site }, use) => {
      const engine = await startEngine(engineName, Number(new URL(site.origin).port));
      // The report names the exact browser each scenario ran in.
      console.log(`${engineName}: ${engine.version}`);
      await use(engine);
      await engine.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  sessionOptions: [{}, { option: true }],
  session: async ({ engine, sessionOptions }, use) => {
    const session = await engine.open(sessionOptions);
    await use(session);
    await session.close();
  },
  tab: async ({ session }, use) => {
    await use(session.tab);
  },
  collector: freshCollector,
});

export { expect };

/** The vendor scripts that ran on the page, in order. */
export const ran = (tab: Tab): Promise<string[]> => tab.run(() => (window as { __ran?: string[] }).__ran ?? []);

/** `url` with its host name replaced, e.g. a `.test` name that reaches the same test server. */
export const onHost = (url: string, hostname: string) => {
  const u = new URL(url);
  u.hostname = hostname;
  return u.href;
};

/** Waits a moment for anything that would still arrive (a late request, a second run). */
export const settle = (ms = 300) => new Promise((done) => setTimeout(done, ms));

/** Whether the banner shows: the region named "Cookie consent Your privacy choices", drawn. */
export const bannerShown = (tab: Tab) =>
  tab.run(() => {
    const root = document.getElementById('assent-consent')?.shadowRoot;
    const region = root?.querySelector('section[aria-labelledby]');
    const ids = region?.getAttribute('aria-labelledby')?.split(' ') ?? [];
    const name = ids.map((id) => root?.getElementById(id)?.textContent).join(' ');
    return name === 'Cookie consent Your privacy choices' && !!region?.getClientRects().length;
  });
