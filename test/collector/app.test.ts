// The collector's routes, on a real embedded PostgreSQL (PGlite) and, when DATABASE_URL is set, on a
// real PostgreSQL server too: same SQL, same answers. Most tests here are attacks the red team made.
import { createHash, timingSafeEqual } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tombstoneMatches } from '../../src/cli/verify';
import { buildApp, MAX_ENTRIES } from '../../src/collector/app';
import { type Db, migrate } from '../../src/collector/db';
import { type PublicJwk, payloadOf } from '../../src/collector/jws';
import { loadSigningKey } from '../../src/collector/keys';
import { counted, recount, Store } from '../../src/collector/store';
import { checksum, decodeConsentCookie } from '../../src/core/cookie';
import { uuid } from '../../src/core/ids';
import { canonicalJson } from '../../src/core/receipt';
import { signedPayload } from '../../src/core/signature';
import type { Receipt } from '../../src/core/types';
import { collectorBackends, ORIGIN, sampleReceipt } from '../fixtures/receipts';

// Watched, not replaced: the admin test checks that a token of any length reaches the comparison.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const TOKEN = 'admin-secret';
const INGEST = 'relay-secret';
const OTHER = 'https://blog.shop.example';
const auth = { authorization: `Bearer ${TOKEN}` };

const receiptFor = (consentId: string, over: Partial<Receipt> = {}): Receipt => ({
  ...sampleReceipt({ consentId }),
  ...over,
});
const textsEntry = (texts: Record<string, unknown>, language = 'bg') => ({
  type: 'texts',
  id: uuid(Date.now()),
  textHash: `sha256-${createHash('sha256').update(canonicalJson(texts)).digest('base64')}`,
  language,
  texts,
});
/** A consent cookie as the loader writes it, for a decision made `ageMs` ago (`o`: entries wait). */
const consentCookie = (consentId: string, receiptId: string, ageMs = 0, flags = '') => {
  const value = `1.${consentId}.${receiptId}.${(Date.now() - ageMs).toString(36)}.b${flags}.3.analytics1`;
  return `${value}.${checksum(value)}`;
};

describe.each(collectorBackends('assent-pglite-'))('the collector on %s', (_, open) => {
  let db: Db;
  let app: FastifyInstance;
  let store: Store;
  let keys: { keys: PublicJwk[] };
  let now: Date | undefined;
  const post = (body: string | Buffer, headers: Record<string, string | undefined> = {}) =>
    app.inject({
      method: 'POST',
      url: '/v1/receipts',
      payload: body,
      headers: Object.fromEntries(
        Object.entries({ 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN, ...headers }).filter(
          ([, v]) => v !== undefined,
        ),
      ) as Record<string, string>,
    });
  const results = async (body: string | Buffer, headers?: Record<string, string | undefined>) => {
    const res = await post(body, headers);
    expect(res.statusCode).toBe(200);
    return res.json().results as { id: string; status: string; reason?: string; signature?: string }[];
  };
  const subject = async (consentId: string) =>
    (await app.inject(`/v1/subjects/${consentId}/receipts`)).json().receipts as {
      receipt: Receipt;
      signature: string;
      conflict?: boolean;
    }[];
  /** The counters kept at ingest, against a recount of every stored receipt: every difference, named. */
  const expectCountersWhole = async () => {
    const [kept, again] = [await counted(db), await recount(db)];
    const keys = [...new Set([...kept.keys(), ...again.keys()])];
    expect(
      keys
        .filter((k) => kept.get(k) !== again.get(k))
        .map((k) => `${k}: ${kept.get(k)} kept, ${again.get(k)} recounted`),
    ).toEqual([]);
  };
  const exportNdjson = async () =>
    (await app.inject({ url: '/v1/export?format=ndjson', headers: auth })).body
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));

  beforeAll(async () => {
    db = await open();
    await migrate(db);
    await migrate(db);
    const key = await loadSigningKey(db, mkdtempSync(join(tmpdir(), 'assent-key-')));
    store = new Store(db, key, { origins: [ORIGIN, OTHER], tombstoneDays: 1095, now: () => now ?? new Date() });
    app = await buildApp({
      db,
      key,
      store,
      origins: [ORIGIN, OTHER],
      rateLimit: 0,
      trustProxy: false,
      adminToken: TOKEN,
      ingestToken: INGEST,
      cookies: { [ORIGIN]: { name: 'assent', domain: 'shop.example', maxAgeDays: 30 }, [OTHER]: { name: 'consent' } },
    });
    keys = (await app.inject('/.well-known/jwks.json')).json();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('stores receipts exactly as sent, signs them, and returns them to the subject with signatures that verify', async () => {
    const consentId = uuid();
    const a = receiptFor(consentId);
    const b = receiptFor(consentId, { previousId: a.id, method: 'preferences' });
    const rawA = JSON.stringify(a, null, 1);
    const out = await results(`[${rawA}, ${JSON.stringify(b)}]`);
    expect(out.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    expect(await signedPayload(out[0].signature as string, keys)).toBe(rawA);
    const back = await subject(consentId);
    expect(back.map((r) => r.receipt.id)).toEqual([a.id, b.id]);
    expect(await signedPayload(back[0].signature, keys)).toBe(rawA);
  });

  it('keeps no receipt and no consent id in the clear: bodies are sealed with a key per consent id', async () => {
    const consentId = uuid();
    await results(
      JSON.stringify([receiptFor(consentId, { policy: { url: 'https://shop.example/p', version: 'marker-7f3a' } })]),
    );
    const rows = await db.query<{ body: Uint8Array; subject: Uint8Array }>(
      `SELECT body, subject FROM entries WHERE type = 'consent'`,
    );
    for (const row of rows) {
      expect(Buffer.from(row.body).includes('marker-7f3a')).toBe(false);
      expect(Buffer.from(row.body).includes(consentId)).toBe(false);
    }
    expect(rows.some((r) => Buffer.from(r.subject).equals(createHash('sha256').update(consentId).digest()))).toBe(true);
  });

  it('the same id with the same bytes is a duplicate; with other bytes, a conflict stored beside it with its own signature', async () => {
    const r = receiptFor(uuid());
    const real = JSON.stringify(r);
    const forged = JSON.stringify({ ...r, purposes: r.purposes.map((p) => ({ ...p, granted: true })) });
    const [first] = await results(`[${real}]`);
    const [again] = await results(`[${real}]`);
    expect(again).toEqual({ id: r.id, status: 'duplicate', signature: first.signature });
    // A page script posts a forgery under the id it read from the cookie: it is never given the first signature.
    const [conflict] = await results(`[${forged}]`);
    expect(conflict.status).toBe('conflict');
    expect(conflict.signature).not.toBe(first.signature);
    expect(await signedPayload(conflict.signature as string, keys)).toBe(forged);
    const [replayed] = await results(`[${forged}]`);
    expect(replayed).toEqual({ id: r.id, status: 'conflict', signature: conflict.signature });
    // Whichever came first, both are flagged: neither passes for a decision.
    expect((await results(`[${real}]`))[0].status).toBe('conflict');
    const back = await subject(r.consentId);
    expect(
      await Promise.all(back.map(async (x) => [await signedPayload(x.signature, keys), x.conflict ?? false])),
    ).toEqual([
      [real, true],
      [forged, true],
    ]);
    const exported = (await exportNdjson()).filter((l) => l.receipt.id === r.id);
    expect(exported.map((l) => l.conflict ?? false)).toEqual([true, true]);
    const csv = (await app.inject({ url: '/v1/export?format=csv', headers: auth })).body;
    expect(
      csv
        .split('\r\n')
        .filter((l) => l.includes(r.id))
        .map((l) => l.split(',')[14]),
    ).toEqual(['true', 'true']);
    await expectCountersWhole();
  });

  it('the real receipt that arrives after a forgery under its id is a conflict too, signed over its own bytes', async () => {
    const r = receiptFor(uuid());
    const forged = JSON.stringify({ ...r, method: 'api', purposes: r.purposes.map((p) => ({ ...p, granted: true })) });
    const day = new Date().toISOString().slice(0, 10);
    const stats = async () =>
      (await app.inject({ url: `/v1/stats?from=${day}&to=${day}`, headers: auth })).json() as {
        decisions: number;
        conflicts: number;
      };
    const before = await stats();
    const [first] = await results(`[${forged}]`);
    expect(first.status).toBe('accepted');
    expect((await stats()).decisions).toBe(before.decisions + 1);
    const [real] = await results(`[${JSON.stringify(r)}]`);
    expect(real.status).toBe('conflict');
    expect(await signedPayload(real.signature as string, keys)).toBe(JSON.stringify(r));
    // The forgery counted as a decision until the real receipt came: now both are conflicts.
    expect(await stats()).toMatchObject({ decisions: before.decisions, conflicts: before.conflicts + 2 });
    expect((await subject(r.consentId)).map((x) => x.conflict)).toEqual([true, true]);
    await expectCountersWhole();
  });

  it('a receipt left alone with its id, once the other is erased, is a decision again', async () => {
    const r = receiptFor(uuid());
    const other = uuid();
    // The forgery names another visitor: erasing that visitor leaves the real receipt alone.
    await results(JSON.stringify([r]));
    await results(JSON.stringify([{ ...r, consentId: other }]));
    expect((await subject(r.consentId))[0].conflict).toBe(true);
    await expectCountersWhole();
    await store.erase(other);
    expect((await subject(r.consentId))[0].conflict).toBeUndefined();
    await expectCountersWhole();
  });

  it('rejects an invalid entry with a reason and stores the valid ones of the same batch', async () => {
    const good = receiptFor(uuid());
    const out = await results(JSON.stringify([{ ...receiptFor(uuid()), id: 'nope' }, good, { no: 'id' }]));
    expect(out.map((r) => r.status)).toEqual(['rejected', 'accepted', 'rejected']);
    expect(out[0].reason).toContain('entry.id must be text matching');
  });

  it('stores SQL metacharacters, <script>, NUL and lone surrogates verbatim, and they break nothing after', async () => {
    const nasty = `'); DROP TABLE entries; -- <script>alert("x")</script> \\ \u2028 é \u0000 \ud800 \udfff`;
    const r = receiptFor(uuid(), { policy: { url: nasty, version: nasty } });
    const raw = JSON.stringify({ ...r, note: nasty });
    expect(raw).toContain('\\u0000');
    expect(raw).toContain('\\ud800');
    const [result] = await results(`[${raw}]`);
    expect(result.status).toBe('accepted');
    expect(await signedPayload(result.signature as string, keys)).toBe(raw);
    const back = await subject(r.consentId);
    expect(back[0].receipt.policy.url).toBe(nasty);
    expect(await signedPayload(back[0].signature, keys)).toBe(raw);
    for (const url of ['/v1/stats', '/v1/export?format=ndjson', '/v1/export?format=csv'])
      expect((await app.inject({ url, headers: auth })).statusCode).toBe(200);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it('answers 400 to a body that is not a JSON array, 403 to an unknown origin, 413 over 256 KB', async () => {
    for (const body of ['{"a":1}', 'not json', '[1,', '"x"', '[{"a":1},]']) {
      const res = await post(body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('not_an_array');
    }
    const r = receiptFor(uuid());
    const refused = await post(`[${JSON.stringify(r)}]`, { origin: 'https://evil.example' });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    // The answer says how to allow it, if the site owner meant to.
    const { message } = refused.json().error;
    expect(message).toContain('origin "https://evil.example" may not post');
    expect(message).toContain('--origin "https://evil.example"');
    expect(message).toContain('ASSENT_ORIGINS');
    expect(message).toContain('scheme and port');
    expect(await subject(r.consentId)).toEqual([]);
    const big = await post(`[${JSON.stringify({ ...r, pad: 'x'.repeat(300 * 1024) })}]`);
    expect(big.statusCode).toBe(413);
  });

  it('refuses a POST with no Origin (401) unless a relay shows the ingest token; a relay may send only allowed origins', async () => {
    const r = receiptFor(uuid());
    const none = await post(`[${JSON.stringify(r)}]`, { origin: undefined });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('origin_required');
    expect(
      (await post(`[${JSON.stringify(r)}]`, { origin: undefined, authorization: 'Bearer wrong' })).statusCode,
    ).toBe(401);
    expect(await subject(r.consentId)).toEqual([]);
    const relayed = await results(
      `[${JSON.stringify(r)}, ${JSON.stringify(receiptFor(uuid(), { origin: 'https://evil.example' }))}]`,
      {
        origin: undefined,
        authorization: `Bearer ${INGEST}`,
      },
    );
    expect(relayed.map((x) => x.status)).toEqual(['accepted', 'rejected']);
    const line = (await exportNdjson()).find((l) => l.receipt.id === r.id);
    expect(line.receivedFrom).toBe('relay');
  });

  it('rejects a receipt whose origin is not the Origin of the request, and records the verified origin', async () => {
    const elsewhere = receiptFor(uuid(), { origin: OTHER });
    const here = receiptFor(uuid());
    const out = await results(JSON.stringify([elsewhere, here]));
    expect(out.map((r) => r.status)).toEqual(['rejected', 'accepted']);
    expect(out[0].reason).toContain('is not the Origin of the request');
    expect((await exportNdjson()).find((l) => l.receipt.id === here.id).receivedFrom).toBe(ORIGIN);
    expect((await results(JSON.stringify([elsewhere]), { origin: OTHER }))[0].status).toBe('accepted');
  });

  it('rejects invalid UTF-8 and repeated keys per entry, so that a signature is only ever over the bytes received', async () => {
    const good = receiptFor(uuid());
    const badUtf8 = Buffer.from(
      JSON.stringify(receiptFor(uuid(), { policy: { url: 'https://shop.example/XX', version: '3' } })),
    );
    const at = badUtf8.indexOf('XX');
    badUtf8[at] = 0xc3;
    badUtf8[at + 1] = 0x28;
    const twice = JSON.stringify(receiptFor(uuid())).replace('"method":"banner"', '"method":"banner","method":"api"');
    const body = Buffer.concat([Buffer.from('['), badUtf8, Buffer.from(`,${twice},${JSON.stringify(good)}]`)]);
    const out = await results(body);
    expect(out.map((r) => r.status)).toEqual(['rejected', 'rejected', 'accepted']);
    expect(out[0].reason).toMatch(/UTF-8/);
    expect(out[1].reason).toMatch(/"method".*twice/);
  });

  it('rejects an entry nesting deeper than 32 levels on its own; statistics, exports and the subject stay quick', async () => {
    const r = receiptFor(uuid());
    const deep = JSON.stringify({ ...receiptFor(r.consentId), x: 0 }).replace(
      '"x":0',
      `"x":${'['.repeat(6000)}${']'.repeat(6000)}`,
    );
    const deepPurposes = JSON.stringify(receiptFor(r.consentId)).replace(
      '"purposes":[',
      `"purposes":[${'['.repeat(40)}${']'.repeat(40)},`,
    );
    const deepTexts = JSON.stringify(textsEntry({ a: 1 })).replace(
      '"texts":{',
      `"texts":{"deep":${'{"a":'.repeat(40)}1${'}'.repeat(40)},`,
    );
    const out = await results(`[${deep},${deepPurposes},${deepTexts},${JSON.stringify(r)}]`);
    expect(out.map((x) => x.status)).toEqual(['rejected', 'rejected', 'rejected', 'accepted']);
    expect(out[0].reason).toMatch(/deeper than 32/);
    const start = Date.now();
    for (const url of ['/v1/stats', '/v1/export?format=ndjson', `/v1/subjects/${r.consentId}/receipts`])
      expect((await app.inject({ url, headers: auth })).statusCode).toBe(200);
    // Not a timing assertion of Assent's speed: the red team's receipt made these hang forever.
    expect(Date.now() - start).toBeLessThan(20_000);
  });

  it('a poison entry in a batch costs only itself: a NUL in a texts language, a hostile texts entry', async () => {
    const good = receiptFor(uuid());
    const nulLanguage = { ...textsEntry({ title: 'x' }), language: 'bg\u0000' };
    const out = await results(
      JSON.stringify([nulLanguage, good, textsEntry({ nested: { deeper: ['\u0000', '\ud800'] } })]),
    );
    expect(out.map((r) => r.status)).toEqual(['rejected', 'accepted', 'accepted']);
  });

  it('keeps texts apart by the language they are said to be in: a first writer cannot relabel them', async () => {
    const shown = textsEntry({ title: 'Поверителност', page: 'banner' }, 'bg');
    const relabelled = { ...shown, id: uuid(Date.now() + 3), language: 'zu' };
    expect((await results(JSON.stringify([relabelled, shown]))).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const get = (q = '') => app.inject(`/v1/texts/${encodeURIComponent(shown.textHash)}${q}`);
    expect((await get('?language=bg')).json()).toMatchObject({ language: 'bg', texts: { title: 'Поверителност' } });
    expect((await get()).json().language).toBe('zu');
    expect((await get('?language=fr')).statusCode).toBe(404);
    expect((await get('?language=<x>')).statusCode).toBe(400);
  });

  it('keeps the texts behind a hash only when the hash is theirs: nobody can replace what was shown', async () => {
    const shown = textsEntry({ title: 'Поверителност' });
    const poisoned = { ...textsEntry({ title: 'We sell your data' }), textHash: shown.textHash };
    const out = await results(JSON.stringify([poisoned, shown]));
    expect(out.map((r) => r.status)).toEqual(['rejected', 'accepted']);
    expect(out[0].reason).toContain('textHash is not the SHA-256');
    const res = await app.inject(`/v1/texts/${encodeURIComponent(shown.textHash)}`);
    expect(res.json()).toEqual({ textHash: shown.textHash, language: 'bg', texts: { title: 'Поверителност' } });
    expect((await app.inject(`/v1/texts/${encodeURIComponent(`sha256-${'C'.repeat(43)}=`)}`)).statusCode).toBe(404);
  });

  it('answers a body of another Content-Type with 415 in its own error shape, naming the types it takes', async () => {
    const r = `[${JSON.stringify(receiptFor(uuid()))}]`;
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/html']) {
      const res = await post(r, { 'content-type': type });
      expect(res.statusCode, type).toBe(415);
      expect(res.json().error.code).toBe('unsupported_media_type');
      expect(res.json().error.message).toContain('application/json or text/plain');
      expect(res.body).not.toContain('FST_');
    }
  });

  it('tells every cache to keep no subject’s receipts and no admin answer, errors included', async () => {
    const r = receiptFor(uuid());
    await results(`[${JSON.stringify(r)}]`);
    const answers = {
      subject: await app.inject(`/v1/subjects/${r.consentId}/receipts`),
      'subject, bad id': await app.inject('/v1/subjects/not-an-id/receipts'),
      'erase, other origin': await app.inject({
        method: 'DELETE',
        url: `/v1/subjects/${r.consentId}`,
        headers: { origin: 'https://evil.example' },
      }),
      erase: await app.inject({ method: 'DELETE', url: `/v1/subjects/${uuid()}`, headers: { origin: ORIGIN } }),
      stats: await app.inject({ url: '/v1/stats', headers: auth }),
      'stats, no token': await app.inject('/v1/stats'),
      'stats, bad date': await app.inject({ url: '/v1/stats?from=2026-13-45', headers: auth }),
      export: await app.inject({ url: '/v1/export?format=ndjson', headers: auth }),
      'export csv': await app.inject({ url: '/v1/export?format=csv', headers: auth }),
      'export, no token': await app.inject('/v1/export'),
      tombstones: await app.inject({ url: '/v1/tombstones', headers: auth }),
      'tombstones, no token': await app.inject('/v1/tombstones'),
    };
    expect(Object.values(answers).map((a) => a.statusCode)).toEqual([
      200, 400, 403, 200, 200, 401, 400, 200, 200, 401, 200, 401,
    ]);
    for (const [name, res] of Object.entries(answers)) expect(res.headers['cache-control'], name).toBe('no-store');
  });

  it('grants CORS to allowed origins only', async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/v1/receipts',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    expect((await preflight(ORIGIN)).headers['access-control-allow-origin']).toBe(ORIGIN);
    expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('erases a subject from an allowed origin only; a signed tombstone proves each receipt existed, and its bytes are refused again', async () => {
    const [one, two] = [uuid(), uuid()];
    const a = receiptFor(one);
    const b = receiptFor(two);
    await results(JSON.stringify([a, receiptFor(one, { previousId: a.id }), b]));
    const erase = (id: string, headers: Record<string, string>) =>
      app.inject({ method: 'DELETE', url: `/v1/subjects/${id}`, headers });
    expect((await erase(one, {})).statusCode).toBe(401);
    expect((await erase(one, { origin: 'https://evil.example' })).statusCode).toBe(403);
    expect(await subject(one)).toHaveLength(2);
    const countBefore = await erasuresToday();
    const res = await erase(one, { origin: ORIGIN });
    expect(res.json()).toEqual({ erased: 2 });
    const erasure = { type: 'erasure', id: uuid(Date.now()), consentId: two, timestamp: new Date().toISOString() };
    expect((await results(JSON.stringify([erasure])))[0].status).toBe('accepted');
    for (const id of [one, two]) expect(await subject(id)).toEqual([]);
    expect(await erasuresToday()).toBe(countBefore + 2);
    // An id that never existed erases nothing and counts nothing.
    expect((await erase(uuid(), { origin: ORIGIN })).json()).toEqual({ erased: 0 });
    expect(await erasuresToday()).toBe(countBefore + 2);
    // The visitor's own copy of a receipt verifies against its tombstone.
    const lines = (await app.inject({ url: '/v1/tombstones', headers: auth })).body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const stone = lines.find((l) => l.tombstone.id === a.id);
    expect(await signedPayload(stone.signature, keys)).not.toBeNull();
    expect(Object.keys(stone.tombstone).sort()).toEqual([
      'erasedAt',
      'id',
      'receivedAt',
      'receivedFrom',
      'sha256',
      'signature',
      'type',
    ]);
    expect(await tombstoneMatches(JSON.stringify(a), stone.tombstone, keys)).toBe(true);
    expect(await tombstoneMatches(JSON.stringify({ ...a, method: 'api' }), stone.tombstone, keys)).toBe(false);
    // A replayed receipt is not stored again.
    const [replay] = await results(JSON.stringify([a]));
    expect(replay.status).toBe('rejected');
    expect(replay.reason).toContain('erased');
    expect(await subject(one)).toEqual([]);
    expect(
      (await app.inject({ method: 'DELETE', url: '/v1/subjects/not-a-uuid', headers: { origin: ORIGIN } })).statusCode,
    ).toBe(400);
  });
  it('a decoy posted under a real receipt’s id and erased at once cannot keep the real receipt out', async () => {
    // A page script reads the new receipt's id from the cookie before the receipt is delivered.
    const victim = uuid();
    const real = receiptFor(victim, { method: 'preferences' });
    const throwaway = uuid();
    const decoy = { ...receiptFor(throwaway), id: real.id };
    const erasure = {
      type: 'erasure',
      id: uuid(Date.now()),
      consentId: throwaway,
      timestamp: new Date().toISOString(),
    };
    expect((await results(JSON.stringify([decoy, erasure]))).map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const [stored] = await results(JSON.stringify([real]));
    expect(stored.status).toBe('accepted');
    expect((await subject(victim)).map((r) => r.receipt)).toEqual([real]);
    // Once stored, its resend is a duplicate, even after the same trick again.
    await results(JSON.stringify([{ ...decoy, consentId: uuid() }]));
    const [again] = await results(JSON.stringify([real]));
    expect(['duplicate', 'conflict']).toContain(again.status);
    expect(again.signature).toBe(stored.signature);
  });
  const erasuresToday = async () =>
    (await app.inject({ url: `/v1/stats?from=${today()}&to=${today()}`, headers: auth })).json().erasures as number;
  const today = () => new Date().toISOString().slice(0, 10);

  it('prunes receipts older than the retention period, and only those; the counters equal a full recount after', async () => {
    now = new Date(Date.now() - 40 * 864e5);
    const old = receiptFor(uuid());
    await results(JSON.stringify([old]));
    now = undefined;
    const fresh = receiptFor(uuid());
    await results(JSON.stringify([fresh]));
    expect(await store.prune(30)).toBeGreaterThanOrEqual(1);
    expect(await subject(old.consentId)).toEqual([]);
    expect(await subject(fresh.consentId)).toHaveLength(1);
    await expectCountersWhole();
  });

  it('re-issues the consent cookie with the site’s own name, domain and lifetime, never an outdated one', async () => {
    const consentId = uuid();
    const first = receiptFor(consentId);
    const cookie = consentCookie(consentId, first.id, 864e5);
    const res = await post(`[${JSON.stringify(first)}]`, { cookie: `other=1; assent=${cookie}` });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(
      new RegExp(
        `^assent=${cookie.replace(/[.|]/g, '\\$&')}; Path=/; Max-Age=(\\d+); SameSite=Lax; Domain=shop.example; Secure$`,
      ),
    );
    // 30 days from the decision, which was made a day ago.
    expect(Number(/Max-Age=(\d+)/.exec(setCookie)?.[1])).toBeGreaterThan(29 * 86400 - 120);
    expect(Number(/Max-Age=(\d+)/.exec(setCookie)?.[1])).toBeLessThanOrEqual(29 * 86400);
    expect((await post('[]', { cookie: 'assent=garbage' })).headers['set-cookie']).toBeUndefined();
    // Another origin has its own cookie name.
    expect(String((await post('[]', { origin: OTHER, cookie: `consent=${cookie}` })).headers['set-cookie'])).toMatch(
      /^consent=/,
    );
    // A slow request made before a withdrawal answers after it: its cookie is outdated and not re-issued.
    const withdrawal = receiptFor(consentId, { previousId: first.id, id: uuid(Date.now() + 1) });
    await results(JSON.stringify([withdrawal]));
    expect((await post('[]', { cookie: `assent=${cookie}` })).headers['set-cookie']).toBeUndefined();
    const current = consentCookie(consentId, withdrawal.id);
    expect((await post('[]', { cookie: `assent=${current}` })).headers['set-cookie']).toBeDefined();
    // A decision dated in the future, or older than the site's lifetime, is not re-issued either.
    expect(
      (await post('[]', { cookie: `assent=${consentCookie(consentId, withdrawal.id, -864e5)}` })).headers['set-cookie'],
    ).toBeUndefined();
    expect(
      (await post('[]', { cookie: `assent=${consentCookie(consentId, withdrawal.id, 31 * 864e5)}` })).headers[
        'set-cookie'
      ],
    ).toBeUndefined();
  });

  it('re-issues the cookie without its outbox flag once the decision’s own receipt is here, and with it before', async () => {
    const reissued = async (body: string, cookie: string) =>
      decodeConsentCookie(
        /^assent=([^;]*)/.exec(String((await post(body, { cookie: `assent=${cookie}` })).headers['set-cookie']))?.[1],
      );
    const consentId = uuid();
    const receipt = receiptFor(consentId);
    const cookie = consentCookie(consentId, receipt.id, 0, 'o');
    // A batch without the decision's receipt (an entry that waited before it): the flag stays.
    expect(await reissued('[]', cookie)).toMatchObject({ receiptId: receipt.id, pending: true });
    // The batch that brings it, and a resend of it (a duplicate): only the flag goes.
    for (let i = 0; i < 2; i++)
      expect(await reissued(JSON.stringify([receipt]), cookie)).toEqual({
        ...decodeConsentCookie(cookie),
        pending: false,
      });
    // A receipt it rejects is not delivered: the flag stays.
    const other = uuid();
    const rejected = receiptFor(other, { origin: 'https://elsewhere.example' });
    expect(await reissued(JSON.stringify([rejected]), consentCookie(other, rejected.id, 0, 'o'))).toMatchObject({
      pending: true,
    });
    expect(await results(JSON.stringify([rejected]))).toMatchObject([{ status: 'rejected' }]);
  });

  it('answers 400 to dates that are not dates, and no error body names SQL, a path or an address', async () => {
    for (const q of ['from=2026-13-45', 'to=2026-02-30', 'from=yesterday', "from=2026-01-01'--", 'from=0000-01-01']) {
      const res = await app.inject({ url: `/v1/stats?${q}`, headers: auth });
      expect(res.statusCode).toBe(400);
      expect(res.body).not.toMatch(/SELECT|syntax|\/tmp|127\.0\.0\.1|postgres/i);
    }
  });

  it('bounds the work and the answer of one request: at most MAX_ENTRIES entries, short reasons', async () => {
    const tiny = `[${Array(80_000).fill('{}').join(',')}]`;
    expect(tiny.length).toBeLessThan(256 * 1024);
    const res = await post(tiny);
    expect(res.statusCode).toBe(413);
    expect(res.body.length).toBeLessThan(500);
    const bad = `[${Array(MAX_ENTRIES)
      .fill(JSON.stringify({ type: 'consent', id: 'x'.repeat(100), purposes: 'x'.repeat(100) }))
      .join(',')}]`;
    const out = await post(bad);
    expect(out.statusCode).toBe(200);
    // Each answer is a short reason, however large the entry: the answer stays near the body's size.
    expect(out.body.length).toBeLessThan(MAX_ENTRIES * 400);
  });

  it('exports CSV with a header row and cells a spreadsheet reads as text, never as a formula', async () => {
    const r = receiptFor(uuid(), { policy: { url: '=HYPERLINK("https://evil.example")', version: '+1' } });
    await results(JSON.stringify([r]));
    const csv = (await app.inject({ url: '/v1/export?format=csv', headers: auth })).body;
    const [header] = csv.split('\r\n');
    expect(header).toBe(
      'received_at,id,consent_id,previous_id,timestamp,method,language,origin,policy_url,policy_version,text_hash,gpc,granted,denied,conflict,received_from,signature',
    );
    const row = csv.split('\r\n').find((l) => l.includes(r.id)) as string;
    expect(row).toContain(`"'=HYPERLINK(""https://evil.example"")",'+1,`);
  });

  it('bounds what one receipt can add to the statistics: at most 64 purposes, and only Assent’s languages', async () => {
    const base = receiptFor(uuid());
    const many = { ...base, purposes: Array.from({ length: 65 }, (_, i) => ({ ...base.purposes[0], id: `p${i}` })) };
    const [tooMany] = await results(JSON.stringify([many]));
    expect(tooMany.status).toBe('rejected');
    expect(tooMany.reason).toContain('a list of at most 64');
    await results(JSON.stringify([receiptFor(uuid(), { language: 'zz-Made-Up' })]));
    const s = (await app.inject({ url: '/v1/stats', headers: auth })).json();
    expect(Object.keys(s.perLanguage)).not.toContain('zz-Made-Up');
    expect(s.perLanguage.other).toBeGreaterThanOrEqual(1);
  });

  it('keeps its counters equal to a full recount after receipts, conflicts, withdrawals and erasures', async () => {
    const c = uuid();
    const a = receiptFor(c);
    const b = receiptFor(c, {
      id: uuid(Date.now() + 5),
      previousId: a.id,
      purposes: a.purposes.map((p) => ({ ...p, granted: false })),
    });
    await results(JSON.stringify([a, b, { ...b, method: 'api' }]));
    await expectCountersWhole();
    await store.erase(c);
    await expectCountersWhole();
  });

  it('publishes the JWKS without private parts, and answers /healthz', async () => {
    expect(keys.keys.every((k) => !('d' in k))).toBe(true);
    expect(payloadOf<{ type: string }>(`x.${Buffer.from('{"type":"t"}').toString('base64url')}.y`).type).toBe('t');
    const health = await app.inject('/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ ok: true, database: 'writable' });
  });
});

describe('admin routes and limits', () => {
  let db: Db;
  let app: FastifyInstance;

  beforeAll(async () => {
    db = await collectorBackends('assent-admin-')[0][1]();
    await migrate(db);
    const key = await loadSigningKey(db, mkdtempSync(join(tmpdir(), 'assent-key-')));
    app = await buildApp({ db, key, origins: [ORIGIN], rateLimit: 30, trustProxy: false, adminToken: TOKEN });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('refuses a missing or wrong token with 401', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }]) {
      const res = await app.inject({ url: '/v1/stats', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('compares tokens as SHA-256 digests, so that a wrong token of any length takes the same comparison', async () => {
    const compare = vi.mocked(timingSafeEqual);
    for (const given of ['x', 'admin-secre', `${TOKEN}x`, 'y'.repeat(500)]) {
      compare.mockClear();
      expect((await app.inject({ url: '/v1/stats', headers: { authorization: `Bearer ${given}` } })).statusCode).toBe(
        401,
      );
      expect(compare, given).toHaveBeenCalledTimes(1);
      expect(compare.mock.calls[0].map((b) => (b as Buffer).length)).toEqual([32, 32]);
    }
    expect((await app.inject({ url: '/v1/stats', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(
      200,
    );
  });

  it('counts entries, not only requests: beyond ten times the rate limit of entries a minute, 429', async () => {
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, () => sampleReceipt({ consentId: uuid() })));
    const send = () =>
      app.inject({
        method: 'POST',
        url: '/v1/receipts',
        payload: batch(MAX_ENTRIES),
        headers: { 'content-type': 'text/plain', origin: ORIGIN, 'x-forwarded-for': '10.9.9.9' },
        remoteAddress: '10.1.2.3',
      });
    // 30 requests a minute allow 300 entries: three full batches, then a refusal that stores nothing.
    for (let i = 0; i < 3; i++) expect((await send()).statusCode).toBe(200);
    const refused = await send();
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers.connection).toBe('close');
  });

  it('lets one client address hold a bounded number of connections, so slow bodies cannot take every socket', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const sockets = Array.from({ length: 80 }, () => connect(Number(port), '127.0.0.1'));
    const closed = sockets.map(
      (s) =>
        new Promise<boolean>((done) => {
          s.once('close', () => done(true));
          setTimeout(() => done(false), 2000);
        }),
    );
    // The first 64 stay open (as a slow body would), the rest are cut at once.
    const outcome = await Promise.all(closed.slice(64));
    expect(outcome.every(Boolean)).toBe(true);
    expect(sockets.slice(0, 64).every((s) => !s.destroyed)).toBe(true);
    for (const s of sockets) s.destroy();
  });

  it('answers 429 with Retry-After beyond the rate limit, while /healthz stays outside it', async () => {
    let last = await app.inject('/.well-known/jwks.json');
    for (let i = 0; i < 40 && last.statusCode !== 429; i++) last = await app.inject('/.well-known/jwks.json');
    expect(last.statusCode).toBe(429);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(last.json().error.code).toBe('rate_limited');
    for (let i = 0; i < 40; i++) expect((await app.inject('/healthz')).statusCode).toBe(200);
  });
});
