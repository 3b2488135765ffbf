// Reading a config file for the CLI: JSON.parse, and when it fails, where and why, with the line and
// column an editor shows (V8's own messages name no position for some errors, and quote the whole file
// for others).

export interface JsonProblem {
  /** 1-based, as editors count. */
  line: number;
  column: number;
  message: string;
}

const WHITESPACE = ' \t\n\r';
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** The line and column of a position in a text (a `\r\n`, `\n` or `\r` ends a line). */
export const lineAndColumn = (text: string, position: number) => {
  const before = text.slice(0, position).split(/\r\n|\n|\r/);
  return { line: before.length, column: (before.at(-1) as string).length + 1 };
};

/**
 * The first syntax error of a JSON text, or null when JSON.parse takes it. Iterative, so a file
 * nested ever so deep is reported rather than overflowing the stack.
 */
export const jsonProblem = (text: string): JsonProblem | null => {
  let i = 0;
  // The objects and lists open at this point.
  const open: ('{' | '[')[] = [];
  const problem = (message: string, at = i): JsonProblem => ({ ...lineAndColumn(text, at), message });
  const skip = (): JsonProblem | null => {
    while (i < text.length && WHITESPACE.includes(text[i])) i++;
    return text[i] === '/' && (text[i + 1] === '/' || text[i + 1] === '*')
      ? problem('JSON has no comments; remove this one (a config has "description" fields for text)')
      : null;
  };
  const match = (re: RegExp) => {
    re.lastIndex = i;
    return re.exec(text)?.[0];
  };
  const string = (what: string): JsonProblem | null => {
    if (text[i] === "'") return problem(`${what} must be in double quotes (") in JSON, not single quotes`);
    if (text[i] !== '"') return problem(`expected ${what} in double quotes`);
    const start = i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20)
        return problem(
          c === 10 || c === 13
            ? 'a text cannot go on over a line break in JSON; close it with " or write the break as \\n'
            : `control character U+${c.toString(16).padStart(4, '0').toUpperCase()} in a text; write it as \\u${c.toString(16).padStart(4, '0')}`,
        );
      if (text[i] === '\\') {
        const sequence = match(ESCAPE);
        if (!sequence) return problem(`${text.slice(i, i + 2)} is no JSON escape; write \\\\ for a backslash`);
        i += sequence.length;
      } else i++;
    }
    if (i >= text.length) return problem('this text is never closed: a " is missing', start);
    i++;
    return null;
  };
  // A text, number, true, false or null.
  const scalar = (): JsonProblem | null => {
    if (text[i] === '"' || text[i] === "'") return string('a text');
    const token = match(NUMBER) || match(LITERAL);
    if (token && !/[\w.]/.test(text[i + token.length] ?? '')) {
      i += token.length;
      return null;
    }
    if (i >= text.length) return problem('the file ends where a value should be');
    const got = /^[\w.+-]+/.exec(text.slice(i))?.[0] ?? text[i];
    return problem(
      `expected a value (a text in double quotes, a number, true, false, null, {…} or […]), got ${JSON.stringify(got)}`,
    );
  };

  if (/^[ \t\n\r]*$/.test(text)) return problem('the file is empty; a config is a JSON object, {…}');
  // What comes next: a value, a field name, or (`after` a value) a comma or the end of its object or list.
  let state: 'value' | 'key' | 'after' = 'value';
  // Right after { or [, where the end may come at once; after a comma it may not.
  let empty = false;
  for (;;) {
    const comment = skip();
    if (comment) return comment;
    const top = open.at(-1);
    const end = top === '{' ? '}' : ']';
    if (state !== 'after' && top && text[i] === end && (state === 'key' || top === '[')) {
      if (!empty) return problem(`a comma before ${end}: JSON allows no comma after the last item`);
      open.pop();
      i++;
      state = 'after';
    } else if (state === 'key') {
      if (i >= text.length) return problem('the file ends inside an object: a } is missing');
      const bad = string('a field name') || skip();
      if (bad) return bad;
      if (text[i] !== ':') return problem('expected : after the field name');
      i++;
      state = 'value';
    } else if (state === 'value') {
      if (text[i] === '{' || text[i] === '[') {
        open.push(text[i] as '{' | '[');
        state = text[i++] === '{' ? 'key' : 'value';
        empty = true;
        continue;
      }
      const bad = scalar();
      if (bad) return bad;
      state = 'after';
    } else if (!top) return i < text.length ? problem('unexpected text after the end of the JSON value') : null;
    else if (text[i] === ',') {
      i++;
      state = top === '{' ? 'key' : 'value';
      empty = false;
    } else if (text[i] === end) {
      open.pop();
      i++;
    } else if (i >= text.length)
      return problem(`the file ends inside ${top === '{' ? 'an object' : 'a list'}: a ${end} is missing`);
    else return problem(`expected , or ${end} after the ${top === '{' ? 'field' : 'item'}`);
  }
};

/** A config file's JSON (a UTF-8 byte order mark is allowed), or why it is none: `line:column: why`. */
export const parseJson = (text: string): { value: unknown } | { problem: JsonProblem } => {
  const source = text.replace(/^\uFEFF/, '');
  try {
    return { value: JSON.parse(source) };
  } catch (e) {
    return { problem: jsonProblem(source) ?? { line: 1, column: 1, message: (e as Error).message } };
  }
};

/** The problem as a compiler prints it: `file:line:column: message`, then the line with a caret under it. */
export const showJsonProblem = (file: string, text: string, p: JsonProblem): string => {
  const line = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)[p.line - 1] ?? '';
  // A long line (a minified config) is shown around the column only.
  const from = Math.max(0, p.column - 61);
  // Control characters would reach the terminal as they are.
  const shown = (from ? '…' : '') + line.slice(from, p.column + 40).replace(/(?!\t)\p{Cc}/gu, '\uFFFD');
  const caret = `${from ? ' ' : ''}${line.slice(from, p.column - 1).replace(/[^\t]/g, ' ')}^`;
  return `${file}:${p.line}:${p.column}: ${p.message}\n  ${shown}\n  ${caret}`;
};
