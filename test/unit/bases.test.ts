import { describe, expect, it } from 'vitest';
import {
  allowedPurposes,
  changedPurposes,
  choicesForAll,
  gpcDenied,
  isDecided,
  isRequired,
} from '../../src/core/bases';
import { shopConfig } from '../fixtures/configs';

const { purposes } = shopConfig();

describe('legal bases', () => {
  it('allows contract and legal-obligation purposes always, legitimate interest by default, consent never by default', () => {
    expect(allowedPurposes(purposes, {}, [])).toEqual({
      necessary: true,
      legal: true,
      security: true,
      analytics: false,
      marketing: false,
    });
  });

  it('lets the visitor grant consent and object to legitimate interest, never switch off a required purpose', () => {
    const allowed = allowedPurposes(purposes, { analytics: true, security: false, necessary: false }, []);
    expect(allowed).toMatchObject({ analytics: true, security: false, necessary: true });
  });

  it('marks contract and legal obligation as required, the others not', () => {
    expect(purposes.map(isRequired)).toEqual([true, true, false, false, false]);
  });

  it('is decided only with an answer for every consent and legitimate-interest purpose', () => {
    expect(isDecided(purposes, {})).toBe(false);
    expect(isDecided(purposes, { analytics: true, marketing: false })).toBe(false);
    expect(isDecided(purposes, { analytics: true, marketing: false, security: true })).toBe(true);
  });

  it('leaves a visitor undecided when a purpose is added, with the earlier answers in force and the new one at its default', () => {
    const answers = { analytics: true, marketing: false, security: true };
    const more = [...purposes, { id: 'chat', basis: 'consent' as const, title: 'Chat' }];
    expect(isDecided(more, answers)).toBe(false);
    expect(allowedPurposes(more, answers, [])).toMatchObject({ analytics: true, chat: false });
  });

  it('"Accept all" grants every consent and legitimate-interest purpose; "Reject all" objects to all of them', () => {
    expect(choicesForAll(purposes, true, [])).toEqual({ security: true, analytics: true, marketing: true });
    expect(choicesForAll(purposes, false, [])).toEqual({ security: false, analytics: false, marketing: false });
  });

  describe('Global Privacy Control', () => {
    it('deny-marketing denies only marketing purposes, deny-all every consent and legitimate-interest purpose, ignore none', () => {
      expect(gpcDenied(purposes, 'deny-marketing', true)).toEqual(['marketing']);
      expect(gpcDenied(purposes, 'deny-all', true)).toEqual(['security', 'analytics', 'marketing']);
      expect(gpcDenied(purposes, 'ignore', true)).toEqual([]);
      expect(gpcDenied(purposes, 'deny-all', false)).toEqual([]);
      // No policy in the config is the default, deny-marketing.
      expect(gpcDenied(purposes, undefined, true)).toEqual(['marketing']);
    });

    it('denies before any answer, even a legitimate-interest purpose under deny-all', () => {
      const denied = gpcDenied(purposes, 'deny-all', true);
      expect(allowedPurposes(purposes, {}, denied)).toMatchObject({
        security: false,
        analytics: false,
        necessary: true,
      });
    });

    it('"Accept all" under GPC does not grant what the signal denied', () => {
      expect(choicesForAll(purposes, true, ['marketing'])).toEqual({
        security: true,
        analytics: true,
        marketing: false,
      });
    });

    it('an explicit grant under GPC stands, and "Accept all" keeps it', () => {
      const answers = { marketing: true };
      expect(allowedPurposes(purposes, answers, ['marketing']).marketing).toBe(true);
      expect(choicesForAll(purposes, true, ['marketing'], answers).marketing).toBe(true);
    });
  });

  it('lists the purposes whose value changed', () => {
    expect(changedPurposes({ a: true, b: false }, { a: true, b: true })).toEqual(['b']);
  });

  it('never takes an inherited property for an answer', () => {
    const inherited = Object.create({ analytics: true, marketing: true, security: false });
    expect(allowedPurposes(purposes, inherited, [])).toMatchObject({
      analytics: false,
      marketing: false,
      security: true,
    });
    expect(isDecided(purposes, inherited)).toBe(false);
    expect(Object.getPrototypeOf(allowedPurposes(purposes, {}, []))).toBeNull();
  });
});
