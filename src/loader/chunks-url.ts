// The lazily loaded parts of the classic-script loader: ES modules in a release folder named by the
// hash of its contents (chunks/<hash>/), so a new release never mixes old and new files.
import type { Load } from './parts';

declare const __CHUNKS__: string;

// Resolved against the loader's own URL, not the page's.
const base =
  ((document.currentScript as HTMLScriptElement | null)?.src || location.href).replace(/[^/]*$/, '') + __CHUNKS__;
// A module that failed to load stays failed for its URL, so a retry asks for another URL: `?1`, `?2`…
// Only then: a part that loaded keeps its URL, which is also the one its own chunks import it by.
const failures: Record<string, number> = {};

/** A part by name: `sync`, `ui`…, `texts-fr`, `short-fr`. */
export const load: Load = (name) =>
  import(/* @vite-ignore */ `${base + name}.js${failures[name] ? `?${failures[name]}` : ''}`).catch((e) => {
    // -~x is x + 1, and 1 for a part that never failed (3 B less than (x || 0) + 1).
    failures[name] = -~failures[name];
    throw e;
  });
