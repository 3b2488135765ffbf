// The public shapes marketers and site owners read: consent state, receipts, events, the JS API
// (SPEC §4 and §6).
import type { LegalBasis } from './config';

/** How a decision was made; `placeholder`: "Always allow" on an embed's placeholder. */
export type Method = 'banner' | 'preferences' | 'placeholder' | 'api' | 'gpc';

export interface ConsentState {
  /** Whether the visitor has answered for every consent and legitimate-interest purpose. */
  decided: boolean;
  /** May each purpose be processed right now? */
  purposes: Record<string, boolean>;
  /** Pseudonymous consent id; '' before the first decision. */
  id: string;
  /** The policy version this state is for. */
  version: string;
  /** ISO time of the last decision, or null. */
  updatedAt: string | null;
  method: Method | null;
}

/**
 * A purpose id, as in the config.
 * @pattern ^[a-z0-9_-]{1,32}$
 */
export type PurposeId = string;

/**
 * A language tag such as `fr` or `pt-BR`.
 * @pattern ^[a-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$
 */
export type LanguageTag = string;

/** One purpose as recorded in a receipt, with texts resolved in the language shown. */
export interface ReceiptPurpose {
  id: PurposeId;
  basis: LegalBasis;
  granted: boolean;
  dataCategories: string[];
  retention: string | null;
  recipients: string[];
}

/**
 * A UUID.
 * @pattern ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$
 */
export type Uuid = string;

/**
 * An ISO 8601 time in UTC, as `Date.prototype.toISOString` writes it.
 * @pattern ^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$
 */
export type IsoTime = string;

/**
 * `sha256-` and the base64 SHA-256 of the canonical JSON of the texts shown.
 * @pattern ^sha256-[A-Za-z0-9+/]{43}=$
 */
export type TextHash = string;

/** A consent receipt (SPEC §6). Extra fields may be added; none of these is renamed. */
export interface Receipt {
  type: 'consent';
  /** UUIDv7: unique and time-ordered. */
  id: Uuid;
  consentId: Uuid;
  /** The receipt this one supersedes. */
  previousId: Uuid | null;
  timestamp: IsoTime;
  method: Method;
  policy: { url: string; version: string };
  language: LanguageTag;
  /** The site where the decision was made. */
  origin: string;
  textHash: TextHash;
  gpc: boolean;
  /**
   * Every purpose of the config (a site has a handful; the limit keeps a hostile entry small).
   * @minItems 1
   * @maxItems 64
   */
  purposes: ReceiptPurpose[];
  /**
   * In this browser's history: the endpoint's compact JWS over the receipt, once it answered, kept
   * only when its payload is byte for byte the receipt as sent.
   */
  signature?: string;
  /** Rebuilt from the cookie because the page that made the decision closed before storing it. */
  recovered?: boolean;
}

/** The texts behind a `textHash`, sent once per hash. */
export interface TextsEntry {
  type: 'texts';
  id: Uuid;
  textHash: TextHash;
  language: LanguageTag;
  texts: Record<string, unknown>;
}

/** An erasure request made by `forget()`. */
export interface ErasureEntry {
  type: 'erasure';
  id: Uuid;
  consentId: Uuid;
  timestamp: IsoTime;
}

/** What travels to the endpoint. */
export type Entry = Receipt | TextsEntry | ErasureEntry;

export type ViewName = 'banner' | 'preferences';

/**
 * What an `error` event is about. `config`: the config fails the loader's check, and Assent fails
 * closed. `page`: the page defines `window.assent` itself, and Assent fails closed. `cookie`: the
 * browser keeps no cookie. `receipt`, `storage`, `ui`: a receipt could not be recorded, IndexedDB is
 * unavailable, a part of the UI did not load. With the entry's `id`: `rejected`, the endpoint
 * rejected it; `conflict`, the endpoint holds other bytes under its id; `signature`, the endpoint's
 * signature for it signs other bytes than those sent (it is not kept).
 */
export type ErrorCode =
  | 'config'
  | 'page'
  | 'cookie'
  | 'receipt'
  | 'storage'
  | 'ui'
  | 'rejected'
  | 'conflict'
  | 'signature'
  /** The endpoint refuses batches (a 4xx other than 429): probably config.endpoint or the collector's origins. */
  | 'endpoint';

export interface AssentEvents {
  ready: { state: ConsentState };
  change: { state: ConsentState; changed: string[] };
  show: { view: ViewName };
  hide: { view: ViewName };
  sync: { ids: string[] };
  error: { code: ErrorCode; message: string; id?: string };
}

export type AssentEventName = keyof AssentEvents;

export interface AssentApi {
  /** May this purpose be processed right now? An unknown id is false, with a console warning. */
  get(purposeId: string): boolean;
  getState(): ConsentState;
  acceptAll(): Promise<Receipt>;
  rejectAll(): Promise<Receipt>;
  /**
   * A complete decision: changes the purposes named, records the others with their current value and
   * makes `decided` true; rejects for unknown ids and always-active purposes.
   */
  set(choices: Record<string, boolean>): Promise<Receipt>;
  /** Resolves once the purpose is allowed (at once if it already is); rejects for an unknown id. */
  whenAllowed(purposeId: string): Promise<void>;
  show(): void;
  showPreferences(): void;
  hide(): void;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends AssentEventName>(event: E, handler: (detail: AssentEvents[E]) => void): () => void;
  /** This browser's consent history, newest first. */
  receipts(): Promise<Receipt[]>;
  /** Erases local consent data and queues an erasure request. */
  forget(): Promise<void>;
  readonly version: string;
}

/** A call queued before the loader runs: `(window.assentQueue = window.assentQueue || []).push(api => …)`. */
export type AssentQueued = (api: AssentApi) => void;

declare global {
  interface Window {
    /** The API, once the loader has run. */
    assent?: AssentApi;
    /** Calls queued before the loader; afterwards an object whose `push` runs them at once. */
    assentQueue?: AssentQueued[] | { push: (...calls: AssentQueued[]) => number };
    /** A config set before the loader, as an alternative to `#assent-config`. */
    assentConfig?: unknown;
  }
}
