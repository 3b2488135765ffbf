// The ES module entry for bundlers: `import { createAssent } from 'assent'`.
import type { AssentConfig } from './core/config';
import type { AssentApi } from './core/types';
import { startAssent } from './loader/assent';
import { publish } from './loader/global';

export type * from './core/config';
export type { DecodedConsent } from './core/cookie';
export { entryIssues } from './core/entries';
export type { Issue } from './core/schema-check';
export type { Texts } from './core/texts';
export type * from './core/types';
export { type ConfigIssue, type ConfigReport, validateConfig } from './core/validate';

/**
 * Starts Assent on this page, as the loader would, and returns the API (also set as `window.assent`
 * so that tags read the same state). Call it once, as early as possible.
 */
export const createAssent = (config: AssentConfig): AssentApi => {
  const api = startAssent(config);
  publish(api);
  return api;
};
