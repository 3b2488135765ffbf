// The names of the lazily loaded parts and what each one is, for both ways of loading them
// (chunks.ts for bundlers, chunks-url.ts for the classic-script loader).
import type * as Cleanup from '../cleanup/index';
import type { Texts } from '../core/texts';
import type * as Download from '../sync/download';
import type * as History from '../sync/history';
import type * as Sync from '../sync/index';
import type * as Plain from '../sync/plain';
import type * as ReceiptPart from '../sync/receipt';
import type * as Trouble from '../sync/trouble';
import type * as Ui from '../ui/index';
import type * as Placeholder from '../ui/placeholder';
import type * as Reopen from '../ui/reopen';

interface Modules {
  sync: typeof Sync;
  // The sync chunk's own parts, which it loads on first use.
  receipt: typeof ReceiptPart;
  history: typeof History;
  download: typeof Download;
  trouble: typeof Trouble;
  plain: typeof Plain;
  cleanup: typeof Cleanup;
  ui: typeof Ui;
  placeholder: typeof Placeholder;
  reopen: typeof Reopen;
}

/**
 * A part: a module, or one language's UI texts (src/ui/text-parts.ts): `texts-` the banner's, `prefs-`
 * the rest of the preference center's, `short-` the placeholder's and reopen button's.
 */
export type PartName = keyof Modules | `texts-${string}` | `prefs-${string}` | `short-${string}`;
export type Part<N extends PartName> = N extends keyof Modules ? Modules[N] : { default: Texts };
export type Load = <N extends PartName>(name: N) => Promise<Part<N>>;
