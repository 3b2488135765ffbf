import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/core/i18n';
import type { Texts } from '../../src/core/texts';
import { BANNER_TEXTS, textsPart } from '../../src/ui/text-parts';
import en from '../../src/ui/texts/en';

const slots = (s: string) => (s.match(/\{\w+\}/g) || []).sort();

/**
 * Slots that take a name from the config (a service, purposes, an authority): no sentence can inflect
 * them in 24 languages, so each stands as the value of a label, after its colon and at the end of a
 * line: "Provider: {service}". Dates never inflect and may stand inside a sentence.
 */
const NAME_SLOTS = ['{service}', '{purpose}', '{purposes}'];
const SENTENCE_SLOTS = ['{date}'];

describe.each(LANGUAGES)('built-in texts in %s', (language) => {
  const load = async (): Promise<Texts> => (await import(`../../src/ui/texts/${language}.ts`)).default;

  it('have every key, none empty, with the same {slots} as English', async () => {
    const texts = await load();
    expect(Object.keys(texts)).toEqual(Object.keys(en));
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(texts[key].trim(), key).not.toBe('');
      expect(slots(texts[key]), key).toEqual(slots(en[key]));
    }
  });

  it('give every name from the config a label of its own, never a place in a sentence', async () => {
    const texts = await load();
    for (const [key, text] of Object.entries(texts)) {
      for (const slot of slots(text)) {
        expect([...NAME_SLOTS, ...SENTENCE_SLOTS], `${key}: ${slot}`).toContain(slot);
        if (!NAME_SLOTS.includes(slot)) continue;
        // After "Label:" (or "Libellé :"), alone to the end of its line.
        expect(text, `${key}: ${slot}`).toMatch(new RegExp(`:[\\s\\u00a0\\u202f]*\\${slot.slice(0, -1)}\\}(\\n|$)`));
      }
    }
  });

  it('write French spacing with no-break spaces, so that a colon never starts a line', async () => {
    const texts = await load();
    for (const [key, text] of Object.entries(texts)) expect(text, key).not.toMatch(/ [:;!?»]|« /);
  });
});

describe('the parts each language is split into (src/ui/text-parts.ts)', () => {
  it('hold every string once: the banner’s, the preference center’s and the short ones', () => {
    const parts = (['texts', 'prefs', 'short'] as const).map((kind) => Object.keys(textsPart(kind, en)));
    expect(parts.flat().sort()).toEqual(Object.keys(en).sort());
    expect(new Set(parts.flat()).size).toBe(Object.keys(en).length);
    expect(parts[0]).toEqual([...BANNER_TEXTS]);
  });
});
