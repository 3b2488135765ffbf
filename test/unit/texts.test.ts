import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/core/i18n';
import en from '../../src/ui/texts/en';

const slots = (s: string) => (s.match(/\{\w+\}/g) || []).sort();

describe.each(LANGUAGES)('built-in texts in %s', (language) => {
  it('have every key, none empty, with the same {slots} as English', async () => {
    const texts = (await import(`../../src/ui/texts/${language}.ts`)).default;
    expect(Object.keys(texts)).toEqual(Object.keys(en));
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(texts[key].trim(), key).not.toBe('');
      expect(slots(texts[key]), key).toEqual(slots(en[key]));
    }
  });
});
