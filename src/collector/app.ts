// The collector's HTTP interface (SPEC §7), on Fastify: body limit, CORS and rate limiting come from
// the framework and its plugins; route schemas are checked by Assent's own schema walker (no eval).
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
import { erase, ingest, subjectReceipts, textsFor } from './store';

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
  app.get('/.well-known/jwks.json', async () => jwks(o.db));
  app.get('/healthz', async () => {
    await o.db.query('SELECT 1');
    return { ok: true };
  });
  return app;
};
