import { describe, expect, it } from 'vitest';
import {
  checksum,
  type DecodedConsent,
  decodeConsentCookie,
  encodeConsentCookie,
  saysPending,
} from '../../src/core/cookie';

const decision: DecodedConsent = {
  v: 1,
  consentId: '3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b',
  receiptId: '0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b',
  updatedAt: Date.UTC(2026, 10, 21, 10, 0, 0),
  method: 'banner',
  gpc: false,
  pending: false,
  policyVersion: '2021-02-26',
  choices: { analytics: true, marketing: false, 'ad-x_2': true },
};

describe('consent cookie', () => {
  it('round-trips a decision', () => {
    expect(decodeConsentCookie(encodeConsentCookie(decision))).toEqual(decision);
  });

  it('saysPending() reads the outbox flag as the decoder does, for every method and with GPC', () => {
    for (const method of ['banner', 'preferences', 'placeholder', 'api', 'gpc'] as const)
      for (const gpc of [false, true])
        for (const pending of [false, true]) {
          const value = encodeConsentCookie({ ...decision, method, gpc, pending });
          expect(saysPending(value)).toBe(pending);
          expect(decodeConsentCookie(value)?.pending).toBe(pending);
        }
    // No decision, or no flags field: nothing waits. (It reads the flags field only, unchecked.)
    for (const junk of [null, undefined, '', 'o', '1.o.o.o', encodeConsentCookie(decision).replace('.b.', '.'), 'bo'])
      expect(saysPending(junk)).toBe(false);
  });

  it('tells every method apart, "Always allow" on a placeholder from the preference center', () => {
    for (const [method, letter] of [
      ['banner', 'b'],
      ['preferences', 'p'],
      ['placeholder', 'l'],
      ['api', 'a'],
      ['gpc', 'g'],
    ] as const) {
      const value = encodeConsentCookie({ ...decision, method });
      expect(value.split('.')[4]).toBe(letter);
      expect(decodeConsentCookie(value)?.method).toBe(method);
    }
  });

  it('is compact and uses only cookie-safe characters', () => {
    const value = encodeConsentCookie(decision);
    expect(value).toMatch(/^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/);
    expect(value.length).toBeLessThan(140);
    expect(value.startsWith('1.3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b.')).toBe(true);
  });

  it('keeps flags, an empty receipt id, no choices and a policy version with dots and accents', () => {
    const other: DecodedConsent = {
      ...decision,
      receiptId: null,
      method: 'gpc',
      gpc: true,
      pending: true,
      policyVersion: 'v2.1 — été',
      choices: {},
    };
    expect(decodeConsentCookie(encodeConsentCookie(other))).toEqual(other);
  });

  it('reads a hand-written cookie as documented in the README', () => {
    const body = '1.3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b..mi8fx1c0.p.7.analytics1|marketing0';
    expect(decodeConsentCookie(`${body}.${checksum(body)}`)).toMatchObject({
      receiptId: null,
      method: 'preferences',
      policyVersion: '7',
      choices: { analytics: true, marketing: false },
    });
  });

  it('keeps answers in a map without prototype: `constructor` or `__proto__` are only data', () => {
    const body = '1.3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b..mi8fx1c0.b.7.constructor1|__proto__1|analytics0';
    const decoded = decodeConsentCookie(`${body}.${checksum(body)}`);
    expect(Object.getPrototypeOf(decoded?.choices)).toBeNull();
    expect(Object.keys(decoded?.choices ?? {})).toEqual(['constructor', '__proto__', 'analytics']);
    expect(decoded?.choices.toString).toBeUndefined();
    // And it encodes back to the same value.
    expect(encodeConsentCookie(decoded as DecodedConsent)).toBe(`${body}.${checksum(body)}`);
  });

  it.each([
    ['nothing', undefined],
    ['an empty value', ''],
    ['garbage', 'hello'],
    ['another encoding version', encodeConsentCookie(decision).replace(/^1\./, '2.')],
    ['a changed choice', encodeConsentCookie(decision).replace('analytics1', 'analytics0')],
    ['a truncated value', encodeConsentCookie(decision).slice(0, -3)],
    [
      'an unknown method',
      (() => {
        const body = '1.3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b..mi8fx1c0.x.7.analytics1';
        return `${body}.${checksum(body)}`;
      })(),
    ],
    [
      'a choice that is not 0 or 1',
      (() => {
        const body = '1.3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b..mi8fx1c0.b.7.analytics2';
        return `${body}.${checksum(body)}`;
      })(),
    ],
    [
      'a broken percent escape',
      (() => {
        const body = '1.3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b..mi8fx1c0.b.%E0%A4%A.analytics1';
        return `${body}.${checksum(body)}`;
      })(),
    ],
  ])('counts %s as no decision', (_, value) => {
    expect(decodeConsentCookie(value)).toBeNull();
  });
});
