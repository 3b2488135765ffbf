// SHA-256 for text hashes: crypto.subtle where the browser offers it; plain-http pages (other than
// localhost) hide it, and load a small JavaScript implementation instead.

/** A SHA-256 in JavaScript (sha256-js.ts), loaded only when needed. */
export type Sha256Js = () => Promise<(data: Uint8Array) => Uint8Array>;

/** `sha256-<base64>` of a text's UTF-8 bytes, the form of a receipt's `textHash`. */
export const sha256Tag = async (text: string, js: Sha256Js): Promise<string> => {
  const bytes = new TextEncoder().encode(text);
  const digest = globalThis.crypto?.subtle
    ? new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
    : (await js())(bytes);
  return `sha256-${btoa(String.fromCharCode(...digest))}`;
};
