// Auto-blocking (assent-autoblock.js): every way a tag inserts a matching element makes no request
// before consent, proven by the test server's request log; on consent they load, in order.
import type { AssentConfig } from '../../src/core/config';
import { shopConfig } from '../fixtures/configs';
import { expect, ran, test } from './fixtures';
import { pageWith } from './site';

const config = (): AssentConfig => ({
  ...shopConfig(),
  services: [
    {
      id: 'tracker',
      name: 'Tracker',
      purposes: ['analytics'],
      privacyPolicyUrl: 'https://t.example/p',
      match: ['/vendor/track'],
    },
    {
      id: 'video',
      name: 'VideoTube',
      purposes: ['marketing'],
      privacyPolicyUrl: 'https://v.example/p',
      match: ['/embed/'],
    },
    {
      id: 'pixel',
      name: 'Pixel',
      purposes: ['marketing'],
      privacyPolicyUrl: 'https://p.example/p',
      match: ['/^.*\\/px\\.gif/'],
    },
    {
      id: 'styles',
      name: 'Styles',
      purposes: ['marketing'],
      privacyPolicyUrl: 'https://s.example/p',
      match: ['/style-'],
    },
  ],
});
const page = (site: { page: (html: string) => string }, body = '', head = '') =>
  site.page(pageWith(config(), body, head, '/dist/assent-autoblock.js'));

// How a tag inserts each kind of element; every one must make no request before consent.
const WAYS: Record<string, (url: string) => string> = {
  'script: createElement + src, then appendChild': (u) =>
    `const s = document.createElement('script'); s.src = '${u}'; document.body.appendChild(s);`,
  'script: appendChild, then setAttribute("src")': (u) =>
    `const s = document.createElement('script'); document.body.appendChild(s); s.setAttribute('src', '${u}');`,
  'script: insertBefore': (u) =>
    `const s = document.createElement('script'); s.src = '${u}'; document.body.insertBefore(s, document.body.firstChild);`,
  'script: append': (u) =>
    `const s = document.createElement('script'); s.setAttribute('src', '${u}'); document.body.append(s);`,
  'iframe: createElement + src, then append': (u) =>
    `const f = document.createElement('iframe'); f.src = '${u}'; f.title = 'x'; document.body.append(f);`,
  'iframe: append, then setAttribute("src")': (u) =>
    `const f = document.createElement('iframe'); f.title = 'x'; document.body.append(f); f.setAttribute('src', '${u}');`,
  'iframe: innerHTML': (u) =>
    `document.body.insertAdjacentHTML('beforeend', '<div></div>'); document.body.lastChild.innerHTML = '<iframe title="x" src="${u}"></iframe>';`,
  'iframe: insertAdjacentHTML': (u) =>
    `document.body.insertAdjacentHTML('beforeend', '<iframe title="x" src="${u}"></iframe>');`,
  'img: new Image()': (u) => `const i = new Image(); i.src = '${u}'; window.__img = i;`,
  'img: createElement + setAttribute, then append': (u) =>
    `const i = document.createElement('img'); i.setAttribute('src', '${u}'); i.alt = ''; document.body.append(i);`,
  'img: innerHTML': (u) =>
    `const d = document.createElement('div'); d.innerHTML = '<img alt="" src="${u}">'; document.body.append(d);`,
  'img: srcset': (u) =>
    `const i = document.createElement('img'); i.srcset = '${u} 1x'; i.alt = ''; document.body.append(i);`,
  'link stylesheet: createElement + href, then append': (u) =>
    `const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = '${u}'; document.head.append(l);`,
  'link preload: setAttribute after append': (u) =>
    `const l = document.createElement('link'); l.rel = 'preload'; l.as = 'style'; document.head.append(l); l.setAttribute('href', '${u}');`,
  'link: insertAdjacentHTML': (u) =>
    `document.head.insertAdjacentHTML('beforeend', '<link rel="stylesheet" href="${u}">');`,
  'link: innerHTML': (u) =>
    `const d = document.createElement('div'); d.innerHTML = '<link rel="stylesheet" href="${u}">'; document.body.append(d);`,
  'link prefetch: appendChild': (u) =>
    `const l = document.createElement('link'); l.rel = 'prefetch'; l.href = '${u}'; document.head.appendChild(l);`,
  'iframe: appendChild': (u) =>
    `const f = document.createElement('iframe'); f.src = '${u}'; f.title = 'x'; document.body.appendChild(f);`,
  'iframe: insertBefore': (u) =>
    `const f = document.createElement('iframe'); f.src = '${u}'; f.title = 'x'; document.body.insertBefore(f, document.body.firstChild);`,
  'img: insertAdjacentHTML': (u) => `document.body.insertAdjacentHTML('beforeend', '<img alt="" src="${u}">');`,
  'img: appendChild': (u) =>
    `const i = document.createElement('img'); i.src = '${u}'; i.alt = ''; document.body.appendChild(i);`,
  'img: insertBefore': (u) =>
    `const i = document.createElement('img'); i.src = '${u}'; i.alt = ''; document.body.insertBefore(i, document.body.firstChild);`,
  'script: innerHTML (the browser never runs these)': (u) =>
    `const d = document.createElement('div'); d.innerHTML = '<script src="${u}"><\\/script>'; document.body.append(d);`,
  'script: insertAdjacentHTML (the browser never runs these)': (u) =>
    `document.body.insertAdjacentHTML('beforeend', '<script src="${u}"><\\/script>');`,
  'iframe: append, then src': (u) =>
    `const f = document.createElement('iframe'); f.title = 'x'; document.body.append(f); f.src = '${u}';`,
  'img: append, then src': (u) =>
    `const i = document.createElement('img'); i.alt = ''; document.body.append(i); i.src = '${u}';`,
  'link stylesheet: insertBefore': (u) =>
    `const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = '${u}'; document.head.insertBefore(l, document.head.firstChild);`,
  'link stylesheet: append, then href': (u) =>
    `const l = document.createElement('link'); l.rel = 'stylesheet'; document.head.append(l); l.href = '${u}';`,
};
const URLS: Record<string, string> = { script: 'vendor/track', iframe: '/ab-embed/', img: '/px.gif', link: '/style-' };

for (const [way, code] of Object.entries(WAYS))
  test(`no request before consent: ${way}`, async ({ page: p, site }) => {
    const kind = way.split(':')[0].split(' ')[0];
    const stamp = `${Math.random().toString(36).slice(2)}`;
    const url =
      kind === 'script' ? `/t/vendor/track-${stamp}.js` : `${URLS[kind]}${stamp}${kind === 'link' ? '.css' : ''}`;
    if (kind === 'script') site.file(url, `(window.__ran = window.__ran || []).push('${stamp}')`);
    else
      site.file(
        url,
        kind === 'link' ? 'p{}' : '',
        kind === 'iframe' ? 'text/html' : kind === 'link' ? 'text/css' : 'image/gif',
      );
    await p.goto(page(site));
    await p.evaluate(code(url));
    await p.waitForTimeout(300);
    expect(site.requested(stamp)).toEqual([]);
    await p.evaluate(() => window.assent?.acceptAll());
    // On consent it loads (a preload hint or new Image() that was never inserted is released only if it is in the page).
    if (/never runs/.test(way)) {
      await p.waitForTimeout(300);
      expect([site.requested(stamp), await ran(p)]).toEqual([[], []]);
      return;
    }
    if (!/new Image/.test(way)) await expect.poll(() => site.requested(stamp).length).toBeGreaterThan(0);
    if (kind === 'script') await expect.poll(() => ran(p)).toEqual([stamp]);
  });

test('document.write of a matching script during parsing makes no request and never runs before consent', async ({
  page: p,
  site,
}) => {
  site.file('/t/vendor/track-written.js', "(window.__ran = window.__ran || []).push('written')");
  await p.goto(page(site, `<script>document.write('<script src="/t/vendor/track-written.js"><\\/script>')</script>`));
  await p.waitForTimeout(300);
  expect(site.requested('track-written')).toEqual([]);
  expect(await ran(p)).toEqual([]);
  await p.evaluate(() => window.assent?.acceptAll());
  await expect.poll(() => ran(p)).toEqual(['written']);
});

test('document.write of a matching iframe, image and stylesheet during parsing makes no request before consent', async ({
  page: p,
  site,
}) => {
  // A name of its own: the worker's server log also holds the other document.write test's script.
  site.file('/ab-embed/dw-embeds', '<p>x</p>', 'text/html');
  site.file('/px.gif-dw-embeds', '', 'image/gif');
  site.file('/style-dw-embeds.css', 'p{}', 'text/css');
  const markup =
    '<iframe title="w" src="/ab-embed/dw-embeds"></iframe><img alt="" src="/px.gif-dw-embeds"><link rel="stylesheet" href="/style-dw-embeds.css">';
  await p.goto(page(site, `<script>document.write(${JSON.stringify(markup)})</script>`));
  await p.waitForTimeout(300);
  expect(site.requested('dw-embeds')).toEqual([]);
  await p.evaluate(() => window.assent?.acceptAll());
  await expect.poll(() => site.requested('dw-embeds').length).toBe(3);
});

test('a matching script in later markup never runs before consent, and blocked elements are released in order', async ({
  page: p,
  site,
}) => {
  for (const name of ['a', 'b', 'c'])
    site.file(`/t/vendor/track-order-${name}.js`, `(window.__ran = window.__ran || []).push('${name}')`);
  const url = page(
    site,
    `<script src="/t/vendor/track-order-a.js"></script>
     <script>const s = document.createElement('script'); s.src = '/t/vendor/track-order-b.js'; s.async = false; document.currentScript.after(s);</script>
     <script src="/t/vendor/track-order-c.js"></script>`,
  );
  await p.goto(url);
  await p.waitForTimeout(300);
  expect(await ran(p)).toEqual([]);
  await p.evaluate(() => window.assent?.acceptAll());
  await expect.poll(() => ran(p)).toEqual(['a', 'b', 'c']);
  // A visitor who rejects never runs them, also after a reload.
  await p.context().clearCookies();
  await p.goto(url);
  await p.evaluate(() => window.assent?.rejectAll());
  await p.reload();
  await p.waitForTimeout(300);
  expect(await ran(p)).toEqual([]);
});

test('an auto-blocked iframe gets the placeholder', async ({ page: p, site }) => {
  await p.goto(page(site));
  await p.evaluate(() => {
    const f = document.createElement('iframe');
    f.src = '/ab-embed/placeholder';
    f.title = 'Video';
    document.body.append(f);
  });
  await expect(p.getByRole('group', { name: 'VideoTube' })).toBeVisible();
});

test('assent.dev.js without auto-blocking warns when services have match; the production loader stays quiet', async ({
  page: p,
  site,
  messages,
}) => {
  await p.goto(site.page(pageWith(config(), '', '', '/dist/assent.dev.js')));
  expect(messages).toContain('warning: assent: config.services[].match needs assent-autoblock.js');
  messages.length = 0;
  await p.goto(site.page(pageWith(config())));
  await expect(p.getByRole('region', { name: 'Your privacy choices' })).toBeVisible();
  expect(messages.filter((m) => m.includes('assent:'))).toEqual([]);
});

// Chromium starts a parser-inserted iframe's navigation when the element is inserted, before any
// script can observe it (mutation events are gone), and its preload scanner fetches images and
// stylesheets ahead of the parser. So these make a request; the auto-blocker cancels the iframe's
// navigation and unsets the others before they are used. Only `data-src`/`data-href` markup makes
// no request at all (the README says so).
test('matching iframes, images and stylesheets in later markup never run or apply before consent', async ({
  page: p,
  site,
}) => {
  site.file('/ab-embed/markup', '<script>parent.__frameRan = true</script>', 'text/html');
  site.file('/px.gif-markup', '', 'image/gif');
  site.file('/style-markup.css', 'main{color:rgb(1, 2, 3)}', 'text/css');
  await p.goto(
    page(
      site,
      '<iframe title="m" src="/ab-embed/markup"></iframe><img alt="" src="/px.gif-markup"><link rel="stylesheet" href="/style-markup.css">',
    ),
  );
  await p.waitForTimeout(500);
  const applied = () =>
    p.evaluate(() => ({
      frame: (window as { __frameRan?: boolean }).__frameRan === true,
      color: getComputedStyle(document.querySelector('main') as Element).color,
      image: document.querySelector('img')?.getAttribute('src') ?? null,
    }));
  expect(await applied()).toEqual({ frame: false, color: 'rgb(0, 0, 0)', image: null });
  await p.evaluate(() => window.assent?.acceptAll());
  await expect.poll(applied).toEqual({ frame: true, color: 'rgb(1, 2, 3)', image: '/px.gif-markup' });
});

test('a single-page app that changes route without reloading stays covered, before and after consent', async ({
  page: p,
  site,
}) => {
  site.file('/t/vendor/track-spa1.js', "(window.__ran = window.__ran || []).push('spa1')");
  site.file('/t/vendor/track-spa2.js', "(window.__ran = window.__ran || []).push('spa2')");
  site.file('/ab-embed/spa', '<p>x</p>', 'text/html');
  await p.goto(page(site));
  // A router renders each view: a new tree under <main>, built with the DOM API and with markup.
  const route = (name: string) =>
    p.evaluate((name) => {
      history.pushState({}, '', `#/${name}`);
      const view = document.createElement('section');
      view.innerHTML = `<h2>${name}</h2><iframe title="${name}" src="/ab-embed/spa?${name}"></iframe>`;
      const s = document.createElement('script');
      s.src = `/t/vendor/track-${name}.js`;
      view.append(s);
      (document.querySelector('main') as Element).replaceChildren(view);
    }, name);
  await route('spa1');
  await p.waitForTimeout(300);
  expect(site.requested('spa')).toEqual([]);
  await p.evaluate(() => window.assent?.acceptAll());
  await expect.poll(() => ran(p)).toEqual(['spa1']);
  await expect.poll(() => site.requested('/ab-embed/spa?spa1').length).toBe(1);
  // Later views load what is now allowed directly.
  await route('spa2');
  await expect.poll(() => ran(p)).toEqual(['spa1', 'spa2']);
  await expect.poll(() => site.requested('/ab-embed/spa?spa2').length).toBe(1);
});

// A tag inserts a tracker, then a script of the page's own: once the page's script has run, a
// tracker the blocker let through would have been requested before it.
const TAG = (stamp: string) => `<script>
  const tracker = document.createElement('script');
  tracker.src = '/t/vendor/track-${stamp}.js';
  document.head.appendChild(tracker);
  const own = document.createElement('script');
  own.src = '/t/own/${stamp}.js';
  document.head.appendChild(own);
</script>`;
const serveTag = (site: { file: (path: string, body: string) => void }, stamp: string) => {
  site.file(`/t/vendor/track-${stamp}.js`, `(window.__ran = window.__ran || []).push('tracker')`);
  site.file(`/t/own/${stamp}.js`, `(window.__ran = window.__ran || []).push('own')`);
};

test('a /regex/g pattern blocks every matching element, not every other one', async ({ page: p, site }) => {
  const c = config();
  (c.services as { match: string[] }[])[0].match = ['/\\/vendor\\/track-global/g'];
  for (const n of [1, 2, 3])
    site.file(`/t/vendor/track-global-${n}.js`, `(window.__ran = window.__ran || []).push(${n})`);
  site.file('/t/own/global.js', `(window.__ran = window.__ran || []).push('own')`);
  const tags = [1, 2, 3]
    .map(
      (n) =>
        `const t${n} = document.createElement('script'); t${n}.src = '/t/vendor/track-global-${n}.js'; document.head.appendChild(t${n});`,
    )
    .join('');
  await p.goto(
    site.page(
      pageWith(
        c,
        '',
        `<script>${tags} const own = document.createElement('script'); own.src = '/t/own/global.js'; document.head.appendChild(own);</script>`,
        '/dist/assent-autoblock.js',
      ),
    ),
  );
  await expect.poll(() => ran(p)).toEqual(['own']);
  expect(site.requested('track-global')).toEqual([]);
});

test.describe('fails closed', () => {
  test('with a config that fails its check, a tag’s matching tracker makes no request; a bad /regex/ breaks nothing', async ({
    page: p,
    site,
    messages,
  }) => {
    const bad = config() as unknown as { purposes: { basis: string }[]; services: { match: string[] }[] };
    bad.purposes[3].basis = 'consnet';
    bad.services[1].match = ['/[a-/', '/embed/'];
    serveTag(site, 'badconfig');
    await p.goto(site.page(pageWith(bad, '', TAG('badconfig'), '/dist/assent-autoblock.js')));
    await expect.poll(() => ran(p)).toEqual(['own']);
    expect(site.requested('track-badconfig')).toEqual([]);
    expect(messages.filter((m) => m.startsWith('pageerror'))).toEqual([]);
    expect(messages.filter((m) => m.startsWith('error: assent'))).toEqual([
      expect.stringContaining('config.purposes[3].basis must be one of'),
    ]);
  });

  test('after assent.js, assent-autoblock.js still blocks: the tracker makes no request, and the console says which to keep', async ({
    page: p,
    site,
    messages,
  }) => {
    serveTag(site, 'both');
    await p.goto(
      site.page(
        pageWith(config(), '', TAG('both')).replace(
          '<script src="/dist/assent.js"></script>',
          '<script src="/dist/assent.js"></script><script src="/dist/assent-autoblock.js"></script>',
        ),
      ),
    );
    await expect.poll(() => ran(p)).toEqual(['own']);
    expect(site.requested('track-both')).toEqual([]);
    expect(messages).toContain(
      'error: assent: assent-autoblock.js runs after another copy of Assent; load only assent-autoblock.js',
    );
  });

  test('a second assent-autoblock.js does nothing, and the first blocks and releases on', async ({
    page: p,
    site,
    messages,
  }) => {
    serveTag(site, 'twice');
    await p.goto(
      site.page(
        pageWith(config(), '', TAG('twice'), '/dist/assent-autoblock.js').replace(
          '<script src="/dist/assent-autoblock.js"></script>',
          '<script src="/dist/assent-autoblock.js"></script><script src="/dist/assent-autoblock.js"></script>',
        ),
      ),
    );
    expect(messages).toContain('warning: assent: loaded twice; the second copy does nothing');
    await expect.poll(() => ran(p)).toEqual(['own']);
    expect(site.requested('track-twice')).toEqual([]);
    await p.evaluate(() => window.assent?.acceptAll());
    await expect.poll(() => ran(p)).toEqual(['own', 'tracker']);
  });

  // A Proxy answers any key it is asked, Symbol.for('assent') included: only an own brand marks a
  // first copy of Assent, and anything else that holds window.assent fails closed.
  const holders: [string, string, string][] = [
    ['its own object', 'taken', 'window.assent = { get: function () { return true; } };'],
    ['a Proxy that answers every key', 'proxy', 'window.assent = new Proxy({}, { get: () => function () {} });'],
    [
      'an object that inherits the brand',
      'inherited',
      "Object.prototype[Symbol.for('assent')] = 1; window.assent = {};",
    ],
    [
      'a Proxy whose traps throw',
      'throwing',
      "const no = () => { throw new Error('no'); }; window.assent = new Proxy({}, { get: no, getOwnPropertyDescriptor: no, has: no });",
    ],
    // Anyone can write Symbol.for('assent'): a brand of the page's own is no auto-blocking copy.
    ['a brand of its own', 'forged', "window.assent = { [Symbol.for('assent')]: 1 };"],
  ];
  for (const [what, stamp, script] of holders)
    test(`when the page holds window.assent (${what}), a tag’s matching tracker makes no request, and Consent Mode defaults to denied`, async ({
      page: p,
      site,
      messages,
    }) => {
      serveTag(site, stamp);
      await p.goto(
        site.page(
          pageWith(config(), '', TAG(stamp), '/dist/assent-autoblock.js').replace(
            '<script type="application/json"',
            `<script>${script}</script><script type="application/json"`,
          ),
        ),
      );
      await expect.poll(() => ran(p)).toEqual(['own']);
      expect(site.requested(`track-${stamp}`)).toEqual([]);
      expect(messages).toContain(
        'error: assent: the page defines window.assent: rename it; only always-active purposes run',
      );
      expect(messages.filter((m) => m.startsWith('pageerror') || m.includes('loaded twice'))).toEqual([]);
      const defaults = await p.evaluate(() =>
        ((window as unknown as { dataLayer: IArguments[] }).dataLayer || [])
          .map((a) => Array.from(a))
          .filter((a) => a[0] === 'consent'),
      );
      expect(defaults[0]).toEqual([
        'consent',
        'default',
        expect.objectContaining({ ad_storage: 'denied', analytics_storage: 'denied', ad_user_data: 'denied' }),
      ]);
    });

  test('a match pattern that is no valid /regex/ throws nothing into the page’s tags; the others still block', async ({
    page: p,
    site,
    messages,
  }) => {
    const c = config();
    (c.services as { match: string[] }[])[1].match = ['/[a-/'];
    serveTag(site, 'badregex');
    await p.goto(site.page(pageWith(c, '', TAG('badregex'), '/dist/assent-autoblock.js')));
    await expect.poll(() => ran(p)).toEqual(['own']);
    expect(site.requested('track-badregex')).toEqual([]);
    expect(messages.filter((m) => m.startsWith('pageerror'))).toEqual([]);
    await p.evaluate(() => window.assent?.acceptAll());
    await expect.poll(() => ran(p)).toEqual(['own', 'tracker']);
  });
});
