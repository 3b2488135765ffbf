// The most used open-source GDPR scanner (@slashgear/gdpr-cookie-scanner, from npm) run on the demo, as a
// regulator's or an agency's audit would: it must find the banner, Reject on its first layer, and grade
// the page A. It launches Playwright's own headless Chromium, which cannot be downloaded here: a wrapper
// laid out where Playwright looks for that build starts Debian's (or CHROMIUM_PATH) instead.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { chromiumLaunch } from './chromium';
import { type Demo, root, startDemo } from './demo-server';

/** The scanner's folder (its package exports only its ES entry, dist/index.js). */
const scannerDir = resolve(fileURLToPath(import.meta.resolve('@slashgear/gdpr-cookie-scanner')), '../..');
/** The Playwright the scanner imports, and so the headless-shell build it looks for. */
const playwrightDir = dirname(
  createRequire(createRequire(join(scannerDir, 'package.json')).resolve('playwright/package.json')).resolve(
    'playwright-core/package.json',
  ),
);

/** A PLAYWRIGHT_BROWSERS_PATH whose chromium-headless-shell is a script that starts our Chromium. */
const browsersPath = (dir: string) => {
  const { browsers } = JSON.parse(readFileSync(join(playwrightDir, 'browsers.json'), 'utf8')) as {
    browsers: { name: string; revision: string }[];
  };
  const shell = browsers.find((b) => b.name === 'chromium-headless-shell') as { revision: string };
  const bin = join(dir, `chromium_headless_shell-${shell.revision}`, 'chrome-headless-shell-linux64');
  mkdirSync(bin, { recursive: true });
  const wrapper = join(bin, 'chrome-headless-shell');
  writeFileSync(wrapper, `#!/bin/sh\nexec '${chromiumLaunch.executablePath}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  return dir;
};

interface Report {
  modal: { detected: boolean; selector: string | null; buttons: { type: string; text: string; clickDepth: number }[] };
  compliance: { grade: string; total: number; issues: { description: string }[] };
  errors: string[];
}

let demo: Demo | undefined;
const work = mkdtempSync(join(tmpdir(), 'assent-scanner-'));

test.beforeAll(async () => {
  test.setTimeout(120_000);
  // The demo's server alone: dist/ is built (`npm run demo` builds it, in the demo project before this one).
  demo = await startDemo('npx tsx demo/server.ts');
});

test.afterAll(async () => {
  test.setTimeout(90_000);
  await demo?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the GDPR scanner finds the demo banner, finds Reject on its first layer, and grades the page A', async () => {
  test.setTimeout(180_000);
  const out = join(work, 'report');
  // The page as a visitor sees it: the inspector folded, a new visitor, the browser's language French.
  await promisify(execFile)(
    process.execPath,
    [join(scannerDir, 'dist/cli.js'), 'scan', `${demo?.base}/blooom/?inspector=hidden`, '-f', 'json', '-o', out],
    { cwd: root, env: { ...process.env, PLAYWRIGHT_BROWSERS_PATH: browsersPath(join(work, 'browsers')) } },
  );
  const [host] = readdirSync(out);
  const [file] = readdirSync(join(out, host)).filter((f) => f.endsWith('.json'));
  const report = JSON.parse(readFileSync(join(out, host, file), 'utf8')) as Report;

  expect(report.errors).toEqual([]);
  expect(report.modal.detected).toBe(true);
  const firstLayer = report.modal.buttons.map((b) => [b.type, b.text, b.clickDepth]);
  expect(firstLayer).toContainEqual(['reject', 'Tout refuser', 1]);
  expect(firstLayer).toContainEqual(['accept', 'Tout accepter', 1]);
  expect(
    report.compliance.grade,
    `${report.compliance.total}/100: ${report.compliance.issues.map((i) => i.description).join('; ')}`,
  ).toBe('A');
});

test('outside its shadow root the banner is #assent-consent, with its box; its accessible name says consent', async ({
  page,
}) => {
  await page.goto(`${demo?.base}/blooom/?inspector=hidden`);
  const banner = page.getByRole('region', { name: /^Consentement aux cookies Vos choix/ });
  await expect(banner).toBeVisible();
  const host = await page.locator('#assent-consent').boundingBox();
  const box = await banner.boundingBox();
  expect(host && host.width * host.height).toBeGreaterThan(0);
  expect(host).toEqual(box);
});
