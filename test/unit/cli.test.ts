import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detach, keyFromJwk, newPrivateJwk, signCompact } from '../../src/collector/jws';
import { canonicalJson } from '../../src/core/receipt';
import { sampleReceipt } from '../fixtures/receipts';

const assent = (...args: string[]) => spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });

describe('npx assent', () => {
  it('prints its usage to stdout and exits 0 when asked for help', () => {
    for (const arg of ['--help', '-h', 'help']) {
      const r = assent(arg);
      expect(r).toMatchObject({ status: 0, stderr: '' });
      expect(r.stdout).toContain('assent bundle <config.json> --out <dir>');
    }
  });

  it('names an unknown command, with the usage on stderr, and exits 2', () => {
    const r = assent('chek', 'a.json');
    expect(r).toMatchObject({ status: 2, stdout: '' });
    expect(r.stderr).toMatch(/^assent: chek is no command\nusage:/);
  });
});

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

  it('says in a few words why a config file cannot be read, and exits 2', () => {
    const d = mkdtempSync(join(tmpdir(), 'assent-'));
    expect(assent('check', join(d, 'nope.json'))).toMatchObject({
      status: 2,
      stdout: '',
      stderr: `${join(d, 'nope.json')}: no such file\n`,
    });
    expect(assent('check', d)).toMatchObject({ status: 2, stderr: `${d}: a folder, not a file\n` });
    expect(assent('check')).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^assent check: <config.json> is missing\nusage:/),
    });
  });

  it('says that a config file is not readable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-'));
    chmodSync(dir, 0o755);
    const file = join(dir, 'secret.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0o000);
    // root reads any file, whatever its mode: as root, the check runs as nobody.
    const asRoot = process.getuid?.() === 0;
    const own = mkdtempSync(join(tmpdir(), 'assent-nobody-'));
    if (asRoot) chownSync(own, 65534, 65534);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'check', file], {
      encoding: 'utf8',
      ...(asRoot && { uid: 65534, gid: 65534, env: { ...process.env, HOME: own, TMPDIR: own } }),
    });
    expect(r).toMatchObject({ status: 2, stderr: `${file}: permission denied (not readable)\n` });
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
    expect(assent('bundle', 'c.json')).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^assent bundle: --out <dir> is missing\nusage:/),
    });
    expect(assent('bundle', 'a.json', 'b.json', '--out', 'x').stderr).toMatch(
      /^assent bundle: takes one <config.json>, not 2\n/,
    );
    expect(assent('bundle', join(d, 'none.json'), '--out', join(d, 'out'))).toMatchObject({
      status: 2,
      stderr: `${join(d, 'none.json')}: no such file\n`,
    });
    for (const args of [['c.json'], ['a.json', 'b.json', '--out', 'x'], ['c.json', '--outdir', 'x']])
      expect(assent('bundle', ...args)).toMatchObject({
        status: 2,
        stderr: expect.stringContaining('assent bundle <config.json> --out <dir>'),
      });
  });
});

describe('npx assent verify', { timeout: 20_000 }, () => {
  const key = keyFromJwk(newPrivateJwk());
  const dir = mkdtempSync(join(tmpdir(), 'assent-verify-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const jwks = file('jwks.json', JSON.stringify({ keys: [key.publicJwk] }));
  /** An export line: the receipt parsed from the bytes signed, as the collector serves it. */
  const line = (raw: string, signature: unknown) =>
    JSON.stringify({ receivedAt: 'x', signature, receipt: JSON.parse(raw) });

  it('says ok or FAILED with the reason, per receipt of an export, and exits 1 when one fails', () => {
    const [good, altered, stranger, odd] = [0, 1, 2, 3].map(() => sampleReceipt());
    const raw = JSON.stringify(good, null, 2);
    const other = keyFromJwk(newPrivateJwk());
    const exported = file(
      'export.ndjson',
      [
        line(raw, signCompact(raw, key)),
        line(JSON.stringify({ ...altered, method: 'api' }), signCompact(JSON.stringify(altered), key)),
        line(JSON.stringify(stranger), signCompact(JSON.stringify(stranger), other)),
        line(JSON.stringify(odd), 42),
      ].join('\n'),
    );
    const r = assent('verify', exported, '--jwks', jwks);
    expect(r.stdout).toBe(
      [
        `ok      ${good.id}`,
        `FAILED  ${altered.id}: the signature is for other contents than this receipt: the receipt was altered`,
        `FAILED  ${stranger.id}: signed by a key the collector does not publish (kid "${other.kid}")`,
        `FAILED  ${odd.id}: the signature is not a compact JWS`,
        '1 verified, 3 failed\n',
      ].join('\n'),
    );
    expect(r.status).toBe(1);
  });

  it('with --consent-id, fails a receipt of another visitor', () => {
    const receipt = sampleReceipt();
    const exported = file('one.ndjson', line(JSON.stringify(receipt), signCompact(JSON.stringify(receipt), key)));
    expect(assent('verify', exported, '--jwks', jwks, '--consent-id', receipt.consentId)).toMatchObject({
      status: 0,
      stdout: `ok      ${receipt.id}\n1 verified, 0 failed\n`,
    });
    const other = assent('verify', exported, '--jwks', jwks, '--consent-id', sampleReceipt().consentId);
    expect(other.stdout).toContain(
      `FAILED  ${receipt.id}: this receipt belongs to another consent id ("${receipt.consentId}")`,
    );
    expect(other.status).toBe(1);
  });

  it('takes an erased receipt’s tombstone only as the collector signed it', () => {
    const receipt = sampleReceipt();
    const text = JSON.stringify(receipt);
    const record = file('record.json', JSON.stringify({ receipts: [receipt] }));
    const sha256 = (t: string) => createHash('sha256').update(t).digest('base64url');
    const tombstone = { id: receipt.id, sha256: sha256(text), signature: detach(signCompact(text, key)) };
    const signed = (stone: object) => signCompact(canonicalJson(stone), key);
    const verify = (lines: object[]) =>
      assent(
        'verify',
        record,
        '--jwks',
        jwks,
        '--tombstones',
        file('stones.ndjson', lines.map((l) => JSON.stringify(l)).join('\n')),
      );
    expect(verify([{ tombstone, signature: signed(tombstone) }])).toMatchObject({
      status: 0,
      stdout: `ok      ${receipt.id} (erased; its signed tombstone matches)\n1 verified, 0 failed\n`,
    });
    // A valid signature of another tombstone beside this one vouches for nothing.
    const forged = verify([{ tombstone, signature: signed({ ...tombstone, sha256: sha256('other bytes') }) }]);
    expect(forged.stdout).toBe(`FAILED  ${receipt.id}: the receipt has no signature\n0 verified, 1 failed\n`);
    expect(forged.status).toBe(1);
  });
});

describe('the packed packages', { timeout: 30_000 }, () => {
  const PACKAGES = ['assent', 'collector'];

  it('have READMEs that stand alone: no relative link, which an installed package cannot follow', () => {
    for (const name of PACKAGES) {
      const text = readFileSync(`packages/${name}/README.md`, 'utf8');
      expect(text.match(/\]\((?!https:\/\/|#)[^)]*\)/g) ?? [], name).toEqual([]);
    }
    expect(readFileSync('packages/assent/README.md', 'utf8')).toContain('npx assent bundle');
  });

  // The package.json that npm packs is the one in packages/<name>/: its prepack builds only from this
  // repository, never from the scripts/build.ts of a project the package is installed into.
  const prepackRuns = (layout: (dir: string) => string, name: string) => {
    const top = mkdtempSync(join(tmpdir(), 'assent-prepack-'));
    const pkg = layout(top);
    mkdirSync(pkg, { recursive: true });
    copyFileSync(`packages/${name}/package.json`, join(pkg, 'package.json'));
    mkdirSync(join(top, 'scripts'));
    writeFileSync(
      join(top, 'scripts/build.ts'),
      "import { writeFileSync } from 'node:fs'; writeFileSync('ran', process.argv.slice(2).join(' '));",
    );
    const r = spawnSync('npm', ['run', 'prepack', '--silent'], {
      cwd: pkg,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${join(process.cwd(), 'node_modules/.bin')}:${process.env.PATH}` },
    });
    expect(r.status, r.stderr).toBe(0);
    return existsSync(join(top, 'ran')) ? readFileSync(join(top, 'ran'), 'utf8') : undefined;
  };

  it('build on prepack in the repository, and run nothing of the project they are installed into', () => {
    for (const name of PACKAGES) {
      expect(prepackRuns((top) => join(top, 'packages', name), name)).toBe(`--package ${name}`);
      const installed = name === 'assent' ? 'node_modules/assent' : 'node_modules/@assent/collector';
      expect(prepackRuns((top) => join(top, installed), name)).toBeUndefined();
    }
  });
});
