import { describe, expect, it } from 'vitest';
import { arrayElements } from '../../src/collector/raw';

describe('raw array elements', () => {
  it('returns each element exactly as sent, whitespace and key order and escapes kept', () => {
    const a = '{"b":1,  "a":"x, y ] }"}';
    const b = '{"n":"\\"quoted\\" \\\\ back","t":[1,{"u":"é"}]}';
    expect(arrayElements(`[ ${a} ,\n${b} ]`)).toEqual([a, b]);
  });

  it('handles scalars, empty arrays and nested arrays', () => {
    expect(arrayElements('[1, "two", null, true, [3,4], {}]')).toEqual(['1', '"two"', 'null', 'true', '[3,4]', '{}']);
    expect(arrayElements('[]')).toEqual([]);
  });

  it('refuses what is not a JSON array', () => {
    for (const body of ['', '{}', '"x"', '[1,', 'nope', '[1] x']) expect(arrayElements(body)).toBeNull();
  });

  it('gives elements that parse to the same values', () => {
    const values = [
      { id: 'a', s: "<script>alert(1)</script>'; DROP TABLE entries; --" },
      { id: 'b', deep: [[{ x: '\u2028' }]] },
    ];
    const text = JSON.stringify(values, null, 1);
    expect(arrayElements(text)?.map((e) => JSON.parse(e))).toEqual(values);
  });
});
