// The demo sites' pages: each one the loader first, the site's content, its tags (an analytics SDK from
// npm tagged with data-assent, and a tag manager whose pixel and chat widget the auto-blocker holds),
// and the consent inspector.
import { esc } from './html';
import { policyMap } from './policy-map';
import { PAGES, type PageId, SITES, type Site, type SiteId } from './sites';

const path = (site: Site, page: PageId, lang: string) =>
  `/${site.id}/${page === 'home' ? '' : page}${lang === site.lang ? '' : `?lang=${lang}`}`;

const main = (site: Site, page: PageId, lang: 'en' | 'fr' | 'bg') => {
  const w = site.words[lang];
  switch (page) {
    case 'home':
      return `<h1>${esc(w.home.title)}</h1><p>${esc(w.home.text)}</p>
<ul class="cards"><li><a href="${path(site, 'product', lang)}">${esc(w.product.name)}</a> · ${esc(w.product.price)}</li></ul>`;
    case 'product':
      return `<h1>${esc(w.product.name)}</h1><p>${esc(w.product.text)}</p><p class="price">${esc(w.product.price)}</p>
<p><button type="button" id="add-to-cart">${esc(w.product.add)}</button> <span id="cart-status" role="status"></span></p>
<script>
  document.getElementById('add-to-cart').onclick = function () {
    document.getElementById('cart-status').textContent = ${JSON.stringify(w.product.added)};
    // Tracked only where the visitor allowed the analytics SDK to run.
    if (window.mixpanel && mixpanel.track) mixpanel.track('Add to cart');
  };
</script>`;
    case 'video':
      return `<h1>${esc(w.video.title)}</h1><p>${esc(w.video.text)}</p>
<iframe data-assent="media" data-src="https://www.youtube-nocookie.com/embed/aqz-KE-bpKQ" title="Big Buck Bunny (YouTube)" width="560" height="315" allow="fullscreen"></iframe>`;
    case 'checkout':
      return `<h1>${esc(w.checkout.title)}</h1><p>${esc(w.checkout.note)}</p>
<form class="checkout" onsubmit="return false">
<label>${esc(w.checkout.name)} <input name="name" autocomplete="name"></label>
<label>${esc(w.checkout.email)} <input name="email" type="email" autocomplete="email"></label>
<label>${esc(w.checkout.address)} <textarea name="address" autocomplete="street-address"></textarea></label>
<button type="submit">${esc(w.checkout.pay)}</button></form>`;
    case 'consent-mode':
      return `<h1>${esc(w.consentMode.title)}</h1><p>${esc(w.consentMode.text)}</p>`;
    case 'privacy-map':
      return policyMap(site, lang);
  }
};

// The Google tag as Google gives it, minus gtag.js itself (this demo makes no request to Google).
const GTAG = `<script>
  window.dataLayer = window.dataLayer || [];
  function gtag() { dataLayer.push(arguments); }
  gtag('js', new Date());
  gtag('config', 'G-DEMO000000');
</script>`;

export const renderPage = (id: SiteId, page: PageId, requested: string | null) => {
  const site = SITES[id];
  const lang = requested === 'en' ? 'en' : site.lang;
  const w = site.words[lang];
  const config = JSON.stringify(site.config).replace(/</g, '\\u003c');
  const other = lang === 'en' ? site.lang : 'en';
  const names = { en: 'English', fr: 'Français', bg: 'Български' };
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page === 'home' ? site.name : `${w.nav[page]} · ${site.name}`)}</title>
<script type="application/json" id="assent-config">${config}</script>
<script src="/dist/assent-autoblock.js"></script>
${page === 'consent-mode' ? GTAG : ''}
<link rel="stylesheet" href="/demo-assets/site.css">
</head><body data-site="${site.id}" data-page="${page}">
<div class="page">
<header>
<p class="brand"><a href="${path(site, 'home', lang)}">${esc(site.name)}</a> <span>${esc(w.tagline)}</span></p>
<nav aria-label="${esc(site.name)}"><ul>${PAGES.map(
    (p) => `<li><a href="${path(site, p, lang)}"${p === page ? ' aria-current="page"' : ''}>${esc(w.nav[p])}</a></li>`,
  ).join('')}</ul></nav>
<p class="lang">${esc(w.language)}: <a href="${path(site, page, other)}" lang="${other}" hreflang="${other}">${names[other]}</a></p>
</header>
<main id="main">${main(site, page, lang)}</main>
<footer><button type="button" data-assent-open>${esc(w.cookieSettings)}</button>
<a href="${esc(site.config.policy.url)}">${esc(w.privacyPolicy)}</a>
<a href="/">Assent demo</a></footer>
</div>
<script src="/demo-vendor/tag-manager.js"></script>
<script type="text/plain" data-assent="analytics">window.MIXPANEL_CUSTOM_LIB_URL = '/demo-vendor/npm/mixpanel.min.js';</script>
<script type="text/plain" data-assent="analytics" src="/demo-vendor/npm/mixpanel-snippet.js"></script>
<script type="text/plain" data-assent="analytics" src="/demo-vendor/mixpanel-tag.js"></script>
<script src="/demo-assets/inspector.js"></script>
</body></html>`;
};

const LANGUAGES = { fr: 'French', bg: 'Bulgarian' };

export const renderIndex = (dashboard: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Assent demo</title>
<link rel="stylesheet" href="/demo-assets/site.css"></head><body><div class="page"><main>
<h1>Assent demo</h1>
<p>Two shops built from two real privacy policies. Each page shows the consent inspector: what a marketer sees.</p>
<ul>${Object.values(SITES)
  .map(
    (s) =>
      `<li><a href="/${s.id}/">${esc(s.name)}</a>, in ${LANGUAGES[s.lang]} and English, from ${esc(s.notes.policy)}: <a href="/${s.id}/privacy-map">how its policy maps to the config</a></li>`,
  )
  .join('')}</ul>
<p><a href="${esc(dashboard)}">The site owner’s consent dashboard</a> (admin token <code>demo</code>).</p>
</main></div></body></html>`;
