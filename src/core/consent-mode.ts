// Google Consent Mode v2 values from the consent state (SPEC §4).
import type { Choices } from './bases';
import type { ConsentModeType } from './config';

// One string, split (as LANGUAGES is): 2 B brotli less in the loader than an array of seven strings.
export const CONSENT_MODE_TYPES =
  'ad_storage ad_user_data ad_personalization analytics_storage functionality_storage personalization_storage security_storage'.split(
    ' ',
  ) as ConsentModeType[];

export type ConsentModeValues = Record<ConsentModeType, 'granted' | 'denied'>;

/**
 * All seven types, always: a type is granted only when every purpose mapped to it is allowed, and
 * denied when none is mapped (GTM treats an omitted type as granted).
 */
export const consentModeValues = (map: Record<string, ConsentModeType[]>, allowed: Choices): ConsentModeValues => {
  const out = {} as ConsentModeValues;
  for (const type of CONSENT_MODE_TYPES) {
    // An unchecked config may hold anything here; whatever it is must leave the type denied, not throw.
    const purposes = Object.keys(map || {}).filter((id) => ([] as unknown[]).concat(map[id]).includes(type));
    out[type] = purposes.length && purposes.every((id) => allowed[id]) ? 'granted' : 'denied';
  }
  return out;
};
