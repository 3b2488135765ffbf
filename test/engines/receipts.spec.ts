// Receipts (SPEC §5–§7) in Chromium, Firefox and WebKit, delivered to the real collector (a process of
// its own, on its own port or behind a path of the test server, as a site's reverse proxy serves it),
// and a decision made in one tab reaching the others.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAll } from '../../src/cli/verify';
import type { PublicJwk } from '../../src/collector/jws';
import type { AssentConfig } from '../../src/core/config';
import { decodeConsentCookie } from '../../src/core/cookie';
import { verifySignature } from '../../src/core/signature';
import type { Receipt } from '../../src/core/types';
import type { Exchange, Forward, Site } from '../e2e/site';
import { pageWith } from '../e2e/site';
import { type CollectorProcess, startCollector, stopCollector } from '../fixtures/collector-process';
import { shopConfig } from '../fixtures/configs';
import type { Tab } from './drivers';
import { bannerShown, test as base, expect, onHost, ran } from './fixtures';

/** The site's own origin under a `.test` name, where the collector re-issues a cookie of the whole domain. */
const WWW = 'www.shop.test';
const COOKIE = { cookieName: 'shop_consent', cookieDomain: 'shop.test', maxAgeDays: 90 };
const DAY = 86_400;

const test = base.extend<{ consent: Forward }, { real: CollectorProcess }>({
  // One collector per worker, allowing the test server's origins; the www.shop.test origin re-issues
  // its own cookie (name, domain, lifetime), as `--cookie-*` configure it per origin.
  real: [
    async ({ site }, use) => {
      const data = mkdtempSync(join(tmpdir(), 'assent-engines-'));
      const [secure, plain, www] = [site.origin, host(site.origin, 'shop.test'), host(site.origin, WWW)];
      const real = await startCollector([
        ...['--data', data, '--origin', secure, '--origin', plain, '--origin', www],
        ...['--cookie-name', `${www}=${COOKIE.cookieName}`, '--cookie-domain', `${www}=${COOKIE.cookieDomain}`],
        ...['--max-age-days', `${www}=${COOKIE.maxAgeDays}`],
      ]);
      await use(real);
      await stopCollector(real.proc);
      rmSync(data, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  // The collector behind /consent/ of the test server (the site's own origin, whatever host name),
  // passing everything on until a test says otherwise.
  consent: [
    async ({ site, real }, use) => {
      await use(site.forward('/consent/', real.url));
    },
    { auto: true },
  ],
});

/** The origin `origin` has under another host name. */
const host = (origin: string, hostname: string) => new URL(onHost(origin, hostname)).origin;

const config = (over: Partial<AssentConfig> = {}): AssentConfig => ({
  ...shopConfig(),
  endpoint: '/consent/v1/receipts',
  ...over,
});

/** A page whose head starts with `first` (before the loader: WebKit's WebDriver has no init scripts). */
const page = (site: Site, c: AssentConfig, body = '', first = '') =>
  site.page(pageWith(c, body).replace('<head>', `<head>${first}`));

/** The consent cookie of this tab, decoded, and its raw form. */
const consentCookie = async (tab: Tab, name = 'assent') => {
  const cookie = (await tab.cookies()).find((c) => c.name === name);
  return cookie && { ...cookie, decoded: decodeConsentCookie(cookie.value) };
};

const subject = async (real: CollectorProcess, consentId: string) =>
  (await (await fetch(`${real.url}/v1/subjects/${consentId}/receipts`)).json()).receipts as {
    receipt: Receipt;
    signature: string;
  }[];
const jwks = async (real: CollectorProcess) =>
  (await (await fetch(`${real.url}/.well-known/jwks.json`)).json()) as { keys: PublicJwk[] };

/** Every status the collector answered for each entry id, over all the exchanges. */
const statuses = (exchanges: Exchange[]) => {
  const out: Record<string, string[]> = {};
  for (const e of exchanges)
    if (e.method === 'POST' && typeof e.status === 'number' && e.status < 300)
      for (const r of JSON.parse(e.answer).results as { id: string; status: string }[])
        (out[r.id] ||= []).push(r.status);
  return out;
};
const postedIds = (e: Exchange): string[] => (e.method === 'POST' ? JSON.parse(e.body).map((x: Receipt) => x.id) : []);

/** A promise the test settles when it wants, e.g. to let a held request or answer go on. */
const gate = () => {
  let open = () => {};
  const opened = new Promise<void>((done) => (open = done));
  return { opened, open };
};

for (const [where, hostname] of [
  ['a secure page (127.0.0.1)', null],
  ['a plain-http page (shop.test: no Web Locks, no crypto.subtle)', 'shop.test'],
] as const)
  test(`on ${where}, a banner decision reaches the real collector on its own origin, signed by a key of its JWKS; the history keeps that signature`, async ({
    tab,
    site,
    real,
  }) => {
    const url = site.page(pageWith(config({ endpoint: `${real.url}/v1/receipts` })));
    await tab.goto(hostname ? onHost(url, hostname) : url);
    expect(await tab.run(() => isSecureContext)).toBe(!hostname);
    await expect.poll(() => bannerShown(tab)).toBe(true);
    await tab.click('button', 'Accept all');
    const consentId = (await tab.run(() => window.assent?.getState().id)) as string;
    await expect.poll(async () => (await subject(real, consentId)).length).toBe(1);
    const [stored] = await subject(real, consentId);
    const keys = await jwks(real);
    expect(await verifyAll([stored], keys)).toEqual([{ id: stored.receipt.id, ok: true }]);
    expect(stored.receipt).toMatchObject({
      method: 'banner',
      origin: new URL(await tab.run(() => location.href)).origin,
    });
    // The page kept the collector's signature, and it signs the receipt the page holds, byte for byte.
    await expect.poll(async () => (await tab.run(() => window.assent?.receipts()))?.[0]?.signature).toBeTruthy();
    const [kept] = (await tab.run(() => window.assent?.receipts())) as Receipt[];
    expect(kept.signature).toBe(stored.signature);
    expect((await verifyAll([{ receipt: kept, signature: kept.signature }], keys))[0].ok).toBe(true);
    // The texts behind its hash reached the collector too.
    const texts = await fetch(`${real.url}/v1/texts/${encodeURIComponent(kept.textHash)}`);
    expect(texts.status).toBe(200);
    const shown = (await texts.json()).texts;
    expect(JSON.stringify(shown)).toContain('Accept all');
    // And the signed receipt's textHash, which this engine computed, is the hash of those texts.
    expect(await verifySignature(stored.signature, keys, { texts: shown })).toMatchObject({ state: 'verified' });
  });

// Both moments on a secure page; on a plain-http page (a lease in localStorage, not Web Locks, keeps
// one tab sending at a time) the one where the page that went held the lease while it waited.
for (const [hostname, moment] of [
  [null, 'before the collector had it'],
  [null, 'after the collector stored it, before the page heard'],
  ['shop.test', 'after the collector stored it, before the page heard'],
] as const)
  test(`a reload ${moment} loses nothing and stores nothing twice (${hostname ? 'plain-http page' : 'secure page'})`, async ({
    tab,
    site,
    real,
    consent,
  }) => {
    // The first POST (the decision's receipt and texts) is held on its way, or its answer is.
    const held = gate();
    let first = true;
    consent.passage = (e) => {
      if (e.method !== 'POST' || !first) return {};
      first = false;
      return moment.startsWith('before') ? { before: held.opened } : { after: held.opened };
    };
    const url = page(site, config());
    await tab.goto(hostname ? onHost(url, hostname) : url);
    // Not awaited in the page: the receipt resolves only once delivered.
    await tab.run(() => {
      window.assent?.set({ analytics: true });
    });
    const cookie = await consentCookie(tab);
    const receiptId = cookie?.decoded?.receiptId as string;
    const consentId = cookie?.decoded?.consentId as string;
    expect(receiptId).toBeTruthy();
    const firstPost = () => consent.exchanges.find((e) => e.method === 'POST');
    await expect
      .poll(() => (moment.startsWith('before') ? firstPost()?.status : typeof firstPost()?.status))
      .toBe(moment.startsWith('before') ? 'held' : 'number');
    const sent = firstPost() as Exchange;
    expect(postedIds(sent)).toContain(receiptId);
    await tab.reload();
    held.open();
    await expect.poll(async () => (await subject(real, consentId)).map((s) => s.receipt.id)).toEqual([receiptId]);
    // The page that came after the reload sent what waited; the collector stored each entry once.
    await expect.poll(async () => (await consentCookie(tab))?.decoded?.pending).toBe(false);
    const answered = statuses(consent.exchanges);
    for (const id of postedIds(sent)) {
      expect(answered[id]?.filter((s) => s === 'accepted')).toEqual(['accepted']);
      expect(answered[id]?.every((s) => s === 'accepted' || s === 'duplicate')).toBe(true);
    }
    expect(consent.exchanges.filter((e) => postedIds(e).includes(receiptId)).length).toBeGreaterThan(1);
    await expect.poll(async () => (await tab.run(() => window.assent?.receipts()))?.[0]?.signature).toBeTruthy();
  });

for (const hostname of [null, 'shop.test'] as const)
  test(`two tabs deciding at the same moment lose nothing (${hostname ? 'plain-http page: a lease in localStorage' : 'secure page: Web Locks'})`, async ({
    tab,
    session,
    site,
    real,
  }) => {
    const url = page(site, config());
    const at = hostname ? onHost(url, hostname) : url;
    await tab.goto(at);
    const firstId = await tab.run(() => window.assent?.set({ security: true }).then((r) => r.id));
    const other = await session.newTab();
    await other.goto(at);
    const consentId = (await other.run(() => window.assent?.getState().id)) as string;
    expect(consentId).toBe(await tab.run(() => window.assent?.getState().id));
    // Each page decides at the same absolute time (WebKit's tabs take turns for WebDriver commands).
    const when = Date.now() + 600;
    const schedule = (t: Tab, choices: Record<string, boolean>) =>
      t.run(
        (when: number, choices: Record<string, boolean>) => {
          const w = window as unknown as { __decided: { at: number; id?: string } };
          setTimeout(() => {
            w.__decided = { at: Date.now() };
            window.assent?.set(choices).then((r) => (w.__decided.id = r.id));
          }, when - Date.now());
        },
        when,
        choices,
      );
    await schedule(tab, { analytics: true });
    await schedule(other, { marketing: true });
    const decided = (t: Tab) => t.run(() => (window as unknown as { __decided: { at: number; id: string } }).__decided);
    await expect.poll(async () => (await decided(tab))?.id && (await decided(other))?.id).toBeTruthy();
    const [a, b] = [await decided(tab), await decided(other)];
    test.info().annotations.push({ type: 'decided apart (ms)', description: String(Math.abs(a.at - b.at)) });
    expect(Math.abs(a.at - b.at)).toBeLessThan(100);
    const ids = [firstId, a.id, b.id].sort();
    await expect
      .poll(async () => (await subject(real, consentId)).map((s) => s.receipt.id).sort(), { timeout: 10_000 })
      .toEqual(ids);
    for (const t of [tab, other])
      await expect
        .poll(async () => (await t.run(() => window.assent?.receipts()))?.map((r) => r.id).sort())
        .toEqual(ids);
    await expect.poll(async () => (await consentCookie(tab))?.decoded?.pending, { timeout: 10_000 }).toBe(false);
  });

// IndexedDB that is missing or refuses, as older private modes and locked-down settings leave it; the
// shim runs first in the page, before the loader.
const NO_IDB = {
  // As older Safari left it out of private windows.
  'indexedDB is absent': `Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });`,
  // As older Firefox private windows answered (InvalidStateError): a real request that fails
  // asynchronously, here for asking a version below the one the database already has.
  'indexedDB.open fails': `(() => {
    const open = IDBFactory.prototype.open;
    open.call(indexedDB, 'assent-refused', 2).onsuccess = (e) => e.target.result.close();
    IDBFactory.prototype.open = function () { return open.call(this, 'assent-refused', 1); };
  })();`,
};

for (const [how, shim] of Object.entries(NO_IDB))
  test(`when ${how}, consent works, the receipt is delivered and signed, an error says so, and a reload before delivery loses nothing`, async ({
    tab,
    site,
    real,
    consent,
  }) => {
    const heard = `window.__errors = []; addEventListener('assent:error', (e) => window.__errors.push(e.detail.code));`;
    const url = page(
      site,
      config(),
      '<script type="text/plain" data-assent="analytics" src="vendor/no-idb.js"></script>',
      `<script>${shim}${heard}</script>`,
    );
    await tab.goto(url);
    await expect.poll(() => bannerShown(tab)).toBe(true);
    await tab.click('button', 'Accept all');
    await expect.poll(() => ran(tab)).toEqual(['no-idb']);
    const consentId = (await tab.run(() => window.assent?.getState().id)) as string;
    await expect.poll(async () => (await subject(real, consentId)).length).toBe(1);
    expect((await verifyAll(await subject(real, consentId), await jwks(real)))[0].ok).toBe(true);
    await expect.poll(() => tab.run(() => (window as unknown as { __errors: string[] }).__errors)).toContain('storage');
    // In this page, the history still holds it, with its signature.
    await expect.poll(async () => (await tab.run(() => window.assent?.receipts()))?.[0]?.signature).toBeTruthy();

    // Nothing reaches the collector now, not even the copy sent as the page goes: the outbox lived in
    // this page only, and the cookie alone says what the next page must rebuild.
    consent.passage = (e) => (e.method === 'POST' ? { refuse: 503 } : {});
    await tab.run(() => {
      window.assent?.set({ marketing: true });
    });
    const lost = (await consentCookie(tab))?.decoded?.receiptId as string;
    await expect.poll(() => consent.exchanges.some((e) => postedIds(e).includes(lost))).toBe(true);
    await tab.reload();
    consent.passage = () => ({});
    await expect
      .poll(async () => (await subject(real, consentId)).map((s) => s.receipt), { timeout: 10_000 })
      .toContainEqual(expect.objectContaining({ id: lost, recovered: true }));
    expect(await tab.run(() => window.assent?.getState().purposes)).toMatchObject({ analytics: true, marketing: true });
    expect(await bannerShown(tab)).toBe(false);
    expect(site.requested(`${new URL(url).pathname}vendor/no-idb.js`)).toHaveLength(2);
    expect((await subject(real, consentId)).map((s) => s.receipt.id)).toHaveLength(2);
  });

test('in a private window, IndexedDB keeps the history for the window’s life: delivered, kept across a reload, gone in the next private window', async ({
  engine,
  site,
  real,
}) => {
  const url = page(
    site,
    config(),
    '',
    `<script>window.__errors = []; addEventListener('assent:error', (e) => window.__errors.push(e.detail.code));</script>`,
  );
  // Sessions of its own, one after the other (WebKitWebDriver drives one at a time).
  let consentId = '';
  let gpc = false;
  const first = await engine.open({ private: true });
  try {
    const { tab } = first;
    await tab.goto(url);
    const probe = await tab.run(
      () =>
        new Promise<string>((done) => {
          try {
            const r = indexedDB.open('assent-probe');
            r.onsuccess = () => done('opens');
            r.onerror = () => done(`fails: ${r.error?.name}`);
          } catch (e) {
            done(`throws: ${(e as Error).name}`);
          }
        }),
    );
    test.info().annotations.push({ type: 'indexedDB.open in a private window', description: probe });
    await expect.poll(() => bannerShown(tab)).toBe(true);
    await tab.click('button', 'Accept all');
    consentId = (await tab.run(() => window.assent?.getState().id)) as string;
    // Firefox's private windows send Global Privacy Control: the first page view records its receipt.
    gpc = await tab.run(() => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true);
    test.info().annotations.push({ type: 'Global Privacy Control in a private window', description: String(gpc) });
    const methods = gpc ? ['gpc', 'banner'] : ['banner'];
    await expect.poll(async () => (await subject(real, consentId)).map((s) => s.receipt.method)).toEqual(methods);
    await expect.poll(async () => (await tab.run(() => window.assent?.receipts()))?.[0]?.signature).toBeTruthy();
    await tab.reload();
    expect((await tab.run(() => window.assent?.receipts()))?.map((r) => r.method)).toEqual([...methods].reverse());
    expect(await tab.run(() => (window as unknown as { __errors: string[] }).__errors)).toEqual([]);
  } finally {
    await first.close();
  }
  const next = await engine.open({ private: true });
  try {
    await next.tab.goto(url);
    // Nothing of the first window is left (under Firefox's GPC, this window records a receipt of its own).
    expect(await next.tab.run(() => window.assent?.getState().decided)).toBe(false);
    const left = async () => (await next.tab.run(() => window.assent?.receipts())) ?? [];
    await expect.poll(async () => (await left()).map((r) => r.method)).toEqual(gpc ? ['gpc'] : []);
    expect((await left()).filter((r) => r.consentId === consentId)).toEqual([]);
  } finally {
    await next.close();
  }
});

test('a decision in one tab reaches the other open tab without a reload, and so do a withdrawal and a forget() made in either', async ({
  tab,
  session,
  site,
}) => {
  const url = page(
    site,
    config({ endpoint: '/collect' }),
    '<script type="text/plain" data-assent="analytics" src="vendor/tabs.js"></script>',
  );
  await tab.goto(url);
  const other = await session.newTab();
  await other.goto(url);
  for (const t of [tab, other]) await expect.poll(() => bannerShown(t)).toBe(true);
  await other.run(() => {
    const w = window as unknown as { __changes: string[][] };
    w.__changes = [];
    window.assent?.on('change', (e) => w.__changes.push(e.changed));
  });
  await tab.click('button', 'Accept all');
  await expect.poll(() => other.run(() => window.assent?.getState().purposes.analytics)).toBe(true);
  expect(await other.run(() => window.assent?.getState().decided)).toBe(true);
  await expect.poll(() => ran(other)).toEqual(['tabs']);
  await expect.poll(() => bannerShown(other)).toBe(false);
  expect(await other.run(() => (window as unknown as { __changes: string[][] }).__changes)).toEqual([
    expect.arrayContaining(['analytics', 'marketing']),
  ]);
  await other.run(() => window.assent?.set({ analytics: false }));
  await expect.poll(() => tab.run(() => window.assent?.getState().purposes.analytics)).toBe(false);
  await tab.run(() => window.assent?.forget());
  await expect.poll(() => other.run(() => window.assent?.getState())).toMatchObject({ decided: false, id: '' });
  expect(await ran(tab)).toEqual(['tabs']);
  expect(site.requested(`${new URL(url).pathname}vendor/tabs.js`)).toHaveLength(2);
});

// Safari keeps a cookie written by script for 7 days at most (WebKitGTK has no such cap): this caps
// the page's own writes as Safari does, so that only a cookie set by the collector can last longer.
const SAFARI_CAP = `<script>(() => {
  let o = document, d;
  while (o && !(d = Object.getOwnPropertyDescriptor(o, 'cookie'))) o = Object.getPrototypeOf(o);
  window.__capped = 0;
  Object.defineProperty(document, 'cookie', {
    configurable: true,
    get: () => d.get.call(document),
    set: (v) => d.set.call(document, String(v).replace(/max-age=(\\d+)/i, (_, s) => (window.__capped++, 'Max-Age=' + Math.min(+s, 7 * 86400)))),
  });
})();</script>`;

test('served from the site’s own origin, the collector re-issues the cookie with its name, domain and lifetime, and the browser keeps it past Safari’s 7 days', async ({
  tab,
  site,
  consent,
}) => {
  const url = onHost(page(site, config({ consent: COOKIE }), '', SAFARI_CAP), WWW);
  /** The answer to the decision's POST carried the cookie as configured, and the browser kept it. */
  const reissued = async () => {
    const decision = (await consentCookie(tab, COOKIE.cookieName))?.decoded;
    const decidedAt = (decision?.updatedAt as number) / 1000;
    const answer = () => consent.exchanges.find((e) => postedIds(e).includes(decision?.receiptId as string) && e.heard);
    await expect.poll(() => answer()?.setCookie.length).toBe(1);
    const [setCookie] = answer()?.setCookie ?? [];
    const attributes = Object.fromEntries(
      setCookie.split(/;\s*/).map((pair) => [pair.split('=')[0].toLowerCase(), pair.split('=').slice(1).join('=')]),
    );
    expect(attributes).toMatchObject({ domain: COOKIE.cookieDomain, path: '/', samesite: 'Lax' });
    expect(Number(attributes['max-age'])).toBeGreaterThan(COOKIE.maxAgeDays * DAY - 120);
    expect(Number(attributes['max-age'])).toBeLessThanOrEqual(COOKIE.maxAgeDays * DAY);
    expect(decodeConsentCookie(attributes[COOKIE.cookieName])?.receiptId).toBe(decision?.receiptId);
    // Kept for the whole domain and the configured lifetime, once nothing waits to be sent.
    await expect.poll(async () => (await consentCookie(tab, COOKIE.cookieName))?.decoded?.pending).toBe(false);
    const kept = await consentCookie(tab, COOKIE.cookieName);
    expect(kept?.decoded?.receiptId).toBe(decision?.receiptId);
    expect(kept?.domain.replace(/^\./, '')).toBe(COOKIE.cookieDomain);
    expect(kept?.expires).toBeGreaterThan(decidedAt + COOKIE.maxAgeDays * DAY - 120);
    expect(kept?.expires).toBeLessThan(decidedAt + COOKIE.maxAgeDays * DAY + 120);
  };
  await tab.goto(url);
  await expect.poll(() => bannerShown(tab)).toBe(true);
  await tab.click('button', 'Accept all');
  await reissued();
  // The page's own writes were capped, as Safari caps them.
  expect(await tab.run(() => (window as unknown as { __capped: number }).__capped)).toBeGreaterThan(0);
  // A change of mind later on the same page, whose sync chunk already runs: the case where the page
  // used to clear the flag by script after the collector's answer.
  await tab.run(() => {
    window.assent?.set({ marketing: false });
  });
  await reissued();
  expect((await tab.cookies()).map((c) => c.name)).toEqual([COOKIE.cookieName]);
  await tab.reload();
  expect(await tab.run(() => window.assent?.getState().purposes)).toMatchObject({ analytics: true, marketing: false });
  expect((await consentCookie(tab, COOKIE.cookieName))?.expires).toBeGreaterThan(Date.now() / 1000 + 8 * DAY);
});
