// `npm run demo`: the demo sites built from the two seed policies, served on localhost.
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, resolve } from 'node:path';
import { buildApp } from '../src/collector/app';
import { migrate, openPglite } from '../src/collector/db';
import { loadSigningKey } from '../src/collector/keys';
import { lockDataDir } from '../src/collector/lock';

const root = resolve(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
};

const sites = {
  blooom: { lang: 'fr', name: 'Blooom', tagline: 'Des fleurs livrées chez vous' },
  blokku: { lang: 'bg', name: 'Blokku', tagline: 'Онлайн магазин' },
} as const;

const sitePage = (id: keyof typeof sites) => {
  const site = sites[id];
  const config = readFileSync(resolve(root, `demo/configs/${id}.json`), 'utf8').replace(/<\//g, '<\\/');
  return `<!doctype html>
<html lang="${site.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${site.name}</title>
<script type="application/json" id="assent-config">${config}</script>
<script src="/dist/assent.js"></script>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}</style>
</head><body>
<header><h1>${site.name}</h1><p>${site.tagline}</p></header>
<main>
<p><button type="button" data-assent-open>Cookies</button>
<button type="button" id="accept">assent.acceptAll()</button> <button type="button" id="reject">assent.rejectAll()</button></p>
<h2>assent.getState()</h2><pre id="state"></pre>
<h2>Gated scripts that ran</h2><pre id="ran">none</pre>
</main>
<script type="text/plain" data-assent="analytics" src="/demo-vendor/analytics.js"></script>
<script>
  var show = function () {
    document.getElementById('state').textContent = JSON.stringify(assent.getState(), null, 2);
    document.getElementById('ran').textContent = (window.demoLog || []).join('\\n') || 'none';
  };
  assent.on('ready', show); assent.on('change', show); document.addEventListener('demo:ran', show);
  document.getElementById('accept').onclick = function () { assent.acceptAll(); };
  document.getElementById('reject').onclick = function () { assent.rejectAll(); };
</script>
</body></html>`;
};

const index = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Assent demo</title></head><body>
<h1>Assent demo</h1><ul>${Object.entries(sites)
  .map(([id, s]) => `<li><a href="/${id}/">${s.name}</a> (${s.lang} + en), from seeds/ policy</li>`)
  .join('')}</ul></body></html>`;

// The reference collector, served from the site's own origin under /consent/ (so it also re-issues
// the consent cookie), on an embedded database in .assent-data/demo.
const dataDir = resolve(root, '.assent-data/demo');
mkdirSync(dataDir, { recursive: true });
const release = lockDataDir(dataDir);
const db = await openPglite(resolve(dataDir, 'pglite'));
await migrate(db);
const collector = await buildApp({
  db,
  key: await loadSigningKey(db, dataDir),
  origins: [`http://${host}:${port}`, `http://localhost:${port}`],
  rateLimit: 0,
  trustProxy: false,
  adminToken: process.env.ASSENT_ADMIN_TOKEN || 'demo',
});
await collector.ready();
process.once('SIGINT', async () => {
  await collector.close();
  await db.close();
  release();
  process.exit(0);
});

createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path.startsWith('/consent/')) {
    req.url = (req.url as string).slice('/consent'.length);
    collector.server.emit('request', req, res);
    return;
  }
  const send = (status: number, body: string | Buffer, type = 'text/html; charset=utf-8') => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const site = /^\/(blooom|blokku)\/$/.exec(path)?.[1] as keyof typeof sites | undefined;
  if (path === '/') return send(200, index);
  if (site) return send(200, sitePage(site));
  const file = path.startsWith('/dist/')
    ? resolve(root, `.${path}`)
    : path.startsWith('/demo-vendor/')
      ? resolve(root, 'demo/vendor', path.slice('/demo-vendor/'.length))
      : null;
  if (file?.startsWith(root)) {
    try {
      return send(200, readFileSync(file), TYPES[extname(file)] ?? 'application/octet-stream');
    } catch {}
  }
  send(404, 'not found', 'text/plain');
}).listen(port, host, () =>
  console.log(
    `Assent demo: http://${host}:${port}/  (collector: http://${host}:${port}/consent/, admin token "${process.env.ASSENT_ADMIN_TOKEN || 'demo'}")`,
  ),
);
