// End-to-end tests in real Chromium (Debian's, or CHROMIUM_PATH), and the cross-engine scenarios in
// Chromium, Firefox and WebKit (test/engines: Playwright's runner, with drivers of their own).
import { defineConfig } from '@playwright/test';
import { chromiumLaunch } from './test/e2e/chromium';
import type { EngineOptions } from './test/engines/fixtures';

export default defineConfig<EngineOptions>({
  testDir: 'test/e2e',
  timeout: 30_000,
  workers: 2,
  fullyParallel: true,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  outputDir: 'test-results/e2e',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: chromiumLaunch,
  },
  projects: [
    { name: 'e2e', testIgnore: /(demo|scanner)\.spec\.ts/ },
    // The demo starts from the README's command, which rebuilds dist/: it runs after the rest, alone.
    { name: 'demo', testMatch: /demo\.spec\.ts/, dependencies: ['e2e'] },
    // A GDPR scanner on the demo's server, once the demo project has rebuilt dist/.
    { name: 'scanner', testMatch: /scanner\.spec\.ts/, dependencies: ['demo'] },
    // The same scenarios in each engine, driven by puppeteer-core (Chromium, Firefox) and WebDriver (WebKit).
    ...(['chromium', 'firefox', 'webkit'] as const).map((engineName) => ({
      name: engineName,
      testDir: 'test/engines',
      use: { engineName },
    })),
  ],
});
