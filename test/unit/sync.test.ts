import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENTRY_SCHEMA_FILE, generateEntrySchema } from '../../scripts/schema';
import { entryIssues } from '../../src/core/entries';
import { toIso27560, toKantara } from '../../src/core/exports';
import { buildReceipt } from '../../src/core/receipt';
import type { Entry } from '../../src/core/types';
import { backoffMs, batches, MAX_BATCH_BYTES, post, resultsOf, sendOnExit, signs } from '../../src/sync/deliver';
import type { Sync } from '../../src/sync/index';
import { openStore } from '../../src/sync/store';
import { answered, refusal, retryAfterMs } from '../../src/sync/trouble';
import { shopConfig } from '../fixtures/configs';

const config = {
  ...shopConfig(),
  controller: { ...shopConfig().controller, address: '1 rue X, Paris', dpo: { email: 'dpo@shop.example' } },
};
config.purposes[3].transfers = { outsideEU: true, safeguard: 'scc' };
const receipt = buildReceipt({
  config,
  language: 'en',
  id: '0193a5b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b',
  consentId: 'c0ffee00-0000-4000-8000-000000000000',
  previousId: null,
  time: Date.UTC(2026, 10, 21, 10),
  method: 'preferences',
  origin: 'https://shop.example',
  textHash: `sha256-${'A'.repeat(43)}=`,
  gpc: false,
  purposes: { necessary: true, legal: true, security: true, analytics: true, marketing: false },
});

describe('backoff', () => {
  it('grows exponentially with full jitter, is capped at 5 minutes, and never comes before Retry-After', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a, 0, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(20, 0, () => 1)).toBe(300_000);
    expect(backoffMs(3, 0, () => 0.5)).toBe(4000);
    expect(backoffMs(0, 30_000, () => 1)).toBe(30_000);
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs('Sun, 22 Nov 2026 00:01:00 GMT', Date.UTC(2026, 10, 22, 0, 0, 0))).toBe(60_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('batches', () => {
  it('stay under 60 KB and keep every entry in order', () => {
    const entries = Array.from(
      { length: 50 },
      (_, i) => ({ ...receipt, id: `id-${i}`, texts: 'x'.repeat(5000) }) as unknown as Entry,
    );
    const out = batches(entries);
    expect(out.flat().map((e) => e.id)).toEqual(entries.map((e) => e.id));
    for (const b of out)
      expect(new TextEncoder().encode(JSON.stringify(b)).length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(out.length).toBeGreaterThan(1);
  });
});

/** A compact JWS over `payload` (its signature part is not checked here). */
const jws = (payload: string) =>
  [JSON.stringify({ alg: 'EdDSA' }), payload]
    .map((part) => Buffer.from(part, 'utf8').toString('base64url'))
    .concat('c2lnbmF0dXJl')
    .join('.');

describe('what the endpoint answered', () => {
  afterEach(() => vi.unstubAllGlobals());
  const other = { ...receipt, id: 'other' } as Entry;
  const batch = [receipt as Entry, other];
  const textsOf = (entries: Entry[]) => entries.map((e) => JSON.stringify(e));
  /** What a 2xx answer with this body says of `entries`. */
  const delivered = (body: unknown, entries = batch) => resultsOf(entries, textsOf(entries), body);
  /** What a non-2xx answer says of the batch. */
  const refused = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    refusal(batch, textsOf(batch), new Response(null, { status, headers }), body);
  const sent = async () => {
    const fetchMock = vi.fn(async () => new Response('{}'));
    vi.stubGlobal('fetch', fetchMock);
    await post('/e', textsOf(batch));
    return (fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1];
  };

  it('2xx delivers the batch, with the signatures over the entries sent and the entries it rejected by name', () => {
    const signature = jws(JSON.stringify(receipt));
    expect(
      delivered({
        results: [
          { id: receipt.id, status: 'accepted', signature },
          { id: 'other', status: 'rejected', reason: 'bad' },
        ],
      }),
    ).toEqual([[[`h:${receipt.id}`, { receipt, signature }]], [['rejected', 'other', 'bad']]]);
  });

  it('sends each entry as the exact text its signature must sign', async () => {
    expect((await sent()).body).toBe(`[${JSON.stringify(receipt)},${JSON.stringify(other)}]`);
  });

  it.each([
    ['over another receipt under the same id', jws(JSON.stringify({ ...receipt, gpc: true }))],
    ['over the same receipt re-serialised', jws(JSON.stringify(receipt, null, 1))],
    ['over nothing (detached)', `${jws('x').split('.')[0]}..c2ln`],
    ['over invalid UTF-8', `${jws('x').split('.')[0]}.${Buffer.from([0xc3, 0x28]).toString('base64url')}.c2ln`],
    ['that is no compact JWS', 'sig.0193a5b2'],
    ['that is not a string', 42],
  ])('a signature %s is not kept, and is named', (_, signature) => {
    expect(delivered({ results: [{ id: receipt.id, status: 'accepted', signature }] }, [receipt])).toEqual([
      [],
      [['signature', receipt.id]],
    ]);
  });

  it('checks the payload byte for byte, whatever characters the entry holds', () => {
    const text = JSON.stringify({ ...receipt, language: 'fr', retention: 'été \u2028 😀 \ud800' });
    expect(signs(jws(text), text)).toBe(true);
    expect(signs(jws(text), `${text} `)).toBe(false);
  });

  it('keeps signatures of receipts only: the history holds no texts or erasure entry', () => {
    const texts = { type: 'texts', id: 'texts', textHash: receipt.textHash, language: 'en', texts: {} } as Entry;
    const signature = jws(JSON.stringify(texts));
    expect(delivered({ results: [{ id: 'texts', status: 'accepted', signature }] }, [texts])).toEqual([[], []]);
  });

  it('a conflict (other bytes under the same id) leaves the outbox as such, with its reason', () => {
    expect(delivered({ results: [{ id: receipt.id, status: 'conflict', reason: 'other bytes' }] }, [receipt])).toEqual([
      [],
      [['conflict', receipt.id, 'other bytes']],
    ]);
  });

  it('an answer naming `constructor` or `__proto__`, or of any other shape, is only data', () => {
    const [signed, problems] = delivered({
      results: [
        { id: 'constructor', status: 'rejected', reason: 'x' },
        { id: '__proto__', status: 'conflict', reason: 'y' },
        null,
        { id: 42, status: 'rejected' },
        'x',
      ],
    });
    expect(signed).toEqual([]);
    expect(problems).toEqual([
      ['rejected', 'constructor', 'x'],
      ['conflict', '__proto__', 'y'],
    ]);
    for (const body of [null, 'x', { results: 'x' }, { results: { 0: {} } }, []])
      expect(delivered(body)).toEqual([[], []]);
  });

  it('sends text/plain, so that no CORS preflight is needed', async () => {
    const init = await sent();
    expect(init.method).toBe('POST');
    // A string body: the Fetch standard gives it this type, and the request sets no other.
    expect(typeof init.body).toBe('string');
    expect(new Request('https://shop.example/e', init).headers.get('content-type')).toBe('text/plain;charset=UTF-8');
  });

  it('keeps the Origin header under any Referrer-Policy of the page, and sends no Referer', async () => {
    // The request's own policy decides the Origin header (Fetch, "append a request Origin header").
    expect(await sent()).toMatchObject({ referrerPolicy: 'origin', referrer: '' });
  });

  it('a normal send is not keepalive: a response arriving after the page is gone could bring back an old cookie', async () => {
    const init = await sent();
    expect(init.keepalive).toBeFalsy();
    expect(init.credentials).toBe('same-origin');
  });

  it('a 400 or 422 naming entries rejects only those', () => {
    expect(refused(422, { error: { code: 'invalid', message: 'no', ids: ['other'] } })).toEqual({
      named: [['rejected', 'other', 'no']],
      retryAfter: undefined,
      status: 422,
      message: 'no',
    });
    expect(refused(400, { results: [{ id: 'other', status: 'rejected', reason: 'bad' }] }).named).toEqual([
      ['rejected', 'other', 'bad'],
    ]);
  });

  it.each([400, 401, 403, 429, 500, 503])('%i without names keeps everything queued', (status) => {
    // With what the endpoint said, so that a refusal can be named to the site owner.
    expect(refused(status, { error: { code: 'x', message: 'y' } }, { 'Retry-After': '7' })).toEqual({
      named: [],
      retryAfter: 7000,
      status,
      message: 'y',
    });
  });

  it('413 splits a batch, and keeps a single entry queued', async () => {
    const sends: string[][] = [];
    const sync = {
      send: async (entries: Entry[]) => {
        sends.push(entries.map((e) => e.id));
        return undefined;
      },
    } as unknown as Sync;
    const tooLarge = () => new Response(null, { status: 413 });
    expect(await answered(sync, batch, textsOf(batch), tooLarge(), null)).toBeUndefined();
    expect(sends).toEqual([[receipt.id], ['other']]);
    // One entry too large for the endpoint stays queued, and the site owner is told (a 4xx).
    const said = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.stubGlobal('location', { origin: 'https://shop.example' });
    const emit = vi.fn();
    const one = { ...sync, endpoint: '/e', host: { emit } } as unknown as Sync;
    expect(await answered(one, [receipt], textsOf([receipt]), tooLarge(), null)).toBe(0);
    expect(sends).toHaveLength(2);
    expect(emit).toHaveBeenCalledWith('error', expect.objectContaining({ code: 'endpoint' }));
    expect(said).toHaveBeenCalledWith(expect.stringContaining('answered 413'));
    said.mockRestore();
  });

  it('a network failure keeps everything queued', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
    );
    expect(await post('/e', textsOf(batch))).toBeUndefined();
  });
});

describe('copies sent as the page hides', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('go by keepalive fetch, with the Origin header and without the cookie, within the keepalive quota', () => {
    const sent: RequestInit[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn((_: string, init: RequestInit) => {
        sent.push(init);
        return new Promise(() => {});
      }),
    );
    const big = Array.from(
      { length: 6 },
      (_, i) => ({ ...receipt, id: `id-${i}`, texts: 'x'.repeat(20_000) }) as unknown as Entry,
    );
    sendOnExit('/e', big);
    expect(sent.length).toBeGreaterThan(0);
    for (const init of sent)
      expect(init).toMatchObject({ keepalive: true, credentials: 'omit', referrerPolicy: 'origin', referrer: '' });
    // Nothing answered yet: what is in flight stays within the 64 KiB browsers allow.
    expect(sent.reduce((n, init) => n + new TextEncoder().encode(init.body as string).length, 0)).toBeLessThanOrEqual(
      65_536,
    );
    sendOnExit('/e', big);
    expect(sent.reduce((n, init) => n + new TextEncoder().encode(init.body as string).length, 0)).toBeLessThanOrEqual(
      65_536,
    );
  });
});

describe('store', () => {
  it('falls back to memory, says why once, and keeps working', async () => {
    const failures: string[] = [];
    const store = openStore((reason) => failures.push(reason));
    await store.put([
      ['o:2', 'b'],
      ['o:1', 'a'],
      ['h:1', 'x'],
    ]);
    expect(await store.list('o:')).toEqual([
      ['o:1', 'a'],
      ['o:2', 'b'],
    ]);
    await store.remove(['o:1']);
    expect(await store.list('o:')).toEqual([['o:2', 'b']]);
    expect(await store.list('o:2')).toEqual([['o:2', 'b']]);
    expect(failures).toHaveLength(1);
  });
});

describe('exports', () => {
  it('Kantara Consent Receipt v1.1 carries every required field', () => {
    const k = toKantara(receipt, config);
    for (const field of [
      'version',
      'jurisdiction',
      'consentTimestamp',
      'collectionMethod',
      'consentReceiptID',
      'piiPrincipalId',
      'piiControllers',
      'policyUrl',
      'services',
      'sensitive',
      'spiCat',
      'language',
    ])
      expect(k).toHaveProperty(field);
    expect(k).toMatchObject({
      version: 'KI-CR-v1.1.0',
      consentTimestamp: Date.UTC(2026, 10, 21, 10) / 1000,
      consentReceiptID: receipt.id,
    });
    for (const field of ['piiController', 'onBehalf', 'contact', 'address', 'email', 'phone', 'piiControllerUrl'])
      expect(k.piiControllers[0]).toHaveProperty(field);
    expect(k.piiControllers[0].address).toEqual({ streetAddress: '1 rue X, Paris', addressCountry: '' });
    const purposes = k.services[0].purposes;
    expect(purposes.map((p) => p.purposeCategory[0])).toEqual(['necessary', 'legal', 'security', 'analytics']);
    for (const field of [
      'purpose',
      'purposeCategory',
      'consentType',
      'piiCategory',
      'primaryPurpose',
      'termination',
      'thirdPartyDisclosure',
      'thirdPartyName',
    ])
      expect(purposes[3]).toHaveProperty(field);
    expect(purposes[3]).toMatchObject({
      purpose: 'Audience measurement',
      consentType: 'EXPLICIT',
      piiCategory: ['usage'],
      termination: '13 months',
      thirdPartyDisclosure: true,
    });
  });

  it('an ISO/IEC TS 27560 record has its header, processing, PII, parties and events fields', () => {
    const r = toIso27560(receipt, config);
    for (const field of ['schema_version', 'record_id', 'pii_principal_id', 'processing', 'parties', 'events'])
      expect(r).toHaveProperty(field);
    expect(r.processing).toHaveLength(5);
    for (const field of [
      'privacy_notice',
      'language',
      'purposes',
      'lawful_basis',
      'pii_information',
      'pii_controllers',
      'collection_method',
      'processing_method',
      'storage_locations',
      'retention_period',
      'processing_locations',
      'geographic_restrictions',
      'jurisdiction',
      'recipient_third_parties',
      'withdrawal_method',
      'privacy_rights',
      'codes_of_conduct',
      'impact_assessment',
      'authority_party',
    ])
      expect(r.processing[3]).toHaveProperty(field);
    for (const field of [
      'pii_type',
      'pii_attribute_id',
      'pii_optional',
      'sensitive_pii_category',
      'special_pii_category',
    ])
      expect(r.processing[3].pii_information[0]).toHaveProperty(field);
    for (const field of ['party_name', 'party_role', 'party_contact', 'party_type'])
      expect(r.parties[0]).toHaveProperty(field);
    for (const field of ['event_time', 'validity_duration', 'entity_id', 'event_type', 'event_state'])
      expect(r.events[0]).toHaveProperty(field);
    expect(r.processing[3]).toMatchObject({
      lawful_basis: 'consent',
      geographic_restrictions: 'transfers outside the EU under standard contractual clauses',
    });
    expect(r.events.map((e) => e.event_state)).toEqual(['not required', 'not required', 'given', 'given', 'refused']);
    expect(r.events[0].validity_duration).toBe('P182D');
  });
});

describe('the entry schema, generated from the types', () => {
  it('is up to date', () => {
    expect(JSON.parse(readFileSync(ENTRY_SCHEMA_FILE, 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(generateEntrySchema())),
    );
    // Generating runs the TypeScript compiler: seconds on a busy machine.
  }, 60_000);

  it('accepts receipts, texts and erasure entries as the browser makes them, extra fields included', () => {
    expect(entryIssues(receipt)).toEqual([]);
    expect(entryIssues({ ...receipt, signature: 'x', recovered: true })).toEqual([]);
    expect(
      entryIssues({ type: 'texts', id: receipt.id, textHash: `sha256-${'A'.repeat(43)}=`, language: 'fr', texts: {} }),
    ).toEqual([]);
    expect(
      entryIssues({
        type: 'erasure',
        id: receipt.id,
        consentId: receipt.consentId,
        timestamp: '2026-11-21T10:00:00.000Z',
      }),
    ).toEqual([]);
  });

  it('names what is wrong with a bad entry', () => {
    const bad = {
      ...receipt,
      consentId: 'bob@example.com',
      method: 'email',
      purposes: [{ ...receipt.purposes[0], granted: 'yes' }],
    };
    expect(entryIssues(bad).map((i) => i.message)).toEqual([
      'entry.consentId must be text matching ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ (got "bob@example.com")',
      'entry.method must be one of banner, preferences, placeholder, api, gpc (got "email")',
      'entry.purposes[0].granted must be true or false (got "yes")',
    ]);
    expect(entryIssues({ type: 'erasure', id: 'x' }).map((i) => i.message)).toEqual([
      'entry.consentId is required',
      'entry.timestamp is required',
      'entry.id must be text matching ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ (got "x")',
    ]);
    expect(entryIssues({ type: 'nope', id: receipt.id })).toHaveLength(1);
    expect(entryIssues('not an object')).toHaveLength(1);
  });
});
