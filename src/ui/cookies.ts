// How the preference center words a service's cookies: the visitor reads names and durations, never a
// /regex/ or a number of seconds. Only the preference center's chunk carries this.
import { patternRegExp } from '../core/patterns';

/** Where a regex construct that `readableName` does not spell out ends: the `)` or `]` that closes `s[i]`. */
const closing = (s: string, i: number): number => {
  for (let depth = 0, inClass = false; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    if (!inClass && !depth) return i;
  }
  return i;
};

/** The top-level alternatives of a regex source: `a|b(c|d)` is `a` and `b(c|d)`. */
const alternatives = (s: string): string[] => {
  const found: string[] = [];
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '(' || s[i] === '[') i = closing(s, i);
    else if (s[i] === '|') {
      found.push(s.slice(from, i));
      from = i + 1;
    }
  }
  return [...found, s.slice(from)];
};

/** One alternative as a visitor reads it: its literal text, with "…" wherever the name varies. */
const readAlternative = (alternative: string): string[] => {
  const start = alternative[0] === '^';
  const end = /(^|[^\\])\$$/.test(alternative);
  const body = alternative.slice(+start, end ? -1 : undefined);
  // `^(_fbp|_fbc)$` names two cookies: read each with the anchors of the whole.
  if (body[0] === '(' && !/^\(\?[^:]/.test(body) && closing(body, 0) === body.length - 1)
    return alternatives(body.slice(body[1] === '?' ? 3 : 1, -1)).flatMap((a) =>
      readAlternative((start ? '^' : '') + a + (end ? '$' : '')),
    );
  let out = start ? '' : '…';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      const next = body[++i];
      // \d, \w… vary; \b is no character at all; \. is a dot.
      out += /[dDwWsSpPux]/.test(next) ? '…' : /[bB]/.test(next) ? '' : next;
    } else if (c === '(' || c === '[') {
      i = closing(body, i);
      out += '…';
    } else if (c === '*' || c === '?' || c === '{') {
      // What may be absent is nothing certain: `_gat_?` reads `_gat…`.
      out = `${out.slice(0, -1)}…`;
      const brace = c === '{' ? body.indexOf('}', i) : i;
      i = brace < 0 ? body.length : brace;
    } else out += c === '.' || c === '+' ? '…' : c;
  }
  return [(end ? out : `${out}…`).replace(/…+/g, '…')];
};

/**
 * A cookie or storage name as the visitor reads it: a plain name as it is, a `/regex/` as what it
 * matches, literal text with "…" where the name varies (`/^_ga_/` is `_ga_…`, `/^mp_.*_mixpanel$/`
 * is `mp_…_mixpanel`, `/^(_fbp|_fbc)$/` is `_fbp, _fbc`): a pattern never reaches the screen.
 */
export const readableName = (name: string): string => {
  let re: RegExp | null = null;
  try {
    re = patternRegExp(name);
  } catch {}
  return re ? alternatives(re.source).flatMap(readAlternative).join(', ') : name;
};

const YEAR = 31536000;
const UNITS: [string, number][] = [
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/**
 * A cookie's `maxAge` in words, in the visitor's language: whole years when it is a whole number of
 * (365-day) years, else days, hours, minutes or seconds ("2 years", "90 days"); 0 is a session cookie.
 * Where the browser has no words for the language (Chrome has none for Irish and Maltese), a unit
 * symbol ("730d") rather than English words.
 */
export const maxAgeInWords = (seconds: number, language: string, session: string): string => {
  if (!seconds) return session;
  const known = Intl.NumberFormat.supportedLocalesOf(language).length > 0;
  const [unit, size] =
    known && !(seconds % YEAR) ? ['year', YEAR] : UNITS.find(([, size]) => seconds >= size) || UNITS[3];
  return new Intl.NumberFormat(language, {
    style: 'unit',
    unit,
    unitDisplay: known ? 'long' : 'narrow',
    maximumFractionDigits: 1,
  }).format(seconds / size);
};
