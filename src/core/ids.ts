// UUIDs from crypto.getRandomValues, which browsers keep on plain-http pages where randomUUID is hidden.

/** A UUID in the lowercase form `uuid()` makes and every part of Assent accepts: the one definition. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A purpose id (the schema's `@pattern` on `Purpose.id` must say the same: a test holds them together). */
export const PURPOSE_ID = /^[a-z0-9_-]{1,32}$/;

/** A receipt's `textHash`: `sha256-` and the base64 SHA-256 of the canonical JSON of the texts shown. */
export const TEXT_HASH = /^sha256-[A-Za-z0-9+/]{43}=$/;

const format = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < 16; i++)
    s += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + (b[i] | 256).toString(16).slice(1);
  return s;
};

/** A UUID of version 7 (time-ordered) when `time` is given, else of version 4 (random). RFC 9562. */
export const uuid = (time?: number): string => {
  const b = crypto.getRandomValues(new Uint8Array(16));
  // The 48-bit big-endian time: a Uint8Array keeps the low 8 bits of each quotient's integer part, which
  // is the byte wanted (shorter than shifts, which JavaScript does on 32 bits only).
  if (time !== undefined) for (let i = 0; i < 6; i++) b[i] = time / 2 ** (40 - 8 * i);
  b[6] = (b[6] & 15) | (time !== undefined ? 0x70 : 0x40);
  b[8] = (b[8] & 63) | 128;
  return format(b);
};
