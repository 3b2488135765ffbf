// The bench pages, served from a process of their own so that the browser's requests never wait on
// the bench's own event loop. Prints one JSON line: the URL of each page.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pageWith, Site } from '../test/e2e/site';

const site = await new Site().start();
const config = JSON.parse(readFileSync(resolve(import.meta.dirname, '../demo/configs/blooom.json'), 'utf8'));
const article = '<article><h2>Product</h2><p>A page of a shop, with text and a few sections.</p></article>'.repeat(40);

// A page that inserts 2,000 nodes the ways a front-end framework or a tag does: DOM calls, then
// markup. `__insert()` answers how long that took, the observers' work included.
const insert = `<script>
  window.__insert = () => new Promise((done) => {
    const gif = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
    const t0 = performance.now();
    const root = document.createElement('div');
    document.body.append(root);
    for (let i = 0; i < 1000; i++) {
      const el = document.createElement(['div', 'img', 'a', 'span'][i % 4]);
      if (i % 4 === 1) { el.alt = ''; el.src = gif; }
      if (i % 4 === 2) el.href = '/product/' + i;
      el.textContent = i % 4 === 1 ? '' : 'item ' + i;
      (i % 10 ? root.lastElementChild || root : root).appendChild(el);
    }
    root.insertAdjacentHTML('beforeend', '<p>text <img alt="" src="' + gif + '"></p>'.repeat(250));
    const list = document.createElement('ul');
    list.innerHTML = '<li><a href="/a">link</a></li>'.repeat(250);
    root.append(list);
    setTimeout(() => done(performance.now() - t0));
  });
</script>`;
const matching = {
  ...config,
  services: [
    ...config.services,
    ...['ads', 'pixel', 'chat', 'video', 'social'].map((id) => ({
      id: `bench-${id}`,
      name: id,
      purposes: [config.purposes.find((p: { basis: string }) => p.basis === 'consent').id],
      privacyPolicyUrl: 'https://example.com/privacy',
      match: [`https://${id}.example.com/`, `/^https:\\/\\/[^/]*\\.${id}cdn\\.net\\//`],
    })),
  ],
};
console.log(
  JSON.stringify({
    banner: site.page(pageWith(config, article)),
    dom: {
      'no Assent': site.page(
        `<!doctype html><html lang="en"><head><title>bench</title></head><body>${insert}</body></html>`,
      ),
      'assent.js': site.page(pageWith(config, insert)),
      'assent-autoblock.js, 10 match rules': site.page(pageWith(matching, insert, '', '/dist/assent-autoblock.js')),
    },
  }),
);
