// The demo, started with the README's own command: both sites as a new visitor in their languages, a
// reject on one and an accept on the other, what the inspector shows, the policy map, and the site
// owner's dashboard counting both decisions with their signatures verified.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { axe } from './axe';
import { type Demo, root, startDemo } from './demo-server';

/** The README's demo command: its first line that runs the demo, after any install step. */
const README_DEMO = (() => {
  const line = readFileSync(join(root, 'README.md'), 'utf8')
    .split('\n')
    .find((l) => l.includes('npm run demo')) as string;
  return line.split('#')[0].split('&&').pop()?.trim() as string;
})();

let demo: Demo | undefined;
let base = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  demo = await startDemo(README_DEMO);
  base = demo.base;
});

test.afterAll(async () => {
  test.setTimeout(90_000);
  // The demo's collector publishes its chain's head and syncs its files as it stops: its data
  // directory goes once every process of the demo has exited.
  await demo?.stop();
});

/** Saves a screenshot as a test artifact, and to docs/screenshots/ when UPDATE_SCREENSHOTS is set. */
const shoot = async (page: Page, name: string) => {
  const file = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  await test.info().attach(name, { path: file, contentType: 'image/png' });
  if (process.env.UPDATE_SCREENSHOTS) copyFileSync(file, join(root, 'docs/screenshots', `${name}.png`));
};

const inspector = (page: Page) => page.getByRole('complementary', { name: 'Consent inspector' });
const part = (page: Page, name: string) => inspector(page).getByRole('region', { name });

let blooomConsentId = '';
let blokkuConsentId = '';

test('Blooom, in French: a new visitor rejects; nothing of the trackers runs, and the inspector shows it', async ({
  page,
}) => {
  const sink: string[] = [];
  page.on('request', (r) => {
    if (/\/demo-(sink|vendor)\//.test(r.url())) sink.push(new URL(r.url()).pathname);
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${base}/blooom/product`);
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
  const banner = page.getByRole('region', { name: 'Vos choix en matière de vie privée' });
  await expect(banner.getByRole('button', { name: 'Tout refuser' })).toBeVisible();
  await shoot(page, 'demo-blooom-banner-fr');
  await expect(part(page, 'Scripts and embeds')).toContainText('blocked: script /demo-vendor/pixel.js [marketing]');
  await expect(part(page, 'Scripts and embeds')).toContainText('blocked: script /demo-vendor/chat.js [support-chat]');

  await banner.getByRole('button', { name: 'Tout refuser' }).click();
  await expect(part(page, 'assent.getState()')).toContainText('"decided": true');
  await expect(part(page, 'Events')).toContainText('change');
  await expect(part(page, 'dataLayer')).toContainText('"assent_update"');
  await expect(part(page, 'Receipts and outbox')).toContainText(
    /banner: no consent purpose granted · signature verified/,
  );
  expect(await page.evaluate(() => window.assent?.getState().purposes.analytics)).toBe(false);
  expect(await axe(page)).toEqual([]);
  blooomConsentId = (await page.evaluate(() => window.assent?.getState().id)) as string;

  // The video page keeps YouTube behind its placeholder, and no tracker ran anywhere.
  await page.goto(`${base}/blooom/video`);
  await expect(page.getByRole('group', { name: /YouTube/ })).toBeVisible();
  expect(sink.filter((p) => /pixel|chat|mixpanel|sink/.test(p))).toEqual([]);
  expect((await page.context().cookies()).map((c) => c.name)).toEqual(['assent']);
});

test('Blokku, in Bulgarian: a new visitor accepts; the SDK, the pixel and the chat run, and the inspector shows it', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${base}/blokku/`);
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('bg');
  const banner = page.getByRole('region', { name: 'Вашият избор за поверителност' });
  await expect(banner.getByRole('button', { name: 'Отказвам всички' })).toBeVisible();
  await shoot(page, 'demo-blokku-banner-bg');
  await banner.getByRole('button', { name: 'Избор', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Настройки за поверителност' });
  await expect(dialog).toBeVisible();
  await shoot(page, 'demo-blokku-preferences-bg');
  await dialog.getByRole('button', { name: 'Приемам всички' }).click();

  await expect(part(page, 'Scripts and embeds')).toContainText(
    /Ran: .*(Mixpanel SDK|Demo Pixel|Demo Chat).*(Mixpanel SDK|Demo Pixel|Demo Chat).*(Mixpanel SDK|Demo Pixel|Demo Chat)/,
  );
  await expect(part(page, 'Cookies and storage')).toContainText('cookie mp_demo-project-token_mixpanel');
  await expect(part(page, 'Cookies and storage')).toContainText('cookie _dp=');
  await expect(part(page, 'Receipts and outbox')).toContainText(/preferences: .*analytics.* · signature verified/);
  await expect(page.getByRole('button', { name: /Chat/ })).toBeVisible();
  await shoot(page, 'demo-inspector');
  blokkuConsentId = (await page.evaluate(() => window.assent?.getState().id)) as string;
});

test('the index names the two companies whose policies the shops are built from, and no file of ours', async ({
  page,
}) => {
  await page.goto(`${base}/`);
  const shops = page.getByRole('listitem');
  await expect(shops.filter({ hasText: 'Blooom' })).toContainText('the privacy policy of Blooom, a French company');
  await expect(shops.filter({ hasText: 'Blokku' })).toContainText(
    'the privacy policy of Blokku AD, a Bulgarian company',
  );
  await expect(page.locator('body')).not.toContainText(/seeds\/|\.txt/);
  expect(await axe(page)).toEqual([]);
});

test('the policy map is generated from the config and marks what was modelled as consent or added for the demo', async ({
  page,
}) => {
  const config = JSON.parse(readFileSync(join(root, 'demo/configs/blooom.json'), 'utf8'));
  await page.goto(`${base}/blooom/privacy-map?lang=en`);
  const purposes = page.getByRole('table', { name: 'Purposes and their legal bases' });
  await expect(purposes.getByRole('row')).toHaveCount(config.purposes.length + 1);
  const row = (id: string) => purposes.getByRole('row').filter({ hasText: id });
  await expect(row('recommendations')).toContainText('Modelled as consent');
  await expect(row('recommendations')).toContainText('Legitimate interest (Art. 6(1)(f))');
  await expect(row('support-chat')).toContainText('Demo addition');
  await expect(row('orders')).toContainText('As in the policy');
  const rights = page.getByRole('table', { name: 'Rights of the data subject' });
  await expect(rights.getByRole('row')).toHaveCount(config.rights.length + 1);
  expect(blooomConsentId).not.toBe(blokkuConsentId);
});

test('the dashboard counts both decisions, charts them, and verifies their signatures against the JWKS', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${base}/dashboard/`);
  await page.getByLabel('Admin token').fill('demo');
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^2 decisions from / })).toBeVisible();
  await expect(page.getByRole('img', { name: /opt-in rate per purpose and day/ })).toBeVisible();
  // The canvas holds drawn lines, not only the axes' grey.
  const coloured = await page.locator('.chart canvas').evaluate((canvas: HTMLCanvasElement) => {
    const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
      0,
      0,
      canvas.width,
      canvas.height,
    );
    let n = 0;
    for (let i = 0; i < data.length; i += 4)
      if (
        data[i + 3] > 200 &&
        Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 60
      )
        n++;
    return n;
  });
  expect(coloured).toBeGreaterThan(10);
  for (const id of [blooomConsentId, blokkuConsentId]) {
    await page.getByLabel('Consent id').fill(id);
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect(page.getByRole('status').filter({ hasText: `1 receipt for ${id}` })).toBeVisible();
    await expect(page.getByRole('article').getByText('Signature verified')).toBeVisible();
  }
  await shoot(page, 'demo-dashboard');
});
