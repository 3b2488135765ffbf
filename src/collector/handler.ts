// The collector as a `(Request) => Promise<Response>` handler, for Next.js- or Hono-style route
// handlers on Node. Each request is answered by the collector's own Fastify app (through `inject`), so
// its limits, CORS, errors and cookies are exactly those of `assent-collector`.
import type { InjectOptions } from 'fastify';
import { BODY_LIMIT } from './app';
import { type Collector, type CollectorSettings, startCollector } from './collector';

export interface CollectorHandlerOptions extends Omit<CollectorSettings, 'logger'> {
  /** The path the handler is mounted at, such as `/consent`: taken off before routing. */
  prefix?: string;
  /**
   * The client's address, which the rate limit counts per address. A `Request` does not carry it:
   * without this (or `trustProxy` and a proxy's `X-Forwarded-For`), every client counts as one. Given,
   * it wins: `X-Forwarded-For` is ignored, since a client could write it.
   */
  clientAddress?: (request: Request) => string | undefined;
}

export interface CollectorHandler {
  (request: Request): Promise<Response>;
  /** Starts the collector (the first request does too) and resolves once it serves. */
  ready(): Promise<Collector>;
  /** Finishes the requests in flight and closes the database. */
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/** The body, but never more than one byte over the limit: the app answers 413 for it, as it would. */
const boundedBody = async (request: Request) => {
  if (!request.body) return undefined;
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    parts.push(read.value);
    size += read.value.length;
    if (size > BODY_LIMIT) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(parts);
};

export const collectorHandler = (options: CollectorHandlerOptions): CollectorHandler => {
  const { prefix: mountedAt = '', clientAddress, ...settings } = options;
  // `/consent/` is meant as `/consent`.
  const prefix = mountedAt.replace(/\/+$/, '');
  let started: Promise<Collector> | undefined;
  const ready = () =>
    (started ??= startCollector(settings).then(
      async (collector) => {
        await collector.app.ready();
        void collector.verify();
        return collector;
      },
      (e) => {
        // The next request tries again (a database that was still starting, say).
        started = undefined;
        throw e;
      },
    ));

  const handle = async (request: Request): Promise<Response> => {
    // `new URL` has already resolved `..` and `%2e%2e`: what is outside the prefix is not the collector's.
    const url = new URL(request.url);
    const inside = !prefix || url.pathname === prefix || url.pathname.startsWith(`${prefix}/`);
    if (!inside) return Response.json({ error: { code: 'not_found', message: 'no such route' } }, { status: 404 });
    let collector: Collector;
    try {
      collector = await ready();
    } catch (e) {
      console.error(`assent-collector: could not start: ${e instanceof Error ? e.message : e}`);
      return Response.json(
        { error: { code: 'unavailable', message: 'the collector could not start; retry later' } },
        { status: 503, headers: { 'Retry-After': '5' } },
      );
    }
    const headers = Object.fromEntries(request.headers);
    // The body handed on may be cut short: its length is counted again.
    delete headers['content-length'];
    if (clientAddress) delete headers['x-forwarded-for'];
    const res = await collector.app.inject({
      method: request.method as InjectOptions['method'],
      url: `${url.pathname.slice(prefix.length) || '/'}${url.search}`,
      headers,
      payload: await boundedBody(request),
      remoteAddress: clientAddress?.(request),
    });
    const answer = new Headers();
    for (const [name, value] of Object.entries(res.headers))
      if (value !== undefined && !HOP_BY_HOP.has(name)) for (const v of [value].flat()) answer.append(name, String(v));
    const empty = res.statusCode === 204 || res.statusCode === 304 || request.method === 'HEAD';
    return new Response(empty ? null : new Uint8Array(res.rawPayload), { status: res.statusCode, headers: answer });
  };

  return Object.assign(handle, {
    ready,
    close: async () => {
      const running = started;
      started = undefined;
      await (await running?.catch(() => undefined))?.close();
    },
  });
};
