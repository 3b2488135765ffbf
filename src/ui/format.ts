// Small text helpers shared by the UI parts.
import type { I18n } from '../core/config';
import { resolveText } from '../core/i18n';
import type { Texts } from '../core/texts';

/** Fills `{name}` slots. */
export const fill = (template: string, values: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (slot, name) => values[name] ?? slot);

/**
 * A view's built-in strings, each replaced by the site's override where it has one: the strings the
 * view shows, and no others (a receipt hashes them).
 */
export const withOverrides = <T extends Partial<Texts>>(builtIn: T, overrides: Partial<Texts> = {}): T =>
  Object.fromEntries(Object.entries(builtIn).map(([key, text]) => [key, overrides[key as keyof Texts] ?? text])) as T;

export const textIn = (language: string) => (text: I18n | undefined) => resolveText(text, language) ?? '';

/**
 * The URL a link may point to: https:, http:, mailto: or tel:, resolved as the browser would resolve
 * the link. Anything else (`javascript:`, however spelt: mixed case, leading spaces, tabs or line
 * breaks inside) is no link, in every build, whatever the config validator said.
 */
export const linkable = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return;
  try {
    const url = new URL(value, document.baseURI);
    if (/^(https?|mailto|tel):$/.test(url.protocol)) return url.href;
  } catch {}
};
