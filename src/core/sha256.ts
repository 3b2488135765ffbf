// SHA-256 for text hashes: crypto.subtle where the browser offers it; plain-http pages (other than
// localhost) hide it, and load a small JavaScript implementation instead.

/** `sha256-<base64>` of a text's UTF-8 bytes, the form of a receipt's `textHash`. */
export const sha256Tag = async (text: string): Promise<string> => {
  const bytes = new TextEncoder().encode(text);
  const digest = globalThis.crypto?.subtle
    ? new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
    : (await import('./sha256-js')).sha256Js(bytes);
  return `sha256-${btoa(String.fromCharCode(...digest))}`;
};
