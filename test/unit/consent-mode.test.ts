import { describe, expect, it } from 'vitest';
import { consentModeValues } from '../../src/core/consent-mode';

const map = {
  analytics: ['analytics_storage' as const],
  ads: ['ad_storage' as const, 'ad_user_data' as const, 'ad_personalization' as const],
  necessary: ['security_storage' as const],
  profile: ['ad_personalization' as const, 'personalization_storage' as const],
};

describe('Consent Mode values', () => {
  it('always carries all seven types, an unmapped type denied', () => {
    expect(consentModeValues(map, { analytics: true, ads: true, necessary: true, profile: true })).toEqual({
      ad_storage: 'granted',
      ad_user_data: 'granted',
      ad_personalization: 'granted',
      analytics_storage: 'granted',
      functionality_storage: 'denied',
      personalization_storage: 'granted',
      security_storage: 'granted',
    });
  });

  it('grants a type mapped to several purposes only when all of them are allowed', () => {
    const v = consentModeValues(map, { analytics: false, ads: true, necessary: true, profile: false });
    expect(v.ad_personalization).toBe('denied');
    expect(v.ad_storage).toBe('granted');
    expect(v.analytics_storage).toBe('denied');
  });
});
