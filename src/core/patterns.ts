// Patterns in `cookies`, `storage` and `match`: `/source/flags` is a regular expression (flags from
// d, g, i, m, s, u, v, y); anything else is a plain name or substring, so "/vendor/pixel" is a path.

/** The regular expression a pattern stands for, or null when it is plain text. Throws on a bad regex. */
export const patternRegExp = (pattern: string): RegExp | null => {
  const m = /^\/(.+)\/([dgimsuvy]*)$/.exec(pattern);
  return m ? new RegExp(m[1], m[2]) : null;
};

/** Whether a value matches: a regex anywhere, plain text as a substring (or the whole value when `exact`). */
export const matchesPattern = (pattern: string, value: string, exact?: boolean): boolean => {
  const re = patternRegExp(pattern);
  return re ? re.test(value) : exact ? value === pattern : value.includes(pattern);
};
