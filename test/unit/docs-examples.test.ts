// Every config example in the READMEs and docs/**/*.md passes the complete validator, so that what a
// site owner copies from the documentation works as it stands.
//
// Which fences are examples:
// - a ```json fence holds a complete config: `assent check` must find no error in it;
// - an ```html fence: each <script type="application/json"> with id "assent-config" (or an id that a
//   data-config="#id" of the fence names) holds a complete config, checked alike;
// - a ```jsonc fence is refused: `assent check` reads JSON, which has no comments.
//
// A fence that is deliberately not a complete config says so in an HTML comment on the line before it:
// - `<!-- fragment: config.purposes[] -->`: the fence holds that part of a config (a path of field
//   names, `[]` for an item of a list; `config` for some fields of a whole config). It is checked
//   against the JSON Schema at that path; the required fields of its own top level may be left out,
//   and it may hold the fields without the braces of their object (`"googleConsentMode": {…}`);
// - `<!-- fragment -->`: the fence holds no part of a config (a receipt, an answer of the collector, or
//   HTML whose config is a placeholder such as `{ …config… }`): a ```json one must still be JSON.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonProblem } from '../../src/cli/json';
import schema from '../../src/core/config.schema.json';
import { type Schema, schemaIssues } from '../../src/core/schema-check';
import { validateConfig } from '../../src/core/validate';

const root = resolve(import.meta.dirname, '../..');
type Root = Schema & { definitions: Record<string, Schema> };

/** README.md, the packages' READMEs and every Markdown file under docs/, found afresh on every run. */
const markdownFiles = (): string[] => {
  const under = (dir: string) => {
    try {
      return (readdirSync(resolve(root, dir), { recursive: true }) as string[])
        .filter((f) => f.endsWith('.md') && !f.split(/[\\/]/).includes('node_modules'))
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  };
  const packages = under('packages').filter((f) => /^packages[\\/][^\\/]+[\\/]README\.md$/.test(f));
  return ['README.md', ...packages, ...under('docs')].sort();
};

interface Example {
  where: string;
  /** `whole`: a complete config; a schema path (`config…`) for a fragment; `none`: no part of a config. */
  part: string;
  text: string;
}
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;
const MARKER = /^\s*<!--\s*fragment(?::\s*(\S+))?\s*-->\s*$/;

const examplesOf = (file: string): (Example | { where: string; problem: string })[] => {
  const lines = readFileSync(resolve(root, file), 'utf8').split('\n');
  const found: (Example | { where: string; problem: string })[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, language] = open;
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    const body = lines
      .slice(i + 1, end)
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join('\n');
    let before = i - 1;
    while (before >= 0 && !lines[before].trim()) before--;
    const marker = before >= 0 ? MARKER.exec(lines[before]) : null;
    const part = marker ? (marker[1] ?? 'none') : 'whole';
    const where = `${file}:${i + 1}`;
    if (language === 'jsonc' || language === 'json5')
      found.push({
        where,
        problem: `a \`\`\`${language} fence: write the example as \`\`\`json, which assent check reads`,
      });
    else if (language === 'json') found.push({ where, part, text: body });
    else if (language === 'html') {
      const referenced = [...body.matchAll(/data-config="#([^"]+)"/g)].map((m) => m[1]);
      for (const m of body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
        const id = /\bid="([^"]*)"/.exec(m[1])?.[1];
        if (!/\btype="application\/json"/i.test(m[1]) || !id || !(id === 'assent-config' || referenced.includes(id)))
          continue;
        const line = i + 2 + body.slice(0, m.index).split('\n').length - 1;
        // An HTML fence marked as no config may show a placeholder there; it is not checked.
        if (part !== 'none') found.push({ where: `${file}:${line}`, part, text: m[2] });
      }
    }
    i = end;
  }
  return found;
};

const rootSchema = schema as unknown as Root;
const resolveRef = (s: Schema): Schema =>
  s.$ref ? resolveRef(rootSchema.definitions[s.$ref.split('/').pop() as string]) : s;

/** The schema of one part of a config: `config`, `config.purposes[]`, `config.services[].cookies[]`… */
const schemaAt = (path: string): Schema => {
  const steps = /^config((?:\.[A-Za-z_$][\w$]*|\[\])*)$/.exec(path);
  if (!steps) throw new Error(`"${path}" is no path of a config: write one such as config.purposes[]`);
  let s: Schema = rootSchema;
  for (const step of steps[1].match(/\.[A-Za-z_$][\w$]*|\[\]/g) ?? []) {
    const here = resolveRef(s);
    const next = step === '[]' ? here.items : here.properties?.[step.slice(1)];
    if (!next) throw new Error(`"${path}": the config schema has no ${step} there`);
    s = next;
  }
  return s;
};

/** The errors of one example, each a line a writer can act on. */
const problemsOf = (e: Example): string[] => {
  let value: unknown;
  try {
    value = JSON.parse(e.text);
  } catch (error) {
    // A fragment may be fields without the braces of their object.
    try {
      if (!e.part.startsWith('config')) throw error;
      value = JSON.parse(`{${e.text}}`);
    } catch {
      const p = jsonProblem(e.text);
      return [`not JSON: ${p ? `${p.message} (line ${p.line}, column ${p.column} of the example)` : error}`];
    }
  }
  if (e.part === 'none') return [];
  if (e.part === 'whole') return validateConfig(value).errors.map((i) => i.message);
  const issues = schemaIssues({ ...schemaAt(e.part), definitions: rootSchema.definitions }, value, e.part);
  const topLevel = new RegExp(`^${e.part.replace(/[.[\]$]/g, '\\$&')}(?:\\.[\\w$]+|\\[\\d+\\])? is required$`);
  return issues.map((i) => i.message).filter((m) => !topLevel.test(m));
};

describe('every config example in the docs passes the validator', () => {
  const examples = markdownFiles().flatMap(examplesOf);

  it('finds the examples (README.md alone has several)', () => {
    expect(examples.filter((e) => e.where.startsWith('README.md:')).length).toBeGreaterThanOrEqual(3);
  });

  it.each(examples.map((e) => [e.where, e] as const))('%s', (_, e) => {
    expect('problem' in e ? [e.problem] : problemsOf(e)).toEqual([]);
  });
});

describe('the rules of the docs examples', () => {
  const example = (part: string, text: string): Example => ({ where: 'test', part, text });

  it('finds a config error, in a whole config and in a fragment', () => {
    const config = JSON.parse(readFileSync(resolve(root, 'demo/configs/blooom.json'), 'utf8'));
    expect(problemsOf(example('whole', JSON.stringify(config)))).toEqual([]);
    config.purposes[0].basis = 'consnet';
    expect(problemsOf(example('whole', JSON.stringify(config)))).toEqual([
      expect.stringContaining('config.purposes[0].basis must be one of consent'),
    ]);
    expect(problemsOf(example('config.purposes[]', '{ "id": "a", "basis": "consnet", "title": "A" }'))).toEqual([
      expect.stringContaining('config.purposes[].basis must be one of consent'),
    ]);
    // A whole config is checked beyond the schema: a data category must be declared.
    expect(problemsOf(example('whole', JSON.stringify({ ...config, dataCategories: [] })))).toContainEqual(
      expect.stringContaining('dataCategories'),
    );
  });

  it('lets a fragment leave out required fields of its top level only', () => {
    expect(problemsOf(example('whole', '{ "ui": { "theme": { "accent": "#0a7d4f" } } }'))).toContain(
      'config.controller is required',
    );
    expect(problemsOf(example('config', '{ "ui": { "theme": { "accent": "#0a7d4f" } } }'))).toEqual([]);
    expect(problemsOf(example('config.purposes[]', '{ "id": "a", "basis": "consent" }'))).toEqual([]);
    expect(problemsOf(example('config', '{ "purposes": [{ "id": "a" }] }'))).toEqual([
      'config.purposes[0].basis is required',
      'config.purposes[0].title is required',
    ]);
  });

  it('takes the fields of a fragment without their braces, and refuses a path the schema does not have', () => {
    expect(problemsOf(example('whole', '"ui": { "position": "bottom" }'))).toEqual([
      expect.stringContaining('not JSON'),
    ]);
    expect(problemsOf(example('none', '"id": 1'))).toEqual([expect.stringContaining('not JSON')]);
    expect(problemsOf(example('config', '"ui": { "position": "bottom" }'))).toEqual([]);
    expect(problemsOf(example('config.ui', '"position": "left"'))).toEqual([
      expect.stringContaining('config.ui.position must be one of bottom, center, top'),
    ]);
    expect(() => problemsOf(example('config.purpose[]', '{}'))).toThrow('the config schema has no .purpose there');
    expect(() => problemsOf(example('config purposes', '{}'))).toThrow('is no path of a config');
  });

  it('reads configs out of HTML fences, and markers from the line before a fence', () => {
    const dir = 'test/fixtures/docs-examples';
    const found = examplesOf(join(dir, 'sample.md'));
    expect(found.map((e) => ('problem' in e ? e : { where: e.where, part: e.part, text: e.text.trim() }))).toEqual([
      { where: `${dir}/sample.md:5`, part: 'whole', text: '{ "purposes": [] }' },
      { where: `${dir}/sample.md:13`, part: 'whole', text: '{ "policy": {} }' },
      { where: `${dir}/sample.md:17`, part: 'config.purposes[]', text: '{ "id": "a" }' },
      { where: `${dir}/sample.md:21`, problem: expect.stringContaining('```jsonc fence') },
      { where: `${dir}/sample.md:31`, part: 'none', text: expect.stringContaining('"status": "accepted"') },
      { where: `${dir}/sample.md:42`, part: 'whole', text: '{ "policy": { "version": "1" } }' },
    ]);
  });
});
