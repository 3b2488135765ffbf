// The data directory is the collector's own (finding 11): it changes the modes of its own files and of
// nothing else (started with --data . in a project, it once made node_modules/.bin and .git/hooks 0600),
// and it trusts only what its own user made and nobody else may write (run as root with a directory
// another user had made in a shared /tmp, it served that user's signing key in its JWKS).
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareDataDir } from '../../src/collector/datadir';
import { openPglite } from '../../src/collector/pglite';
import { startCollector, stopCollector } from '../fixtures/collector-process';
import { childScript, scratchDirs } from '../fixtures/scratch';

const root = resolve(import.meta.dirname, '../..');
const scratch = scratchDirs('assent-datadir-');
const NOBODY = 65534;

/** Every path under dir with its permission bits, as "755 node_modules/.bin/tool". */
const modes = (dir: string) =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .sort()
    .map((f) => `${(statSync(join(dir, f)).mode & 0o777).toString(8)} ${f}`);

/** What a collector does with its data directory at start, in this process: prepare it, open PGlite in it. */
const start = async (dir: string) => {
  const release = await prepareDataDir(dir);
  try {
    await (await openPglite(join(dir, 'pglite'))).close();
  } finally {
    release();
  }
};
const refusal = (dir: string) =>
  start(dir).then(
    () => expect.unreachable('it started'),
    (e: Error) => e.message,
  );

/** A directory as a project holds it: files that must keep their modes. */
const project = (dir: string) => {
  for (const [path, mode] of [
    ['package.json', 0o644],
    ['node_modules/.bin/tool', 0o755],
    ['.git/hooks/pre-commit', 0o755],
    ['public/index.html', 0o644],
  ] as const) {
    mkdirSync(join(dir, path, '..'), { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, path), '#!/bin/sh\n', { mode });
    chmodSync(join(dir, path), mode);
  }
  chmodSync(dir, 0o755);
};

describe.runIf(process.platform !== 'win32')('the collector changes only what is its own', () => {
  it('refuses a project directory given as --data, and leaves every mode in it as it was', async () => {
    const dir = scratch();
    project(dir);
    const before = modes(dir);
    const message = await refusal(dir);
    expect(message).toBe(
      `the data directory ${dir} holds files that are not a collector's (.git, node_modules, package.json, public) and nothing of a collector's: it is no data directory, and the collector would make it private (0700) and put its database among them. Choose an empty or new directory with --data / ASSENT_DATA_DIR`,
    );
    expect(modes(dir)).toEqual(before);
    expect(statSync(dir).mode & 0o777).toBe(0o755);
  }, 30_000);

  it('in its own data directory, makes its own files private and leaves what else is kept there as it is', async () => {
    const dir = scratch();
    await start(dir);
    project(dir);
    writeFileSync(join(dir, 'signing-key.json'), '{}', { mode: 0o644 });
    chmodSync(join(dir, 'pglite', 'PG_VERSION'), 0o644);
    await start(dir);
    const after = modes(dir);
    expect(after).toEqual(expect.arrayContaining(['755 node_modules/.bin/tool', '755 .git/hooks/pre-commit']));
    expect(after).toEqual(expect.arrayContaining(['644 package.json', '644 public/index.html', '755 public']));
    expect(after).toEqual(expect.arrayContaining(['600 signing-key.json', '700 pglite', '600 pglite/PG_VERSION']));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  }, 60_000);

  it('takes a file system of its own, whose only entry is lost+found', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'lost+found'), { mode: 0o700 });
    await start(dir);
    expect(readdirSync(dir)).toContain('pglite');
  }, 30_000);

  it.each(['signing-key.json', 'checkpoints.jws'])(
    'refuses %s as a symbolic link, and leaves the file it points at as it was',
    async (name) => {
      const dir = scratch();
      await start(dir);
      const victim = join(scratch(), 'victim');
      writeFileSync(victim, 'not the collector’s', { mode: 0o644 });
      rmSync(join(dir, name), { force: true });
      symlinkSync(victim, join(dir, name));
      expect(await refusal(dir)).toContain(`${join(dir, name)} is a symbolic link`);
      expect(statSync(victim).mode & 0o777).toBe(0o644);
    },
    30_000,
  );

  it('refuses what other users may write, changing nothing: the data directory, its signing key, its database', async () => {
    const fix = (path: string) => `If you trust what it holds, chmod -R go-w ${path}`;
    const open = scratch();
    chmodSync(open, 0o777);
    expect(await refusal(open)).toBe(
      `the data directory ${open} may be written by other users (mode 777): the collector trusts only what its own user made and nobody else may write, as another user could have put their own signing key there. ${fix(open)}, or choose another directory with --data / ASSENT_DATA_DIR`,
    );
    expect(statSync(open).mode & 0o777).toBe(0o777);

    // What an older collector left under umask 0.
    const dir = scratch();
    await start(dir);
    const key = join(dir, 'signing-key.json');
    writeFileSync(key, '{}', { mode: 0o600 });
    chmodSync(key, 0o666);
    expect(await refusal(dir)).toBe(
      `${key} may be written by other users (mode 666): the collector trusts only what its own user made and nobody else may write, as another user could have put their own signing key there. ${fix(key)}`,
    );
    expect(statSync(key).mode & 0o777).toBe(0o666);
    chmodSync(key, 0o600);
    const base = join(dir, 'pglite', 'base');
    chmodSync(base, 0o775);
    expect(await refusal(dir)).toContain(`${base} may be written by other users (mode 775)`);
    expect(statSync(base).mode & 0o777).toBe(0o775);
  }, 60_000);
});

describe.runIf(process.platform === 'linux' && process.getuid?.() === 0)(
  'the collector trusts only its own user',
  () => {
    const asNobody = (code: string) => {
      const { status, stderr } = spawnSync(
        'setpriv',
        ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...childScript(scratch(), code)],
        { cwd: root, encoding: 'utf8' },
      );
      expect(stderr).toBe('');
      expect(status).toBe(0);
    };

    it('refuses a data directory that another user made in a shared directory, and the signing key they put there', async () => {
      const shared = scratch();
      chmodSync(shared, 0o1777);
      const dir = join(shared, 'assent-data');
      asNobody(`
      import { mkdirSync, writeFileSync } from 'node:fs';
      import { newPrivateJwk } from ${JSON.stringify(join(root, 'src/collector/jws.ts'))};
      mkdirSync(${JSON.stringify(dir)}, { mode: 0o755 });
      writeFileSync(${JSON.stringify(join(dir, 'signing-key.json'))}, JSON.stringify(newPrivateJwk()), { mode: 0o644 });
    `);
      const outcome = await startCollector(['--data', dir]).then(
        async (c) => {
          const jwks = await (await fetch(`${c.url}/.well-known/jwks.json`)).text();
          await stopCollector(c.proc);
          return `started, and its JWKS is ${jwks}`;
        },
        (e: Error) => e.message,
      );
      expect(outcome).toContain(
        `assent-collector: the data directory ${dir} belongs to uid ${NOBODY} (nobody), not to uid 0 (root), who runs the collector: the collector trusts only what its own user made and nobody else may write, as another user could have put their own signing key there. If you trust what it holds, chown -R 0 ${dir}, or choose another directory with --data / ASSENT_DATA_DIR`,
      );
      expect(readdirSync(dir)).toEqual(['signing-key.json']);
    }, 60_000);

    it('refuses a signing key, a database directory, or a file of the database that another user owns', async () => {
      const dir = scratch();
      await start(dir);
      for (const path of [join(dir, 'signing-key.json'), join(dir, 'pglite'), join(dir, 'pglite', 'PG_VERSION')]) {
        if (path.endsWith('.json')) writeFileSync(path, '{}', { mode: 0o600 });
        chownSync(path, NOBODY, NOBODY);
        expect(await refusal(dir)).toBe(
          `${path} belongs to uid ${NOBODY} (nobody), not to uid 0 (root), who runs the collector: the collector trusts only what its own user made and nobody else may write, as another user could have put their own signing key there. If you trust what it holds, chown -R 0 ${path}`,
        );
        chownSync(path, 0, 0);
      }
      await start(dir);
    }, 60_000);
  },
);
