// The built-in UI strings, one set per language (src/ui/texts/<language>.ts). Site owners may
// override any of them per language with `ui.texts`. `{name}` marks a value filled in at run time.
// A name from the config (a service, a purpose) cannot be inflected to fit a sentence in 24 languages:
// it only ever stands as the value of a label ("Provider: {service}"); only dates sit inside sentences.

export interface Texts {
  /** What the banner is, in words tools look for: with the heading, the banner's accessible name. */
  bannerLabel: string;
  /** Banner heading. */
  bannerTitle: string;
  /** Banner text; the `about…` sentences that fit the purposes configured follow it, then the policy link. */
  bannerText: string;
  /** The policy link's text. */
  policyLink: string;
  acceptAll: string;
  rejectAll: string;
  /** Opens the preference center from the banner. */
  customize: string;
  /** Accessible name of the banner's close button; closing records nothing. */
  close: string;
  preferencesTitle: string;
  /** Preference center intro, when some purpose can be switched; the `about…` sentences that fit follow it. */
  preferencesIntro: string;
  /** Preference center, when some purpose is based on consent. */
  aboutConsent: string;
  /** Banner and preference center, when some purpose is based on legitimate interest. */
  aboutLegitimateInterest: string;
  /** Preference center, when some purpose is based on a contract or a legal obligation. */
  aboutRequired: string;
  save: string;
  /** Shown in place of a switch for contract and legal-obligation purposes. */
  alwaysActive: string;
  basisConsent: string;
  basisLegitimateInterest: string;
  basisContract: string;
  basisLegalObligation: string;
  /** Label of a consent purpose's switch. */
  consentSwitch: string;
  /** Label of a legitimate-interest purpose's switch (checked: processing goes on). */
  objectSwitch: string;
  /** Summary of a purpose's expandable details. */
  details: string;
  dataCategories: string;
  retention: string;
  recipients: string;
  transfers: string;
  /** When a purpose keeps the data in the EU. */
  transfersNone: string;
  /** When a purpose sends data outside the EU; its safeguard follows under `safeguard`. */
  transfersYes: string;
  /** Label of a transfer's safeguard: one of the three below, or the config's own text. */
  safeguard: string;
  safeguardAdequacy: string;
  safeguardScc: string;
  safeguardBcr: string;
  anonymised: string;
  /** For direct-marketing purposes (GDPR Art. 21(3)). */
  marketingNote: string;
  services: string;
  provider: string;
  country: string;
  privacyPolicy: string;
  cookies: string;
  duration: string;
  /** The duration of a cookie whose `maxAge` is 0 (other durations are numbers and units, from `Intl`). */
  sessionCookie: string;
  controller: string;
  dpo: string;
  /** Label of the supervisory authority's name. */
  authority: string;
  rights: string;
  rightInformation: string;
  rightAccess: string;
  rightRectification: string;
  rightErasure: string;
  rightRestriction: string;
  rightPortability: string;
  rightObjection: string;
  rightAutomatedDecision: string;
  rightPostMortem: string;
  rightComplaint: string;
  rightRemedy: string;
  /** `{date}`: when the current decision was made. */
  decidedOn: string;
  notDecided: string;
  /** Ends with a label and `{purposes}`: the purposes Global Privacy Control switched off. */
  gpcHonoured: string;
  consentId: string;
  /** Announced to screen readers (a polite status) once a choice is saved and its view has closed. */
  saved: string;
  /** Downloads the visitor's consent receipts as JSON. */
  downloadRecord: string;
  /** Erases the visitor's consent data here and asks the site to erase its copy. */
  eraseData: string;
  /** Asked before erasing. */
  eraseConfirm: string;
  /** Announced after erasing. */
  erased: string;
  /** Embed placeholder: lines (`\n`), two of them a label and `{service}`, a label and `{purpose}`. */
  placeholder: string;
  loadOnce: string;
  /** A label and `{purpose}`, the titles of the embed's purposes. */
  alwaysAllow: string;
  /** The floating button that reopens the preference center. */
  reopen: string;
  /** Between a label and its value on one line: ": " (French: " : ", with a no-break space). */
  colon: string;
}
