// The collector's HTTP interface (SPEC §7), on Fastify: body limit, CORS and rate limiting come from
// the framework and its plugins; route schemas are checked by Assent's own schema walker (no eval).

import { createHash, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { decodeConsentCookie, encodeConsentCookie } from '../core/cookie';
import { CLOCK_SKEW_MS } from '../core/decision';
import { UUID } from '../core/ids';
import { type Schema, schemaIssues } from '../core/schema-check';
import { clientKey, limitConnections } from './addresses';
import { stats } from './counters';
import { csvHeader, csvRow } from './csv';
import { serveDashboard } from './dashboard';
import { type Db, DbError } from './db';
import { Health } from './health';
import { payloadOf, type SigningKey } from './jws';
import { jwks } from './keys';
import { scanBatch } from './raw';
import { type Source, Store, type StoreOptions } from './store';

/** How the `assent` cookie is re-issued for one origin (the site's own settings: SPEC §5, §7). */
export interface CookieSettings {
  name: string;
  domain?: string;
  maxAgeDays: number;
}

export interface AppOptions {
  db: Db;
  key: SigningKey;
  /** Origins whose browsers may post; others get 403 and no CORS grant. */
  origins: string[];
  /** Requests a minute per client address; 0 turns the limit off. */
  rateLimit: number;
  /** Proxies in front whose X-Forwarded-For is believed: `true` (one), a number of hops, or their addresses. */
  trustProxy: boolean | number | string[];
  adminToken?: string;
  /** Lets a server relay post without an Origin, with `Authorization: Bearer <token>`. */
  ingestToken?: string;
  /** The cookie settings of each origin; the default is `assent`, no domain, 182 days. */
  cookies?: Record<string, Partial<CookieSettings>>;
  store?: Store;
  storeOptions?: Partial<StoreOptions>;
  /** What /healthz answers; without it, a health of this app's own (its chain not verified). */
  health?: Health;
  logger?: boolean;
  /** The built dashboard served at /dashboard/; without one, /dashboard/ says it is not built. */
  dashboardDir?: string;
}

export const BODY_LIMIT = 256 * 1024;
/** Entries per batch: a browser's batch (under 60 KB) holds fewer; more is split (413). */
export const MAX_ENTRIES = 100;
/** Entries a minute one client address may send, per request it may make: bounds the work, not just the bytes. */
const ENTRIES_PER_REQUEST = 10;
/** Connections one client address may hold open at once (a slow body holds one for up to REQUEST_TIMEOUT_MS). */
const CONNECTIONS_PER_ADDRESS = 64;
const REQUEST_TIMEOUT_MS = 30_000;
const HEADERS_TIMEOUT_MS = 15_000;
/** Connections the server holds in all (loopback is never refused by it). */
export const MAX_CONNECTIONS = 4096;
const UUID_ANYWHERE = new RegExp(UUID.source.slice(1, -1), 'gi');

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Seconds, for a Retry-After header. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** A real day from year 1 on (PostgreSQL has no year 0). */
const calendarDate = (s: string) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= 1 && d.toISOString().slice(0, 10) === s;
};

const trusted = (proxies: AppOptions['trustProxy']) => {
  if (Array.isArray(proxies) || proxies === false) return proxies;
  const hops = proxies === true ? 1 : proxies;
  return (_address: string, hop: number) => hop < hops;
};

/** The collector's own Fastify server: `assent-collector`, the demo, and the `(Request) => Response` handler. */
export const buildApp = async (o: AppOptions): Promise<FastifyInstance> => {
  const app = Fastify({
    logger: o.logger
      ? {
          // Consent ids are pseudonymous; the log must not pair them with client addresses.
          serializers: {
            req: (req: FastifyRequest) => ({
              method: req.method,
              url: req.url.replace(UUID_ANYWHERE, ':id'),
              remoteAddress: req.ip,
            }),
          },
        }
      : false,
    bodyLimit: BODY_LIMIT,
    // Trusting every hop would let a client name its own address in X-Forwarded-For: `true` is the one
    // proxy in front, a number that many, or a list of the proxies' addresses.
    trustProxy: trusted(o.trustProxy),
    // A body that trickles in is cut off: slow requests must not hold sockets without end.
    requestTimeout: REQUEST_TIMEOUT_MS,
  });
  // Without a proxy in front, each address holds a bounded number of connections; in all, the server
  // holds a bounded number, well below the open-file limit, so it stays reachable under a flood.
  limitConnections(app.server, {
    perAddress: o.rateLimit > 0 && !o.trustProxy ? CONNECTIONS_PER_ADDRESS : undefined,
    total: MAX_CONNECTIONS,
  });
  // Node checks the request timeout only this often (every 30 s by default, which doubles the bound);
  // it reads the interval when the server starts listening. Not in @types/node.
  Object.assign(app.server, { connectionsCheckingInterval: 1000 });
  app.server.headersTimeout = HEADERS_TIMEOUT_MS;
  answerNotFound(app);
  await collectorRoutes(app, o);
  return app;
};

/** Unknown routes answer in the collector's error shape. */
export const answerNotFound = (app: FastifyInstance) =>
  app.setNotFoundHandler((_req, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: 'no such route' } });
  });

/**
 * Every route of SPEC §7 on `app`: the collector's own server, or the encapsulated context of the
 * Fastify plugin, whose server (its logger, trustProxy and timeouts) belongs to the site owner.
 */
export const collectorRoutes = async (app: FastifyInstance, o: Omit<AppOptions, 'trustProxy' | 'logger'>) => {
  const store = o.store ?? new Store(o.db, o.key, { origins: o.origins, tombstoneDays: 1095, ...o.storeOptions });
  const health = o.health ?? new Health(o.db);

  // Route schemas are plain JSON Schema, checked without code generation.
  app.setValidatorCompiler(({ schema, httpPart }) => (data) => {
    const issues = schemaIssues(schema as Schema, data, httpPart ?? 'request');
    return issues.length ? { error: new HttpError(400, 'invalid_request', issues[0].message) } : { value: data };
  });
  // Errors never carry SQL text, file paths or addresses: a database error is a 503 or a plain 500.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof DbError && err.unavailable) {
      health.saw(false);
      app.log.warn({ cause: String((err.cause as Error)?.message ?? err.cause) }, 'database unavailable');
      return reply
        .status(503)
        .header('Retry-After', '5')
        .send({ error: { code: 'unavailable', message: 'the database is not reachable; retry later' } });
    }
    const status = err instanceof HttpError || (err.statusCode && err.statusCode < 500) ? (err.statusCode ?? 500) : 500;
    if (status >= 500) {
      app.log.error({ err: err instanceof DbError ? err.cause : err }, 'internal error');
      return reply.status(500).send({ error: { code: 'internal', message: 'internal error' } });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return reply.status(415).send({
        error: {
          code: 'unsupported_media_type',
          message: `the body must be application/json or text/plain (got ${JSON.stringify(req.headers['content-type'] ?? '').slice(0, 100)})`,
        },
      });
    if (err instanceof HttpError && err.retryAfter) reply.header('Retry-After', String(err.retryAfter));
    reply.status(status).send({ error: { code: (err as { code?: string }).code || 'error', message: err.message } });
  });

  await app.register(cors, {
    origin: (origin, done) => done(null, !!origin && o.origins.includes(origin)),
    methods: ['GET', 'POST', 'DELETE'],
    credentials: true,
  });
  if (o.rateLimit > 0) {
    await app.register(rateLimit, {
      max: o.rateLimit,
      keyGenerator: (req) => clientKey(req.ip),
      timeWindow: '1 minute',
      errorResponseBuilder: (_req, context) =>
        new HttpError(429, 'rate_limited', `more than ${context.max} requests a minute; retry after ${context.after}`),
    });
    // A client told to slow down is not also left holding the connection.
    app.addHook('onSend', async (_req, reply) => {
      if (reply.statusCode === 429) reply.header('Connection', 'close');
    });
  }
  // Entries a minute per client address: a batch of a hundred costs a hundred times a batch of one.
  const spent = new Map<string, { n: number; until: number }>();
  const spend = (address: string, n: number) => {
    if (o.rateLimit <= 0) return;
    const now = Date.now();
    let budget = spent.get(address);
    if (!budget || budget.until <= now) {
      if (spent.size > 10_000) for (const [k, b] of spent) if (b.until <= now) spent.delete(k);
      spent.set(address, (budget = { n: 0, until: now + 60_000 }));
    }
    budget.n += n;
    const wait = Math.ceil((budget.until - now) / 1000);
    if (budget.n > o.rateLimit * ENTRIES_PER_REQUEST)
      throw new HttpError(
        429,
        'rate_limited',
        `more than ${o.rateLimit * ENTRIES_PER_REQUEST} entries a minute; retry after ${wait} seconds`,
        wait,
      );
  };

  // Browsers send batches as text/plain (no preflight) or application/json; both must be a JSON array.
  // The body stays bytes until the scanner has checked them: a signature must be over what was received.
  app.removeAllContentTypeParsers();
  // The limit is the parser's too: mounted as a plugin, the server's own bodyLimit is the site owner's.
  app.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'buffer', bodyLimit: BODY_LIMIT },
    (_req, body, done) => {
      const batch = scanBatch(body as Buffer, { maxElements: MAX_ENTRIES });
      if (!batch) return done(new HttpError(400, 'not_an_array', 'the body must be a JSON array of entries'));
      if (batch.tooMany)
        return done(
          new HttpError(413, 'too_many_entries', `a batch holds at most ${MAX_ENTRIES} entries; send smaller batches`),
        );
      done(null, batch.entries);
    },
  );

  // Digests have one length whatever was sent, so the comparison does not tell the token's length.
  const sha256 = (text: string) => createHash('sha256').update(text).digest();
  const bearer = (req: FastifyRequest, token: string | undefined) => {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization || '')?.[1] || '';
    return timingSafeEqual(sha256(given), sha256(token || '')) && !!token;
  };
  // A refused origin is logged once a minute, so that a site owner sees the fix but a flood fills no disk.
  const refusedAt = new Map<string, number>();
  const logRefused = (shown: string) => {
    const now = Date.now();
    if ((refusedAt.get(shown) ?? 0) > now - 60_000) return;
    if (refusedAt.size > 1000) for (const [k, at] of refusedAt) if (at <= now - 60_000) refusedAt.delete(k);
    if (refusedAt.size > 1000) return;
    refusedAt.set(shown, now);
    app.log.warn(
      { origin: shown.replace(UUID_ANYWHERE, ':id') },
      'a browser on an origin that is not allowed tried to post (--origin / ASSENT_ORIGINS)',
    );
  };
  /** A browser on an allowed origin, or a relay with the ingest token; anyone else is refused. */
  const sourceOf = (req: FastifyRequest): Source => {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!o.origins.includes(origin)) {
        const shown = JSON.stringify(origin).slice(0, 200);
        logRefused(shown);
        throw new HttpError(
          403,
          'origin_not_allowed',
          `origin ${shown} may not post; to allow it, start the collector with --origin ${shown} or add it to ASSENT_ORIGINS: the exact origin, with scheme and port (https://shop.example:8443)`,
        );
      }
      return { origin };
    }
    if (bearer(req, o.ingestToken)) return { relay: true };
    throw new HttpError(
      401,
      'origin_required',
      'entries come from a browser on an allowed origin (Origin header), or from a relay with Authorization: Bearer <ASSENT_INGEST_TOKEN>',
    );
  };

  // Served from the site's own origin, the consent cookie is re-issued with Set-Cookie (Safari keeps
  // cookies set by script for 7 days only), with that site's settings. Never a decision the store
  // knows is outdated: a slow answer must not undo a withdrawal that arrived before it. Once the
  // decision's own receipt is here, its `o` flag (entries wait) goes: otherwise the page would clear
  // it by script after this answer, and that write is the one Safari caps.
  const reissue = async (origin: string, cookieHeader: string | undefined, delivered: string[]) => {
    const settings = { name: 'assent', maxAgeDays: 182, ...o.cookies?.[origin] };
    const value = cookieHeader
      ?.split(/;\s*/)
      .find((pair) => pair.startsWith(`${settings.name}=`))
      ?.slice(settings.name.length + 1);
    const decoded = decodeConsentCookie(value);
    if (!value || !decoded || decoded.updatedAt - Date.now() >= CLOCK_SKEW_MS) return;
    const maxAge = Math.floor((decoded.updatedAt + settings.maxAgeDays * 864e5 - Date.now()) / 1000);
    if (maxAge <= 0) return;
    if (await store.isOutdated(decoded.consentId, decoded.receiptId, decoded.updatedAt)) return;
    const sent =
      decoded.pending && delivered.includes(decoded.receiptId as string)
        ? encodeConsentCookie({ ...decoded, pending: false })
        : value;
    return `${settings.name}=${sent}; Path=/; Max-Age=${maxAge}; SameSite=Lax${
      settings.domain ? `; Domain=${settings.domain}` : ''
    }${origin.startsWith('https:') ? '; Secure' : ''}`;
  };

  app.post('/v1/receipts', async (req, reply) => {
    const source = sourceOf(req);
    if (!Array.isArray(req.body)) throw new HttpError(400, 'not_an_array', 'the body must be a JSON array of entries');
    spend(clientKey(req.ip), req.body.length);
    const results = await store.ingest(req.body, source);
    health.saw(true);
    if ('origin' in source) {
      const delivered = results.filter((r) => r.status === 'accepted' || r.status === 'duplicate').map((r) => r.id);
      const cookie = await reissue(source.origin, req.headers.cookie, delivered);
      if (cookie) reply.header('Set-Cookie', cookie);
    }
    return { results };
  });

  // Receipts and statistics are one visitor's or the site owner's: no cache may keep them, errors included.
  const noStore = async (_req: FastifyRequest, reply: FastifyReply) => {
    reply.header('Cache-Control', 'no-store');
  };
  const subject = {
    type: 'object',
    properties: { consentId: { type: 'string', pattern: UUID.source } },
    required: ['consentId'],
  };
  app.get('/v1/subjects/:consentId/receipts', { schema: { params: subject }, onSend: noStore }, async (req) => ({
    receipts: (await store.subjectReceipts((req.params as { consentId: string }).consentId)).map((r) => ({
      receipt: JSON.parse(r.raw),
      signature: r.signature,
      receivedAt: r.receivedAt.toISOString(),
      ...(r.conflict && { conflict: true }),
    })),
  }));
  app.delete('/v1/subjects/:consentId', { schema: { params: subject }, onSend: noStore }, async (req) => {
    sourceOf(req);
    return { erased: await store.erase((req.params as { consentId: string }).consentId) };
  });
  app.get(
    '/v1/texts/:textHash',
    {
      schema: {
        params: {
          type: 'object',
          properties: { textHash: { type: 'string', pattern: '^sha256-[A-Za-z0-9+/]{43}=$' } },
        },
        querystring: {
          type: 'object',
          properties: { language: { type: 'string', pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$' } },
        },
      },
    },
    async (req) => {
      const textHash = (req.params as { textHash: string }).textHash;
      // The hash does not cover the language the texts are said to be in: ask for the receipt's.
      const [found] = await o.db.query<{ body: string; language: string }>(
        `SELECT body, language FROM texts WHERE text_hash = $1 AND ($2::text IS NULL OR language = $2)
         ORDER BY received_at LIMIT 1`,
        [textHash, (req.query as { language?: string }).language ?? null],
      );
      if (!found) throw new HttpError(404, 'not_found', 'no texts with this hash');
      return { textHash, language: found.language, texts: JSON.parse(found.body) };
    },
  );

  // Admin routes: a bearer token, compared in constant time; none configured means none accepted.
  const admin = async (req: FastifyRequest) => {
    if (!bearer(req, o.adminToken))
      throw new HttpError(
        401,
        'unauthorized',
        'a valid admin token is needed: Authorization: Bearer <ASSENT_ADMIN_TOKEN>',
      );
    const q = req.query as { from?: string; to?: string };
    for (const field of ['from', 'to'] as const)
      if (q[field] !== undefined && !calendarDate(q[field]))
        throw new HttpError(400, 'invalid_request', `${field} must be a date such as 2026-12-01 (got ${q[field]})`);
  };
  const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
  const range = { type: 'object', properties: { from: date, to: date, format: { enum: ['ndjson', 'csv'] } } };
  const adminRoute = { schema: { querystring: range }, preHandler: admin, onSend: noStore };
  app.get('/v1/export', adminRoute, async (req, reply) => {
    const q = req.query as { from?: string; to?: string; format?: string };
    const csv = q.format === 'csv';
    const rows = store.receiptsIn(q);
    reply.type(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    return Readable.from(
      (async function* () {
        if (csv) yield `${csvHeader}\r\n`;
        // One line each: the exact bytes received are in the JWS payload, so the receipt may be compacted here.
        for await (const r of rows)
          yield csv
            ? `${csvRow(r)}\r\n`
            : `${JSON.stringify({
                receivedAt: r.receivedAt.toISOString(),
                receivedFrom: r.receivedFrom,
                ...(r.conflict && { conflict: true }),
                signature: r.signature,
                receipt: JSON.parse(r.raw),
              })}\n`;
      })(),
    );
  });
  app.get('/v1/tombstones', adminRoute, async (req, reply) => {
    reply.type('application/x-ndjson; charset=utf-8');
    const stones = store.tombstonesIn(req.query as { from?: string; to?: string });
    return Readable.from(
      (async function* () {
        for await (const jws of stones) yield `${JSON.stringify({ tombstone: payloadOf(jws), signature: jws })}\n`;
      })(),
    );
  });
  app.get('/v1/stats', adminRoute, async (req) => stats(o.db, req.query as { from?: string; to?: string }));
  app.get('/.well-known/jwks.json', async () => jwks(o.db));
  app.get('/v1/checkpoints', async () => ({
    checkpoints: (
      await o.db.query<{ jws: string }>('SELECT DISTINCT ON (writer) jws FROM checkpoints ORDER BY writer, count DESC')
    ).map((r) => ({ ...payloadOf<object>(r.jws), signature: r.jws })),
  }));
  app.get('/healthz', { config: { rateLimit: false } }, async (_req, reply) => {
    const status = await health.status();
    if (!status.ok) reply.status(503).header('Retry-After', '5');
    return status;
  });
  serveDashboard(app, o.dashboardDir);
  return app;
};
