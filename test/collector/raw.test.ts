// The collector reads each entry of a batch from the bytes received (SPEC §7): what it stores and signs
// is exactly what the browser sent, a bad entry costs only itself, and no body can make it hang.
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, MAX_ELEMENTS, type ScannedBatch, scanBatch } from '../../src/collector/raw';

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const scan = (body: string | Uint8Array, options?: Parameters<typeof scanBatch>[1]) =>
  scanBatch(typeof body === 'string' ? Buffer.from(body) : body, options);
const only = (batch: ScannedBatch | null) => {
  expect(batch?.entries).toHaveLength(1);
  return batch!.entries[0];
};

// What JSON.parse says about the same bytes, decoded the way Fastify used to (invalid UTF-8 becomes
// U+FFFD, which never changes the structure; a leading BOM is dropped).
const oracle = (body: Uint8Array): { ok: false } | { ok: true; values: unknown[] } => {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body));
    return Array.isArray(parsed) ? { ok: true, values: parsed } : { ok: false };
  } catch {
    return { ok: false };
  }
};

// An independent reading of one valid element's text: its depth and whether an object repeats a key.
// Recursive and string-based on purpose, unlike the scanner; only used on shallow elements.
const reference = (text: string) => {
  let i = 0;
  let repeated = false;
  let deepest = 0;
  const ws = () => {
    while (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r') i++;
  };
  const string = (): string => {
    const token = /"(?:[^"\\]|\\.)*"/y;
    token.lastIndex = i;
    const m = token.exec(text)!;
    i = token.lastIndex;
    return JSON.parse(m[0]);
  };
  const value = (depth: number): void => {
    ws();
    if (text[i] === '{' || text[i] === '[') {
      deepest = Math.max(deepest, depth);
      const close = text[i] === '{' ? '}' : ']';
      const keys = new Set<string>();
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (close === '}') {
          const key = string();
          if (keys.has(key)) repeated = true;
          keys.add(key);
          ws();
          i++; // the colon
        }
        value(depth + 1);
        ws();
        if (text[i++] === close) return;
      }
    }
    if (text[i] === '"') string();
    else i += /^-?[\d.eE+-]+|^true|^false|^null/.exec(text.slice(i, i + 400))![0].length;
  };
  value(1);
  return { depth: deepest, repeated };
};

// The first byte that is not UTF-8, found by re-encoding what a lenient decoder made of the bytes.
const firstBadByte = (element: Uint8Array): number => {
  let at = 0;
  for (const ch of new TextDecoder().decode(element)) {
    const encoded = Buffer.from(ch);
    if (!Buffer.from(element.subarray(at, at + encoded.length)).equals(encoded)) return at;
    at += encoded.length;
  }
  return -1;
};

const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Checks a scan against the oracle and the reference reading, entry by entry; says which case it was. */
const agreesWithJsonParse = (body: Uint8Array) => {
  const batch = scanBatch(body, { maxElements: Number.POSITIVE_INFINITY });
  const expected = oracle(body);
  const shown = new TextDecoder().decode(body);
  if (!expected.ok) {
    expect(batch, shown).toBeNull();
    return 'invalid';
  }
  expect(batch, shown).not.toBeNull();
  const entries = batch!.entries;
  expect(entries).toHaveLength(expected.values.length);
  // Walk the body: before, between and after the entries there is only whitespace, commas and the
  // brackets (all ASCII), and each entry is its bytes.
  const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  let at = bom + shown.indexOf('[') + 1;
  const gapFrom = (from: number) => {
    let end = from;
    while (end < body.length && ' \t\n\r,'.includes(String.fromCharCode(body[end]))) end++;
    return String.fromCharCode(...body.subarray(from, end));
  };
  entries.forEach((entry, k) => {
    const gap = gapFrom(at);
    expect(gap, shown).toMatch(k === 0 ? /^[ \t\n\r]*$/ : /^[ \t\n\r]*,[ \t\n\r]*$/);
    at += gap.length;
    expect(entry.raw).toBe(entry.raw.trim());
    if (entry.problem?.startsWith('invalid UTF-8')) {
      // Its bytes end with the raw's last character, which is ASCII, where they decode to the raw.
      let end = at;
      do end++;
      while (
        !(
          body[end - 1] === entry.raw.charCodeAt(entry.raw.length - 1) &&
          new TextDecoder().decode(body.subarray(at, end)) === entry.raw
        )
      );
      expect(entry.problem).toBe(`invalid UTF-8 at byte ${firstBadByte(body.subarray(at, end))}`);
      expect(firstBadByte(body.subarray(at, end))).toBeGreaterThanOrEqual(0);
      at = end;
      return;
    }
    const element = Buffer.from(entry.raw);
    expect(element.equals(body.subarray(at, at + element.length)), shown).toBe(true); // byte-exact, valid UTF-8
    at += element.length;
    const seen = reference(entry.raw);
    if (seen.depth > MAX_DEPTH) expect(entry.problem).toBe(`nests deeper than ${MAX_DEPTH} levels`);
    else if (seen.repeated) expect(entry.problem).toMatch(/^key ".*" appears twice in one object \(at entry.*\)$/);
    else {
      expect(entry.problem, entry.raw).toBeUndefined();
      expect(entry.value).toEqual(expected.values[k]);
    }
  });
  expect(String.fromCharCode(...body.subarray(at))).toMatch(/^[ \t\n\r]*\][ \t\n\r]*$/);
  // The kind of the first rejected entry, if any.
  const problem = entries.find((e) => e.problem)?.problem ?? '';
  return problem.startsWith('invalid') ? 'utf8' : problem.startsWith('nests') ? 'depth' : problem ? 'repeat' : 'valid';
};

describe('a batch read from its bytes', () => {
  it('returns each entry exactly as sent: whitespace around it dropped, key order and escapes kept', () => {
    const a = '{"b":1,  "a":"x, y ] }"}';
    const b = '{"n":"\\"quoted\\" \\\\ back","t":[1,{"u":"é"}]}';
    const batch = scan(`[ ${a} ,\n${b} ]`);
    expect(batch?.entries.map((e) => e.raw)).toEqual([a, b]);
    expect(batch?.entries.map((e) => e.value)).toEqual([JSON.parse(a), JSON.parse(b)]);
    expect(batch?.tooMany).toBeUndefined();
  });

  it('reads scalars, empty containers and nested arrays as entries', () => {
    const batch = scan('[1, "two", null, true, false, -0.5e+3, [3,4], {}, []]');
    expect(batch?.entries.map((e) => e.raw)).toEqual([
      '1',
      '"two"',
      'null',
      'true',
      'false',
      '-0.5e+3',
      '[3,4]',
      '{}',
      '[]',
    ]);
    expect(batch?.entries.map((e) => e.value)).toEqual([1, 'two', null, true, false, -500, [3, 4], {}, []]);
    expect(scan('[]')).toEqual({ entries: [] });
    expect(scan(' \t\r\n[ \t\r\n] \t\r\n')).toEqual({ entries: [] });
  });

  it('keeps non-ASCII text byte for byte: what is stored re-encodes to the bytes received', () => {
    const texts = [
      '{"title":"Mesure d’audience","fr":"Données"}',
      '{"bg":"Анализ на посещаемостта","el":"Στατιστικά"}',
      '{"emoji":"😀🏳️‍🌈","cjk":"同意","line":"a\u2028b\u2029c"}',
      '{"nfc":"é","nfd":"e\u0301","bom":"\ufeff","nbsp":"\u00a0","replacement":"\ufffd"}',
    ];
    const body = bytes(`[${texts.join(',')}]`);
    const batch = scan(body);
    expect(batch?.entries.map((e) => e.raw)).toEqual(texts);
    let at = 1;
    for (const entry of batch!.entries) {
      const encoded = Buffer.from(entry.raw);
      expect(encoded.equals(body.subarray(at, at + encoded.length))).toBe(true);
      at += encoded.length + 1;
    }
    expect((batch!.entries[3].value as { nfd: string }).nfd).toBe('e\u0301'); // never normalised
  });

  it('reads a plain Uint8Array, and a view into a larger buffer, like a Buffer', () => {
    const inner = Buffer.from('[{"id":"a","x":"é"},2]');
    const outer = new Uint8Array(inner.length + 20);
    outer.set(inner, 7);
    for (const body of [new Uint8Array(inner), outer.subarray(7, 7 + inner.length)])
      expect(scanBatch(body)).toEqual(scan(inner));
    expect(scanBatch(outer.subarray(7, 7 + inner.length))?.entries[0]).toEqual({
      raw: '{"id":"a","x":"é"}',
      id: 'a',
      value: { id: 'a', x: 'é' },
    });
  });
});

describe('what makes the whole body a 400 (null)', () => {
  const invalid = [
    '',
    ' ',
    '{}',
    '"x"',
    '1',
    'null',
    'nope',
    '[',
    ']',
    '[1,',
    '[1] x',
    '[1]]',
    '[][]',
    '[1,]',
    '[,1]',
    '[1 2]',
    '[01]',
    '[-01]',
    '[1.]',
    '[.5]',
    '[-]',
    '[1e]',
    '[1e+]',
    '[+1]',
    '[0x1]',
    '[NaN]',
    '[Infinity]',
    '[-Infinity]',
    '[tru]',
    '[True]',
    '[nul]',
    '[nulll]',
    '[falsey]',
    "['x']",
    '["abc]',
    '["\\x"]',
    '["\\u12"]',
    '["\\u12G4"]',
    '["\\U0041"]',
    '["\\\'"]',
    '[{"a" 1}]',
    '[{"a":1,}]',
    '[{,}]',
    '[{1:2}]',
    '[{a:1}]',
    '[{"a":1]',
    '[[1}]',
    '[{]}',
    '[{"a"}]',
    '[{"a":}]',
    '["a\tb"]', // a raw tab inside a string
    '["a\nb"]',
    '["a\u0000b"]',
    '["a\u001fb"]',
    '[\f1]', // form feed is not JSON whitespace
    '[\v1]',
    '[\u00a01]',
    '[\u20281]',
    '[1]\u0000',
    '[1]\ufeff',
    ' \ufeff[]', // a BOM after whitespace
    '\ufeff\ufeff[]',
    '[\ufeff1]',
  ];
  it.each(invalid)('refuses %j, as JSON.parse does', (body) => {
    expect(oracle(Buffer.from(body)).ok).toBe(false); // the list itself is checked
    expect(scan(body)).toBeNull();
  });

  it('refuses bytes >= 0x80 outside strings, and a string left open by a truncated sequence', () => {
    for (const body of [
      bytes('[1', [0xff], ']'),
      bytes('[', [0xc3, 0xa9], ']'),
      bytes([0xc3], '[]'),
      bytes('[] ', [0x80]),
      bytes('["a', [0xe2, 0x82]), // no closing quote at all
    ]) {
      expect(oracle(body).ok).toBe(false);
      expect(scan(body)).toBeNull();
    }
  });

  it('ignores one UTF-8 byte order mark before the array, and nothing else', () => {
    const withBom = bytes([0xef, 0xbb, 0xbf], ' [{"id":"a"}] ');
    expect(scan(withBom)?.entries).toEqual([{ raw: '{"id":"a"}', id: 'a', value: { id: 'a' } }]);
    expect(scan(bytes([0xef, 0xbb], '[]'))).toBeNull();
    expect(scan(bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], '[]'))).toBeNull();
    expect(scan(bytes('[', [0xef, 0xbb, 0xbf], '1]'))).toBeNull();
  });

  it('accepts the four whitespace characters of RFC 8259 wherever a token may end', () => {
    const ws = [' ', '\t', '\n', '\r', ' \t\n\r'];
    for (const w of ws) {
      const body = `${w}[${w}{${w}"a"${w}:${w}[${w}1${w},${w}true${w}]${w},${w}"b"${w}:${w}null${w}}${w},${w}"x"${w}]${w}`;
      expect(scan(body)?.entries.map((e) => e.raw)).toEqual([
        `{${w}"a"${w}:${w}[${w}1${w},${w}true${w}]${w},${w}"b"${w}:${w}null${w}}`,
        '"x"',
      ]);
      agreesWithJsonParse(Buffer.from(body));
    }
  });

  it('agrees with JSON.parse on every truncation and every one-byte deletion of a sample body', () => {
    const sample = bytes(
      '\n[ {"id":"0193a000-a929-729f-8523-9b34a74548ef","title":"Mesure d’audience","n":[-1.5e+2,0,true,false,null],',
      '"esc":"\\u00e9\\ud83d\\ude00\\n\\/\\"","bg":"Анализ","deep":{"a":[{"b":{}}]}} , "😀" , 12 , [ ] ]\r\n',
    );
    const outcomes = new Set<string>();
    for (let k = 0; k < sample.length; k++) {
      outcomes.add(agreesWithJsonParse(sample.subarray(0, k)));
      outcomes.add(agreesWithJsonParse(Buffer.concat([sample.subarray(0, k), sample.subarray(k + 1)])));
    }
    expect(agreesWithJsonParse(sample)).toBe('valid');
    // Truncations are all refused; some deletions (of whitespace, of a digit) still leave JSON, and
    // deleting one byte of a multi-byte character leaves an entry with invalid UTF-8.
    expect([...outcomes].sort()).toEqual(['invalid', 'utf8', 'valid']);
  });
});

describe('differential test against JSON.parse', () => {
  const chars = [
    'a',
    'Z',
    '0',
    ' ',
    '"',
    '\\',
    '/',
    '\n',
    '\t',
    '\u0000',
    '\u001f',
    '\u007f',
    'é',
    '’',
    'ж',
    '\u2028',
    '😀',
    '\ud800',
    '\udfff',
    '\ufeff',
  ];
  const hex4 = (code: number, rnd: () => number) => {
    const h = code.toString(16).padStart(4, '0');
    return rnd() < 0.5 ? h : h.toUpperCase();
  };
  const short: Record<string, string> = {
    '"': '\\"',
    '\\': '\\\\',
    '/': '\\/',
    '\n': '\\n',
    '\t': '\\t',
    '\b': '\\b',
    '\f': '\\f',
    '\r': '\\r',
  };
  // Writes a string with a random choice of escapes, each of them valid.
  const writeString = (s: string, rnd: () => number) => {
    let out = '"';
    for (let k = 0; k < s.length; k++) {
      const code = s.charCodeAt(k);
      const ch = s[k];
      const lone = code >= 0xd800 && code <= 0xdfff && !(code <= 0xdbff && (s.charCodeAt(k + 1) & 0xfc00) === 0xdc00);
      const mustEscape = ch === '"' || ch === '\\' || code < 0x20 || lone;
      const r = rnd();
      if (mustEscape || r < 0.2) out += short[ch] && r < 0.6 ? short[ch] : `\\u${hex4(code, rnd)}`;
      else if (code >= 0xd800 && code <= 0xdbff)
        out += s.slice(k, ++k + 1); // a pair, raw
      else out += ch;
    }
    return `${out}"`;
  };
  const randomString = (rnd: () => number) =>
    Array.from({ length: Math.floor(rnd() * 6) }, () => chars[Math.floor(rnd() * chars.length)]).join('');
  const numbers = [
    '0',
    '-0',
    '1',
    '-1',
    '12',
    '0.5',
    '-0.25',
    '1e3',
    '1E3',
    '2e+2',
    '5e-1',
    '-3.5E-2',
    '123456789012345678901',
    '1e400',
  ];
  const ws = (rnd: () => number) => (rnd() < 0.7 ? '' : [' ', '\t', '\n', '\r', '  \r\n'][Math.floor(rnd() * 5)]);
  const keys = [
    'id',
    'type',
    'a',
    '__proto__',
    'constructor',
    'toString',
    'é',
    '',
    '\u0000',
    '\ud800',
    'hasOwnProperty',
  ];
  // A random JSON text, written with random whitespace and escapes; keys are unique per object.
  const writeValue = (rnd: () => number, depth: number): string => {
    const r = rnd();
    if (depth > 5 || r < 0.45) {
      const s = rnd();
      if (s < 0.3) return numbers[Math.floor(rnd() * numbers.length)];
      if (s < 0.4) return ['true', 'false', 'null'][Math.floor(rnd() * 3)];
      return writeString(randomString(rnd), rnd);
    }
    const count = Math.floor(rnd() * 4);
    if (r < 0.7)
      return `[${ws(rnd)}${Array.from({ length: count }, () => writeValue(rnd, depth + 1)).join(`${ws(rnd)},${ws(rnd)}`)}${ws(rnd)}]`;
    const used = new Set<string>();
    const members: string[] = [];
    for (let k = 0; k < count; k++) {
      const key = rnd() < 0.5 ? keys[Math.floor(rnd() * keys.length)] : randomString(rnd);
      if (used.has(key)) continue;
      used.add(key);
      members.push(`${writeString(key, rnd)}${ws(rnd)}:${ws(rnd)}${writeValue(rnd, depth + 1)}`);
    }
    return `{${ws(rnd)}${members.join(`${ws(rnd)},${ws(rnd)}`)}${ws(rnd)}}`;
  };

  it('reads 2,000 random batches exactly: same raws, same values, no problem', () => {
    const rnd = random(12);
    for (let round = 0; round < 2000; round++) {
      const elements = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => writeValue(rnd, 1));
      const body = Buffer.from(`${ws(rnd)}[${ws(rnd)}${elements.join(`${ws(rnd)},${ws(rnd)}`)}${ws(rnd)}]${ws(rnd)}`);
      const batch = scan(body);
      expect(batch?.entries.map((e) => e.raw)).toEqual(elements);
      expect(batch?.entries.map((e) => e.value)).toEqual(elements.map((e) => JSON.parse(e)));
      expect(batch?.entries.every((e) => e.problem === undefined)).toBe(true);
    }
  });

  it('agrees with JSON.parse on 20,000 random mutations of valid bodies', () => {
    const rnd = random(7);
    const alphabet = [
      ...Buffer.from('{}[],:"\\ \t\n\r0123456789-+.eEtrufalsn/bu'),
      0x00,
      0x1f,
      0x7f,
      0x80,
      0xbf,
      0xc0,
      0xc3,
      0xa9,
      0xed,
      0xa0,
      0xf0,
      0x9f,
      0xf4,
      0x90,
      0xff,
    ];
    // Whole tokens too, so that mutations also make valid bodies with a repeated key or one level too many.
    const snippets = ['[],', ',[]', '{},', '{}', '[[]]', ',"a":0', '"\\u0061":0,', '"a":1,', '\\u', '"', ','].map(
      (t) => [...Buffer.from(t)],
    );
    const counts: Record<string, number> = { invalid: 0, valid: 0, utf8: 0, depth: 0, repeat: 0 };
    const samples = [
      ...Array.from({ length: 30 }, () => Buffer.from(`[${writeValue(rnd, 1)},${writeValue(rnd, 1)}]`)),
      Buffer.from(
        `[{"id":"x","a":1,"b":2},${'['.repeat(32)}${[...'123456789012345'].join(',')}${']'.repeat(32)},{"k":{"j":1,"i":2}}]`,
      ),
      Buffer.from('[{"a":1,"b":2,"e":3,"f":4,"l":5,"n":{"s":6,"t":7,"u":8}},"Mesure d’audience"]'),
      Buffer.from(`\ufeff[${'{"a":'.repeat(31)}[1,2,3,4,5,6,7,8,9]${'}'.repeat(31)}]`),
    ];
    for (let round = 0; round < 20_000; round++) {
      // Half the rounds mutate one of the last three samples, made to reach the per-entry problems.
      const sample = round % 2 ? samples[samples.length - 1 - (round % 3)] : samples[Math.floor(rnd() * 30)];
      const body = [...sample];
      for (let edits = 1 + Math.floor(rnd() * 2); edits > 0; edits--) {
        const at = Math.floor(rnd() * (body.length + 1));
        const byte =
          rnd() < 0.8 ? alphabet[Math.floor(rnd() * alphabet.length)] : body[Math.floor(rnd() * body.length)];
        const kind = rnd();
        if (kind < 0.3) body[at] = byte;
        else if (kind < 0.55) body.splice(at, 0, byte);
        else if (kind < 0.8) body.splice(at, 1);
        else {
          // A token goes where a token may start: after a bracket, a comma or a colon.
          const starts = body.flatMap((b, k) => ('[{,:'.includes(String.fromCharCode(b)) ? [k + 1] : []));
          body.splice(starts[Math.floor(rnd() * starts.length)], 0, ...snippets[Math.floor(rnd() * snippets.length)]);
        }
      }
      counts[agreesWithJsonParse(Uint8Array.from(body))]++;
    }
    // Enough of each kind for the comparison to mean something.
    expect(counts.invalid).toBeGreaterThan(5000);
    expect(counts.valid).toBeGreaterThan(1000);
    expect(counts.utf8).toBeGreaterThan(200);
    expect(counts.depth).toBeGreaterThan(20);
    expect(counts.repeat).toBeGreaterThan(20);
  });
});

describe('invalid UTF-8 costs only its entry', () => {
  // The bytes, and where in them the first invalid one is.
  const classes: [string, number[], number?][] = [
    ['an overlong 2-byte "/"', [0xc0, 0xaf]],
    ['an overlong 2-byte lead C1', [0xc1, 0xbf]],
    ['an overlong 3-byte sequence', [0xe0, 0x80, 0xaf]],
    ['an overlong 3-byte U+07FF', [0xe0, 0x9f, 0xbf]],
    ['an overlong 4-byte sequence', [0xf0, 0x80, 0x80, 0xaf]],
    ['an overlong 4-byte U+FFFF', [0xf0, 0x8f, 0xbf, 0xbf]],
    ['a high surrogate in UTF-8 (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['a low surrogate in UTF-8 (ED BF BF)', [0xed, 0xbf, 0xbf]],
    ['a surrogate pair in UTF-8 (CESU-8)', [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]],
    ['U+110000 (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
    ['a lead byte F5', [0xf5, 0x80, 0x80, 0x80]],
    ['a lead byte F8', [0xf8, 0x88, 0x80, 0x80, 0x80]],
    ['the byte FF', [0xff]],
    ['the byte FE', [0xfe]],
    ['a truncated 2-byte sequence', [0xc3]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
    ['a truncated 4-byte sequence', [0xf0, 0x9f, 0x98]],
    ['a truncated sequence before ASCII', [0xe2, 0x82, 0x41]],
    ['a stray continuation byte 80', [0x80]],
    ['a stray continuation byte BF', [0xbf]],
    ['a continuation byte after a complete character', [0xc3, 0xa9, 0xa9], 2],
  ];
  it.each(classes)('%s: that entry is rejected with the byte, the others stand', (_, bad, offset = 0) => {
    const before = '{"id":"0193a000-a929-729f-8523-9b34a74548ef","title":"Mesure d’audience ';
    const body = bytes('[{"id":"good-1"},', before, bad, '","n":1} , "Анализ"]');
    const batch = scan(body);
    expect(batch?.entries).toHaveLength(3);
    const [first, rejected, last] = batch!.entries;
    expect(first).toEqual({ raw: '{"id":"good-1"}', id: 'good-1', value: { id: 'good-1' } });
    expect(last).toEqual({ raw: '"Анализ"', value: 'Анализ' });
    expect(rejected.problem).toBe(`invalid UTF-8 at byte ${Buffer.byteLength(before) + offset}`);
    expect(rejected.id).toBe('0193a000-a929-729f-8523-9b34a74548ef');
    expect(rejected).not.toHaveProperty('value');
    // The reported byte is where a strict decoder first fails.
    expect(firstBadByte(bytes(before, bad, '","n":1}'))).toBe(Buffer.byteLength(before) + offset);
  });

  it('accepts every boundary character of UTF-8, one to four bytes', () => {
    const edges = ['\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\ufffd', '\uffff', '\u{10000}', '\u{10ffff}'];
    const body = bytes(`[${edges.map((e) => JSON.stringify(e)).join(',')}]`);
    expect(scan(body)?.entries.map((e) => e.value)).toEqual(edges);
  });

  it('rejects invalid UTF-8 in a key, and reads no id from an id that holds it', () => {
    expect(only(scan(bytes('[{"id":"a","k', [0xff], '":1}]')))).toEqual({
      raw: '{"id":"a","k\ufffd":1}',
      id: 'a',
      problem: 'invalid UTF-8 at byte 12',
    });
    expect(only(scan(bytes('[{"id":"a', [0xc0, 0x80], '"}]')))).toEqual({
      raw: '{"id":"a\ufffd\ufffd"}',
      problem: 'invalid UTF-8 at byte 8',
    });
  });
});

describe('repeated keys make an entry mean two things, so it is rejected', () => {
  it('names the key and where its object is', () => {
    const batch = scan(
      '[{"id":"r1","purposes":[{"id":"analytics","granted":false,"granted":true}]},{"id":"r2","granted":true}]',
    );
    expect(batch?.entries[0]).toEqual({
      raw: '{"id":"r1","purposes":[{"id":"analytics","granted":false,"granted":true}]}',
      id: 'r1',
      problem: 'key "granted" appears twice in one object (at entry.purposes[0])',
    });
    expect(batch?.entries[1].value).toEqual({ id: 'r2', granted: true });
    expect(only(scan('[{"granted":false,"granted":true}]')).problem).toBe(
      'key "granted" appears twice in one object (at entry)',
    );
  });

  it('finds a repeat at every depth up to the limit, in objects and arrays', () => {
    for (let depth = 1; depth <= MAX_DEPTH; depth++) {
      // depth - 1 containers around the object that repeats "k", alternating objects and arrays
      let text = '{"x":0,"k":1,"y":"[]","k":2}';
      let path = '';
      const steps: string[] = [];
      for (let d = depth - 1; d >= 1; d--) {
        if (d % 2) {
          text = `{"k":0,"a-${d}":${text}}`;
          steps.unshift(`["a-${d}"]`);
        } else {
          text = `[0,{"k":1},${text}]`;
          steps.unshift('[2]');
        }
      }
      path = `entry${steps.join('')}`;
      expect(reference(text)).toEqual({ depth, repeated: true });
      expect(only(scan(`[${text}]`)).problem).toBe(`key "k" appears twice in one object (at ${path})`);
      // The same entry without the repeat passes.
      expect(only(scan(`[${text.replace('"k":2', '"j":2')}]`)).value).toEqual(
        JSON.parse(text.replace('"k":2', '"j":2')),
      );
    }
  });

  it('compares keys after unescaping', () => {
    const same = [
      ['"a"', '"\\u0061"'],
      ['"/"', '"\\/"'],
      ['"é"', '"\\u00e9"'],
      ['"é"', '"\\u00E9"'],
      ['"😀"', '"\\ud83d\\ude00"'],
      ['"\\n"', '"\\u000a"'],
      ['"\\u0000"', '"\\u0000"'],
      ['"\\ud800"', '"\\uD800"'],
      ['"__proto__"', '"__proto__"'],
      ['"__proto__"', '"\\u005f_proto__"'],
      ['""', '""'],
    ];
    for (const [a, b] of same) {
      const entry = only(scan(`[{${a}:1,"other":2,${b}:3}]`));
      expect(entry.problem, `${a} ${b}`).toBe(
        `key ${JSON.stringify(JSON.parse(a))} appears twice in one object (at entry)`,
      );
      expect(entry).not.toHaveProperty('value');
    }
    for (const [a, b] of [
      ['"a"', '"A"'],
      ['"é"', '"e\u0301"'],
      ['"\\ud800"', '"\\udc00"'],
      ['"a"', '"a "'],
    ])
      expect(only(scan(`[{${a}:1,${b}:2}]`)).problem, `${a} ${b}`).toBeUndefined();
  });

  it('allows the same key in sibling and nested objects', () => {
    const text = '{"id":"x","a":{"id":"y","a":1},"list":[{"a":1},{"a":2}]}';
    expect(only(scan(`[${text}]`))).toEqual({ raw: text, id: 'x', value: JSON.parse(text) });
  });

  it('quotes a long or odd key briefly, so the answer never echoes it whole', () => {
    const long = 'k'.repeat(10_000);
    const { problem } = only(scan(`[{"${long}":1,"${long}":2}]`));
    expect(problem).toBe(`key "${'k'.repeat(40)}…" appears twice in one object (at entry)`);
    expect(only(scan('[{"a\\"b":{"\\u0000":1,"\\u0000":2}}]')).problem).toBe(
      'key "\\u0000" appears twice in one object (at entry["a\\"b"])',
    );
    expect(only(scan(`[{"${long}":{"x":1,"x":2}}]`)).problem).toBe(
      `key "x" appears twice in one object (at entry.${'k'.repeat(40)}…)`,
    );
  });
});

describe('nesting deeper than the limit costs only its entry', () => {
  const nested = (levels: number, inner = '') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;

  it('accepts exactly 32 levels and rejects 33, the entry being level 1', () => {
    expect(MAX_DEPTH).toBe(32);
    expect(only(scan(`[${nested(32, '1')}]`)).value).toEqual(JSON.parse(nested(32, '1')));
    expect(only(scan(`[${nested(31, '{"a":{}}')}]`)).problem).toBe('nests deeper than 32 levels');
    expect(only(scan(`[${nested(31, '{"a":1}')}]`)).problem).toBeUndefined();
    expect(only(scan(`[${nested(33)}]`))).toEqual({ raw: nested(33), problem: 'nests deeper than 32 levels' });
    const objects = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
    expect(only(scan(`[${objects(32)}]`)).problem).toBeUndefined();
    expect(only(scan(`[${objects(33)}]`)).problem).toBe('nests deeper than 32 levels');
  });

  it('takes another limit when asked', () => {
    expect(only(scan('[[[[1]]]]', { maxDepth: 2 })).problem).toBe('nests deeper than 2 levels');
    expect(only(scan('[[[1]]]', { maxDepth: 2 })).value).toEqual([[1]]);
    expect(only(scan('[{}]', { maxDepth: 0 })).problem).toBe('nests deeper than 0 levels');
  });

  it.each([6_000, 100_000])(
    'rejects %i nested arrays without a stack overflow, and keeps the other entries',
    (levels) => {
      const batch = scan(`[{"id":"good"},{"id":"deep","x":${nested(levels)}},{"id":"also-good"}]`);
      expect(batch?.entries.map((e) => [e.id, e.problem])).toEqual([
        ['good', undefined],
        ['deep', 'nests deeper than 32 levels'],
        ['also-good', undefined],
      ]);
      // Unbalanced, it is a syntax error, found without recursion too.
      expect(scan(`[${'['.repeat(levels)}${']'.repeat(levels - 1)}`)).toBeNull();
      expect(scan(`[${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}]`)?.entries[0].problem).toBe(
        'nests deeper than 32 levels',
      );
    },
  );

  it('reports invalid UTF-8 before depth, and depth before a repeated key', () => {
    expect(only(scan(bytes(`[[${nested(40)},{"a":1,"a":2},"`, [0xff], '"]]'))).problem).toBe(
      'invalid UTF-8 at byte 97',
    );
    expect(only(scan(`[[${nested(40)},{"a":1,"a":2}]]`)).problem).toBe('nests deeper than 32 levels');
  });
});

describe('strings are kept verbatim, whatever characters they hold', () => {
  it('accepts \\u0000 and other escaped controls', () => {
    const text = '{"id":"n","language":"fr\\u0000","c":"\\u001f\\b\\f\\n\\r\\t"}';
    expect(only(scan(`[${text}]`))).toEqual({
      raw: text,
      id: 'n',
      value: { id: 'n', language: 'fr\u0000', c: '\u001f\b\f\n\r\t' },
    });
  });

  it('accepts lone surrogates written as escapes, and keeps their text', () => {
    for (const s of ['\\ud800', '\\udc00', '\\udbff\\udbff', '\\ude00\\ud83d', 'a\\uD800b', '\\ud83d\\ude00']) {
      const entry = only(scan(`["${s}"]`));
      expect(entry.raw).toBe(`"${s}"`);
      expect(entry.value).toBe(JSON.parse(`"${s}"`));
      expect(entry.problem).toBeUndefined();
    }
  });

  it('makes a "__proto__" key an own property, as JSON.parse does, and pollutes nothing', () => {
    const text = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"a":{"__proto__":[1]}}';
    const { value } = only(scan(`[${text}]`)) as { value: Record<string, unknown> };
    expect(value).toEqual(JSON.parse(text));
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.hasOwn(value.a as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('the id of an entry, to name it in the answer', () => {
  it('is read from the top-level "id" string only', () => {
    const batch = scan(
      '[{"purposes":[{"id":"analytics"}],"x":[[[[]]]]},{"id":7},{"id":null,"x":1},{"a":{"id":"inner"}},["id"],"id",{"ID":"x"}]',
      { maxDepth: 3 },
    );
    expect(batch?.entries.map((e) => e.id)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(batch?.entries[0].problem).toBe('nests deeper than 3 levels');
  });

  it('is read even from an entry rejected for its depth or a repeated key, with escapes decoded', () => {
    expect(only(scan(`[{"x":${'['.repeat(40)}${']'.repeat(40)},"id":"de\\u0065p"}]`)).id).toBe('deep');
    expect(only(scan('[{"id":"first","id":"second"}]'))).toMatchObject({
      id: 'first',
      problem: expect.stringMatching(/^key "id"/),
    });
  });

  it('is not read when it is longer than 64 bytes', () => {
    expect(only(scan(`[{"id":"${'a'.repeat(64)}"}]`)).id).toBe('a'.repeat(64));
    expect(only(scan(`[{"id":"${'a'.repeat(65)}"}]`)).id).toBeUndefined();
    expect(only(scan(`[{"id":"${'a'.repeat(65)}"}]`)).value).toEqual({ id: 'a'.repeat(65) });
  });
});

describe('what a caller can make it do', () => {
  it(`stops after ${MAX_ELEMENTS} elements by default and says tooMany, so the collector answers 413`, () => {
    const tiny = Buffer.from(`[${Array(87_000).fill('{}').join(',')}]`);
    expect(tiny.length).toBeGreaterThan(170_000);
    expect(scan(tiny)).toEqual({ entries: [], tooMany: true });
    const all = scan(tiny, { maxElements: Number.POSITIVE_INFINITY });
    expect(all?.entries).toHaveLength(87_000);
    expect(all?.entries.every((e) => e.raw === '{}' && e.problem === undefined)).toBe(true);
  });

  it('counts exactly: maxElements entries pass, one more does not, whatever follows', () => {
    const body = (count: number) => `[${Array(count).fill('1').join(',')}]`;
    expect(scan(body(MAX_ELEMENTS))?.entries).toHaveLength(MAX_ELEMENTS);
    expect(scan(body(MAX_ELEMENTS + 1))).toEqual({ entries: [], tooMany: true });
    expect(scan(body(3), { maxElements: 3 })?.entries).toHaveLength(3);
    expect(scan(body(4), { maxElements: 3 })).toEqual({ entries: [], tooMany: true });
    expect(scan('[1,2,3,4,x', { maxElements: 3 })).toEqual({ entries: [], tooMany: true });
    expect(scan('[1,2,x', { maxElements: 3 })).toBeNull();
  });

  it('reads a 256 KB string, and a 256 KB run of escapes, as one entry', () => {
    const long = `"${'ж'.repeat(120 * 1024)}"`;
    expect(only(scan(`[${long}]`)).raw).toBe(long);
    const escapes = `"${'\\n\\u00e9\\"\\\\'.repeat(16 * 1024)}"`;
    expect(only(scan(`[${escapes}]`)).value).toBe(JSON.parse(escapes));
  });
});
