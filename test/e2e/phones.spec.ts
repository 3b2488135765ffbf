// The banner and the preference center on phones and at 200 % zoom: everything fits from 320 px, in
// every language, with long names, URLs and cookie names from the config, and nothing scrolls sideways.

import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { AssentConfig, RightId } from '../../src/core/config';
import { LANGUAGES } from '../../src/core/i18n';
import { shopConfig } from '../fixtures/configs';
import { expect, test } from './fixtures';
import { pageWith } from './site';

const RIGHT_IDS: RightId[] = JSON.parse(readFileSync('src/core/config.schema.json', 'utf8')).definitions.RightId.enum;

/** A config written the way real ones are: long legal names, long URLs, unbreakable cookie names. */
const longConfig = (): AssentConfig => {
  const config = shopConfig();
  config.controller = {
    name: 'Internationale Handelsgesellschaft für Datenverarbeitungsdienstleistungen mbH',
    address: 'Donaudampfschifffahrtsgesellschaftsstraße 123, 1010 Wien',
    email: 'datenschutzanfragen-und-auskunftsersuchen@internationale-handelsgesellschaft.example',
    phone: '+43 1 234 567 890',
    dpo: {
      name: 'Dr. Maximiliane Mustermann-Schmidt',
      email: 'datenschutzbeauftragte@internationale-handelsgesellschaft.example',
    },
    authority: {
      name: { en: 'Austrian Data Protection Authority', de: 'Österreichische Datenschutzbehörde' },
      url: 'https://www.dsb.gv.at/aufgaben-taetigkeiten/datenschutzbeschwerde-einbringen.html',
    },
  };
  // Every right there is, each with a long URL.
  config.rights = RIGHT_IDS.map((id) => ({
    id,
    url: `https://www.internationale-handelsgesellschaft.example/datenschutz/betroffenenrechte/${id}`,
  }));
  const analytics = config.purposes[3];
  analytics.title = { en: 'Audience measurement', de: 'Reichweitenmessungsdienstleistungen' };
  analytics.transfers = {
    outsideEU: true,
    safeguard: 'Standardvertragsklauseln (Durchführungsbeschluss (EU) 2021/914) und EU-U.S.-Datenschutzrahmen',
  };
  analytics.recipients = ['Google Ireland Limited (Auftragsverarbeiter), Google LLC (Unterauftragsverarbeiter)'];
  config.dataCategories = [{ id: 'usage', title: 'Nutzungsdaten/Geräteinformationen/IP-Adressen(gekürzt)' }];
  config.services = [
    {
      id: 'ga',
      name: 'Google Analytics 4 (Google Marketing Platform)',
      purposes: ['analytics'],
      provider: 'Google Ireland Limited, Gordon House, Barrow Street, Dublin 4, Ireland',
      country: 'IE',
      privacyPolicyUrl: 'https://policies.google.com/privacy?hl=de&gl=at&fg=1&utm_source=consent-preferences-center',
      cookies: [
        { name: '/^_ga_/', label: '_ga_<container-id>', maxAge: 63072000, description: 'Sitzungsstatus' },
        { name: '/^_ga$/', duration: { en: '2 years', de: '2 Jahre' } },
        '__Secure-3PSIDCC_averyveryverylongcookienamethatneverbreaksanywhere',
        '/^_gac_gb_[A-Za-z0-9]+$/',
      ],
    },
    {
      id: 'ads',
      name: 'Meta-Pixel-Konversionsschnittstellenintegration',
      purposes: ['marketing'],
      provider: 'Meta Platforms Ireland Limited',
      country: 'IE',
      privacyPolicyUrl: 'https://www.facebook.com/privacy/policy/?entry_point=consent_management_platform_link',
      cookies: [{ name: '_fbp', maxAge: 7776000 }],
    },
  ];
  config.endpoint = '/collect';
  return config;
};

/**
 * What does not fit: text that leaves its own box (cut off, or over its neighbour), an element that
 * leaves the view it is in, a box that scrolls sideways inside it, and a document wider than the window.
 */
const overflows = (page: Page, view: 'dialog' | '.banner') =>
  page.evaluate((selector) => {
    const problems: string[] = [];
    if (document.documentElement.scrollWidth > innerWidth)
      problems.push(`document: ${document.documentElement.scrollWidth}`);
    const root = document.querySelector('[data-assent-ui="main"]')?.shadowRoot;
    const box = root?.querySelector(selector) as HTMLElement | null;
    if (!box) return [`no ${selector}`];
    const outer = box.getBoundingClientRect();
    if (outer.left < -0.5 || outer.right > innerWidth + 0.5) problems.push(`${selector} ${outer.left}–${outer.right}`);
    const name = (el: Element) => `${el.tagName.toLowerCase()}.${el.className}: ${el.textContent?.slice(0, 40)}`;
    for (const el of [box, ...box.querySelectorAll('*')]) {
      const r = el.getBoundingClientRect();
      if (!r.width) continue;
      if (r.left < outer.left - 0.5 || r.right > outer.right + 0.5) problems.push(`leaves the view: ${name(el)}`);
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
        problems.push(`scrolls sideways: ${name(el)} ${el.scrollWidth} > ${el.clientWidth}`);
    }
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = (node.parentElement as Element).getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects())
        if (r.width && (r.left < parent.left - 0.5 || r.right > parent.right + 0.5))
          problems.push(
            `text leaves its box: "${node.textContent?.slice(0, 40)}" ${r.right - r.left} in ${parent.width}`,
          );
    }
    return problems;
  }, view);

const openEverything = async (page: Page) => {
  await page.evaluate(() => window.assent?.showPreferences());
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  for (const details of await dialog.locator('details').all())
    await details.evaluate((d) => d.setAttribute('open', ''));
};

const SIZES = [
  [320, 568],
  [360, 740],
  [414, 896],
  // 1280×800 at 200 % zoom.
  [640, 400],
] as const;

// The longest languages: Greek and German by length (German with the longest words), Finnish by words.
for (const language of ['de', 'el', 'fi'])
  for (const scheme of ['light', 'dark'] as const)
    test(`in ${language} (${scheme}), the banner and the preference center fit from 320 px and at 200 % zoom`, async ({
      page,
      site,
    }, info) => {
      await page.emulateMedia({ colorScheme: scheme });
      const url = site.page(pageWith(longConfig()).replace('<html lang="en">', `<html lang="${language}">`));
      for (const [width, height] of SIZES) {
        await page.setViewportSize({ width, height });
        await page.goto(url);
        await expect(page.getByRole('region').first()).toBeVisible();
        expect(await overflows(page, '.banner'), `banner at ${width} px`).toEqual([]);
        await page.screenshot({ path: info.outputPath(`banner-${language}-${width}-${scheme}.png`) });
        await openEverything(page);
        expect(await overflows(page, 'dialog'), `preference center at ${width} px`).toEqual([]);
        await page.screenshot({ path: info.outputPath(`preferences-${language}-${width}-${scheme}.png`) });
        // The service details, where names, URLs and cookie names are longest.
        await page.getByRole('dialog').getByText('Google Analytics 4', { exact: false }).scrollIntoViewIfNeeded();
        await page.screenshot({ path: info.outputPath(`services-${language}-${width}-${scheme}.png`) });
      }
    });

/** The sizes of the first two buttons of a view: Accept all and Reject all. */
const acceptAndReject = (page: Page, view: 'dialog' | '.banner') =>
  page.evaluate((selector) => {
    const box = document.querySelector('[data-assent-ui="main"]')?.shadowRoot?.querySelector(selector);
    return [...(box?.querySelectorAll('.actions .btn') || [])].slice(0, 2).map((b) => {
      const r = b.getBoundingClientRect();
      return `${Math.round(r.width)}×${Math.round(r.height)}`;
    });
  }, view);

test('in every language, on a 320 px phone, everything fits and Accept all and Reject all have the same size', async ({
  page,
  site,
}) => {
  await page.setViewportSize({ width: 320, height: 568 });
  for (const language of LANGUAGES) {
    await page.goto(site.page(pageWith(longConfig()).replace('<html lang="en">', `<html lang="${language}">`)));
    await expect(page.getByRole('region').first()).toBeVisible();
    expect(await overflows(page, '.banner'), `banner in ${language}`).toEqual([]);
    const [accept, reject] = await acceptAndReject(page, '.banner');
    expect(accept, `banner in ${language}`).toBe(reject);
    await openEverything(page);
    expect(await overflows(page, 'dialog'), `preference center in ${language}`).toEqual([]);
    const [acceptHere, rejectHere] = await acceptAndReject(page, 'dialog');
    expect(acceptHere, `preference center in ${language}`).toBe(rejectHere);
  }
});
