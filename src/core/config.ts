import type { Texts } from './texts';

// The site owner's config (SPEC §2). These interfaces are the single source of truth: the JSON
// Schema (dist/assent.schema.json) is generated from them and drives the full validator.

/** A text, either one string for every language or one string per language tag: `{ "en": "…", "fr": "…" }`. */
export type I18n = string | { [language: string]: string };

/** Legal basis of a purpose (GDPR Art. 6(1)). */
export type LegalBasis = 'consent' | 'legitimate-interest' | 'contract' | 'legal-obligation';

/** A data subject right the controller lists in its policy. */
export type RightId =
  | 'information'
  | 'access'
  | 'rectification'
  | 'erasure'
  | 'restriction'
  | 'portability'
  | 'objection'
  | 'automated-decision'
  | 'post-mortem'
  | 'complaint'
  | 'remedy';

/** A Google Consent Mode v2 consent type. */
export type ConsentModeType =
  | 'ad_storage'
  | 'ad_user_data'
  | 'ad_personalization'
  | 'analytics_storage'
  | 'functionality_storage'
  | 'personalization_storage'
  | 'security_storage';

/** What to do when the browser sends Global Privacy Control. */
export type GpcPolicy = 'deny-marketing' | 'deny-all' | 'ignore';

export interface Controller {
  /** The controller's legal name. */
  name: string;
  address?: string;
  email?: string;
  phone?: string;
  /** Data protection officer. */
  dpo?: { name?: string; email: string };
  /** The supervisory authority a visitor may complain to (CNIL, CPDP…). */
  authority?: { name: I18n; url?: string };
}

export interface Policy {
  /** Where the full privacy policy is: one URL, or one per language tag (`{ "en": "/privacy", "fr": "/fr/confidentialite" }`). */
  url: I18n;
  /** A new version asks every visitor again. */
  version: string;
  /** When the policy was last updated (ISO date). */
  updated?: string;
}

export interface Purpose {
  /**
   * Stable identifier, used in `data-assent`, the cookie and receipts.
   * @pattern ^[a-z0-9_-]{1,32}$
   */
  id: string;
  basis: LegalBasis;
  title: I18n;
  description?: I18n;
  /** Ids from `dataCategories`. */
  dataCategories?: string[];
  /** How long the data is kept, e.g. "3 years after the end of the relationship". */
  retention?: I18n;
  /** Who receives the data, e.g. "internal services", "marketing agencies". */
  recipients?: I18n[];
  transfers?: Transfers;
  /** Direct marketing: objection is absolute (GDPR Art. 21(3)) and Global Privacy Control applies. */
  marketing?: boolean;
  /** Processed only after anonymisation. */
  anonymised?: boolean;
}

export interface Transfers {
  /** Whether data leaves the EU/EEA. */
  outsideEU: boolean;
  /**
   * The safeguard: "adequacy" (an adequacy decision), "scc" (standard contractual clauses), "bcr"
   * (binding corporate rules), which the UI words in every language, or a text of your own.
   */
  safeguard?: I18n;
}

/** A cookie a service sets: a name, or a `/regex/`, with what the visitor is told about it. */
export type ServiceCookie = string | CookieDetails;

export interface CookieDetails {
  /** The cookie's name, or a `/regex/` for names that vary, e.g. "/^_ga_/". */
  name: string;
  /**
   * What the visitor reads instead of a `/regex/` name, e.g. "_ga_<container id>". Without it, the
   * preference center shows what the pattern matches ("_ga_…"), never the pattern.
   */
  label?: string;
  /** How long it lasts, in words: "2 years". Shown instead of `maxAge`. */
  duration?: I18n;
  /**
   * How long it lasts, in seconds (0: until the browser closes); shown in words, in the visitor's
   * language, when there is no `duration`.
   * @minimum 0
   * @asType integer
   */
  maxAge?: number;
  description?: I18n;
}

export interface Service {
  /** @pattern ^[a-z0-9_-]{1,64}$ */
  id: string;
  name: string;
  /** Ids of the purposes it serves; it may run only when all of them are allowed. */
  purposes: string[];
  provider?: string;
  privacyPolicyUrl?: string;
  /** Where the provider processes the data (ISO 3166 code or a name). */
  country?: string;
  /** Cookies it sets, cleared when consent is withdrawn. */
  cookies?: ServiceCookie[];
  /** localStorage / sessionStorage keys or `/regex/`, cleared likewise. */
  storage?: string[];
  /** URL substrings or `/regex/` of its scripts, iframes and pixels (auto-blocking). */
  match?: string[];
}

export interface DataCategory {
  /** @pattern ^[a-z0-9_-]{1,64}$ */
  id: string;
  title: I18n;
  description?: I18n;
}

export interface Right {
  id: RightId;
  /** Where to exercise it (a form, a mailto: link). */
  url?: string;
  description?: I18n;
}

export interface ConsentOptions {
  /**
   * Days a decision lasts; above 395 is clamped to 395.
   * @minimum 1
   * @default 182
   */
  maxAgeDays?: number;
  /**
   * @pattern ^[A-Za-z0-9_-]{1,64}$
   * @default "assent"
   */
  cookieName?: string;
  /** Share the decision with subdomains, e.g. "shop.example". */
  cookieDomain?: string;
  /** @default "deny-marketing" */
  gpc?: GpcPolicy;
  /** Reload the page when a withdrawn purpose's scripts already ran. */
  reloadOnWithdraw?: boolean;
}

export interface GoogleConsentMode {
  /** For each purpose id, the consent types it stands for. */
  purposes: { [purposeId: string]: ConsentModeType[] };
  /**
   * Milliseconds Google tags wait for an update while the banner shows.
   * @minimum 0
   * @default 500
   */
  waitForUpdate?: number;
  /** ISO 3166-2 regions the default applies to; default: everywhere. */
  regions?: string[];
  adsDataRedaction?: boolean;
  urlPassthrough?: boolean;
}

export interface UiOptions {
  /** @default "bottom" */
  position?: 'bottom' | 'center' | 'top';
  /** CSS custom properties of the UI, without the leading `--assent-`, e.g. `{ "accent": "#0b5" }`. */
  theme?: { [name: string]: string };
  /** Show a small floating button that reopens the preference center after a decision. */
  reopenButton?: boolean;
  /** Built-in UI strings to override, per language tag: `{ "fr": { "acceptAll": "J’accepte tout" } }`. */
  texts?: { [language: string]: Partial<Texts> };
}

/** The whole config of a site. */
export interface AssentConfig {
  /** JSON Schema reference for editors; ignored by Assent. */
  $schema?: string;
  controller: Controller;
  policy: Policy;
  /** @minItems 1 */
  purposes: Purpose[];
  /** Third parties, for transparency and auto-blocking. */
  services?: Service[];
  dataCategories?: DataCategory[];
  rights?: Right[];
  /**
   * Push events to `window.dataLayer`.
   * @default true
   */
  dataLayer?: boolean;
  /** Also signal Microsoft UET consent mode (follows `ad_storage`). */
  microsoftUet?: boolean;
  /** Where receipts are POSTed. */
  endpoint?: string;
  consent?: ConsentOptions;
  googleConsentMode?: GoogleConsentMode;
  /** Language tag to use; else `<html lang>`, else the browser's languages. */
  language?: string;
  ui?: UiOptions;
}
