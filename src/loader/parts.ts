// The names of the lazily loaded parts and what each one is, for both ways of loading them
// (chunks.ts for bundlers, chunks-url.ts for the classic-script loader).
import type * as Cleanup from '../cleanup/index';
import type { Texts } from '../core/texts';
import type * as Sync from '../sync/index';
import type * as Ui from '../ui/index';
import type * as Placeholder from '../ui/placeholder';
import type * as Reopen from '../ui/reopen';

interface Modules {
  sync: typeof Sync;
  cleanup: typeof Cleanup;
  ui: typeof Ui;
  placeholder: typeof Placeholder;
  reopen: typeof Reopen;
}

/** A part: a module, or one language's UI texts (`short-` ones: only the placeholder's and reopen button's). */
export type PartName = keyof Modules | `texts-${string}` | `short-${string}`;
export type Part<N extends PartName> = N extends keyof Modules ? Modules[N] : { default: Texts };
export type Load = <N extends PartName>(name: N) => Promise<Part<N>>;
