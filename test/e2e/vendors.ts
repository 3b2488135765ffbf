// Small fakes of the vendor SDKs and embeds the recipes (docs/recipes/) load, answered at the vendors'
// real URLs through Playwright's routing. Each behaves like the real one in what a consent test can
// see: it sets the vendor's first-party cookies (on the highest domain that takes them, as the real
// ones do), sends its hit or pixel to the vendor's collection URL, and the Google tag (gtag.js, or a
// GTM container holding it) reads Consent Mode from the dataLayer.
import type { BrowserContext, Request } from '@playwright/test';

// Shared by every fake script: the vendors' "auto" cookie domain (the highest parent domain of the page
// that takes a cookie, falling back to the host itself).
const COOKIES = `
function getCookie(n) { var m = document.cookie.match(new RegExp('(?:^|; )' + n + '=([^;]*)')); return m ? m[1] : null; }
function setCookie(n, v, maxAge) {
  var life = maxAge === null ? '' : '; max-age=' + maxAge, h = location.hostname.split('.');
  for (var i = h.length - 2; i >= 0; i--) {
    document.cookie = n + '=' + v + '; path=/; domain=' + h.slice(i).join('.') + life + '; samesite=lax';
    if (getCookie(n) === v) return;
  }
  document.cookie = n + '=' + v + '; path=/' + life + '; samesite=lax';
}
function random() { return String(Math.floor(Math.random() * 1e9)); }
`;

// The Google tag, as gtag.js and a GTM container holding it run it: it reads the consent commands
// queued in the dataLayer and every later one, and sends a page_view for each config: the gtag config
// commands in the dataLayer, and `tags`, the measurement ids built into a container. Without a consent
// default everything counts as granted, as in the real tag; with analytics_storage denied it sets and
// reads no cookie and its hits carry no client id (the cookieless pings of advanced Consent Mode).
// gcs is G1 followed by ad_storage and analytics_storage, 1 granted, 0 denied. A page_view waits for
// an update up to wait_for_update ms.
const googleTag = (tags: string[]) => `(function () {
${COOKIES}
  var consent = { ad_storage: 'granted', analytics_storage: 'granted' }, waitUntil = 0, updated = false, waiting = [];
  var gcs = function () { return 'G1' + (consent.ad_storage === 'granted' ? 1 : 0) + (consent.analytics_storage === 'granted' ? 1 : 0); };
  var clientId = function (tid) {
    if (consent.analytics_storage !== 'granted') return null;
    var now = Math.floor(Date.now() / 1000), ga = getCookie('_ga');
    if (!ga) setCookie('_ga', (ga = 'GA1.1.' + random() + '.' + now), 63072000);
    setCookie('_ga_' + tid.slice(2), 'GS2.1.s' + now + '$o1$g0$t' + now, 63072000);
    return ga.split('.').slice(2).join('.');
  };
  var hit = function (tid, en) {
    var cid = clientId(tid);
    navigator.sendBeacon('https://www.google-analytics.com/g/collect?v=2&tid=' + tid + '&gcs=' + gcs() +
      (cid ? '&cid=' + cid : '') + '&en=' + en + '&dl=' + encodeURIComponent(location.href));
  };
  var flush = function () { while (waiting.length) hit(waiting.shift(), 'page_view'); };
  var run = function (a) {
    if (!a || typeof a[0] !== 'string') return;
    if (a[0] === 'consent') {
      var wasDenied = consent.analytics_storage !== 'granted';
      for (var k in a[2]) if (k in consent) consent[k] = a[2][k];
      if (a[1] === 'default' && a[2].wait_for_update) waitUntil = Date.now() + a[2].wait_for_update;
      if (a[1] === 'update') {
        updated = true;
        flush();
        if (wasDenied && consent.analytics_storage === 'granted') configs.forEach(function (tid) { hit(tid, 'user_engagement'); });
      }
    } else if (a[0] === 'config') {
      configs.push(a[1]);
      waiting.push(a[1]);
      if (updated || Date.now() >= waitUntil) flush();
      else setTimeout(flush, waitUntil - Date.now());
    }
  };
  var configs = [], dl = (window.dataLayer = window.dataLayer || []);
  for (var i = 0; i < dl.length; i++) run(dl[i]);
  ${JSON.stringify(tags)}.forEach(function (tid) { run(['config', tid]); });
  var push = dl.push;
  dl.push = function () { for (var j = 0; j < arguments.length; j++) run(arguments[j]); return push.apply(dl, arguments); };
})();`;

// fbevents.js: takes over the fbq queue the snippet made, sets _fbp (and _fbc after an ad click) and
// sends each tracked event to the pixel endpoint as an image.
const FBEVENTS = `(function () {
${COOKIES}
  var fbq = window.fbq, pixels = [], now = Date.now();
  var fbp = getCookie('_fbp');
  if (!fbp) setCookie('_fbp', (fbp = 'fb.1.' + now + '.' + random()), 7776000);
  var click = /[?&]fbclid=([^&]+)/.exec(location.search);
  if (click) setCookie('_fbc', 'fb.1.' + now + '.' + click[1], 7776000);
  var call = function (command, a) {
    if (command === 'init') pixels.push(a);
    if (command === 'track') pixels.forEach(function (id) {
      new Image().src = 'https://www.facebook.com/tr/?id=' + id + '&ev=' + a + '&dl=' + encodeURIComponent(location.href) + '&fbp=' + fbp;
    });
  };
  fbq.callMethod = function () { call.apply(null, arguments); };
  fbq.queue.splice(0).forEach(function (args) { call.apply(null, args); });
})();`;

// Hotjar's site script: its session cookies and storage keys, then the visit data.
const HOTJAR = `(function () {
${COOKIES}
  var id = window._hjSettings.hjid;
  setCookie('_hjSessionUser_' + id, btoa('{"id":"' + random() + '"}'), 31536000);
  setCookie('_hjSession_' + id, btoa('{"s":' + Date.now() + '}'), 1800);
  localStorage.setItem('hjActiveViewportIds', '["' + random() + '"]');
  sessionStorage.setItem('hjViewportId', random());
  navigator.sendBeacon('https://in.hotjar.com/api/v2/client/sites/' + id + '/visit-data?sv=' + window._hjSettings.hjsv);
})();`;

// Clarity's tag: its user and session cookies, then the recording data.
const CLARITY = `(function () {
${COOKIES}
  var uid = getCookie('_clck');
  setCookie('_clck', uid || random() + '%7C2%7Cf1%7C0%7C1', 31536000);
  setCookie('_clsk', random() + '%7C' + Date.now() + '%7C1%7C1%7Ca.clarity.ms%2Fcollect', 86400);
  navigator.sendBeacon('https://a.clarity.ms/collect', 'recording');
})();`;

// HubSpot's loader adds its analytics script, which sets the tracking cookies and sends the page view.
const hubspotLoader = (hubId: string) => `(function () {
  var s = document.createElement('script');
  s.src = 'https://js.hs-analytics.net/analytics/1767225600000/${hubId}.js';
  document.head.appendChild(s);
})();`;
const hubspotAnalytics = (hubId: string) => `(function () {
${COOKIES}
  var utk = getCookie('hubspotutk') || random() + random(), now = Date.now();
  setCookie('hubspotutk', utk, 15552000);
  setCookie('__hstc', '1.' + utk + '.' + now + '.' + now + '.' + now + '.1', 15552000);
  setCookie('__hssc', '1.1.' + now, 1800);
  setCookie('__hssrc', '1', null);
  new Image().src = 'https://track.hubspot.com/__ptq.gif?k=1&a=${hubId}&vi=' + utk + '&u=' + encodeURIComponent(location.href);
})();`;

// An embed's page: the player or map asks its host for more (a poster, tiles) once it is shown.
const embed = (asset: string) =>
  `<!doctype html><html><body><img alt="" src="${asset}"><script>localStorage.setItem('embed-visited', '1');</script></body></html>`;

type Fake = { pattern: RegExp; type: string; body: (url: URL) => string };

const FAKES: Fake[] = [
  {
    pattern: /^https:\/\/www\.googletagmanager\.com\/gtag\/js\?id=G-/,
    type: 'text/javascript',
    body: () => googleTag([]),
  },
  // gtm.js: a container whose one tag is a Google tag for G-XXXXXXXXXX, fired on every page.
  {
    pattern: /^https:\/\/www\.googletagmanager\.com\/gtm\.js\?id=GTM-/,
    type: 'text/javascript',
    body: () => googleTag(['G-XXXXXXXXXX']),
  },
  { pattern: /^https:\/\/connect\.facebook\.net\/en_US\/fbevents\.js$/, type: 'text/javascript', body: () => FBEVENTS },
  {
    pattern: /^https:\/\/static\.hotjar\.com\/c\/hotjar-\d+\.js\?sv=\d+$/,
    type: 'text/javascript',
    body: () => HOTJAR,
  },
  { pattern: /^https:\/\/www\.clarity\.ms\/tag\/\w+$/, type: 'text/javascript', body: () => CLARITY },
  {
    pattern: /^https:\/\/js\.hs-scripts\.com\/\d+\.js$/,
    type: 'text/javascript',
    body: (u) => hubspotLoader(u.pathname.slice(1, -3)),
  },
  {
    pattern: /^https:\/\/js\.hs-analytics\.net\/analytics\/\d+\/\d+\.js$/,
    type: 'text/javascript',
    body: (u) => hubspotAnalytics(u.pathname.replace(/.*\/|\.js$/g, '')),
  },
  {
    pattern: /^https:\/\/www\.youtube-nocookie\.com\/embed\/[\w-]+/,
    type: 'text/html',
    body: (u) => embed(`https://i.ytimg.com/vi/${u.pathname.split('/')[2]}/hqdefault.jpg`),
  },
  {
    pattern: /^https:\/\/player\.vimeo\.com\/video\/\d+/,
    type: 'text/html',
    body: (u) => embed(`https://i.vimeocdn.com/video/${u.pathname.split('/')[2]}-d_640`),
  },
  {
    pattern: /^https:\/\/www\.google\.com\/maps\/embed\?pb=/,
    type: 'text/html',
    body: () => embed('https://maps.googleapis.com/maps/vt?pb=!1m4!1m3!1i15!2i16598!3i11273'),
  },
];

/** A request that left for a host other than the site's. */
export interface VendorRequest {
  url: string;
  method: string;
}

/**
 * Answers every request for another host than `siteHost` with the vendor fakes (404 for the rest, such
 * as beacons and pixels) and logs it: the log is what the site's visitor sent to third parties.
 */
export const answerVendors = async (context: BrowserContext, siteHost: string): Promise<VendorRequest[]> => {
  const log: VendorRequest[] = [];
  await context.route(
    (url) => url.hostname !== siteHost,
    (route, request: Request) => {
      log.push({ url: request.url(), method: request.method() });
      const fake = FAKES.find((f) => f.pattern.test(request.url()));
      return fake
        ? route.fulfill({ status: 200, contentType: fake.type, body: fake.body(new URL(request.url())) })
        : route.fulfill({ status: 404, body: '' });
    },
  );
  return log;
};
