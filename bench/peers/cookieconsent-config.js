// vanilla-cookieconsent 3.1.0, set up as its "Getting started" page says: the stylesheet in <head>, and
// this file as a module at the end of <body>, importing the UMD build and calling run().
import './cookieconsent.umd.js';

window.CookieConsent.run({
  // The bench's headless Chromium sets navigator.webdriver, which this option (on by default) treats as a bot.
  hideFromBots: false,
  categories: {
    necessary: { enabled: true, readOnly: true },
    analytics: {},
    marketing: {},
  },
  language: {
    default: 'en',
    translations: {
      en: {
        consentModal: {
          title: 'We use cookies',
          description:
            'With your consent, we measure our audience and show ads that match your interests. You can change your choice at any time.',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          showPreferencesBtn: 'Customize',
          footer: '<a href="https://shop.example/privacy">Privacy policy</a>',
        },
        preferencesModal: {
          title: 'Your privacy choices',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          savePreferencesBtn: 'Save my choices',
          closeIconLabel: 'Close',
          sections: [
            {
              title: 'Strictly necessary',
              description: 'Keeps the site working: your basket and your privacy choices.',
              linkedCategory: 'necessary',
            },
            {
              title: 'Audience measurement',
              description: 'Counts visits and pages viewed, to improve the site.',
              linkedCategory: 'analytics',
            },
            {
              title: 'Advertising',
              description: 'Shows ads that match your interests, on this site and others.',
              linkedCategory: 'marketing',
            },
          ],
        },
      },
    },
  },
});
