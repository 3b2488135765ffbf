// tarteaucitron 1.34.0, set up as its README says (init with the README's parameters), with the page's
// two services declared as README "custom services" and queued on tarteaucitron.job. Necessary cookies
// are the README's `mandatory` notice.
const tac = window.tarteaucitron;

tac.services.benchanalytics = {
  key: 'benchanalytics',
  type: 'analytic',
  name: 'Audience measurement',
  needConsent: true,
  cookies: [],
  js: () => {
    tac.addScript('/gated.js');
  },
  fallback: () => {},
};
tac.services.benchads = {
  key: 'benchads',
  type: 'ads',
  name: 'Advertising',
  needConsent: true,
  cookies: [],
  js: () => {},
  fallback: () => {},
};

tac.init({
  privacyUrl: 'https://shop.example/privacy',
  bodyPosition: 'bottom',
  hashtag: '#tarteaucitron',
  cookieName: 'tarteaucitron',
  orientation: 'middle',
  groupServices: false,
  showDetailsOnClick: true,
  serviceDefaultState: 'wait',
  showAlertSmall: false,
  showTitleBanner: false,
  cookieslist: false,
  cookieslistEmbed: false,
  showIcon: true,
  iconPosition: 'BottomRight',
  adblocker: false,
  DenyAllCta: true,
  AcceptAllCta: true,
  highPrivacy: true,
  alwaysNeedConsent: false,
  handleBrowserDNTRequest: false,
  removeCredit: false,
  moreInfoLink: true,
  useExternalCss: false,
  useExternalJs: false,
  readmoreLink: '',
  mandatory: true,
  mandatoryCta: true,
  googleConsentMode: true,
  bingConsentMode: true,
  pianoConsentMode: true,
  pianoConsentModeEssential: false,
  softConsentMode: false,
  dataLayer: false,
  serverSide: false,
  partnersList: false,
});
(tac.job = tac.job || []).push('benchanalytics', 'benchads');
