import { describe, expect, it } from 'vitest';
import type { DecodedConsent } from '../../src/core/cookie';
import { CLOCK_SKEW_MS, decisionFromCookie, maxAgeDays } from '../../src/core/decision';
import { shopConfig } from '../fixtures/configs';

const now = Date.UTC(2026, 10, 21);
const day = 864e5;
const cookie = (over: Partial<DecodedConsent> = {}): DecodedConsent => ({
  v: 1,
  consentId: 'c0ffee00-0000-4000-8000-000000000000',
  receiptId: '0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b',
  updatedAt: now - day,
  method: 'banner',
  gpc: false,
  pending: false,
  policyVersion: '3',
  choices: { analytics: true, marketing: false, security: true },
  ...over,
});

describe('stored decision', () => {
  it('keeps the answers of a current decision', () => {
    expect(decisionFromCookie(cookie(), shopConfig(), now)).toMatchObject({
      consentId: 'c0ffee00-0000-4000-8000-000000000000',
      method: 'banner',
      choices: { analytics: true, marketing: false, security: true },
    });
  });

  it('has no decision and no consent id without a cookie', () => {
    expect(decisionFromCookie(null, shopConfig(), now)).toEqual({
      consentId: '',
      receiptId: null,
      updatedAt: null,
      method: null,
      gpc: false,
      pending: false,
      choices: {},
    });
  });

  it('drops the answers of another policy version but keeps the consent id', () => {
    const d = decisionFromCookie(cookie({ policyVersion: '2' }), shopConfig(), now);
    expect(d).toMatchObject({
      consentId: 'c0ffee00-0000-4000-8000-000000000000',
      choices: {},
      method: null,
      updatedAt: null,
    });
  });

  it('expires after maxAgeDays (182 by default)', () => {
    expect(decisionFromCookie(cookie({ updatedAt: now - 181 * day }), shopConfig(), now).choices).not.toEqual({});
    expect(decisionFromCookie(cookie({ updatedAt: now - 182 * day }), shopConfig(), now).choices).toEqual({});
    const short = { ...shopConfig(), consent: { maxAgeDays: 30 } };
    expect(decisionFromCookie(cookie({ updatedAt: now - 31 * day }), short, now).choices).toEqual({});
  });

  it('counts a decision dated in the future as no decision, beyond a small clock skew', () => {
    const ahead = (ms: number) => decisionFromCookie(cookie({ updatedAt: now + ms }), shopConfig(), now);
    // 317 years ahead would never expire.
    expect(ahead(317 * 365 * day)).toMatchObject({ choices: {}, method: null, updatedAt: null });
    expect(ahead(CLOCK_SKEW_MS + 1).choices).toEqual({});
    expect(ahead(CLOCK_SKEW_MS - 1).choices).toEqual({ analytics: true, marketing: false, security: true });
    // The consent id stays, as for an expired decision.
    expect(ahead(day).consentId).toBe('c0ffee00-0000-4000-8000-000000000000');
    expect(CLOCK_SKEW_MS).toBeLessThanOrEqual(60 * 60 * 1000);
  });

  it('reads only answers the cookie holds itself, never what every object inherits', () => {
    const choices = JSON.parse('{"analytics":true,"__proto__":{"marketing":true}}');
    Object.setPrototypeOf(choices, { marketing: true, security: false });
    const d = decisionFromCookie(cookie({ choices }), shopConfig(), now);
    expect(d.choices).toEqual({ analytics: true });
    expect('toString' in d.choices).toBe(false);
  });

  it('clamps maxAgeDays to 395', () => {
    expect(maxAgeDays({ ...shopConfig(), consent: { maxAgeDays: 1000 } })).toBe(395);
    const long = { ...shopConfig(), consent: { maxAgeDays: 1000 } };
    expect(decisionFromCookie(cookie({ updatedAt: now - 396 * day }), long, now).choices).toEqual({});
  });

  it('ignores answers for purposes that are gone or always active', () => {
    const d = decisionFromCookie(
      cookie({ choices: { analytics: true, gone: true, necessary: false } }),
      shopConfig(),
      now,
    );
    expect(d.choices).toEqual({ analytics: true });
  });
});
