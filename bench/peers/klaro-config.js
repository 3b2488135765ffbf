// Klaro 0.7.22, set up as its README says: this config and klaro.js (styles included), both `defer`.
window.klaroConfig = {
  version: 1,
  elementID: 'klaro',
  storageMethod: 'cookie',
  cookieName: 'klaro',
  cookieExpiresAfterDays: 182,
  default: false,
  mustConsent: false,
  acceptAll: true,
  hideDeclineAll: false,
  groupByPurpose: true,
  lang: 'en',
  translations: {
    en: {
      privacyPolicyUrl: 'https://shop.example/privacy',
      consentNotice: {
        description:
          'With your consent, we measure our audience and show ads that match your interests ({purposes}). You can change your choice at any time.',
      },
      purposes: {
        necessary: {
          title: 'Strictly necessary',
          description: 'Keeps the site working: your basket and your privacy choices.',
        },
        analytics: {
          title: 'Audience measurement',
          description: 'Counts visits and pages viewed, to improve the site.',
        },
        marketing: {
          title: 'Advertising',
          description: 'Shows ads that match your interests, on this site and others.',
        },
      },
      necessary: { title: 'Shop', description: 'Basket and privacy choices.' },
      analytics: { title: 'Analytics', description: 'Our audience measurement.' },
      marketing: { title: 'Ads', description: 'Our advertising partner.' },
    },
  },
  services: [
    { name: 'necessary', purposes: ['necessary'], required: true },
    { name: 'analytics', purposes: ['analytics'] },
    { name: 'marketing', purposes: ['marketing'] },
  ],
};
