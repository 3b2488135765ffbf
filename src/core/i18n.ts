// Choosing the language and resolving config texts in it.
import type { I18n } from './config';

/** The 24 official languages of the EU, for which the UI ships built-in texts. */
export const LANGUAGES = 'bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv'.split(' ');

/**
 * The first candidate whose primary subtag has built-in texts, else English. Candidates come from
 * `config.language`, `<html lang>` and `navigator.languages`, in that order.
 */
export const pickLanguage = (candidates: (string | null | undefined)[]): string => {
  for (const tag of candidates) {
    const primary = `${tag || ''}`.toLowerCase().split(/[-_]/)[0];
    if (LANGUAGES.includes(primary)) return primary;
  }
  return 'en';
};

/** A config text in the language: that language, else English, else the first one given. */
export const resolveText = (text: I18n | undefined, language: string): string | undefined =>
  text === undefined || typeof text === 'string' ? text : (text[language] ?? text.en ?? Object.values(text)[0]);
