// A real HTTP server for end-to-end tests: it serves dist/, pages a test writes, and vendor scripts
// that record when they run, and it logs every request so tests can prove what was (not) fetched.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve } from 'node:path';

// ASSENT_DIST serves another build, e.g. the last release's, to show that a test fails there.
const DIST = resolve(process.env.ASSENT_DIST || resolve(import.meta.dirname, '../../dist'));
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
};

export interface PageOptions {
  /** Extra response headers, e.g. a Content-Security-Policy, or several `Set-Cookie` as an array. */
  headers?: Record<string, string | string[]>;
  /** Serves the page at this path (a folder, e.g. `/a/b/`) rather than at a fresh folder of its own. */
  path?: string;
}

export interface LoggedRequest {
  path: string;
  time: number;
}

type Entry = { id: string; type: string; [key: string]: unknown };
/** How the test endpoint answers a batch; the default stores it and accepts it. */
export type Answer = {
  status?: number;
  body?: unknown;
  delay?: number;
  /** Answers only once this settles: a slow response whose moment the test chooses. */
  until?: Promise<unknown>;
  drop?: boolean;
  headers?: Record<string, string>;
  /** Re-issues the `assent` cookie the request carried, as the collector does on the site's origin. */
  reissue?: boolean;
  /** With `reissue`: the cookie's Domain, as the collector's `--cookie-domain`. */
  cookieDomain?: string;
};

/** What the endpoint saw of one POST. */
export interface Post {
  ids: string[];
  answered: number | 'dropped' | 'waiting';
  /** The request's `Origin` header, or null without one. */
  origin: string | null;
  /** The request's `Cookie` header, or null without one. */
  cookie: string | null;
}

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * A compact JWS whose payload is `text` (its signature part is a placeholder: the browser checks the
 * payload; verifying with the JWKS is the collector's own tests' business).
 */
export const testSignature = (text: string) => `${base64url('{"alg":"EdDSA"}')}.${base64url(text)}.dGVzdA`;

/** A receipt endpoint for tests: keeps entries by id (never twice), answers as the test says. */
export class Collector {
  readonly stored = new Map<string, Entry>();
  readonly posts: Post[] = [];
  answer: (batch: Entry[]) => Answer = () => ({});

  accept(batch: Entry[], rejectIds: string[] = []) {
    return batch.map((e) => {
      if (rejectIds.includes(e.id)) return { id: e.id, status: 'rejected', reason: 'test rejects it' };
      const duplicate = this.stored.has(e.id);
      if (!duplicate) this.stored.set(e.id, e);
      // The browser's entries are plain JSON: re-serialised, each is the text it was sent as.
      return { id: e.id, status: duplicate ? 'duplicate' : 'accepted', signature: testSignature(JSON.stringify(e)) };
    });
  }

  handle(body: string, req: IncomingMessage, res: ServerResponse) {
    let batch: Entry[];
    try {
      batch = JSON.parse(body);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const a = this.answer(batch);
    const post: Post = {
      ids: batch.map((e) => e.id),
      answered: 'waiting',
      origin: req.headers.origin ?? null,
      cookie: req.headers.cookie ?? null,
    };
    this.posts.push(post);
    if (a.drop) {
      post.answered = 'dropped';
      res.socket?.destroy();
      return;
    }
    const respond = () => {
      const status = a.status ?? 200;
      const payload =
        a.body ?? (status === 200 ? { results: this.accept(batch) } : { error: { code: 'test', message: 'test' } });
      const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json', ...a.headers };
      // Browsers may read the answer from another origin of the test server (*.test hosts).
      if (req.headers.origin) headers['Access-Control-Allow-Origin'] = req.headers.origin;
      const sent = /(?:^|; )assent=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
      if (a.reissue && sent)
        headers['Set-Cookie'] = `assent=${sent}; Path=/; Max-Age=86400; SameSite=Lax${
          a.cookieDomain ? `; Domain=${a.cookieDomain}` : ''
        }`;
      res.writeHead(status, headers);
      res.end(JSON.stringify(payload));
      post.answered = status;
    };
    const later = () => setTimeout(respond, a.delay ?? 0);
    if (a.until) a.until.then(later, later);
    else later();
  }

  /** Entries stored of one type. */
  of(type: string) {
    return [...this.stored.values()].filter((e) => e.type === type);
  }
}

/** One request passed on to a real collector, and what the collector answered. */
export interface Exchange {
  method: string;
  /** The path the collector saw: without the prefix, as a reverse proxy strips it. */
  path: string;
  body: string;
  /** The request's `Cookie` header, or null without one. */
  cookie: string | null;
  /** The collector's status; `held` while it waits, `dropped` when the browser left first, or the refusal's. */
  status: number | 'held' | 'dropped';
  answer: string;
  /** The collector's `Set-Cookie` headers. */
  setCookie: string[];
  /** False when the browser had gone when the answer came: the collector answered no one. */
  heard?: boolean;
}

/** How one request passes: held before it reaches the collector, or its answer held, or refused. */
export interface Passage {
  /** The request waits for this before it goes on; if the browser has gone by then, it never arrives. */
  before?: Promise<unknown>;
  /** The answer waits for this once the collector gave it (stored there, not yet heard). */
  after?: Promise<unknown>;
  /** Answers with this status without passing the request on. */
  refuse?: number;
}

/** A path of the test server passed on to a real collector, as the site's reverse proxy would. */
export class Forward {
  readonly exchanges: Exchange[] = [];
  passage: (exchange: Exchange) => Passage = () => ({});

  constructor(
    readonly prefix: string,
    readonly target: string,
  ) {}

  pass(req: IncomingMessage, res: ServerResponse, path: string) {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const exchange: Exchange = {
        method: req.method as string,
        path: path.slice(this.prefix.length - 1),
        body: body.toString(),
        cookie: req.headers.cookie ?? null,
        status: 'held',
        answer: '',
        setCookie: [],
      };
      this.exchanges.push(exchange);
      let gone = false;
      res.on('close', () => (gone = !res.writableFinished));
      res.on('error', () => {});
      const passage = this.passage(exchange);
      await passage.before;
      if (gone) {
        exchange.status = 'dropped';
        return;
      }
      if (passage.refuse) {
        exchange.status = passage.refuse;
        res.writeHead(passage.refuse, { 'Content-Type': 'application/json', 'Retry-After': '1' }).end('{}');
        return;
      }
      const headers = { ...req.headers, host: new URL(this.target).host };
      const out = request(new URL(exchange.path, this.target), { method: req.method, headers }, (answer) => {
        const got: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => got.push(chunk));
        answer.on('end', async () => {
          exchange.answer = Buffer.concat(got).toString();
          exchange.setCookie = answer.headers['set-cookie'] ?? [];
          exchange.status = answer.statusCode ?? 502;
          await passage.after;
          exchange.heard = !gone;
          if (gone) return;
          res.writeHead(exchange.status, answer.headers);
          res.end(exchange.answer);
        });
      });
      out.on('error', () => res.writeHead(502).end());
      out.end(body);
    });
  }
}

export class Site {
  readonly collector = new Collector();
  readonly log: LoggedRequest[] = [];
  private pages = new Map<string, { html: string; options: PageOptions }>();
  private forwards = new Map<string, Forward>();
  private files = new Map<string, { body: string; type: string; status?: number; delay?: number }>();
  private server: Server;
  origin = '';
  private seq = 0;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** A fresh collector, for a test of its own. */
  resetCollector() {
    (this as { collector: Collector }).collector = new Collector();
    return this.collector;
  }

  stop() {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(done));
  }

  /** Registers a page and returns its URL; its folder also holds the files passed with `file()`. */
  page(html: string, options: PageOptions = {}): string {
    const dir = options.path ?? `/t${++this.seq}/`;
    this.pages.set(dir, { html, options });
    return this.origin + dir;
  }

  /**
   * Passes every request under `prefix` (`/consent/`) on to `target`, a real collector, without the
   * prefix: the collector is then served from this site's origin. A later call for the same prefix
   * replaces it.
   */
  forward(prefix: string, target: string) {
    const forward = new Forward(prefix, target);
    this.forwards.set(prefix, forward);
    return forward;
  }

  /** Serves a file at an exact path. */
  file(path: string, body: string, type = 'text/javascript', extra: { status?: number; delay?: number } = {}) {
    this.files.set(path, { body, type, ...extra });
  }

  /** Paths requested so far (from the `since`th request on) that contain `part`. */
  requested(part: string, since = 0): string[] {
    return this.log
      .slice(since)
      .filter((r) => r.path.includes(part))
      .map((r) => r.path);
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    // Browsers that reach the *.test names through this server as their HTTP proxy send it every
    // request: those for another loopback server (a real collector) are passed on as they are.
    const target = /^http:\/\/(127\.0\.0\.1|localhost):(\d+)\//.exec(req.url as string);
    if (target && target[2] !== new URL(this.origin).port) {
      const out = request(req.url as string, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => res.writeHead(502).end());
      req.pipe(out);
      return;
    }
    const url = new URL(req.url as string, 'http://x');
    const path = url.pathname;
    this.log.push({ path: path + url.search, time: Date.now() });
    const send = (status: number, body: string, type = 'text/plain', headers: PageOptions['headers'] = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
      res.end(body);
    };
    const forward = [...this.forwards.values()].find((f) => path.startsWith(f.prefix));
    if (forward) return forward.pass(req, res, path + url.search);
    if (path === '/collect' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => this.collector.handle(body, req, res));
      return;
    }
    const page = this.pages.get(path);
    if (page) return send(200, page.html, TYPES['.html'], page.options.headers);
    const file = this.files.get(path);
    if (file) {
      setTimeout(() => send(file.status ?? 200, file.body, file.type), file.delay ?? 0);
      return;
    }
    // /vendor/<name>.js?delay=ms — a third-party script that records that it ran.
    const vendor = /\/vendor\/([\w-]+)\.js$/.exec(path);
    if (vendor) {
      const body = `(window.__ran = window.__ran || []).push(${JSON.stringify(vendor[1])});`;
      setTimeout(() => send(200, body, TYPES['.js']), Number(url.searchParams.get('delay') || 0));
      return;
    }
    if (path.startsWith('/dist/')) {
      const file = resolve(DIST, `.${path.slice(5)}`);
      if (file.startsWith(DIST) && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, {
          'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
          'Cache-Control': 'no-store',
        });
        createReadStream(file).pipe(res);
        return;
      }
    }
    send(404, 'not found');
  }
}

/** A page with the loader first in <head> and a config inline. */
export const pageWith = (config: unknown, body = '', head = '', loader = '/dist/assent.js') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Assent test</title>
<script type="application/json" id="assent-config">${JSON.stringify(config)}</script>
<script src="${loader}"></script>
${head}
</head><body><main><h1>Test page</h1>${body}</main></body></html>`;
