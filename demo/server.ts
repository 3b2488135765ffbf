// `npm run demo`: the demo sites built from the two seed policies, served on localhost.
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { extname, resolve } from 'node:path';
import { rolldown } from 'rolldown';
import { startCollector } from '../src/collector/collector';
import { renderIndex, renderPage } from './site/pages';
import { PAGES, type PageId, type SiteId } from './site/sites';

const root = resolve(import.meta.dirname, '..');
// ASSENT_DIST serves another build than dist/ (as the end-to-end tests' server does).
const dist = resolve(process.env.ASSENT_DIST || resolve(root, 'dist'));
const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
};

// The consent inspector, bundled from TypeScript when the server starts.
const inspector = (
  await (
    await rolldown({ input: resolve(root, 'demo/inspector/index.ts'), platform: 'browser' })
  ).generate({
    format: 'iife',
    minify: true,
  })
).output[0].code;

// Requests the demo's third parties make (Mixpanel's events, the pixel's hits) end here, on this server.
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const sink = (path: string, res: ServerResponse) => {
  const gif = path.endsWith('.gif');
  res.writeHead(200, { 'Content-Type': gif ? 'image/gif' : 'text/plain', 'Cache-Control': 'no-store' });
  res.end(gif ? GIF : '1');
};

// Files from npm packages that the demo pages load, under names of their own.
const NPM: Record<string, string> = {
  'mixpanel-snippet.js': 'mixpanel-browser/dist/mixpanel-jslib-snippet.min.js',
  'mixpanel.min.js': 'mixpanel-browser/dist/mixpanel.min.js',
};

// The reference collector, served from the site's own origin under /consent/ (so it also re-issues
// the consent cookie), on an embedded database in .assent-data/demo.
const dataDir = resolve(process.env.ASSENT_DATA_DIR || resolve(root, '.assent-data/demo'));
const {
  app: collector,
  close,
  verify,
} = await startCollector({
  dataDir,
  origins: [`http://${host}:${port}`, `http://localhost:${port}`],
  rateLimit: 0,
  trustProxy: false,
  adminToken: process.env.ASSENT_ADMIN_TOKEN || 'demo',
  dashboardDir: resolve(dist, 'dashboard'),
});
await collector.ready();
verify();
const stop = async () => {
  await close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

// The site owner's dashboard (built into dist/dashboard/), which the collector serves itself at
// /consent/dashboard/; it reads that collector with the admin token. /dashboard/ leads there.
const dashboardUrl = `http://${host}:${port}/consent/dashboard/`;

createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path.startsWith('/consent/')) {
    req.url = (req.url as string).slice('/consent'.length);
    collector.server.emit('request', req, res);
    return;
  }
  if (path === '/dashboard' || path.startsWith('/dashboard/')) {
    res.writeHead(308, { Location: '/consent/dashboard/' }).end();
    return;
  }
  const send = (status: number, body: string | Buffer, type = 'text/html; charset=utf-8') => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const page = /^\/(blooom|blokku)\/([\w-]*)$/.exec(path);
  if (path === '/') return send(200, renderIndex(dashboardUrl));
  if (page && (page[2] === '' || PAGES.includes(page[2] as PageId)))
    return send(
      200,
      renderPage(
        page[1] as SiteId,
        (page[2] || 'home') as PageId,
        new URL(req.url ?? '/', 'http://x').searchParams.get('lang'),
      ),
    );
  if (path === '/demo-assets/inspector.js') return send(200, inspector, TYPES['.js']);
  if (path.startsWith('/demo-sink/')) return sink(path, res);
  const npm = NPM[path.slice('/demo-vendor/npm/'.length)];
  const file = path.startsWith('/dist/')
    ? resolve(dist, `.${path.slice('/dist'.length)}`)
    : npm && path.startsWith('/demo-vendor/npm/')
      ? resolve(root, 'node_modules', npm)
      : path.startsWith('/demo-vendor/')
        ? resolve(root, 'demo/vendor', path.slice('/demo-vendor/'.length))
        : path.startsWith('/demo-assets/')
          ? resolve(root, 'demo/assets', path.slice('/demo-assets/'.length))
          : path.startsWith('/demo-configs/')
            ? resolve(root, 'demo/configs', path.slice('/demo-configs/'.length))
            : null;
  if (file?.startsWith(`${path.startsWith('/dist/') ? dist : root}/`)) {
    try {
      return send(200, readFileSync(file), TYPES[extname(file)] ?? 'application/octet-stream');
    } catch {}
  }
  send(404, 'not found', 'text/plain');
}).listen(port, host, () => {
  const base = `http://${host}:${port}`;
  console.log(`Assent demo: ${base}/
  Blooom (fr + en):  ${base}/blooom/
  Blokku (bg + en):  ${base}/blokku/
  collector:         ${base}/consent/ (embedded database in ${dataDir})
  dashboard:         ${dashboardUrl} (admin token "${process.env.ASSENT_ADMIN_TOKEN || 'demo'}")`);
});
