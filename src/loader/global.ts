// window.assent and the pre-load queue (SPEC §4).
import type { AssentApi, AssentQueued } from '../core/types';

type Queued = AssentQueued;

// Marks the API of any copy of Assent, this release or another, so that a second copy knows the first.
export const BRAND = Symbol.for('assent');

/**
 * Whether window.assent, where the page has no own property, is free for this copy: held by
 * nothing, or only by an element found by named access (`<div id="assent">` is no own property of
 * window), which the API then shadows.
 */
export const free = (): boolean => {
  try {
    // Also proves that nothing inherited (a setter, a read-only value) swallows the write.
    return (window.assent = {} as AssentApi) === window.assent;
  } catch {
    return false;
  }
};

/** Makes the API global and runs the calls queued before the loader (and any pushed later). */
export const publish = (api: AssentApi) => {
  // 2: this copy blocks what the config's `match` names (assent-autoblock.js).
  (api as { [BRAND]?: number })[BRAND] = __AUTOBLOCK__ ? 2 : 1;
  try {
    window.assent = api;
  } catch {}
  const run = (call: Queued) => {
    try {
      call(api);
    } catch (e) {
      console.error('assent: an assentQueue call threw', e);
    }
  };
  const queued = window.assentQueue;
  window.assentQueue = {
    push: (...calls) => {
      calls.forEach(run);
      return 0;
    },
  };
  if (Array.isArray(queued)) queued.forEach(run);
};
