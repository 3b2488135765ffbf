// The exact text of each element of a JSON array body, so that a receipt is stored, and signed, as
// the very bytes the browser sent rather than as a re-serialisation.

/** The raw texts of the elements of a JSON array, or null when the text is not a JSON array. */
export const arrayElements = (text: string): string[] | null => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      if (depth === 1 && start < 0) start = i;
    } else if (c === '[' || c === '{') {
      if (depth === 1 && start < 0) start = i;
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0 && start >= 0) out.push(text.slice(start, i).trim());
    } else if (depth === 1) {
      if (c === ',') {
        out.push(text.slice(start, i).trim());
        start = -1;
      } else if (start < 0 && !/\s/.test(c)) start = i;
    }
  }
  return out.length === parsed.length ? out : null;
};
