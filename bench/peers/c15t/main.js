// c15t 2.2.1 with its official UI (@c15t/react: ConsentBanner + ConsentDialog), mounted into a plain
// page as the React quickstart describes, in offline mode (no backend: consent stays in a cookie and
// localStorage), with the page's analytics script declared through c15t's script loader.
import '@c15t/react/styles.css';
import { ConsentBanner, ConsentDialog, ConsentManagerProvider } from '@c15t/react';
import { createElement as h } from 'react';
import { createRoot } from 'react-dom/client';

const options = {
  mode: 'offline',
  consentCategories: ['necessary', 'measurement', 'marketing'],
  legalLinks: { privacyPolicy: { href: 'https://shop.example/privacy' } },
  scripts: [{ id: 'bench-analytics', src: '/gated.js', category: 'measurement' }],
};

const root = document.createElement('div');
document.body.append(root);
createRoot(root).render(h(ConsentManagerProvider, { options }, h(ConsentBanner), h(ConsentDialog)));
