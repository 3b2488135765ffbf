// window.assent and the pre-load queue (SPEC §4).
import type { AssentApi, AssentQueued } from '../core/types';

type Queued = AssentQueued;

/** Makes the API global and runs the calls queued before the loader (and any pushed later). */
export const publish = (api: AssentApi) => {
  window.assent = api;
  const run = (call: Queued) => {
    try {
      call(api);
    } catch (e) {
      console.error('assent: a call in assentQueue threw', e);
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
