import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const assent = (...args: string[]) => spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });

describe('npx assent check', () => {
  it('passes the seed configs', () => {
    const r = assent('check', 'demo/configs/blooom.json');
    expect(r.stdout).toContain('demo/configs/blooom.json: 0 error(s), 0 warning(s)');
    expect(r.status).toBe(0);
  });

  it('lists every error and warning with its path, and exits 1', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'assent-')), 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        controller: { name: 'X' },
        policy: { url: '/p', version: '1' },
        purposes: [{ id: 'a', basis: 'consnet', title: 'A' }],
      }),
    );
    const r = assent('check', file);
    expect(r.stdout).toContain(
      'error    config.purposes[0].basis must be one of consent, legitimate-interest, contract, legal-obligation (got "consnet")',
    );
    expect(r.stdout).toContain('warning  config.endpoint is not set');
    expect(r.stdout).toContain('1 error(s), 1 warning(s); assent.dev.js fails closed with this config');
    expect(r.status).toBe(1);
  });

  it('explains a file that is not JSON, and its usage', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'assent-')), 'broken.json');
    writeFileSync(file, '{ nope');
    expect(assent('check', file)).toMatchObject({ status: 2, stderr: expect.stringContaining('broken.json:') });
    expect(assent()).toMatchObject({ status: 2, stderr: expect.stringContaining('assent check <config.json>') });
  });

  it('gives the line and column of a JSON error, and says that JSON has no comments', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'assent-')), 'commented.json');
    writeFileSync(file, '{\n  "policy": { "version": "1" }, // asks again\n  "purposes": []\n}');
    const r = assent('check', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `${file}:2:33: JSON has no comments; remove this one (a config has "description" fields for text)\n` +
        '    "policy": { "version": "1" }, // asks again\n' +
        `  ${' '.repeat(32)}^\n`,
    );
  });
});

describe('npx assent bundle', { timeout: 20_000 }, () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'assent-bundle-'));

  it('checks the config as assent check does, and writes nothing when it has errors', () => {
    const d = dir();
    const file = join(d, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ controller: { name: 'X' }, policy: { url: '/p', version: '1' }, purposes: [] }),
    );
    const r = assent('bundle', file, '--out', join(d, 'out'));
    expect(r.stdout).toContain('error    config.purposes must be a list of at least 1');
    expect(r.stdout).toContain('1 error(s), 1 warning(s)');
    expect(r.stderr).toContain('assent bundle: nothing written; fix the errors above');
    expect(r.status).toBe(1);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });

  it('says where a file is no JSON, and how it is used', () => {
    const d = dir();
    writeFileSync(join(d, 'c.json'), '{ "a": 1, }');
    expect(assent('bundle', join(d, 'c.json'), '--out', join(d, 'out'))).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('c.json:1:11: a comma before }'),
    });
    expect(existsSync(join(d, 'out'))).toBe(false);
    for (const args of [['c.json'], ['a.json', 'b.json', '--out', 'x'], ['c.json', '--outdir', 'x']])
      expect(assent('bundle', ...args)).toMatchObject({
        status: 2,
        stderr: expect.stringContaining('assent bundle <config.json> --out <dir>'),
      });
  });
});
