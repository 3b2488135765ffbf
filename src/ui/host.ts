// What the loader gives the lazily loaded UI parts: the narrow interface between them.
import type { Choices } from '../core/bases';
import type { AssentConfig } from '../core/config';
import type { Texts } from '../core/texts';
import type { AssentApi, Method, Receipt, ViewName } from '../core/types';
import type { Load } from '../loader/parts';

export interface UiHost {
  config: AssentConfig;
  language: string;
  api: AssentApi;
  /** The purposes Global Privacy Control denies on this page (empty without the signal). */
  gpcDenied: string[];
  /** Records the visitor's answers, with the UI strings they were shown (the view's, src/ui/text-parts.ts). */
  decide(method: Method, answers: Choices, texts?: Partial<Texts>): Promise<Receipt>;
  /**
   * Loads a part: the UI fetches the sync chunk and its `receipt` part when the visitor is about to
   * decide, and the preference center's strings (`prefs-fr`) with its chunk.
   */
  load: Load;
  /** The sync chunk, started: for the visitor's download of their record. */
  sync(): Promise<Pick<typeof import('../sync/index'), 'download'>>;
  /** Tells the loader what is on screen now, so it fires `show` and `hide`. */
  shown(view: ViewName | null): void;
}
