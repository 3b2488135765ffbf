// The entries of a POST /v1/receipts body, read from the bytes received: each entry is stored, and
// signed, as the very bytes the browser sent, so nothing may be decoded, replaced or re-serialised first.
//
// One pass over the bytes checks the body against RFC 8259 and finds where each top-level element
// begins and ends; the scan is a loop with an explicit stack, so no nesting can overflow the call
// stack. UTF-8 is left to Node's native isUtf8, run once over the whole body (and per element only
// when that fails). Only then is each element decoded and given to JSON.parse: V8's parser builds the
// value 2.5 times faster than a JavaScript builder could during the scan (measured on a 60 KB batch),
// and it only ever sees elements known to be valid and at most maxDepth deep.
//
// What costs the whole body (null, a 400) and what costs one entry:
// - Anything RFC 8259 forbids is a body error: a bad token, number or escape, a trailing comma, an
//   unescaped control character in a string, a byte >= 0x80 outside a string, anything but whitespace
//   after the array, a body that is not an array. A browser's JSON.stringify never makes one, and
//   after one we could no longer say where entries begin and end.
// - Invalid UTF-8 inside a string, a key repeated in one object (compared after unescaping), and
//   nesting deeper than maxDepth cost only their entry (SPEC §7): the body's structure is still
//   certain, since such bytes are never delimiters, so the other entries stand.
// - A UTF-8 byte order mark before the array is ignored, as RFC 8259 §8.1 allows: it lies outside every
//   entry, so no stored byte changes, and a relay that writes one (.NET, PowerShell) would otherwise lose
//   a whole batch. Anywhere else it is a byte >= 0x80 outside a string, a body error.
// - More than maxElements elements stop the scan with tooMany (the collector answers 413 and the
//   browser splits the batch), whatever follows: nothing more is read or allocated.
// Escapes are never a problem: "\u0000" and lone surrogates such as "\ud800" are valid JSON text and
// are stored verbatim (SPEC §7). Only raw bytes that are not UTF-8 are.

import { Buffer, isUtf8 } from 'node:buffer';

/** How deep an entry may nest (SPEC §7). The entry is level 1: `[[1]]` has depth 2. */
export const MAX_DEPTH = 32;

/**
 * How many elements a body may hold. A browser batch stays under 60,000 bytes (src/sync/deliver.ts)
 * and its smallest entry, an erasure request, takes 152, so a browser batch has at most ~390 entries;
 * a server relay sending 256 KB of receipts (~800 bytes each) has ~330. A thousand leaves room for
 * both, so neither ever has to split, and bounds a hostile body (256 KB of `{},`) to a thousand
 * answers instead of 87,000.
 */
export const MAX_ELEMENTS = 1000;

/** The longest `id` read from a rejected entry: a UUID takes 36 bytes; longer ones are not echoed. */
const MAX_ID_BYTES = 64;

export interface ScannedEntry {
  /** The entry's text: its bytes decoded as UTF-8, without the whitespace around it. Byte-exact unless
   * the problem is invalid UTF-8 (then invalid bytes read as U+FFFD; such an entry is never stored). */
  raw: string;
  /** The parsed entry (as JSON.parse gives it), present exactly when there is no problem. */
  value?: unknown;
  /** The entry's top-level "id" when it is a string of at most 64 bytes, read even from a rejected
   * entry so that the answer can name it. */
  id?: string;
  /** Why the entry must be rejected, the first that applies: `invalid UTF-8 at byte N` (N counted
   * from the entry's first byte), `nests deeper than 32 levels`, or `key "granted" appears twice in
   * one object (at entry.purposes[0])` (keys compared after unescaping). */
  problem?: string;
}

/** The body's elements in order; or, with tooMany, none (the body holds more than maxElements). */
export interface ScannedBatch {
  entries: ScannedEntry[];
  tooMany?: true;
}

export interface ScanOptions {
  /** Default MAX_ELEMENTS. */
  maxElements?: number;
  /** Default MAX_DEPTH. */
  maxDepth?: number;
}

// Where one element lies in the body, and what the scan saw in it.
interface Span {
  start: number;
  end: number;
  /** Keys read in its objects; JSON.parse keeps fewer exactly when one repeats. */
  keys: number;
  tooDeep: boolean;
  /** The string token (quotes included) after its top-level "id" key, or -1. */
  idStart: number;
  idEnd: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

const skipWhitespace = (b: Uint8Array, i: number): number => {
  let c = b[i];
  // Most calls find no whitespace at all (JSON.stringify writes none): one comparison says so.
  while (c <= 0x20 && (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09)) c = b[++i];
  return i;
};

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);

/** The end of the number at i, or -1 (RFC 8259 §6: no leading zeros, no bare `.` or `e`). */
const numberEnd = (b: Uint8Array, i: number): number => {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (isDigit(b[i])) while (isDigit(b[++i]));
  else return -1;
  if (b[i] === 0x2e) {
    if (!isDigit(b[++i])) return -1;
    while (isDigit(b[++i]));
  }
  if ((b[i] | 0x20) === 0x65) {
    if (b[++i] === 0x2b || b[i] === 0x2d) i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[++i]));
  }
  return i;
};

/** The end of the string whose opening quote is at i, or -1 when it breaks RFC 8259 §7. Bytes >= 0x80
 * pass here: isUtf8 checks them later, natively. */
const stringEnd = (b: Uint8Array, i: number): number => {
  for (i++; ; ) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      const e = b[i + 1];
      if (e === 0x75) {
        if (!(isHex(b[i + 2]) && isHex(b[i + 3]) && isHex(b[i + 4]) && isHex(b[i + 5]))) return -1;
        i += 6;
      } else if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      )
        i += 2;
      else return -1;
    } else if (c >= 0x20) i++;
    else return -1; // a control character, or the end of the body (undefined)
  }
};

/** The length of the UTF-8 sequence at i (2 to 4), or 0 when it is not one (RFC 3629 §4: no overlongs,
 * no UTF-16 surrogates, nothing above U+10FFFF, no truncated sequence, no stray continuation byte). */
const utf8Length = (b: Uint8Array, i: number): number => {
  const c = b[i];
  let length = 0;
  let low = 0x80; // the range of the second byte; the others are always 80..BF
  let high = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) length = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    length = 3;
    if (c === 0xe0) low = 0xa0;
    else if (c === 0xed) high = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    length = 4;
    if (c === 0xf0) low = 0x90;
    else if (c === 0xf4) high = 0x8f;
  } else return 0;
  if (!(b[i + 1] >= low && b[i + 1] <= high)) return 0;
  for (let k = 2; k < length; k++) if (!(b[i + k] >= 0x80 && b[i + k] <= 0xbf)) return 0;
  return length;
};

/** Where the first byte of invalid UTF-8 after i is, in bytes known to hold one. */
const firstInvalidUtf8 = (b: Uint8Array, i: number): number => {
  for (;;) {
    if (b[i] < 0x80) i++;
    else {
      const length = utf8Length(b, i);
      if (!length) return i;
      i += length;
    }
  }
};

/**
 * The entries of a body that must be a JSON array, or null when it is not one (a 400).
 * An entry that holds invalid UTF-8, repeats a key or nests too deep comes with a `problem`.
 */
export const scanBatch = (body: Uint8Array, options: ScanOptions = {}): ScannedBatch | null => {
  const maxElements = options.maxElements ?? MAX_ELEMENTS;
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  const b = body;
  const n = b.length;
  const spans: Span[] = [];
  // The open containers of the current element, OPEN_ARRAY or OPEN_OBJECT; only its first `depth`
  // slots count. Out-of-range reads of b give undefined, which matches no byte and ends every loop.
  const open: number[] = [];
  let depth = 0;
  let span: Span;

  // Reads the key (and colon) of an object member at i; the index of its value, or -1.
  const memberValue = (i: number): number => {
    if (b[i] !== QUOTE) return -1;
    const end = stringEnd(b, i);
    if (end < 0) return -1;
    span.keys++;
    const value = skipWhitespace(b, end);
    if (b[value] !== COLON) return -1;
    const at = skipWhitespace(b, value + 1);
    // A top-level `"id": "…"` names the entry, even when it is rejected; escaped spellings of the
    // key are not worth reading for that.
    if (depth === 1 && end === i + 4 && b[i + 1] === 0x69 && b[i + 2] === 0x64 && span.idStart < 0 && b[at] === QUOTE)
      span.idStart = at;
    return at;
  };

  let i = skipWhitespace(b, b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
  if (b[i] !== OPEN_ARRAY) return null;
  i = skipWhitespace(b, i + 1);
  if (b[i] === CLOSE_ARRAY) return skipWhitespace(b, i + 1) === n ? { entries: [] } : null;

  for (;;) {
    if (spans.length === maxElements) return { entries: [], tooMany: true };
    spans.push((span = { start: i, end: i, keys: 0, tooDeep: false, idStart: -1, idEnd: -1 }));
    // Each turn reads one value at i, then closes what it completes, until the element is complete.
    value: for (;;) {
      const c = b[i];
      if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (depth === maxDepth) span.tooDeep = true;
        open[depth++] = c;
        i = skipWhitespace(b, i + 1);
        if (c === OPEN_ARRAY) {
          if (b[i] !== CLOSE_ARRAY) continue;
        } else if (b[i] !== CLOSE_OBJECT) {
          if ((i = memberValue(i)) < 0) return null;
          continue;
        }
        depth--; // an empty container
        i++;
      } else if (c === QUOTE) {
        const start = i;
        if ((i = stringEnd(b, i)) < 0) return null;
        if (span.idStart === start) span.idEnd = i;
      } else if (c === 0x74) {
        if (b[i + 1] !== 0x72 || b[i + 2] !== 0x75 || b[i + 3] !== 0x65) return null;
        i += 4;
      } else if (c === 0x66) {
        if (b[i + 1] !== 0x61 || b[i + 2] !== 0x6c || b[i + 3] !== 0x73 || b[i + 4] !== 0x65) return null;
        i += 5;
      } else if (c === 0x6e) {
        if (b[i + 1] !== 0x75 || b[i + 2] !== 0x6c || b[i + 3] !== 0x6c) return null;
        i += 4;
      } else if ((i = numberEnd(b, i)) < 0) return null;

      // The value is complete: a comma leads to the next one, a bracket completes its container too.
      for (;;) {
        if (depth === 0) break value; // i is the element's end
        i = skipWhitespace(b, i);
        const container = open[depth - 1];
        if (b[i] === COMMA) {
          i = skipWhitespace(b, i + 1);
          if (container === OPEN_OBJECT && (i = memberValue(i)) < 0) return null;
          continue value;
        }
        if (b[i] !== (container === OPEN_ARRAY ? CLOSE_ARRAY : CLOSE_OBJECT)) return null;
        depth--;
        i++;
      }
    }
    span.end = i; // whitespace is skipped only after a value that leaves the element open
    i = skipWhitespace(b, i);
    if (b[i] === COMMA) i = skipWhitespace(b, i + 1);
    else if (b[i] === CLOSE_ARRAY && skipWhitespace(b, i + 1) === n) break;
    else return null;
  }

  const text = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // One native check of the whole body spares one per element in the usual case.
  const valid = isUtf8(text);
  return { entries: spans.map((s) => entryOf(text, s, maxDepth, valid)) };
};

const entryOf = (text: Buffer, s: Span, maxDepth: number, valid: boolean): ScannedEntry => {
  const raw = text.toString('utf8', s.start, s.end);
  const entry: ScannedEntry = { raw };
  if (s.idEnd >= 0 && s.idEnd - s.idStart <= MAX_ID_BYTES + 2 && (valid || isUtf8(text.subarray(s.idStart, s.idEnd))))
    entry.id = JSON.parse(text.toString('utf8', s.idStart, s.idEnd));
  if (!valid && !isUtf8(text.subarray(s.start, s.end)))
    entry.problem = `invalid UTF-8 at byte ${firstInvalidUtf8(text, s.start) - s.start}`;
  else if (s.tooDeep) entry.problem = `nests deeper than ${maxDepth} levels`;
  else {
    const value: unknown = JSON.parse(raw);
    if (s.keys && ownKeyCount(value) !== s.keys) entry.problem = repeatedKey(raw);
    else entry.value = value;
  }
  return entry;
};

/** How many own keys the objects of a parsed value hold, all levels together. */
const ownKeyCount = (value: unknown): number => {
  let count = 0;
  const todo = [value];
  while (todo.length) {
    const v = todo.pop();
    if (Array.isArray(v)) {
      for (let k = 0; k < v.length; k++) if (typeof v[k] === 'object' && v[k]) todo.push(v[k]);
    } else if (typeof v === 'object' && v) {
      // JSON.parse makes `__proto__` an own key, so it is counted like any other.
      const values = Object.values(v);
      count += values.length;
      for (let k = 0; k < values.length; k++) if (typeof values[k] === 'object' && values[k]) todo.push(values[k]);
    }
  }
  return count;
};

/** Says which key repeats, and where, in an element already known to be valid JSON with a repeated key.
 * Only rejected entries come here, so it may be slow and simple: it walks the text again. */
const repeatedKey = (raw: string): string => {
  const keys: (Set<string> | null)[] = []; // per open container; null for an array
  const path: (string | number)[] = []; // per open container, where in it we are
  let expectKey = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') {
      let end = i + 1;
      while (raw[end] !== '"') end += raw[end] === '\\' ? 2 : 1;
      if (expectKey) {
        const key: string = JSON.parse(raw.slice(i, end + 1));
        const seen = keys[keys.length - 1]!;
        if (seen.has(key)) return `key ${quote(key)} appears twice in one object (at ${pathText(path.slice(0, -1))})`;
        seen.add(key);
        path[path.length - 1] = key;
        expectKey = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      keys.push(c === '{' ? new Set() : null);
      path.push(c === '{' ? '' : 0);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      keys.pop();
      path.pop();
      expectKey = false;
    } else if (c === ',') {
      if (keys[keys.length - 1]) expectKey = true;
      else (path[path.length - 1] as number)++;
    }
  }
  return 'a key appears twice in one object';
};

// Keys are cut short and quoted as JSON, so that an answer never echoes a long or odd string whole.
const cut = (key: string) => (key.length > 40 ? `${key.slice(0, 40)}…` : key);
const quote = (key: string) => JSON.stringify(cut(key));

/** `entry.purposes[0]`, `entry["a-b"]`: where an object is, the way a JavaScript reader would write it. */
const pathText = (path: (string | number)[]) =>
  path.reduce<string>(
    (text, step) =>
      typeof step === 'number'
        ? `${text}[${step}]`
        : /^[A-Za-z_$][\w$]*$/.test(step)
          ? `${text}.${cut(step)}`
          : `${text}[${quote(step)}]`,
    'entry',
  );
