// Consent receipts that are never lost (SPEC §5, §6): real IndexedDB, real network, a test endpoint
// that fails in the ways real ones do.
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { AssentConfig } from '../../src/core/config';
import type { Receipt } from '../../src/core/types';
import { shopConfig } from '../fixtures/configs';
import { expect, pending, ran, test } from './fixtures';
import { type Collector, pageWith, type Site, testSignature } from './site';

const withEndpoint = (over: Partial<AssentConfig> = {}): AssentConfig => ({
  ...shopConfig(),
  endpoint: '/collect',
  ...over,
});
const banner = (page: Page) => page.getByRole('region', { name: 'Your privacy choices' });
const cookieReceiptId = async (page: Page) => {
  const value = (await page.context().cookies()).find((c) => c.name === 'assent')?.value ?? '';
  return value.split('.')[2] ?? '';
};

test('a decision sends its receipt and its texts to the endpoint; the history keeps the signature', async ({
  page,
  site,
  collector,
}) => {
  await page.goto(site.page(pageWith(withEndpoint())));
  await banner(page).getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => collector.of('consent').length).toBe(1);
  const [receipt] = collector.of('consent') as unknown as Receipt[];
  expect(receipt).toMatchObject({
    method: 'banner',
    origin: site.origin,
    language: 'en',
    previousId: null,
    gpc: false,
  });
  expect(receipt.purposes.every((p) => typeof p.granted === 'boolean')).toBe(true);
  const [texts] = collector.of('texts');
  expect(texts).toMatchObject({ textHash: receipt.textHash, language: 'en' });
  expect(JSON.stringify(texts.texts)).toContain('Reject all');
  await expect.poll(() => pending(page)).toBe(false);
  const history = await page.evaluate(() => window.assent?.receipts());
  expect(history).toEqual([{ ...receipt, signature: testSignature(JSON.stringify(receipt)) }]);
  // A second decision, shown the same texts, points to the first; those texts are not sent again.
  await page.evaluate(() => window.assent?.show());
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect.poll(() => collector.of('consent').length).toBe(2);
  const second = collector.of('consent')[1] as unknown as Receipt;
  expect(second).toMatchObject({ previousId: receipt.id, textHash: receipt.textHash });
  expect(collector.of('texts')).toHaveLength(1);
  // One made in the preference center was shown its strings too: they are what its hash stands for.
  await page.evaluate(() => window.assent?.showPreferences());
  await page.getByRole('dialog', { name: 'Privacy settings' }).getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => collector.of('texts').length).toBe(2);
  const third = collector.of('consent')[2] as unknown as Receipt;
  expect(third.previousId).toBe(second.id);
  expect(collector.of('texts')[1]).toMatchObject({ textHash: third.textHash });
  expect(JSON.stringify(collector.of('texts')[1].texts)).toContain('Save my choices');
  expect(JSON.stringify(texts.texts)).not.toContain('Save my choices');
  const ids = (await page.evaluate(() => window.assent?.receipts()))?.map((r) => r.id);
  expect(ids).toEqual([third.id, second.id, receipt.id]);
});

test('endpoint down (refused, then 503, then slow) across a reload: every entry arrives, none stored twice', async ({
  page,
  site,
  collector,
}) => {
  let phase: 'refused' | '503' | 'slow' | 'up' = 'refused';
  collector.answer = () =>
    phase === 'refused'
      ? { drop: true }
      : phase === '503'
        ? { status: 503, headers: { 'Retry-After': '1' } }
        : phase === 'slow'
          ? { delay: 1500 }
          : {};
  const url = site.page(pageWith(withEndpoint()));
  await page.goto(url);
  await page.evaluate(() => window.assent?.set({ analytics: true }));
  await expect.poll(() => collector.posts.length).toBeGreaterThan(0);
  expect(await pending(page)).toBe(true);
  phase = '503';
  await page.reload();
  await page.evaluate(() => window.assent?.set({ marketing: false, security: true }));
  await expect.poll(() => collector.posts.filter((p) => p.answered === 503).length).toBeGreaterThan(0);
  phase = 'slow';
  await page.reload();
  phase = 'up';
  await expect.poll(() => collector.of('consent').length, { timeout: 20_000 }).toBe(2);
  expect(collector.of('texts')).toHaveLength(1);
  await expect.poll(() => pending(page), { timeout: 10_000 }).toBe(false);
  const sent = collector.posts.flatMap((p) => p.ids);
  expect(new Set(sent).size).toBe(3);
  expect(collector.stored.size).toBe(3);
});

test('a decision made just before leaving the page is delivered, with the texts it was shown', async ({
  page,
  browser,
  site,
  collector,
}) => {
  const config = withEndpoint();
  const next = site.page(pageWith(config, '<p>Another page of the site</p>'));
  // The same decision, recorded normally, gives the receipt to compare with.
  await page.goto(site.page(pageWith(config)));
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  await expect.poll(() => collector.of('consent').length).toBe(1);
  const normal = collector.of('consent')[0];
  // Now, as a new visitor, leave at once: whether the page got to send it or the next page rebuilds
  // it, it arrives.
  const other = await (await browser.newContext()).newPage();
  await other.goto(site.page(pageWith(config)));
  await banner(other).getByRole('button', { name: 'Reject all' }).click();
  const id = await cookieReceiptId(other);
  await other.goto(next);
  await expect.poll(() => collector.stored.get(id)).toMatchObject({ id, method: 'banner', textHash: normal.textHash });
  await other.context().close();
});

test('a receipt the page could not store before it closed is rebuilt from the cookie on the next page', async ({
  page,
  site,
  collector,
}) => {
  // Every delivery fails and IndexedDB writes are dropped, as if the tab had died mid-way.
  collector.answer = () => ({ drop: true });
  const url = site.page(pageWith(withEndpoint()));
  await page.goto(url);
  await page.evaluate(() => {
    IDBObjectStore.prototype.put = () => {
      throw new DOMException('crash', 'AbortError');
    };
    navigator.sendBeacon = () => false;
  });
  await page.evaluate(() => window.assent?.acceptAll());
  const id = await cookieReceiptId(page);
  await page.reload();
  collector.answer = () => ({});
  await expect
    .poll(() => collector.stored.get(id), { timeout: 10_000 })
    .toMatchObject({ id, method: 'api', recovered: true });
});

/** "Accept all" in a view: the banner, or the preference center (each shows its own strings). */
const acceptIn = {
  banner: (page: Page) => banner(page).getByRole('button', { name: 'Accept all' }).click(),
  'preference center': async (page: Page) => {
    await page.evaluate(() => window.assent?.showPreferences());
    await page.getByRole('dialog', { name: 'Privacy settings' }).getByRole('button', { name: 'Accept all' }).click();
  },
};

for (const [view, method] of [
  ['banner', 'banner'],
  ['preference center', 'preferences'],
] as const)
  test(`a ${view} decision the page could not store is rebuilt on the next page with the texts the ${view} showed`, async ({
    page,
    browser,
    site,
    collector,
  }) => {
    const url = site.page(pageWith(withEndpoint()));
    // The same decision, recorded normally, gives the hash of the texts the view shows.
    const other = await (await browser.newContext()).newPage();
    await other.goto(url);
    await acceptIn[view](other);
    await expect.poll(() => collector.of('consent').length).toBe(1);
    const { textHash } = collector.of('consent')[0];
    await other.context().close();
    collector.answer = () => ({ drop: true });
    await page.goto(url);
    await page.evaluate(() => {
      IDBObjectStore.prototype.put = () => {
        throw new DOMException('crash', 'AbortError');
      };
    });
    await acceptIn[view](page);
    const id = await cookieReceiptId(page);
    await page.reload();
    collector.answer = () => ({});
    await expect
      .poll(() => collector.stored.get(id), { timeout: 10_000 })
      .toMatchObject({ id, method, recovered: true, textHash });
  });

test('two tabs deciding at once lose nothing', async ({ context, site, collector }) => {
  const url = site.page(pageWith(withEndpoint()));
  const [a, b] = [await context.newPage(), await context.newPage()];
  await Promise.all([a.goto(url), b.goto(url)]);
  const ids = await Promise.all([
    a.evaluate(() => window.assent?.set({ analytics: true }).then((r) => r.id)),
    b.evaluate(() => window.assent?.set({ marketing: true }).then((r) => r.id)),
  ]);
  await expect.poll(() => ids.every((id) => collector.stored.has(id as string))).toBe(true);
  const history = await a.evaluate(() => window.assent?.receipts().then((list) => list.map((r) => r.id)));
  expect(history?.sort()).toEqual([...ids].sort());
});

test('with IndexedDB blocked, consent still works, entries are sent directly, and an error says what was lost', async ({
  page,
  site,
  collector,
}) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', {
      get() {
        throw new DOMException('blocked', 'SecurityError');
      },
    });
  });
  await page.goto(
    site.page(
      pageWith(withEndpoint(), '<script type="text/plain" data-assent="analytics" src="vendor/idb.js"></script>'),
    ),
  );
  await page.evaluate(() => {
    const w = window as unknown as { __errors: string[] };
    w.__errors = [];
    window.assent?.on('error', (e) => w.__errors.push(e.code));
  });
  await banner(page).getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => collector.of('consent').length).toBe(1);
  expect(site.requested('/vendor/idb.js')).toHaveLength(1);
  expect(await page.evaluate(() => (window as unknown as { __errors: string[] }).__errors)).toContain('storage');
  expect(await page.evaluate(() => window.assent?.getState().decided)).toBe(true);
});

test('an entry the endpoint rejects leaves the queue with an error event; the others are kept', async ({
  page,
  site,
  collector,
}) => {
  collector.answer = (batch) => ({
    status: 422,
    body: {
      error: { code: 'invalid', message: 'bad entry', ids: batch.filter((e) => e.type === 'texts').map((e) => e.id) },
    },
  });
  await page.goto(site.page(pageWith(withEndpoint())));
  await page.evaluate(() => {
    const w = window as unknown as { __errors: unknown[] };
    w.__errors = [];
    window.assent?.on('error', (e) => w.__errors.push(e));
  });
  await page.evaluate(() => window.assent?.acceptAll());
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __errors: { code: string }[] }).__errors.length))
    .toBe(1);
  const [error] = await page.evaluate(
    () => (window as unknown as { __errors: { code: string; id: string }[] }).__errors,
  );
  expect(error.code).toBe('rejected');
  collector.answer = () => ({});
  await expect.poll(() => collector.of('consent').length, { timeout: 10_000 }).toBe(1);
  expect(collector.of('texts')).toHaveLength(0);
  const textsPosts = collector.posts.filter((p) => p.ids.includes(error.id));
  expect(textsPosts).toHaveLength(1);
});

test('401 keeps entries queued; 413 splits the batch', async ({ page, site, collector }) => {
  let mode: '401' | '413' = '401';
  collector.answer = (batch) => (mode === '401' ? { status: 401 } : batch.length > 1 ? { status: 413 } : {});
  await page.goto(site.page(pageWith(withEndpoint())));
  await page.evaluate(() => window.assent?.acceptAll());
  await expect.poll(() => collector.posts.filter((p) => p.answered === 401).length).toBeGreaterThan(0);
  mode = '413';
  await page.reload();
  await expect.poll(() => collector.stored.size, { timeout: 15_000 }).toBe(2);
  expect(collector.posts.some((p) => p.answered === 413 && p.ids.length === 2)).toBe(true);
  expect(collector.posts.filter((p) => p.answered === 200).every((p) => p.ids.length === 1)).toBe(true);
});

test('an endpoint that refuses every batch (403, 404) is named once in the console and an error event; nothing is lost', async ({
  page,
  site,
  collector,
  messages,
}) => {
  let status = 403;
  collector.answer = () =>
    status === 200 ? {} : { status, body: { error: { code: 'origin', message: 'origin "x" may not post' } } };
  await page.goto(site.page(pageWith(withEndpoint())));
  const codes = page.evaluate(
    () =>
      new Promise<string[]>((done) => {
        const seen: string[] = [];
        window.assent?.on('error', (e) => seen.push(e.code) === 2 && done(seen));
      }),
  );
  await page.evaluate(() => window.assent?.acceptAll());
  await expect
    .poll(() => collector.posts.filter((p) => p.answered === 403).length, { timeout: 15_000 })
    .toBeGreaterThan(1);
  status = 404;
  await page.evaluate(() => window.assent?.rejectAll());
  // (Retried with a growing backoff: one 404 is enough here; the 403s above showed it is said once.)
  await expect.poll(() => collector.posts.filter((p) => p.answered === 404).length).toBeGreaterThan(0);
  expect(await codes).toEqual(['endpoint', 'endpoint']);
  const said = messages.filter((m) => m.startsWith('error: assent: the endpoint'));
  expect(said).toHaveLength(2);
  expect(said[0]).toContain('answered 403 (origin "x" may not post)');
  expect(said[0]).toContain('--origin / ASSENT_ORIGINS');
  status = 200;
  await page.reload();
  const receipts = () => [...collector.stored.values()].filter((e) => e.type === 'consent').length;
  await expect.poll(receipts, { timeout: 15_000 }).toBe(2);
});

test('offline, then online: the entry goes out as soon as the browser is back', async ({
  page,
  context,
  site,
  collector,
}) => {
  await page.goto(site.page(pageWith(withEndpoint())));
  await context.setOffline(true);
  // The decision stands at once; its receipt waits for the network (here even the sync chunk cannot load).
  const outcome = await page.evaluate(() =>
    window.assent?.rejectAll().then(
      () => 'recorded',
      () => 'waiting',
    ),
  );
  expect(await page.evaluate(() => window.assent?.getState().decided)).toBe(true);
  await page.waitForTimeout(300);
  expect(collector.stored.size).toBe(0);
  test.info().annotations.push({ type: 'offline decision', description: String(outcome) });
  await context.setOffline(false);
  await expect.poll(() => collector.of('consent').length).toBe(1);
});

test('Global Privacy Control records one gpc receipt on the first page view', async ({ page, site, collector }) => {
  await page.addInitScript(() =>
    Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
  );
  const url = site.page(pageWith(withEndpoint()));
  await page.goto(url);
  await expect.poll(() => collector.of('consent').length).toBe(1);
  expect(collector.of('consent')[0]).toMatchObject({ method: 'gpc', gpc: true });
  await page.reload();
  await page.waitForTimeout(300);
  expect(collector.of('consent')).toHaveLength(1);
  await expect(page.getByRole('region', { name: 'Your privacy choices' })).toBeVisible();
});

test('under GPC, "Accept all" leaves marketing off; the preference center says why, and only an explicit switch grants it', async ({
  page,
  site,
  collector,
}) => {
  await page.addInitScript(() =>
    Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
  );
  const url = site.page(
    pageWith(withEndpoint(), '<script type="text/plain" data-assent="marketing" src="vendor/gpc-ads.js"></script>'),
  );
  await page.goto(url);
  await banner(page).getByRole('button', { name: 'Accept all' }).click();
  expect(await page.evaluate(() => window.assent?.getState().purposes)).toMatchObject({
    analytics: true,
    marketing: false,
  });
  await expect
    .poll(() => collector.of('consent').map((r) => [r.method, r.gpc]))
    .toEqual([
      ['gpc', true],
      ['banner', true],
    ]);
  expect(site.requested('gpc-ads')).toEqual([]);
  await page.evaluate(() => window.assent?.showPreferences());
  const dialog = page.getByRole('dialog', { name: 'Privacy settings' });
  await expect(dialog.getByText(/Global Privacy Control signal,? and we honour it.*Advertising/)).toBeVisible();
  await dialog.getByRole('switch', { name: /Advertising/ }).click();
  await dialog.getByRole('button', { name: 'Save my choices' }).click();
  await expect.poll(() => site.requested('gpc-ads').length).toBe(1);
  expect(await page.evaluate(() => window.assent?.getState().purposes.marketing)).toBe(true);
});

test('the visitor downloads their record and erases their data from the preference center', async ({
  page,
  site,
  collector,
}) => {
  await page.goto(site.page(pageWith(withEndpoint())));
  await banner(page).getByRole('button', { name: 'Accept all' }).click();
  await expect.poll(() => collector.of('consent').length).toBe(1);
  const consentId = await page.evaluate(() => window.assent?.getState().id);
  await page.evaluate(() => window.assent?.showPreferences());
  const dialog = page.getByRole('dialog', { name: 'Privacy settings' });
  const downloading = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Download my consent record' }).click();
  const file = JSON.parse(readFileSync((await (await downloading).path()) as string, 'utf8'));
  expect(file.consentId).toBe(consentId);
  expect(file.receipts[0]).toMatchObject({
    consentId,
    signature: testSignature(JSON.stringify(collector.of('consent')[0])),
  });
  expect(file.kantaraConsentReceipts[0]).toMatchObject({ version: 'KI-CR-v1.1.0', piiPrincipalId: consentId });
  expect(file.iso27560Records[0]).toMatchObject({ pii_principal_id: consentId, record_id: file.receipts[0].id });
  page.once('dialog', (d) => d.accept());
  await dialog.getByRole('button', { name: 'Erase my consent data' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Your consent data has been erased.');
  await expect.poll(() => collector.of('erasure').length).toBe(1);
  expect(collector.of('erasure')[0]).toMatchObject({ consentId });
  expect(await page.evaluate(() => window.assent?.receipts())).toEqual([]);
  expect(await page.evaluate(() => window.assent?.getState())).toMatchObject({ id: '', decided: false });
  await page.keyboard.press('Escape');
  await expect(banner(page)).toBeVisible();
});

test.describe('on a plain-http page other than localhost (*.test maps to loopback)', () => {
  test('ids, hashes and locking still work without crypto.subtle, randomUUID or Web Locks', async ({
    page,
    site,
    collector,
  }) => {
    const url = site.page(pageWith(withEndpoint())).replace('127.0.0.1', 'shop.test');
    await page.goto(url);
    expect(await page.evaluate(() => [isSecureContext, !!crypto.subtle, !!navigator.locks])).toEqual([
      false,
      false,
      false,
    ]);
    const receipt = await page.evaluate(() => window.assent?.acceptAll());
    await expect.poll(() => collector.of('consent').length).toBe(1);
    expect(receipt?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(receipt?.consentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    // The same texts hash the same as in a secure context.
    const secure = site.page(pageWith(withEndpoint()));
    await page.goto(secure);
    const again = await page.evaluate(() => window.assent?.acceptAll());
    expect(again?.textHash).toBe(receipt?.textHash);
  });
});

/** Ids of the entries the page heard confirmed (`sync`), and the errors it heard, kept on the page. */
const listen = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __synced: string[]; __errors: { code: string; id?: string }[] };
    w.__synced = [];
    w.__errors = [];
    window.assent?.on('sync', (e) => w.__synced.push(...e.ids));
    window.assent?.on('error', (e) => w.__errors.push({ code: e.code, id: e.id }));
  });
const synced = (page: Page) => page.evaluate(() => (window as unknown as { __synced: string[] }).__synced);
const errors = (page: Page) =>
  page.evaluate(() => (window as unknown as { __errors: { code: string; id?: string }[] }).__errors);

test.describe('a slow response that re-issues the cookie it was sent (the collector on the site’s origin)', () => {
  const setUp = async (page: Page, site: Site, collector: Collector) => {
    let release = () => {};
    const slow = new Promise<void>((done) => (release = done));
    // The first POST (the "Accept all") answers only when the test says; later ones fail for now, so
    // that nothing but the loader's re-assertion could put the cookie right before the next page view.
    let posts = 0;
    collector.answer = () =>
      ++posts === 1 ? { until: slow, reissue: true } : { status: 503, headers: { 'Retry-After': '60' }, reissue: true };
    const url = site.page(
      pageWith(withEndpoint(), '<script type="text/plain" data-assent="analytics" src="vendor/race.js"></script>'),
    );
    await page.goto(url);
    await listen(page);
    await banner(page).getByRole('button', { name: 'Accept all' }).click();
    await expect.poll(() => ran(page)).toEqual(['race']);
    await expect.poll(() => collector.posts.length).toBe(1);
    const accepted = await cookieReceiptId(page);
    return { url, accepted, release };
  };

  test('cannot bring back an "Accept all" that the visitor withdrew meanwhile: the refused script never runs again', async ({
    page,
    site,
    collector,
  }) => {
    const { url, accepted, release } = await setUp(page, site, collector);
    await page.evaluate(() => window.assent?.set({ analytics: false }));
    const withdrawal = await cookieReceiptId(page);
    release();
    // The page has read the stale answer once it reports that receipt confirmed.
    await expect.poll(() => synced(page)).toContain(accepted);
    expect(await cookieReceiptId(page)).toBe(withdrawal);
    await page.goto(url);
    expect(await page.evaluate(() => window.assent?.getState().purposes.analytics)).toBe(false);
    expect(site.requested(`${new URL(url).pathname}vendor/race.js`)).toHaveLength(1);
  });

  test('cannot bring back a decision the visitor erased meanwhile with forget()', async ({ page, site, collector }) => {
    const { url, accepted, release } = await setUp(page, site, collector);
    await page.evaluate(() => window.assent?.forget());
    release();
    await expect.poll(() => synced(page)).toContain(accepted);
    expect((await page.context().cookies()).find((c) => c.name === 'assent')).toBeUndefined();
    await page.goto(url);
    await expect(banner(page)).toBeVisible();
    expect(await page.evaluate(() => window.assent?.getState())).toMatchObject({ decided: false, id: '' });
    expect(site.requested(`${new URL(url).pathname}vendor/race.js`)).toHaveLength(1);
  });
});

test('a signature over other bytes than the entry sent fires error with the entry’s id, and is not kept', async ({
  page,
  site,
  collector,
}) => {
  // A forgery signed under the receipt's id: another receipt, all granted.
  collector.answer = (batch) => ({
    body: {
      results: batch.map((e) => ({
        id: e.id,
        status: 'accepted',
        signature: testSignature(JSON.stringify({ ...e, gpc: !e.gpc })),
      })),
    },
  });
  await page.goto(site.page(pageWith(withEndpoint())));
  await listen(page);
  await banner(page).getByRole('button', { name: 'Reject all' }).click();
  const id = await cookieReceiptId(page);
  await expect.poll(() => errors(page)).toContainEqual({ code: 'signature', id });
  const [receipt] = (await page.evaluate(() => window.assent?.receipts())) as Receipt[];
  expect(receipt.id).toBe(id);
  expect(receipt.signature).toBeUndefined();
  // Delivered all the same: it leaves the outbox.
  await expect.poll(() => pending(page)).toBe(false);
});

test('an entry the endpoint answers as a conflict leaves the outbox as such, with an error event, and no sync', async ({
  page,
  site,
  collector,
}) => {
  collector.answer = (batch) => ({
    body: {
      results: batch.map((e) =>
        e.type === 'consent'
          ? { id: e.id, status: 'conflict', reason: 'another entry holds this id' }
          : { id: e.id, status: 'accepted' },
      ),
    },
  });
  await page.goto(site.page(pageWith(withEndpoint())));
  await listen(page);
  await banner(page).getByRole('button', { name: 'Accept all' }).click();
  const id = await cookieReceiptId(page);
  await expect.poll(() => errors(page)).toContainEqual({ code: 'conflict', id });
  await expect.poll(() => pending(page)).toBe(false);
  expect(await synced(page)).not.toContain(id);
  await page.reload();
  await expect.poll(() => pending(page)).toBe(false);
  expect(collector.posts.filter((p) => p.ids.includes(id))).toHaveLength(1);
});

for (const policy of ['no-referrer', 'same-origin'])
  for (const where of ['same-origin', 'cross-origin'])
    test(`under Referrer-Policy: ${policy}, a ${where} endpoint gets the Origin header, also from the copy sent as the page goes`, async ({
      page,
      site,
      collector,
    }) => {
      const endpoint =
        where === 'same-origin' ? '/collect' : `${site.origin.replace('127.0.0.1', 'collect.test')}/collect`;
      // Nothing is confirmed, so that the entries are still queued when the page goes.
      collector.answer = () => ({ status: 503, headers: { 'Retry-After': '60' } });
      const url = site.page(pageWith(withEndpoint({ endpoint })), { headers: { 'Referrer-Policy': policy } });
      await page.goto(url);
      await banner(page).getByRole('button', { name: 'Reject all' }).click();
      await expect.poll(() => collector.posts.length).toBeGreaterThan(0);
      const sent = collector.posts.length;
      await page.goto(site.page('<!doctype html><title>Elsewhere</title>'));
      // The copy sent as the page went: it carries no cookie, so its answer can never re-issue an
      // older decision after a newer one.
      await expect.poll(() => collector.posts.slice(sent).some((p) => p.cookie === null)).toBe(true);
      expect(collector.posts.map((p) => p.origin)).toEqual(collector.posts.map(() => site.origin));
    });
