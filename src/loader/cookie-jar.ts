// Reading and writing the consent cookie in the page. Cookies may be disabled or throw (sandboxed
// frames); then the decision lasts for this page only.
import type { AssentConfig } from '../core/config';
import { type DecodedConsent, decodeConsentCookie } from '../core/cookie';

/** The consent cookie's name under this config. */
export const cookieNameOf = (config: AssentConfig): string => config.consent?.cookieName || 'assent';

/** The cookie's value as the browser holds it, or null. */
export const readCookie = (name: string): string | null => {
  try {
    for (const pair of document.cookie.split('; ')) if (pair.startsWith(`${name}=`)) return pair.slice(name.length + 1);
  } catch {}
  return null;
};

export const readConsentCookie = (name: string): DecodedConsent | null => decodeConsentCookie(readCookie(name));

/** Writes an encoded value (or with null, deletes the cookie); false when the browser did not keep it. */
export const writeCookie = (name: string, encoded: string | null, maxAgeDays: number, domain?: string): boolean => {
  try {
    // biome-ignore lint/suspicious/noDocumentCookie: writing this cookie is this module's job
    document.cookie = `${name}=${encoded || ''};Path=/;SameSite=Lax;Max-Age=${encoded ? maxAgeDays * 86400 : 0}${
      domain ? `;Domain=${domain}` : ''
    }${location.protocol === 'https:' ? ';Secure' : ''}`;
  } catch {}
  return readCookie(name) === encoded;
};
