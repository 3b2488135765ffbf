// @vitest-environment happy-dom
// The banner and the preference center, found the way a person finds them: by role and name.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AssentConfig } from '../../src/core/config';
import type { ConsentState } from '../../src/core/types';
import type { UiHost } from '../../src/ui/host';
import { Banner, show } from '../../src/ui/index';
import { Preferences } from '../../src/ui/Preferences';
import { place } from '../../src/ui/placeholder';
import { mount } from '../../src/ui/reopen';
import { type BannerTexts, SHORT_TEXTS, textsPart } from '../../src/ui/text-parts';
import de from '../../src/ui/texts/de';
import en from '../../src/ui/texts/en';
import fr from '../../src/ui/texts/fr';
import { shopConfig } from '../fixtures/configs';

afterEach(cleanup);

const fullConfig = (): AssentConfig => ({
  ...shopConfig(),
  controller: {
    name: 'Shop SAS',
    address: '1 rue de la Paix, Paris',
    email: 'privacy@shop.example',
    dpo: { name: 'Ada Martin', email: 'dpo@shop.example' },
    authority: {
      name: { en: 'CNIL', fr: 'Commission nationale de l’informatique et des libertés' },
      url: 'https://www.cnil.fr/',
    },
  },
  rights: [
    { id: 'access', url: 'mailto:dpo@shop.example' },
    { id: 'post-mortem', description: { en: 'Instructions after death', fr: 'Directives post mortem' } },
    { id: 'complaint', url: 'https://www.cnil.fr/plaintes' },
  ],
  services: [
    {
      id: 'stats',
      name: 'Stats Inc.',
      purposes: ['analytics'],
      provider: 'Stats Inc., Dublin',
      country: 'IE',
      privacyPolicyUrl: 'https://stats.example/privacy',
      cookies: [{ name: '_st', duration: { en: '13 months', fr: '13 mois' }, description: 'Visitor id' }, '/^_st_s/'],
    },
  ],
});
const makeHost = (over: Partial<UiHost> = {}, state: Partial<ConsentState> = {}): UiHost => {
  const config = fullConfig();
  config.purposes[3].transfers = { outsideEU: true, safeguard: 'scc' };
  const purposes = { necessary: true, legal: true, security: true, analytics: false, marketing: false };
  return {
    config,
    language: 'en',
    gpcDenied: [],
    decide: vi.fn(async () => ({}) as never),
    shown: vi.fn(),
    load: vi.fn(async () => ({})),
    sync: vi.fn(async () => ({ download: async () => {} })),
    api: {
      getState: () => ({ decided: false, purposes, id: '', version: '3', updatedAt: null, method: null, ...state }),
    } as UiHost['api'],
    ...over,
  } as UiHost;
};

describe('banner', () => {
  it('offers Accept all, Reject all and Choose, and links the policy', () => {
    render(<Banner host={makeHost()} texts={en} onDecide={vi.fn()} onChoose={vi.fn()} onClose={vi.fn()} />);
    const banner = screen.getByRole('region', { name: 'Cookie consent Your privacy choices' });
    for (const name of ['Accept all', 'Reject all', 'Choose'])
      expect(within(banner).getByRole('button', { name })).toBeTruthy();
    expect(within(banner).getByRole('link', { name: 'Privacy policy' }).getAttribute('href')).toBe(
      'https://shop.example/privacy',
    );
  });

  it('gives Accept all and Reject all the same style', () => {
    render(<Banner host={makeHost()} texts={en} onDecide={vi.fn()} onChoose={vi.fn()} onClose={vi.fn()} />);
    expect(screen.getByRole('button', { name: 'Accept all' }).className).toBe(
      screen.getByRole('button', { name: 'Reject all' }).className,
    );
  });

  it('records the answers for every consent and legitimate-interest purpose', () => {
    const onDecide = vi.fn(async () => {});
    render(<Banner host={makeHost()} texts={en} onDecide={onDecide} onChoose={vi.fn()} onClose={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Reject all' }));
    expect(onDecide).toHaveBeenLastCalledWith('banner', { security: false, analytics: false, marketing: false });
    fireEvent.click(screen.getByRole('button', { name: 'Accept all' }));
    expect(onDecide).toHaveBeenLastCalledWith('banner', { security: true, analytics: true, marketing: true });
  });

  it('under Global Privacy Control, Accept all leaves the denied purposes off', () => {
    const onDecide = vi.fn(async () => {});
    render(
      <Banner
        host={makeHost({ gpcDenied: ['marketing'] })}
        texts={en}
        onDecide={onDecide}
        onChoose={vi.fn()}
        onClose={vi.fn()}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Accept all' }));
    expect(onDecide).toHaveBeenLastCalledWith('banner', { security: true, analytics: true, marketing: false });
  });

  it('closes on Escape and on its close button without recording anything', () => {
    const onDecide = vi.fn();
    const onClose = vi.fn();
    render(<Banner host={makeHost()} texts={en} onDecide={onDecide} onChoose={vi.fn()} onClose={onClose} />);
    fireEvent.keyDown(screen.getByRole('button', { name: 'Accept all' }), { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Close without saving a choice' }));
    expect(onClose).toHaveBeenCalledTimes(2);
    expect(onDecide).not.toHaveBeenCalled();
  });
});

describe('links from the config', () => {
  // Every spelling a browser reads as javascript: (WHATWG URL strips leading spaces, tabs and line
  // breaks, and schemes are case-insensitive), and other schemes that run or show code.
  const HOSTILE = [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    '   javascript:alert(1)',
    '\u0001javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'jav\r\nascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
  ];
  const hostile = (url: string): UiHost => {
    const host = makeHost();
    host.config.policy.url = url;
    host.config.rights = [{ id: 'access', url }];
    host.config.controller.authority = { name: 'CNIL', url };
    host.config.services = [{ id: 'stats', name: 'Stats Inc.', purposes: ['analytics'], privacyPolicyUrl: url }];
    return host;
  };

  it.each(HOSTILE)('%j is shown as text in the banner, never as a link', (url) => {
    render(<Banner host={hostile(url)} texts={en} onDecide={vi.fn()} onChoose={vi.fn()} onClose={vi.fn()} />);
    const banner = screen.getByRole('region', { name: 'Cookie consent Your privacy choices' });
    expect(within(banner).queryAllByRole('link')).toEqual([]);
    expect(banner.querySelector('a')).toBeNull();
    expect(banner.textContent).toContain('Privacy policy');
  });

  it.each(HOSTILE)('%j is shown as text in the preference center, never as a link', (url) => {
    render(<Preferences host={hostile(url)} texts={en} onDecide={vi.fn()} onClose={vi.fn()} />);
    const dialog = screen.getByRole('dialog', { name: 'Privacy settings' });
    expect(dialog.querySelector('a')).toBeNull();
    const text = dialog.textContent as string;
    for (const label of ['Privacy policy', 'Right of access']) expect(text).toContain(label);
  });

  it("links the privacy policy in the visitor's language when the config gives one per language", () => {
    const host = makeHost({ language: 'fr' });
    host.config.policy.url = { en: '/privacy', fr: '/fr/confidentialite' };
    render(<Banner host={host} texts={en} onDecide={vi.fn()} onChoose={vi.fn()} onClose={vi.fn()} />);
    const banner = screen.getByRole('region', { name: 'Cookie consent Your privacy choices' });
    const link = within(banner).getByRole('link', { name: 'Privacy policy' });
    expect(link.getAttribute('href')).toBe(new URL('/fr/confidentialite', location.href).href);
  });

  it('links https:, http:, mailto: and tel: addresses, relative ones resolved against the page', () => {
    const host = makeHost();
    host.config.policy.url = '/privacy';
    host.config.rights = [
      { id: 'access', url: 'mailto:dpo@shop.example' },
      { id: 'erasure', url: 'tel:+33100000000' },
      { id: 'objection', url: 'http://shop.example/object' },
    ];
    render(<Preferences host={host} texts={en} onDecide={vi.fn()} onClose={vi.fn()} />);
    const dialog = screen.getByRole('dialog', { name: 'Privacy settings' });
    const href = (name: string) => within(dialog).getByRole('link', { name }).getAttribute('href');
    expect(href('Privacy policy')).toBe(new URL('/privacy', location.href).href);
    expect(href('Right of access')).toBe('mailto:dpo@shop.example');
    expect(href('Right to erasure')).toBe('tel:+33100000000');
    expect(href('Right to object')).toBe('http://shop.example/object');
  });
});

describe('preference center', () => {
  const open = (host = makeHost(), texts = en) => {
    const onDecide = vi.fn(async () => {});
    const onClose = vi.fn();
    render(<Preferences host={host} texts={texts} onDecide={onDecide} onClose={onClose} />);
    return { onDecide, onClose, dialog: screen.getByRole('dialog', { name: 'Privacy settings' }) };
  };

  it('is a modal dialog', () => {
    const { dialog } = open();
    expect(dialog.getAttribute('aria-modal')).toBe('true');
  });

  it('gives consent purposes a switch that is off, legitimate interest a right-to-object switch that is on, and required purposes none', () => {
    open();
    const analytics = screen.getByRole('switch', { name: 'Audience measurement Allow' });
    expect(analytics.getAttribute('aria-checked')).toBe('false');
    const security = screen.getByRole('switch', { name: 'Fraud prevention Allow (switch off to object)' });
    expect(security.getAttribute('aria-checked')).toBe('true');
    expect(screen.getAllByRole('switch')).toHaveLength(3);
    const orders = screen.getByRole('heading', { name: 'Your orders' }).closest('li') as HTMLElement;
    expect(within(orders).getByText('Always active')).toBeTruthy();
    expect(within(orders).getByText('Needed to provide the service you asked for')).toBeTruthy();
  });

  it('saves exactly the switches as set', () => {
    const { onDecide } = open();
    fireEvent.click(screen.getByRole('switch', { name: 'Audience measurement Allow' }));
    fireEvent.click(screen.getByRole('switch', { name: 'Fraud prevention Allow (switch off to object)' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save my choices' }));
    expect(onDecide).toHaveBeenCalledWith('preferences', { security: false, analytics: true, marketing: false });
  });

  it('shows each purpose’s data, retention, recipients, transfers, their safeguard and services', () => {
    open();
    const item = screen.getByRole('heading', { name: 'Audience measurement' }).closest('li') as HTMLElement;
    const text = item.textContent as string;
    for (const fact of [
      'Data usedUsage data',
      'Kept for13 months',
      'RecipientsOur analytics provider',
      'Transfers outside the EUYes',
      'SafeguardStandard contractual clauses',
      'Stats Inc.',
      'ProviderStats Inc., Dublin',
      'CountryIreland',
      'Cookies_st — Duration: 13 months — Visitor id_st_s…',
    ])
      expect(text).toContain(fact);
    expect(
      within(item)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['_st — Duration: 13 months — Visitor id', '_st_s…']);
    expect(within(item).getByRole('link', { name: 'stats.example/privacy' })).toBeTruthy();
  });

  it('names the controller, the DPO, the rights and the authority, in the visitor’s language', () => {
    const host = makeHost({ language: 'fr' });
    render(<Preferences host={host} texts={fr} onDecide={vi.fn()} onClose={vi.fn()} />);
    const dialog = screen.getByRole('dialog', { name: 'Paramètres de confidentialité' });
    const text = dialog.textContent as string;
    expect(text).toContain('Shop SAS · 1 rue de la Paix, Paris · privacy@shop.example');
    // French puts a no-break space before a colon.
    expect(text).toContain('Délégué à la protection des données\u00a0: Ada Martin, dpo@shop.example');
    expect(within(dialog).getByRole('link', { name: 'Droit d’accès' }).getAttribute('href')).toBe(
      'mailto:dpo@shop.example',
    );
    expect(text).toContain(
      'Droit de définir des directives relatives à vos données après votre décès\u00a0: Directives post mortem',
    );
    const authority = within(dialog).getByRole('link', {
      name: 'Commission nationale de l’informatique et des libertés',
    });
    expect(authority.getAttribute('href')).toBe('https://www.cnil.fr/');
    expect(authority.parentElement?.textContent).toBe(
      'Autorité de contrôle\u00a0: Commission nationale de l’informatique et des libertés',
    );
    expect(screen.getByRole('heading', { name: 'Vos commandes' })).toBeTruthy();
  });

  it('says when the current decision was made, and that GPC was honoured', () => {
    open(makeHost({ gpcDenied: ['marketing'] }, { decided: true, updatedAt: '2026-11-21T10:00:00.000Z', id: 'abc' }));
    const text = screen.getByRole('dialog').textContent as string;
    expect(text).toContain('Your current choice was made on November 21, 2026');
    expect(text).toContain('Consent ID: abc');
    expect(text).toContain('These purposes stay off unless you switch them on here: Advertising');
  });

  it('closes on Escape without recording anything', () => {
    const { dialog, onClose, onDecide } = open();
    fireEvent(dialog, new Event('cancel', { cancelable: true }));
    expect(onClose).toHaveBeenCalled();
    expect(onDecide).not.toHaveBeenCalled();
  });

  it('Accept all and Reject all here too, with the same style', () => {
    const { onDecide } = open();
    const accept = screen.getByRole('button', { name: 'Accept all' });
    expect(accept.className).toBe(screen.getByRole('button', { name: 'Reject all' }).className);
    fireEvent.click(screen.getByRole('button', { name: 'Reject all' }));
    expect(onDecide).toHaveBeenCalledWith('preferences', { security: false, analytics: false, marketing: false });
  });

  it('uses no <header> or <footer>, which would be landmarks of the page', () => {
    const { dialog } = open();
    expect(dialog.querySelector('header, footer')).toBeNull();
  });
});

describe('cookies on screen', () => {
  const withCookies = (cookies: NonNullable<AssentConfig['services']>[number]['cookies'], language = 'en') => {
    const host = makeHost({ language });
    host.config.services = [{ id: 'ga', name: 'Google Analytics', purposes: ['analytics'], cookies }];
    return host;
  };
  const shown = (host: UiHost, texts = en) => {
    render(<Preferences host={host} texts={texts} onDecide={vi.fn()} onClose={vi.fn()} />);
    return screen.getByRole('dialog').textContent as string;
  };

  it('shows a cookie’s label instead of its pattern, and never a /regex/', () => {
    const text = shown(
      withCookies([
        { name: '/^_ga_/', label: '_ga_<container id>', duration: '2 years' },
        '/^_ga/',
        { name: '/^mp_.*_mixpanel$/' },
        '/_hj(Session|Id)/',
        '_fbp',
      ]),
    );
    expect(text).toContain('_ga_<container id>');
    // A pattern with no label reads as what it matches: a prefix, or words with something between.
    for (const readable of ['_ga…', 'mp_…_mixpanel', '…_hj…', '_fbp']) expect(text).toContain(readable);
    expect(text).not.toMatch(/\/\^|\$\/|\.\*/);
  });

  it('says maxAge in words in the visitor’s language when no duration is given', () => {
    const cookies = [
      { name: '_ga', maxAge: 63072000 },
      { name: '_gid', maxAge: 86400 },
      { name: '_gat', maxAge: 60 },
      { name: '_fbp', maxAge: 7776000 },
      { name: 'sid', maxAge: 0 },
    ];
    const english = shown(withCookies(cookies));
    for (const words of ['2 years', '1 day', '1 minute', '90 days', en.sessionCookie]) expect(english).toContain(words);
    cleanup();
    const german = shown(withCookies(cookies, 'de'), de);
    for (const words of ['Laufzeit: 2 Jahre', 'Laufzeit: 1 Tag', 'Laufzeit: 90 Tage', `Laufzeit: ${de.sessionCookie}`])
      expect(german).toContain(words);
  });
});

describe('names from the config', () => {
  it('stand as the value of a label, never inflected inside a sentence', () => {
    const host = makeHost({ language: 'de' });
    host.config.controller.authority = { name: { de: 'Österreichische Datenschutzbehörde' } };
    host.config.purposes[3].transfers = { outsideEU: true, safeguard: 'Standardvertragsklauseln und Zertifizierung' };
    render(<Preferences host={host} texts={de} onDecide={vi.fn()} onClose={vi.fn()} />);
    const text = screen.getByRole('dialog').textContent as string;
    expect(text).toContain('Aufsichtsbehörde: Österreichische Datenschutzbehörde');
    expect(text).not.toContain('Beschwerde bei Österreichische');
    expect(text).toContain('GarantieStandardvertragsklauseln und Zertifizierung');
  });
});

describe('texts that fit the purposes configured', () => {
  const only = (...bases: AssentConfig['purposes'][number]['basis'][]) => {
    const host = makeHost();
    host.config.purposes = bases.map((basis, i) => ({ id: `p${i}`, basis, title: `Purpose ${i}` }));
    host.config.services = [];
    return host;
  };
  const read = (host: UiHost) => {
    render(<Banner host={host} texts={en} onDecide={vi.fn()} onChoose={vi.fn()} onClose={vi.fn()} />);
    const banner = screen.getByRole('region').textContent as string;
    cleanup();
    render(<Preferences host={host} texts={en} onDecide={vi.fn()} onClose={vi.fn()} />);
    return { banner, dialog: screen.getByRole('dialog').textContent as string };
  };

  it('with consent only, say nothing of legitimate interest or of what is always active', () => {
    const { banner, dialog } = read(only('consent', 'consent'));
    for (const text of [banner, dialog]) expect(text).not.toMatch(/legitimate interest|object/i);
    expect(dialog).toContain(en.aboutConsent);
    expect(dialog).not.toContain(en.aboutRequired);
  });

  it('with legitimate interest, say that it is on unless the visitor objects, and that rejecting all objects', () => {
    const { banner, dialog } = read(only('consent', 'legitimate-interest'));
    for (const text of [banner, dialog]) expect(text).toContain(en.aboutLegitimateInterest);
  });

  it('with a contract or a legal obligation, say that those purposes are always active', () => {
    const { dialog } = read(only('contract', 'legal-obligation', 'consent'));
    expect(dialog).toContain(en.aboutRequired);
    expect(dialog).not.toContain(en.aboutLegitimateInterest);
  });

  it('with legitimate interest only, speak of no consent', () => {
    const { banner, dialog } = read(only('legitimate-interest', 'contract'));
    for (const text of [banner, dialog]) expect(text).not.toMatch(/your consent/i);
  });
});

describe('the strings a decision is recorded with (its receipt hashes them)', () => {
  // As the loader gives them: the banner's strings, and the preference center's when it loads.
  const siteHost = () => {
    const host = makeHost({
      load: vi.fn(async (name: string) => (name.startsWith('prefs-') ? { default: textsPart('prefs', en) } : {})),
    } as Partial<UiHost>);
    host.config.ui = { texts: { en: { acceptAll: 'Yes to all', save: 'Keep these' } } };
    return host;
  };
  const views = () =>
    within(document.querySelector('#assent-consent')?.shadowRoot?.querySelector('div') as HTMLElement);
  /** Shows a view as the loader does, presses one of its buttons, and gives what the decision was recorded with. */
  const decideIn = async (view: 'banner' | 'preferences', button: string) => {
    const host = siteHost();
    show(host, textsPart('texts', en) as BannerTexts, view);
    fireEvent.click(await views().findByRole('button', { name: button }));
    const [method, , texts] = vi.mocked(host.decide).mock.calls[0];
    return { method, texts };
  };

  it('are the banner’s, with the site’s overrides, for a decision made in the banner', async () => {
    expect(await decideIn('banner', 'Yes to all')).toEqual({
      method: 'banner',
      texts: { ...textsPart('texts', en), acceptAll: 'Yes to all' },
    });
  });

  it('are the banner’s and the preference center’s, with the overrides, for one made in the preference center', async () => {
    const shown = Object.fromEntries(
      Object.entries(en).filter(([key]) => !(SHORT_TEXTS as readonly string[]).includes(key)),
    );
    expect(await decideIn('preferences', 'Keep these')).toEqual({
      method: 'preferences',
      texts: { ...shown, acceptAll: 'Yes to all', save: 'Keep these' },
    });
  });
});

describe('site overrides of the placeholder’s and the reopen button’s strings', () => {
  it('are shown, as every other built-in string is', () => {
    const host = makeHost();
    host.api.on = vi.fn(() => () => {});
    host.config.ui = { texts: { en: { loadOnce: 'Show the video', reopen: 'Cookie settings' } } };
    const iframe = document.body.appendChild(document.createElement('iframe'));
    iframe.setAttribute('data-assent', 'marketing');
    iframe.setAttribute('data-src', 'https://video.example/embed/1');
    const short = textsPart('short', en) as typeof en;
    place(host, short, iframe);
    const placeholder = document.querySelector('[data-assent-ui="placeholder"]')?.shadowRoot as unknown as HTMLElement;
    expect(within(placeholder).getByRole('button', { name: 'Show the video' })).toBeTruthy();
    expect(within(placeholder).getByRole('button', { name: 'Always allow: Advertising' })).toBeTruthy();
    mount(host, short);
    const reopen = document.querySelector('[data-assent-ui="reopen"]')?.shadowRoot as unknown as HTMLElement;
    expect(within(reopen).getByRole('button', { name: 'Cookie settings' })).toBeTruthy();
  });
});
