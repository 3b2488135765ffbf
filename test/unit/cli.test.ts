import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
});
