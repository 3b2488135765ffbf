// The collector's HTTP interface (SPEC §7), on Fastify: body limit, CORS and rate limiting come from
// the framework and its plugins; route schemas are checked by Assent's own schema walker (no eval).

import { timingSafeEqual } from 'node:crypto';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { decodeConsentCookie } from '../core/cookie';
import { MAX_AGE_DAYS } from '../core/decision';
import { type Schema, schemaIssues } from '../core/schema-check';
import type { Db } from './db';
import type { SigningKey } from './jws';
import { jwks } from './keys';
import { arrayElements } from './raw';
import { erase, ingest, receiptsIn, stats, subjectReceipts, textsFor } from './store';

export interface AppOptions {
  db: Db;
  key: SigningKey;
  /** Origins whose browsers may post; others get 403 and no CORS grant. */
  origins: string[];
  /** Requests a minute per client address; 0 turns the limit off. */
  rateLimit: number;
  trustProxy: boolean;
  adminToken?: string;
  logger?: boolean;
}

const BODY_LIMIT = 256 * 1024;
const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const buildApp = async (o: AppOptions): Promise<FastifyInstance> => {
  const app = Fastify({ logger: o.logger ?? false, bodyLimit: BODY_LIMIT, trustProxy: o.trustProxy });
  const allowed = (origin: string | undefined) => !origin || o.origins.includes(origin);

  // Route schemas are plain JSON Schema, checked without code generation.
  app.setValidatorCompiler(({ schema, httpPart }) => (data) => {
    const issues = schemaIssues(schema as Schema, data, httpPart ?? 'request');
    return issues.length ? { error: new HttpError(400, 'invalid_request', issues[0].message) } : { value: data };
  });
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) app.log.error(err);
    reply.status(status).send({ error: { code: (err as { code?: string }).code || 'error', message: err.message } });
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: 'no such route' } });
  });

  await app.register(cors, {
    origin: (origin, done) => done(null, !!origin && o.origins.includes(origin)),
    methods: ['GET', 'POST', 'DELETE'],
    credentials: true,
  });
  if (o.rateLimit > 0)
    await app.register(rateLimit, {
      max: o.rateLimit,
      timeWindow: '1 minute',
      errorResponseBuilder: (_req, context) =>
        new HttpError(429, 'rate_limited', `more than ${context.max} requests a minute; retry after ${context.after}`),
    });

  // Browsers send batches as text/plain (no preflight) or application/json; both must be a JSON array.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => {
    const raws = arrayElements(body as string);
    if (raws) done(null, raws);
    else done(new HttpError(400, 'not_an_array', 'the body must be a JSON array of entries'));
  });

  app.post('/v1/receipts', async (req, reply) => {
    if (!allowed(req.headers.origin))
      throw new HttpError(403, 'origin_not_allowed', `origin ${req.headers.origin} may not post`);
    if (!Array.isArray(req.body)) throw new HttpError(400, 'not_an_array', 'the body must be a JSON array of entries');
    const results = await ingest(o.db, o.key, req.body as string[]);
    // Served from the site's own origin, re-issue the consent cookie with Set-Cookie: Safari keeps
    // cookies set by script for 7 days only.
    const cookie = /(?:^|;\s*)assent=([^;]*)/.exec(req.headers.cookie || '')?.[1];
    const decoded = decodeConsentCookie(cookie);
    if (cookie && decoded) {
      const maxAge = Math.floor((decoded.updatedAt + MAX_AGE_DAYS * 864e5 - Date.now()) / 1000);
      if (maxAge > 0)
        reply.header(
          'Set-Cookie',
          `assent=${cookie}; Path=/; Max-Age=${maxAge}; SameSite=Lax${req.protocol === 'https' ? '; Secure' : ''}`,
        );
    }
    return { results };
  });

  const subject = {
    type: 'object',
    properties: { consentId: { type: 'string', pattern: UUID } },
    required: ['consentId'],
  };
  app.get('/v1/subjects/:consentId/receipts', { schema: { params: subject } }, async (req) => ({
    receipts: (await subjectReceipts(o.db, (req.params as { consentId: string }).consentId)).map((r) => ({
      receipt: JSON.parse(r.body),
      signature: r.signature,
      receivedAt: new Date(r.received_at).toISOString(),
    })),
  }));
  app.delete('/v1/subjects/:consentId', { schema: { params: subject } }, async (req) => {
    await erase(o.db, (req.params as { consentId: string }).consentId);
    return { erased: true };
  });
  app.get(
    '/v1/texts/:textHash',
    {
      schema: {
        params: {
          type: 'object',
          properties: { textHash: { type: 'string', pattern: '^sha256-[A-Za-z0-9+/]{43}=$' } },
        },
      },
    },
    async (req) => {
      const found = await textsFor(o.db, (req.params as { textHash: string }).textHash);
      if (!found) throw new HttpError(404, 'not_found', 'no texts with this hash');
      return {
        textHash: (req.params as { textHash: string }).textHash,
        language: found.language,
        texts: JSON.parse(found.body),
      };
    },
  );
  // Admin routes: a bearer token, compared in constant time; none configured means none accepted.
  const admin = async (req: { headers: { authorization?: string } }) => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization || '')?.[1] || '');
    const wanted = Buffer.from(o.adminToken || '');
    if (!o.adminToken || given.length !== wanted.length || !timingSafeEqual(given, wanted))
      throw new HttpError(
        401,
        'unauthorized',
        'a valid admin token is needed: Authorization: Bearer <ASSENT_ADMIN_TOKEN>',
      );
  };
  const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}' };
  const range = { type: 'object', properties: { from: date, to: date, format: { enum: ['ndjson', 'csv'] } } };
  app.get('/v1/export', { schema: { querystring: range }, preHandler: admin }, async (req, reply) => {
    const q = req.query as { from?: string; to?: string; format?: string };
    const rows = await receiptsIn(o.db, q);
    if (q.format === 'csv') {
      reply.type('text/csv; charset=utf-8');
      return `${[CSV_HEADER, ...rows.map(csvRow)].join('\r\n')}\r\n`;
    }
    reply.type('application/x-ndjson; charset=utf-8');
    return (
      rows
        // One line each: the exact bytes received are in the JWS payload, so the receipt may be compacted here.
        .map((r) =>
          JSON.stringify({
            receivedAt: new Date(r.received_at).toISOString(),
            signature: r.signature,
            receipt: JSON.parse(r.body),
          }),
        )
        .map((line) => `${line}\n`)
        .join('')
    );
  });
  app.get('/v1/stats', { schema: { querystring: range }, preHandler: admin }, async (req) =>
    stats(o.db, req.query as { from?: string; to?: string }),
  );
  app.get('/.well-known/jwks.json', async () => jwks(o.db));
  app.get('/healthz', async () => {
    await o.db.query('SELECT 1');
    return { ok: true };
  });
  return app;
};

const CSV_HEADER =
  'received_at,id,consent_id,previous_id,timestamp,method,language,origin,policy_url,policy_version,text_hash,gpc,granted,denied,signature';
const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csvRow = (r: { body: string; signature: string; received_at: Date }) => {
  const x = JSON.parse(r.body);
  const ids = (granted: boolean) =>
    (x.purposes || [])
      .filter((p: { granted: boolean }) => p.granted === granted)
      .map((p: { id: string }) => p.id)
      .join(' ');
  return [
    new Date(r.received_at).toISOString(),
    x.id,
    x.consentId,
    x.previousId,
    x.timestamp,
    x.method,
    x.language,
    x.origin,
    x.policy?.url,
    x.policy?.version,
    x.textHash,
    x.gpc,
    ids(true),
    ids(false),
    r.signature,
  ]
    .map(csvCell)
    .join(',');
};
