// The built-in UI strings, one set per language (src/ui/texts/<language>.ts). Site owners may
// override any of them per language with `ui.texts`. `{name}` marks a value filled in at run time.

export interface Texts {
  /** Banner heading. */
  bannerTitle: string;
  /** Banner text, before the policy link. */
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
  preferencesIntro: string;
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
  /** `{safeguard}`: the safeguard of a transfer. */
  transfersSafeguard: string;
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
  controller: string;
  dpo: string;
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
  /** `{authority}`: the supervisory authority's name. */
  complaint: string;
  /** `{date}`: when the current decision was made. */
  decidedOn: string;
  notDecided: string;
  /** `{purposes}`: the purposes Global Privacy Control switched off. */
  gpcHonoured: string;
  consentId: string;
  /** Announced to screen readers after saving. */
  saved: string;
  /** Downloads the visitor's consent receipts as JSON. */
  downloadRecord: string;
  /** Erases the visitor's consent data here and asks the site to erase its copy. */
  eraseData: string;
  /** Asked before erasing. */
  eraseConfirm: string;
  /** Announced after erasing. */
  erased: string;
  /** Embed placeholder; `{service}` and `{purpose}`. */
  placeholder: string;
  loadOnce: string;
  /** `{purpose}`: the purpose's title. */
  alwaysAllow: string;
  /** The floating button that reopens the preference center. */
  reopen: string;
}
