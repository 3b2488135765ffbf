// Choosing the language and resolving config texts in it.
import type { I18n } from './config';

/** The 24 official languages of the EU, for which the UI ships built-in texts. */
// Pure: a chunk that imports this module for resolveText alone leaves the list out.
export const LANGUAGES =
  /* @__PURE__ */ 'bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv'.split(' ');

/**
 * The language a tag stands for when Assent has built-in texts in it (its primary subtag, in any
 * case: `pt-BR`, `PT_br`), else ''. The one rule for `config.language` in every build: a value it
 * gives '' for (empty, `French`, an unsupported language) is passed over.
 */
export const builtInLanguage = (tag: unknown): string => {
  const primary = `${tag || ''}`.toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.includes(primary) ? primary : '';
};

/**
 * The first candidate in a language with built-in texts, else English. Candidates come from
 * `config.language`, `<html lang>` and `navigator.languages`, in that order.
 */
export const pickLanguage = (candidates: unknown[]): string => candidates.map(builtInLanguage).find(Boolean) || 'en';

/** A config text in the language: that language, else English, else the first one given. */
export const resolveText = (text: I18n | undefined, language: string): string | undefined =>
  text === undefined || typeof text === 'string' ? text : (text[language] ?? text.en ?? Object.values(text)[0]);
