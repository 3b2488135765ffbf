import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uuid } from '../../src/core/ids';
import { buildReceipt, canonicalJson, shownTexts } from '../../src/core/receipt';
import { sha256Tag } from '../../src/core/sha256';
import { sha256Js } from '../../src/core/sha256-js';
import { shopConfig } from '../fixtures/configs';

/** The JavaScript SHA-256, as the `plain` part gives it on plain-http pages. */
const js = async () => sha256Js;

const input = {
  config: shopConfig(),
  language: 'fr',
  id: '0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b',
  consentId: 'c0ffee00-0000-4000-8000-000000000000',
  previousId: null,
  time: Date.UTC(2026, 10, 21, 10),
  method: 'banner' as const,
  origin: 'https://shop.example',
  textHash: 'sha256-x',
  gpc: false,
  purposes: { necessary: true, legal: true, security: true, analytics: true, marketing: false },
};

describe('receipt', () => {
  it('has the public shape of SPEC section 6, every purpose explicit, texts in the language shown', () => {
    expect(buildReceipt(input)).toEqual({
      type: 'consent',
      id: input.id,
      consentId: input.consentId,
      previousId: null,
      timestamp: '2026-11-21T10:00:00.000Z',
      method: 'banner',
      policy: { url: 'https://shop.example/privacy', version: '3' },
      language: 'fr',
      origin: 'https://shop.example',
      textHash: 'sha256-x',
      gpc: false,
      purposes: [
        { id: 'necessary', basis: 'contract', granted: true, dataCategories: [], retention: null, recipients: [] },
        { id: 'legal', basis: 'legal-obligation', granted: true, dataCategories: [], retention: null, recipients: [] },
        {
          id: 'security',
          basis: 'legitimate-interest',
          granted: true,
          dataCategories: [],
          retention: null,
          recipients: [],
        },
        {
          id: 'analytics',
          basis: 'consent',
          granted: true,
          dataCategories: ['usage'],
          retention: '13 mois',
          recipients: ['Notre prestataire de mesure'],
        },
        { id: 'marketing', basis: 'consent', granted: false, dataCategories: [], retention: null, recipients: [] },
      ],
    });
  });

  it('records the policy URL shown in the language, and hashes that one', () => {
    const config = shopConfig();
    config.policy.url = { en: 'https://shop.example/privacy', fr: 'https://shop.example/fr/confidentialite' };
    expect(buildReceipt({ ...input, config }).policy.url).toBe('https://shop.example/fr/confidentialite');
    expect(buildReceipt({ ...input, config, language: 'de' }).policy.url).toBe('https://shop.example/privacy');
    expect(shownTexts(config, 'fr').policy.url).toBe('https://shop.example/fr/confidentialite');
  });

  it('records a purpose missing from the state as denied, never by omission', () => {
    const r = buildReceipt({ ...input, purposes: {} });
    expect(r.purposes.map((p) => [p.id, p.granted])).toEqual([
      ['necessary', true],
      ['legal', true],
      ['security', false],
      ['analytics', false],
      ['marketing', false],
    ]);
  });

  it('holds no IP address, user agent, name or email', () => {
    const text = JSON.stringify(buildReceipt(input));
    expect(text).not.toMatch(/@|userAgent|Mozilla|\bip\b/i);
  });

  it('hashes the exact texts shown, so a changed text changes the hash and another language too', async () => {
    const hash = (config = shopConfig(), lang = 'fr') => sha256Tag(canonicalJson(shownTexts(config, lang)), js);
    const base = await hash();
    expect(base).toMatch(/^sha256-[A-Za-z0-9+/]{43}=$/);
    expect(await hash()).toBe(base);
    expect(await hash(shopConfig(), 'en')).not.toBe(base);
    const edited = shopConfig();
    edited.purposes[3].description = { en: 'Counts visits.', fr: 'Compte les visites et les clics.' };
    expect(await hash(edited)).not.toBe(base);
  });

  it('resolves every shown text in the language and leaves out auto-blocking patterns', () => {
    const config = shopConfig();
    config.services = [
      {
        id: 's',
        name: 'S',
        purposes: ['analytics'],
        match: ['/s.js'],
        cookies: [{ name: '_s', duration: { en: '1 day', fr: '1 jour' } }],
      },
    ];
    const texts = shownTexts(config, 'fr');
    expect(texts.purposes[0].title).toBe('Vos commandes');
    expect(texts.services?.[0]).toEqual({
      id: 's',
      name: 'S',
      purposes: ['analytics'],
      match: undefined,
      cookies: [{ name: '_s', duration: '1 jour', description: undefined }],
    });
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth, drops undefined and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, e: 'é"' })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"e":"é\\""}',
    );
  });
});

describe('SHA-256', () => {
  it.each([0, 1, 55, 56, 63, 64, 65, 1000])('the JavaScript fallback matches Node for %i bytes', (n) => {
    const data = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
    expect(Buffer.from(sha256Js(data)).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('tags text the same with crypto.subtle and without it (plain-http pages)', async () => {
    const text = 'Mesure d’audience — Статистика';
    const expected = `sha256-${createHash('sha256').update(text).digest('base64')}`;
    expect(await sha256Tag(text, js)).toBe(expected);
    const subtle = Object.getOwnPropertyDescriptor(globalThis.crypto, 'subtle');
    Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true });
    try {
      expect(await sha256Tag(text, js)).toBe(expected);
    } finally {
      if (subtle) Object.defineProperty(globalThis.crypto, 'subtle', subtle);
      else delete (globalThis.crypto as { subtle?: unknown }).subtle;
    }
  });
});

describe('ids', () => {
  it('makes UUIDv7 receipt ids that carry the time and sort by it', () => {
    const t = Date.UTC(2026, 10, 21, 10);
    const a = uuid(t);
    const b = uuid(t + 1);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(a.replace(/-/g, '').slice(0, 12), 16)).toBe(t);
    expect(a < b).toBe(true);
  });

  it('makes random UUIDv4 consent ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uuid()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
