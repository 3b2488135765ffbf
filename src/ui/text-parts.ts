// Which built-in strings each part of the UI shows. Each language's texts are split along these lines
// (scripts/build.ts, and src/loader/chunks.ts for bundlers), so that a visitor downloads only the
// strings of what they see: `texts-fr` the banner's, `prefs-fr` the rest of the preference center's,
// `short-fr` the placeholder's and the reopen button's.
import type { Texts } from '../core/texts';

/** The banner's strings; the preference center shows most of them too. */
export const BANNER_TEXTS = [
  'bannerLabel',
  'bannerTitle',
  'bannerText',
  'policyLink',
  'acceptAll',
  'rejectAll',
  'customize',
  'close',
  'aboutLegitimateInterest',
  'saved',
] as const satisfies readonly (keyof Texts)[];

/** The placeholder's and the reopen button's strings: neither view shows them. */
export const SHORT_TEXTS = [
  'placeholder',
  'loadOnce',
  'alwaysAllow',
  'reopen',
] as const satisfies readonly (keyof Texts)[];

export type BannerTexts = Pick<Texts, (typeof BANNER_TEXTS)[number]>;
/** What the preference center shows: its own strings and the banner's. */
export type PreferencesTexts = Omit<Texts, (typeof SHORT_TEXTS)[number]>;
/** The preference center's own strings (`prefs-fr`). */
export type PreferencesOwnTexts = Omit<PreferencesTexts, keyof BannerTexts>;

/** The kinds of text part, as the loader names them (`texts-fr`…). */
export type TextsKind = 'texts' | 'prefs' | 'short';

/** One part of a language's built-in strings. */
export const textsPart = (kind: TextsKind, texts: Texts): Partial<Texts> => {
  const own = (key: string) =>
    !(BANNER_TEXTS as readonly string[]).includes(key) && !(SHORT_TEXTS as readonly string[]).includes(key);
  const keys = kind === 'texts' ? BANNER_TEXTS : kind === 'short' ? SHORT_TEXTS : Object.keys(texts).filter(own);
  return Object.fromEntries(keys.map((key) => [key, texts[key as keyof Texts]]));
};
