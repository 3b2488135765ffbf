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
  /** The visitor is about to decide: fetch what records the decision. */
  prepare(): void;
  /** Downloads the visitor's consent record. */
  download(): Promise<void>;
  /** Tells the loader what is on screen now, so it fires `show` and `hide`. */
  shown(view: ViewName | null): void;
}
