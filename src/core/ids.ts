// UUIDs from crypto.getRandomValues, which browsers keep on plain-http pages where randomUUID is hidden.

/** A UUID in the lowercase form `uuid()` makes and every part of Assent accepts: the one definition. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const format = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < 16; i++)
    s += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + (b[i] | 256).toString(16).slice(1);
  return s;
};

/** A UUID of version 7 (time-ordered) when `time` is given, else of version 4 (random). RFC 9562. */
export const uuid = (time?: number): string => {
  const b = crypto.getRandomValues(new Uint8Array(16));
  if (time !== undefined) for (let i = 0; i < 6; i++) b[i] = time / 2 ** (40 - 8 * i);
  b[6] = (b[6] & 15) | (time !== undefined ? 0x70 : 0x40);
  b[8] = (b[8] & 63) | 128;
  return format(b);
};
