// The site owner's consent dashboard in real Chromium, against real collectors (PGlite) mounted under
// /consent/ as `npm run demo` does: counts, the opt-in chart, signatures checked in the browser, exports,
// and what it says when there is no data, no token, a wrong token, or no collector.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import type { FastifyInstance } from 'fastify';
import { buildDashboard } from '../../scripts/build';
import { type Db, migrate, openPglite } from '../../src/collector/db';
import { loadSigningKey } from '../../src/collector/keys';
import { seal, unseal } from '../../src/collector/shred';
import { uuid } from '../../src/core/ids';
import { buildReceipt } from '../../src/core/receipt';
import type { Method, Receipt } from '../../src/core/types';
import { defaultRange, isoDay, PALETTE } from '../../src/dashboard/format';
import { shopConfig } from '../fixtures/configs';
import { axe } from './axe';
import { test as base, expect as baseExpect } from './fixtures';
import { pageWith } from './site';

/**
 * The collector's app, loaded through tsx: its schema is a JSON module, which Playwright's own loader
 * cannot import.
 */
const collectorApp = async (): Promise<typeof import('../../src/collector/app')> =>
  (await import('tsx/esm/api')).tsImport('../../src/collector/app.ts', import.meta.url);
const collectorStore = async (): Promise<typeof import('../../src/collector/store')> =>
  (await import('tsx/esm/api')).tsImport('../../src/collector/store.ts', import.meta.url);
const TOKEN = 'e2e-admin-token';
/** The seeded receipts come from a server relay, which proves itself with the ingest token. */
const INGEST = 'e2e-ingest-token';
const SHOP = 'https://shop.example';
// PGlite and the statistics' SQL are slow on a busy machine: patience, not flakiness.
const expect = baseExpect.configure({ timeout: 15_000 });
// One worker for the file: each worker starts its own embedded databases, and they are slow to start.
base.describe.configure({ mode: 'default', timeout: 90_000 });

interface Mounted {
  db: Db;
  app: FastifyInstance;
  /** The collector's clock: set it to receive receipts in the past. */
  clock: { now?: Date };
}

/**
 * The built dashboard at /dashboard/, and collectors on one origin with it: /consent/ (as the demo
 * mounts it) and /fresh/consent/, which starts with no receipts.
 */
class DashboardServer {
  origin = '';
  private server: Server;
  private mounts = new Map<string, Promise<Mounted>>();

  constructor(
    private dir: string,
    private siteOrigin: string,
  ) {
    this.server = createServer(async (req, res) => {
      const url = req.url as string;
      const path = new URL(url, 'http://x').pathname;
      const mount = /^\/(?:(\w+)\/)?consent\//.exec(path);
      if (mount) {
        const { app } = await this.collector(mount[1] ?? '');
        req.url = url.slice(mount[0].length - 1);
        app.server.emit('request', req, res);
        return;
      }
      const file = resolve(this.dir, `.${path.replace(/^\/dashboard/, '')}`, path.endsWith('/') ? 'index.html' : '');
      try {
        const type = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }[extname(file)];
        if (!path.startsWith('/dashboard/') || !type) throw new Error('not the dashboard');
        res.writeHead(200, { 'Content-Type': type }).end(readFileSync(file));
      } catch {
        res.writeHead(404).end('not found');
      }
    });
  }

  async start() {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The collector mounted at /<name>/consent/ (or /consent/), started on first use on a fresh database. */
  collector(name = ''): Promise<Mounted> {
    let mounted = this.mounts.get(name);
    if (!mounted) {
      mounted = (async () => {
        const db = await openPglite(mkdtempSync(join(tmpdir(), 'assent-dashboard-')));
        await migrate(db);
        const key = await loadSigningKey(db, mkdtempSync(join(tmpdir(), 'assent-dashboard-key-')));
        const { buildApp } = await collectorApp();
        const { Store } = await collectorStore();
        const origins = [this.siteOrigin, this.origin, SHOP];
        const clock: Mounted['clock'] = {};
        const store = new Store(db, key, { origins, tombstoneDays: 1095, now: () => clock.now ?? new Date() });
        const app = await buildApp({
          db,
          key,
          store,
          origins,
          rateLimit: 0,
          trustProxy: false,
          adminToken: TOKEN,
          ingestToken: INGEST,
        });
        await app.ready();
        return { db, app, clock };
      })();
      this.mounts.set(name, mounted);
    }
    return mounted;
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise((done) => this.server.close(done));
    for (const mounted of this.mounts.values()) {
      const { app, db } = await mounted;
      await app.close();
      await db.close();
    }
  }
}

const DAY_MS = 86_400_000;

/** A receipt decided `lagMs` before it reaches the collector (at `receivedAt`), as a real outbox delivers it. */
const receipt = (
  consentId: string,
  method: Method,
  language: string,
  purposes: Record<string, boolean>,
  lagMs: number,
  previous?: Receipt,
  receivedAt = Date.now(),
) =>
  buildReceipt({
    config: shopConfig(),
    language,
    id: uuid(receivedAt - lagMs),
    consentId,
    previousId: previous?.id ?? null,
    time: receivedAt - lagMs,
    method,
    origin: SHOP,
    textHash: `sha256-${'A'.repeat(43)}=`,
    gpc: method === 'gpc',
    purposes,
  });

/**
 * Four weeks of decisions 31 to 58 days ago, outside the default range: the screenshot's chart has
 * lines to draw, and the counts of the last 30 days stay those of the six receipts below.
 */
const history = () => {
  let seed = 7;
  const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
  const out: { receipt: Receipt; receivedAt: number }[] = [];
  for (let day = 58; day >= 31; day--) {
    const trend = (58 - day) / 27;
    for (let i = 0, n = 3 + Math.floor(random() * 4); i < n; i++) {
      const pick = random();
      const method: Method = pick < 0.6 ? 'banner' : pick < 0.8 ? 'preferences' : pick < 0.92 ? 'gpc' : 'api';
      const purposes = {
        analytics: random() < 0.3 + 0.35 * trend,
        marketing: method !== 'gpc' && random() < 0.2 + 0.2 * trend,
        security: random() < 0.85,
      };
      const lag = random() < 0.85 ? 150 + random() * 4000 : random() * 6 * 3_600_000;
      const receivedAt = Date.now() - day * DAY_MS + (i + 1) * 3_600_000;
      const language = random() < 0.6 ? 'fr' : 'en';
      out.push({ receipt: receipt(uuid(), method, language, purposes, lag, undefined, receivedAt), receivedAt });
    }
  }
  return out;
};
const HISTORY = history().length;

/** The consent ids of the receipts every test of a worker finds at /consent/. */
interface Seeded {
  changedMind: string;
  tampered: string;
}

const test = base.extend<object, { dashboard: DashboardServer; seeded: Seeded }>({
  dashboard: [
    async ({ site }, use) => {
      const dir = mkdtempSync(join(tmpdir(), 'assent-dashboard-build-'));
      await buildDashboard(dir);
      const server = await new DashboardServer(join(dir, 'dashboard'), site.origin).start();
      await Promise.all([server.collector(), server.collector('fresh')]);
      await use(server);
      await server.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  seeded: [
    async ({ dashboard }, use) => {
      const [changedMind, tampered] = [uuid(), uuid()];
      const first = receipt(changedMind, 'banner', 'fr', { analytics: true, marketing: true, security: true }, 800);
      const batch = [
        first,
        // The same visitor withdraws analytics in the preference center.
        receipt(changedMind, 'preferences', 'fr', { marketing: true, security: true }, 3_000, first),
        receipt(uuid(), 'banner', 'en', { marketing: true }, 20_000),
        receipt(uuid(), 'gpc', 'en', { security: true }, 120_000),
        receipt(uuid(), 'api', 'de', { analytics: true, security: true }, 2 * 3_600_000),
        receipt(tampered, 'api', 'en', { analytics: true }, 400),
      ];
      const { db, clock } = await dashboard.collector();
      const send = async (entries: Receipt[]) => {
        const res = await fetch(`${dashboard.origin}/consent/v1/receipts`, {
          method: 'POST',
          body: JSON.stringify(entries),
          headers: { 'content-type': 'text/plain', authorization: `Bearer ${INGEST}` },
        });
        const statuses = (await res.json()).results.map((r: { status: string }) => r.status);
        expect(statuses).toEqual(entries.map(() => 'accepted'));
      };
      await send(batch);
      // A page script reuses a receipt's id for a forgery: stored beside it, and both are flagged and
      // left out of the counts, since nobody can tell which of the two the visitor made.
      const forged = await fetch(`${dashboard.origin}/consent/v1/receipts`, {
        method: 'POST',
        body: JSON.stringify([{ ...batch[2], method: 'api' }]),
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${INGEST}` },
      });
      expect((await forged.json()).results[0].status).toBe('conflict');
      // The past arrives in the past: the test sets the collector's clock.
      for (const p of history()) {
        clock.now = new Date(p.receivedAt);
        await send([p.receipt]);
      }
      clock.now = undefined;
      // Someone with the database and its keys edits a receipt after the fact, to claim a consent the
      // visitor never gave, and seals it again.
      const [row] = await db.query<{ id: string; body: Uint8Array; key: Uint8Array }>(
        `SELECT e.id, e.body, k.key FROM entries e JOIN subject_keys k ON k.subject = e.subject
         WHERE e.subject = sha256(convert_to($1, 'UTF8'))`,
        [tampered],
      );
      const key = Buffer.from(row.key);
      const text = (unseal(key, row.body, row.id) as Buffer)
        .toString('utf8')
        .replace(
          '"id":"marketing","basis":"consent","granted":false',
          '"id":"marketing","basis":"consent","granted":true',
        );
      await db.query('UPDATE entries SET body = $1 WHERE id = $2', [seal(key, Buffer.from(text), row.id), row.id]);
      await use({ changedMind, tampered });
    },
    // Every test counts on these receipts, including those that do not name them.
    { scope: 'worker', timeout: 60_000, auto: true },
  ],
});

const open = async (page: Page, dashboard: DashboardServer, collector = '/consent/') => {
  await page.goto(`${dashboard.origin}/dashboard/?collector=${encodeURIComponent(dashboard.origin + collector)}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Consent dashboard' })).toBeVisible();
};

const connect = async (page: Page, token = TOKEN) => {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Connect' }).click();
};

/** The number in a tile, found by its label. */
const tile = (page: Page, label: string) => page.locator('.tiles dt', { hasText: label }).first().locator('+ dd');

/** The cells of a table's row, found by the table's caption and the row's header. */
const row = (page: Page, table: string | RegExp, header: string) =>
  page.getByRole('table', { name: table }).getByRole('row', { name: header, exact: false });

test('shows decisions, the opt-in rate per purpose over time, methods, languages, withdrawals and delivery lag', async ({
  page,
  dashboard,
  seeded,
  messages,
}, info) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page, dashboard);
  await connect(page);
  const { from, to } = defaultRange();
  // Six receipts were sent, and one of them has a forged twin: the two are conflicts, not decisions.
  await expect(page.getByRole('status').filter({ hasText: `5 decisions from ${from} to ${to}.` })).toBeVisible();
  await expect(tile(page, 'Decisions')).toHaveText('5');
  await expect(tile(page, 'Withdrawals')).toHaveText('1');
  await expect(tile(page, 'Erasure requests')).toHaveText('0');
  await expect(tile(page, 'Conflicting receipts')).toHaveText('2');

  // Per purpose: analytics granted by 3 of 5, withdrawn once. The row edited in the database after
  // the fact moves nothing: the counts were kept when the receipts arrived.
  const perPurpose = 'Per purpose, over the whole range';
  await expect(row(page, perPurpose, 'analytics').getByRole('cell')).toHaveText(['consent', '3', '2', '60 %', '1']);
  await expect(row(page, perPurpose, 'marketing').getByRole('cell')).toHaveText(['consent', '2', '3', '40 %', '0']);
  await expect(row(page, perPurpose, 'necessary').getByRole('cell')).toHaveText(['contract', '5', '0', '100 %', '0']);

  // The chart draws the purposes that need a choice, one colour each, from real data on its canvas.
  await expect(page.getByRole('img', { name: /opt-in rate per purpose and day/ })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Purposes in the chart' }).getByRole('listitem')).toHaveText([
    'analytics',
    'marketing',
    'security',
  ]);
  const drawn = await page.locator('.chart canvas').evaluate(
    (canvas: HTMLCanvasElement, colours: string[]) => {
      const { data } = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
        0,
        0,
        canvas.width,
        canvas.height,
      );
      return colours.map((hex) => {
        const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
        let n = 0;
        for (let i = 0; i < data.length; i += 4)
          if (
            Math.abs(data[i] - r) < 10 &&
            Math.abs(data[i + 1] - g) < 10 &&
            Math.abs(data[i + 2] - b) < 10 &&
            data[i + 3] > 200
          )
            n++;
        return n;
      });
    },
    PALETTE.slice(0, 3),
  );
  expect(
    drawn.every((n) => n >= 4),
    `pixels of each series' colour: ${drawn}`,
  ).toBe(true);
  // The same numbers, for screen readers and anyone else, in a table.
  await page.getByText('The opt-in rates per day as a table').click();
  await expect(row(page, /Opt-in rate per purpose and day/, to).getByRole('cell')).toHaveText([
    '60 % (3 of 5)',
    '40 % (2 of 5)',
    '80 % (4 of 5)',
  ]);

  const byMethod = 'By method';
  await expect(row(page, byMethod, 'Banner').getByRole('cell').first()).toHaveText('1');
  await expect(row(page, byMethod, 'Preference center').getByRole('cell').first()).toHaveText('1');
  await expect(row(page, byMethod, 'Global Privacy Control signal').getByRole('cell').first()).toHaveText('1');
  await expect(row(page, byMethod, 'JavaScript API').getByRole('cell').first()).toHaveText('2');
  await expect(row(page, 'By language', 'en (English)').getByRole('cell').first()).toHaveText('2');
  await expect(row(page, 'By language', 'fr (French)').getByRole('cell').first()).toHaveText('2');

  // Lags of 0.4 s, 0.8 s, 3 s, 2 min and 2 h: by nearest rank, the 3rd of 5 and the 5th of 5.
  // The seeding itself takes a moment, which the lags include.
  await expect(tile(page, 'Delivery lag, median')).toHaveText(/^3(\.\d)? s$/);
  await expect(tile(page, 'Delivery lag, 90th percentile')).toHaveText(/^(1 h 59 min|2 h|2 h 1 min)$/);
  const byLag = /Receipts by delivery lag/;
  await expect(row(page, byLag, 'under 1 s').getByRole('cell').first()).toHaveText('2');
  await expect(row(page, byLag, '1 h to 1 d').getByRole('cell').first()).toHaveText('1');

  expect(await axe(page)).toEqual([]);
  expect(messages.filter((m) => m.startsWith('error') || m.startsWith('pageerror'))).toEqual([]);

  // On a phone, wide tables scroll in their own region: the page never scrolls sideways.
  await page.setViewportSize({ width: 360, height: 740 });
  await expect(page.getByRole('region', { name: perPurpose })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.setViewportSize({ width: 1280, height: 800 });

  // The screenshot: two months, so the chart has lines, and a look-up with verified receipts.
  await page.getByLabel('From', { exact: true }).fill(isoDay(Date.now() - 58 * DAY_MS));
  await expect(tile(page, 'Decisions')).toHaveText(String(HISTORY + 5));
  await page.getByLabel('Consent id').fill(seeded.changedMind);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByText('Signature verified')).toHaveCount(2);
  await page.screenshot({ path: info.outputPath('dashboard.png'), fullPage: true });
  // Saved as a test artifact; with UPDATE_SCREENSHOTS=1 also to docs/screenshots for the README.
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: 'docs/screenshots/dashboard.png', fullPage: true });
});

test('checks each receipt’s signature in the browser: verified, altered after signing, unknown key, unknown id', async ({
  page,
  dashboard,
  seeded,
}) => {
  await open(page, dashboard);
  const lookUp = async (id: string) => {
    await page.getByLabel('Consent id').fill(id);
    await page.getByRole('button', { name: 'Look up' }).click();
  };
  const receipts = page.getByRole('article');

  await lookUp(seeded.changedMind);
  await expect(page.getByRole('status').filter({ hasText: `2 receipts for ${seeded.changedMind}` })).toHaveText(
    `2 receipts for ${seeded.changedMind}: 2 verified, 0 failed.`,
  );
  await expect(receipts).toHaveCount(2);
  for (const r of await receipts.all()) await expect(r.getByText('Signature verified')).toBeVisible();
  await expect(receipts.nth(1).getByRole('definition').nth(1)).toHaveText('analytics');

  // The database was edited after signing: the signature, made over the bytes received, fails.
  await lookUp(seeded.tampered);
  await expect(page.getByRole('status').filter({ hasText: seeded.tampered })).toHaveText(
    `1 receipt for ${seeded.tampered}: 0 verified, 1 failed.`,
  );
  await expect(receipts.first().getByText('Verification failed:')).toBeVisible();
  await expect(receipts.first()).toContainText('the signature does not match its contents: it was altered');
  expect(await axe(page)).toEqual([]);

  // A collector that answers with a signature of its own making, or altered bytes.
  await page.route('**/consent/v1/subjects/*/receipts', async (route) => {
    const body = await (await route.fetch()).json();
    const [first, second] = body.receipts;
    const [, payload, sig] = first.signature.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: 'not-a-published-key' })).toString('base64url');
    first.signature = `${header}.${payload}.${sig}`;
    // The first character of the signature: the last one also holds unused bits, refused as not base64url.
    const [h2, p2, s2] = second.signature.split('.');
    second.signature = `${h2}.${p2}.${s2[0] === 'A' ? 'B' : 'A'}${s2.slice(1)}`;
    await route.fulfill({ json: body });
  });
  await lookUp(seeded.changedMind);
  await expect(receipts.first()).toContainText('signed by a key the collector does not publish');
  await expect(receipts.nth(1)).toContainText('the signature does not match its contents: it was altered');
  await page.unrouteAll();

  const unknown = uuid();
  await lookUp(unknown);
  await expect(page.getByRole('status').filter({ hasText: unknown })).toContainText(
    `No receipts for ${unknown}. No decision with this consent id reached the collector`,
  );
  await lookUp('not-a-consent-id');
  await expect(page.getByRole('alert')).toContainText('A consent id is a UUID');
});

test('exports the chosen range as NDJSON and CSV, with the token', async ({ page, dashboard }) => {
  await open(page, dashboard);
  await connect(page);
  const { from, to } = defaultRange();
  const save = async (name: string) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
    return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
  };
  const ndjson = await save('Download NDJSON');
  expect(ndjson.name).toBe(`assent-receipts-${from}-to-${to}.ndjson`);
  const lines = ndjson.text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  // The six receipts and the forgery that reused one's id: both of that pair flagged.
  expect(lines).toHaveLength(7);
  expect(lines.filter((l) => l.conflict).map((l) => l.receipt.method)).toEqual(['banner', 'api']);
  for (const line of lines)
    expect(line).toMatchObject({
      signature: expect.any(String),
      receivedAt: expect.any(String),
      receivedFrom: 'relay',
    });
  const csv = await save('Download CSV');
  expect(csv.name).toBe(`assent-receipts-${from}-to-${to}.csv`);
  const rows = csv.text.trim().split('\r\n');
  expect(rows[0]).toMatch(/^received_at,id,consent_id,/);
  expect(rows).toHaveLength(8);

  // Another range exports only its own days: none here.
  await page.getByLabel('From', { exact: true }).fill('2020-01-01');
  await page.getByLabel('To', { exact: true }).fill('2020-01-31');
  await expect(page.getByRole('heading', { name: 'No decisions in this range' })).toBeVisible();
  await expect(page.getByText(`The collector holds ${HISTORY + 5} decisions in all, on other days.`)).toBeVisible();
  await page.getByRole('button', { name: 'Show all days' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${HISTORY + 5} decisions in all.` })).toBeVisible();
});

test('without a token, and with a wrong one, it says so and how to set ASSENT_ADMIN_TOKEN', async ({
  page,
  dashboard,
}) => {
  await open(page, dashboard);
  await expect(page.getByRole('heading', { name: 'Enter the admin token' })).toBeVisible();
  await expect(page.getByText('the demo’s is')).toBeVisible();
  await connect(page, 'not-the-token');
  const alert = page.getByRole('alert');
  await expect(alert.getByRole('heading', { name: 'The collector refused the admin token' })).toBeVisible();
  await expect(alert).toContainText(`${dashboard.origin}/consent/v1/stats`);
  await expect(alert).toContainText('ASSENT_ADMIN_TOKEN=');
  expect(await axe(page)).toEqual([]);

  // The right token is kept for the tab, and forgotten on request.
  await connect(page);
  await expect(tile(page, 'Decisions')).toHaveText('5');
  await page.reload();
  await expect(tile(page, 'Decisions')).toHaveText('5');
  // A link to another collector does not take the token along: it is sent only where it was entered.
  await open(page, dashboard, '/fresh/consent/');
  await expect(page.getByRole('heading', { name: 'Enter the admin token' })).toBeVisible();
  await expect(page.getByLabel('Admin token')).toHaveValue('');
  // The demo's token is named only for the collector the demo mounts at /consent/.
  await expect(page.getByText('the demo’s is')).toHaveCount(0);
  await open(page, dashboard);
  await expect(tile(page, 'Decisions')).toHaveText('5');
  await page.getByRole('button', { name: 'Forget token' }).click();
  await expect(page.getByRole('heading', { name: 'Enter the admin token' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Enter the admin token' })).toBeVisible();
});

test('a collector that does not answer is named, and Retry recovers once it is back', async ({ page, dashboard }) => {
  await page.route('**/consent/v1/stats*', (route) => route.abort('connectionrefused'));
  await open(page, dashboard);
  await connect(page);
  const alert = page.getByRole('alert');
  await expect(alert.getByRole('heading', { name: 'The collector is not answering' })).toBeVisible();
  await expect(alert).toContainText(`${dashboard.origin}/consent/v1/stats?from=`);
  await page.unrouteAll();
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(tile(page, 'Decisions')).toHaveText('5');

  // A wrong address is named too.
  const closed = createServer();
  await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
  const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/consent/`;
  await new Promise((done) => closed.close(done));
  await page.getByLabel('Collector address').fill(dead);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('alert')).toContainText(`${dead}v1/stats?from=`);
});

test('from a collector with no receipts yet to the first decision made on a real page, verified', async ({
  page,
  dashboard,
  site,
}) => {
  await open(page, dashboard, '/fresh/consent/');
  await connect(page);
  await expect(page.getByRole('heading', { name: 'No receipts yet' })).toBeVisible();
  await expect(page.getByText(`"endpoint": "${dashboard.origin}/fresh/consent/v1/receipts"`)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Download NDJSON' })).toHaveCount(0);
  expect(await axe(page)).toEqual([]);

  // As the help says: a site that posts to this collector, and a visitor who decides in the banner.
  const config = { ...shopConfig(), endpoint: `${dashboard.origin}/fresh/consent/v1/receipts` };
  await page.goto(site.page(pageWith(config)));
  await page.getByRole('region', { name: 'Your privacy choices' }).getByRole('button', { name: 'Accept all' }).click();
  const consentId = await page.evaluate(() => window.assent?.getState().id as string);
  const stored = async () =>
    (await (await fetch(`${dashboard.origin}/fresh/consent/v1/subjects/${consentId}/receipts`)).json()).receipts;
  await expect.poll(async () => (await stored()).length).toBe(1);

  await open(page, dashboard, '/fresh/consent/');
  await expect(tile(page, 'Decisions')).toHaveText('1');
  await expect(row(page, 'By method', 'Banner').getByRole('cell').first()).toHaveText('1');
  await page.getByLabel('Consent id').fill(consentId);
  await page.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByRole('status').filter({ hasText: consentId })).toHaveText(
    `1 receipt for ${consentId}: 1 verified, 0 failed.`,
  );
  await expect(page.getByRole('article').getByText('Signature verified')).toBeVisible();
});
