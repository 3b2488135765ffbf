// The site owner's dashboard (src/dashboard, built beside the collector), served by the collector at
// /dashboard/ under whatever prefix it is mounted at: its page reads the collector that serves it.
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './app';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

// The page holds the admin token: no framing, no third-party scripts or styles, no referrer. It may
// still read a collector on another origin (`?collector=`), so connect-src stays open.
const HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; connect-src *; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** `dashboard/` beside the running module: where the build puts it next to `collector.mjs`. */
export const builtDashboard = (moduleUrl: string) => resolve(dirname(fileURLToPath(moduleUrl)), 'dashboard');

export const serveDashboard = (app: FastifyInstance, dir: string | undefined) => {
  // Relative, so that it stays under the prefix the collector is mounted at.
  app.get('/dashboard', async (req, reply) => reply.redirect(`dashboard/${req.url.replace(/^[^?]*/, '')}`, 308));
  app.get(
    '/dashboard/*',
    { schema: { params: { type: 'object', properties: { '*': { type: 'string' } } } } },
    async (req, reply) => {
      if (!dir)
        throw new HttpError(404, 'not_found', 'the dashboard is not built: npm run build writes dist/dashboard/');
      const root = resolve(dir);
      const path = (req.params as { '*': string })['*'];
      const file = resolve(root, path === '' || path.endsWith('/') ? `${path}index.html` : path);
      const type = TYPES[extname(file)];
      const body = file.startsWith(root + sep) && type ? await readFile(file).catch(() => null) : null;
      if (!body) throw new HttpError(404, 'not_found', 'no such file in the dashboard');
      // Built assets are named by their hash; the page itself must be asked for again.
      const cache = file.startsWith(resolve(root, 'assets') + sep) ? 'public, max-age=31536000, immutable' : 'no-cache';
      return reply.headers({ ...HEADERS, 'Content-Type': type, 'Cache-Control': cache }).send(body);
    },
  );
};
