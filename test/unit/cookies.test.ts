// How the preference center words cookies: names a visitor can read, durations in words.
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/core/i18n';
import { validateConfig } from '../../src/core/validate';
import { maxAgeInWords, readableName } from '../../src/ui/cookies';
import { shopConfig } from '../fixtures/configs';

describe('a cookie pattern, as the visitor reads it', () => {
  it.each([
    ['_ga', '_ga'],
    ['/^_ga/', '_ga…'],
    ['/^_ga_/', '_ga_…'],
    ['/^_ga$/', '_ga'],
    ['/^_ga_[A-Z0-9]{10}$/', '_ga_…'],
    ['/^_gac_gb_[A-Za-z0-9]+$/', '_gac_gb_…'],
    ['/^mp_.*_mixpanel$/', 'mp_…_mixpanel'],
    ['/^_hjSession_\\d+$/', '_hjSession_…'],
    ['/_hj(Session|Id)/', '…_hj…'],
    ['/^(_fbp|_fbc)$/', '_fbp, _fbc'],
    ['/^(?:_gid|_gat)$/', '_gid, _gat'],
    ['/^_gcl_au$|^_gcl_aw/', '_gcl_au, _gcl_aw…'],
    ['/^__Secure-3P\\w+$/i', '__Secure-3P…'],
    ['/^_gat_?$/', '_gat…'],
    ['/^yt\\.player\\.x$/', 'yt.player.x'],
    ['/^[a-f0-9]{32}$/', '…'],
  ])('%s reads %s', (pattern, readable) => {
    expect(readableName(pattern)).toBe(readable);
  });

  it('leaves a name that is no valid /regex/ as the name it is', () => {
    expect(readableName('/vendor/pixel')).toBe('/vendor/pixel');
    expect(readableName('/(/')).toBe('/(/');
  });
});

describe('maxAge in words', () => {
  it.each([
    [63072000, '2 years'],
    [31536000, '1 year'],
    [34128000, '395 days'],
    [7776000, '90 days'],
    [86400, '1 day'],
    [129600, '1.5 days'],
    [3600, '1 hour'],
    [60, '1 minute'],
    [30, '30 seconds'],
  ])('%i seconds are %s', (seconds, words) => {
    expect(maxAgeInWords(seconds, 'en', 'until you close your browser')).toBe(words);
  });

  it('says a session cookie lasts until the browser closes', () => {
    expect(maxAgeInWords(0, 'en', 'until you close your browser')).toBe('until you close your browser');
  });

  it('is a unit symbol, not English words, in a language the browser has no words for', () => {
    expect(maxAgeInWords(63072000, 'xx', '')).toMatch(/^730\s?d$/);
  });

  it.each(LANGUAGES)('is written in %s, not in English', (language) => {
    const words = maxAgeInWords(63072000, language, '');
    expect(words).toMatch(/2/);
    if (language !== 'en') expect(words).not.toBe('2 years');
  });
});

describe('a cookie’s label and maxAge in the config', () => {
  const withCookie = (cookie: unknown) => {
    const config = shopConfig();
    config.services = [{ id: 'ga', name: 'Google Analytics', purposes: ['analytics'], cookies: [cookie as never] }];
    return validateConfig(config).errors.map((e) => e.message);
  };

  it('are accepted: a label for a pattern, a lifetime in seconds', () => {
    expect(withCookie({ name: '/^_ga_/', label: '_ga_<container id>', maxAge: 63072000 })).toEqual([]);
    expect(withCookie({ name: 'sid', maxAge: 0 })).toEqual([]);
  });

  it('reject a maxAge that is no whole number of seconds, and a label that is no text', () => {
    expect(withCookie({ name: '_ga', maxAge: -1 }).join()).toMatch(/cookies\[0\]\.maxAge .*at least 0/);
    expect(withCookie({ name: '_ga', maxAge: 1.5 }).join()).toMatch(/cookies\[0\]\.maxAge .*whole number/);
    expect(withCookie({ name: '_ga', label: 3 }).join()).toMatch(/cookies\[0\]\.label/);
  });
});
