// `assent check` and `assent bundle` say where and why a config file is no JSON.
import { describe, expect, it } from 'vitest';
import { jsonProblem, parseJson, showJsonProblem } from '../../src/cli/json';

describe('a config file that is no JSON', () => {
  it.each([
    ['{\n  "a": 1, // a note\n}', 2, 11, 'JSON has no comments'],
    ['{\n  /* a note */\n  "a": 1\n}', 2, 3, 'JSON has no comments'],
    ['{ "a": 1, }', 1, 11, 'a comma before }: JSON allows no comma after the last item'],
    ['[1, 2,]', 1, 7, 'a comma before ]'],
    ["{ 'a': 1 }", 1, 3, 'a field name must be in double quotes (") in JSON, not single quotes'],
    ['{ a: 1 }', 1, 3, 'expected a field name in double quotes'],
    ['{ "a" 1 }', 1, 7, 'expected : after the field name'],
    ['{ "a": 1 "b": 2 }', 1, 10, 'expected , or } after the field'],
    [
      '{\r\n"a": tru }',
      2,
      6,
      'expected a value (a text in double quotes, a number, true, false, null, {…} or […]), got "tru"',
    ],
    ['{ "a": "x\ny" }', 1, 10, 'a text cannot go on over a line break'],
    ['{ "a": "\\x" }', 1, 9, '\\x is no JSON escape'],
    ['{ "a": "never closed }', 1, 8, 'this text is never closed: a " is missing'],
    ['{ "a": 01 }', 1, 8, 'got "01"'],
    ['{ "a": [1 }', 1, 11, 'expected , or ] after the item'],
    ['{ "a": {', 1, 9, 'the file ends inside an object: a } is missing'],
    ['{ "a": 1 } }', 1, 12, 'unexpected text after the end of the JSON value'],
    ['', 1, 1, 'the file is empty'],
    ['"\0"', 1, 2, 'control character U+0000 in a text; write it as \\u0000'],
  ])('%j: line %i, column %i', (text, line, column, message) => {
    const p = jsonProblem(text);
    expect(p).toMatchObject({ line, column });
    expect(p?.message).toContain(message);
  });

  it('finds an error exactly when JSON.parse does (random texts of JSON tokens)', () => {
    const tokens = [
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"a"',
      '1',
      '-',
      '.',
      'e',
      '"',
      '\\',
      '/',
      '*',
      ' ',
      '\n',
      'true',
      'nul',
      "'",
      'x',
      '0',
    ];
    // A fixed linear congruential generator, so that a failure can be replayed.
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 20000; n++) {
      let text = '';
      for (let k = 1 + Math.floor(random() * 8); k > 0; k--) text += tokens[Math.floor(random() * tokens.length)];
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect({ text, valid: jsonProblem(text) === null }).toEqual({ text, valid });
    }
  });

  it('reports a file nested a hundred thousand levels deep, rather than overflowing', () => {
    expect(jsonProblem('['.repeat(100_000))).toMatchObject({ line: 1, column: 100_001 });
  });

  it('takes a byte order mark, and shows the line with a caret under the column', () => {
    expect(parseJson('\uFEFF{ "a": 1 }')).toEqual({ value: { a: 1 } });
    const text = '{\n\t"a": 1, // note\n}';
    const parsed = parseJson(text);
    if (!('problem' in parsed)) throw new Error('expected a problem');
    expect(showJsonProblem('site.json', text, parsed.problem)).toBe(
      'site.json:2:10: JSON has no comments; remove this one (a config has "description" fields for text)\n' +
        '  \t"a": 1, // note\n' +
        '  \t        ^',
    );
  });

  it('shows a long line around the column only, and no control character', () => {
    const text = `{${'"a": 1, '.repeat(200)}"\u0007}`;
    const parsed = parseJson(text);
    if (!('problem' in parsed)) throw new Error('expected a problem');
    const [, line, caret] = showJsonProblem('min.json', text, parsed.problem).split('\n');
    expect(line.length).toBeLessThan(110);
    expect(line).toContain('"\uFFFD');
    expect(line).not.toContain('\u0007');
    expect(caret.indexOf('^')).toBe(line.indexOf('\uFFFD'));
  });
});
