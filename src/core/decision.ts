// The visitor's stored decision, as the loader keeps it between the cookie and the consent state.
import { type Choices, emptyMap, has, isRequired } from './bases';
import type { AssentConfig } from './config';
import type { DecodedConsent } from './cookie';
import type { Method } from './types';

export interface Decision {
  /** '' until the first decision or GPC receipt. */
  consentId: string;
  receiptId: string | null;
  updatedAt: number | null;
  method: Method | null;
  /** Global Privacy Control was applied to these choices. */
  gpc: boolean;
  pending: boolean;
  /** The answers still in force for this config. */
  choices: Choices;
}

export const MAX_AGE_DAYS = 395;

/**
 * How far ahead of this browser's clock a decision may be dated and still count: the cookie is
 * written by this browser's own clock, so only a clock set back since (a manual fix, a sync) puts
 * it ahead. Anything later never expires, so it is no decision.
 */
export const CLOCK_SKEW_MS = 60 * 60 * 1000;

/** Days a decision lasts under this config (clamped to 395). */
export const maxAgeDays = (config: AssentConfig): number => Math.min(config.consent?.maxAgeDays ?? 182, MAX_AGE_DAYS);

/**
 * The decision a cookie holds for this config. An expired decision, one dated in the future (beyond
 * CLOCK_SKEW_MS) or one for another policy version keeps its consent id but none of its answers;
 * answers for purposes that are gone, or that are always active, are dropped.
 */
export const decisionFromCookie = (c: DecodedConsent | null, config: AssentConfig, now: number): Decision => {
  const current =
    !!c &&
    c.policyVersion === config.policy.version &&
    now - c.updatedAt < maxAgeDays(config) * 864e5 &&
    c.updatedAt - now < CLOCK_SKEW_MS;
  const choices = emptyMap<boolean>();
  if (current)
    for (const p of config.purposes) if (!isRequired(p) && has(c.choices, p.id)) choices[p.id] = c.choices[p.id];
  return {
    consentId: c?.consentId ?? '',
    receiptId: c?.receiptId ?? null,
    updatedAt: current ? c.updatedAt : null,
    method: current ? c.method : null,
    gpc: current && c.gpc,
    pending: !!c?.pending,
    choices,
  };
};
