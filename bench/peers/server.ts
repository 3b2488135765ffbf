// The peer comparison's pages, served from loopback by a process of its own (as scripts/bench-site.ts),
// uncompressed: the bench compresses each response body itself. Every file is read into memory at start,
// so a rebuild of dist/ by someone else during the run changes nothing.
// Usage: tsx bench/peers/server.ts <dir of Vite's c15t build>. Prints one JSON line: origin and page URLs.
// ASSENT_DIST serves another build than dist/ (as the end-to-end tests' server does).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { Site } from '../../test/e2e/site';
import { type PageId, pages } from './pages';

const here = import.meta.dirname;
const modules = resolve(here, '../../node_modules');
const dist = resolve(process.env.ASSENT_DIST || resolve(here, '../../dist'));
const c15tDir = process.argv[2];
if (!c15tDir) throw new Error('usage: server.ts <c15t build dir>');

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css' };
const site = await new Site().start();
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
const serve = (path: string, file: string) => site.file(path, readFileSync(file, 'utf8'), TYPES[extname(file)]);
const serveDir = (prefix: string, dir: string, only = /\.(m?js|css)$/) => {
  for (const file of walk(dir)) if (only.test(file)) serve(`${prefix}/${relative(dir, file)}`, file);
};

// Assent: the loader, and the one release folder of chunks it loads from. (Waits out a rebuild of dist/
// under way, which empties it first.)
const assent = async () => {
  for (let attempt = 0; attempt < 60; attempt++) {
    const loader = existsSync(join(dist, 'assent.js')) ? readFileSync(join(dist, 'assent.js'), 'utf8') : '';
    const release = /chunks\/[\w-]+\//.exec(loader)?.[0];
    if (release && existsSync(join(dist, release, 'ui.js'))) return { loader, release };
    await new Promise((done) => setTimeout(done, 1000));
  }
  throw new Error('no dist/assent.js with its chunks: run `npm run build`');
};
const { loader, release } = await assent();
site.file('/w/assent/assent.js', loader);
serveDir(`/w/assent/${release.slice(0, -1)}`, join(dist, release));

serve('/w/cookieconsent/cookieconsent.umd.js', join(modules, 'vanilla-cookieconsent/dist/cookieconsent.umd.js'));
serve('/w/cookieconsent/cookieconsent.css', join(modules, 'vanilla-cookieconsent/dist/cookieconsent.css'));
serve('/w/cookieconsent/cookieconsent-config.js', join(here, 'cookieconsent-config.js'));

serve('/w/klaro/klaro.js', join(modules, 'klaro/dist/klaro.js'));
serve('/w/klaro/config.js', join(here, 'klaro-config.js'));

// tarteaucitron loads its language, services and CSS files from its own folder.
serveDir('/w/tarteaucitron', join(modules, 'tarteaucitronjs'));
serve('/w/tarteaucitron/bench-init.js', join(here, 'tarteaucitron-init.js'));

const manifest: Record<string, { file: string; css?: string[]; isEntry?: boolean }> = JSON.parse(
  readFileSync(join(c15tDir, '.vite/manifest.json'), 'utf8'),
);
const entry = Object.values(manifest).find((m) => m.isEntry);
if (!entry) throw new Error('no entry in the c15t build');
serveDir('/w/c15t', c15tDir);

// The gated script: records when it first starts, in ms since navigation start.
site.file('/gated.js', 'window.__gatedAt = window.__gatedAt || performance.now();');

const urls: Partial<Record<PageId, string>> = {};
for (const [id, html] of Object.entries(pages({ js: entry.file, css: entry.css ?? [] })))
  urls[id as PageId] = site.page(html);
console.log(JSON.stringify({ origin: site.origin, pages: urls }));
