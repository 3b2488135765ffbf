// What the loader gives the lazily loaded UI parts: the narrow interface between them.
import type { Choices } from '../core/bases';
import type { AssentConfig } from '../core/config';
import type { Texts } from '../core/texts';
import type { AssentApi, Method, Receipt, ViewName } from '../core/types';

export interface UiHost {
  config: AssentConfig;
  language: string;
  api: AssentApi;
  /** The purposes Global Privacy Control denies on this page (empty without the signal). */
  gpcDenied: string[];
  /** Records the visitor's answers, with the UI texts they were shown. */
  decide(method: Method, answers: Choices, texts?: Texts): Promise<Receipt>;
  /** Loads a part; the UI fetches the sync chunk when the visitor is about to decide. */
  load(name: 'sync'): Promise<unknown>;
  /** The sync chunk, started: for the visitor's download of their record. */
  sync(): Promise<Pick<typeof import('../sync/index'), 'download'>>;
  /** Tells the loader what is on screen now, so it fires `show` and `hide`. */
  shown(view: ViewName | null): void;
}
