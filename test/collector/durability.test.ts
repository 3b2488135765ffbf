// What is acknowledged stays (issue 12, findings 16, 17, 18 and 20): on PGlite a resolved commit has
// been synced to disk, the data directory is private whatever the umask, and a directory the collector
// cannot open or cannot write, or that is another user's, says so. Each test runs a collector-like script in a process of its own:
// under strace, killed with kill -9, with umask 0, on a read-only mount, or as another user.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/collector/pglite';
import { childScript, scratchDirs } from '../fixtures/scratch';

const root = resolve(import.meta.dirname, '../..');
const src = (file: string) => JSON.stringify(join(root, 'src/collector', file));
const scratch = scratchDirs('assent-durability-');

const script = (code: string) => childScript(scratch(), code);
const run = (command: string[], options: { timeout?: number } = {}) => {
  const result = spawnSync(command[0], command.slice(1), { cwd: root, encoding: 'utf8', ...options });
  return { status: result.status, out: result.stdout, err: result.stderr };
};

/** Every directory and file under dir with its permission bits. */
const modes = (dir: string): [string, number, boolean][] => [
  [dir, statSync(dir).mode & 0o777, true],
  ...readdirSync(dir, { withFileTypes: true }).flatMap((e): [string, number, boolean][] =>
    e.isDirectory() ? modes(join(dir, e.name)) : [[join(dir, e.name), statSync(join(dir, e.name)).mode & 0o777, false]],
  ),
];
const notPrivate = (dir: string) =>
  modes(dir)
    .filter(([, mode, isDir]) => mode !== (isDir ? 0o700 : 0o600))
    .map(([path, mode]) => `${mode.toString(8)} ${path}`);

const COMMITS = 30;
const committer = script(`
  import { closeSync, fsyncSync, openSync } from 'node:fs';
  import { openPglite } from ${src('pglite.ts')};
  const [dir, marks, count] = process.argv.slice(2);
  const db = await openPglite(dir);
  await db.query('CREATE TABLE IF NOT EXISTS acks (id integer PRIMARY KEY)');
  // A sync of the marks file is a mark in the trace: "every transaction before this one has resolved".
  const fd = openSync(marks, 'w');
  fsyncSync(fd);
  for (let i = 0; i < Number(count || Infinity); i++) {
    await db.transaction((tx) => tx.query('INSERT INTO acks (id) VALUES ($1)', [i]));
    fsyncSync(fd);
    console.log('ack ' + i);
  }
  closeSync(fd);
  await db.close();
`);

describe.runIf(process.platform === 'linux')('a resolved commit on PGlite is on disk', () => {
  it('syncs a WAL file of the data directory, on its real file system, before each transaction resolves', () => {
    expect(spawnSync('strace', ['-V']).status, 'strace is needed: apt-get install -y strace').toBe(0);
    const dir = join(scratch(), 'pglite');
    const marks = join(scratch(), 'marks');
    const trace = join(scratch(), 'trace');
    const { status, err } = run([
      'strace',
      ...['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync', '-o', trace],
      ...committer,
      dir,
      marks,
      String(COMMITS),
    ]);
    expect(err).toBe('');
    expect(status).toBe(0);
    // strace -y names each descriptor's file: fsync(23</tmp/…/pglite/pg_wal/000000010000000000000001>) = 0
    const syncs = [...readFileSync(trace, 'utf8').matchAll(/f(?:data)?sync\(\d+<([^>]*)>/g)].map((m) => m[1]);
    const walSyncsPerCommit: number[] = [];
    for (const path of syncs)
      if (path === marks) walSyncsPerCommit.push(0);
      else if (walSyncsPerCommit.length && path.startsWith(join(dir, 'pg_wal/')))
        walSyncsPerCommit[walSyncsPerCommit.length - 1]++;
    // One interval from each mark to the next: COMMITS transactions, each synced before it resolved.
    expect(walSyncsPerCommit.slice(0, -1)).toHaveLength(COMMITS);
    expect(walSyncsPerCommit.slice(0, -1).filter((n) => n < 1)).toEqual([]);
  }, 120_000);

  it('keeps every acknowledged commit when the process is killed with kill -9 in the middle of a stream', async () => {
    const dir = join(scratch(), 'pglite');
    const child: ChildProcess = spawn(committer[0], [...committer.slice(1), dir, join(scratch(), 'marks')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: number[] = [];
    let out = '';
    await new Promise<void>((done) => {
      child.stdout?.on('data', (chunk) => {
        out += chunk;
        const lines = out.split('\n');
        out = lines.pop() ?? '';
        for (const line of lines) acked.push(Number(line.slice(4)));
        if (acked.length >= 150 && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => done());
      // A child that never acknowledges is not left behind.
      setTimeout(() => child.kill('SIGKILL'), 60_000).unref();
    });
    expect(acked.length).toBeGreaterThanOrEqual(150);
    const db = await openPglite(dir);
    const stored = new Set((await db.query<{ id: number }>('SELECT id FROM acks')).map((r) => r.id));
    await db.close();
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
  }, 120_000);
  it('never acknowledges a commit whose WAL sync fails (EIO): the process stops, as PostgreSQL does', async () => {
    const dir = join(scratch(), 'pglite');
    const { status, out, err } = run(
      script(`
        import fs from 'node:fs';
        import { syncBuiltinESMExports } from 'node:module';
        import { openPglite } from ${src('pglite.ts')};
        const db = await openPglite(process.argv[2]);
        await db.query('CREATE TABLE acks (id integer PRIMARY KEY)');
        await db.transaction((tx) => tx.query('INSERT INTO acks VALUES (1)'));
        // From now on every sync fails, as on a dying disk.
        fs.fsyncSync = () => {
          throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        };
        syncBuiltinESMExports();
        await db.transaction((tx) => tx.query('INSERT INTO acks VALUES (2)')).then(
          () => console.log('acknowledged'),
          (e) => console.log('refused', e.message),
        );
      `).concat(dir),
      { timeout: 60_000 },
    );
    expect(out).toBe('');
    expect(err).toMatch(
      new RegExp(`^assent-collector: PGlite in ${dir} stopped: PANIC: could not fsync file "[0-9A-F]{24}": I/O error`),
    );
    expect(status).toBe(1);
    // A restart recovers, with what was acknowledged.
    const db = await openPglite(dir);
    expect(await db.query('SELECT id FROM acks WHERE id = 1')).toEqual([{ id: 1 }]);
    await db.close();
  }, 120_000);
});

describe.runIf(process.platform !== 'win32')('the data directory is private whatever the umask', () => {
  it('creates every file 0600 and every directory 0700, also the WAL segments PGlite adds later', () => {
    const dir = join(scratch(), 'pglite');
    const { status, err } = run(
      script(`
        import { openPglite } from ${src('pglite.ts')};
        process.umask(0);
        const db = await openPglite(process.argv[2]);
        await db.query('CREATE TABLE t (v text)');
        await db.query("INSERT INTO t VALUES ('a')");
        await db.query('SELECT pg_switch_wal()');
        await db.query("INSERT INTO t VALUES ('b')");
        await db.query('CHECKPOINT');
        await db.close();
      `).concat(dir),
    );
    expect(err).toBe('');
    expect(status).toBe(0);
    expect(readdirSync(join(dir, 'pg_wal')).filter((f) => /^[0-9A-F]{24}$/.test(f)).length).toBeGreaterThan(1);
    expect(notPrivate(dir)).toEqual([]);
  }, 120_000);

  it('makes a data directory that an older collector left world-readable private when it starts', () => {
    const dataDir = join(scratch(), 'data');
    // What the collector did before: PGlite's defaults (its files 0666 whatever the umask), under the usual
    // umask. Under umask 0 its directories were 0777 too: that is refused (datadir.test.ts).
    const older = run(
      script(`
        import { mkdirSync, writeFileSync } from 'node:fs';
        import { PGlite } from ${JSON.stringify(join(root, 'node_modules/@electric-sql/pglite/dist/index.js'))};
        process.umask(0o022);
        const dir = process.argv[2];
        mkdirSync(dir, { recursive: true });
        writeFileSync(dir + '/signing-key.json', '{}');
        const pg = await PGlite.create(dir + '/pglite');
        await pg.query('CREATE TABLE t (v text)');
        await pg.close();
      `).concat(dataDir),
    );
    expect(older.status).toBe(0);
    expect(notPrivate(dataDir).length).toBeGreaterThan(900);
    const { status, err } = run(
      script(`
        import { prepareDataDir } from ${src('datadir.ts')};
        import { openPglite } from ${src('pglite.ts')};
        process.umask(0);
        const dir = process.argv[2];
        const release = await prepareDataDir(dir);
        const db = await openPglite(dir + '/pglite');
        await db.query("INSERT INTO t VALUES ('a')");
        await db.close();
        release();
      `).concat(dataDir),
    );
    expect(err).toBe('');
    expect(status).toBe(0);
    expect(notPrivate(dataDir)).toEqual([]);
  }, 120_000);
});

describe('a data directory PGlite cannot open', () => {
  let database: string;
  beforeAll(async () => {
    database = join(scratch(), 'pglite');
    const db = await openPglite(database);
    await db.query('CREATE TABLE t (v text)');
    await db.close();
  }, 60_000);
  const damaged = (damage: (dir: string) => void) => {
    const dir = join(scratch(), 'pglite');
    cpSync(database, dir, { recursive: true });
    damage(dir);
    return dir;
  };
  /** Every file with its size and time of change, but PostgreSQL's lock file, which it may leave. */
  const files = (dir: string) =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f !== 'postmaster.pid')
      .map((f) => [f, statSync(join(dir, f)).size, statSync(join(dir, f)).mtimeMs]);
  const refusal = async (dir: string) => {
    const before = files(dir);
    const error: Error = await openPglite(dir).then(
      () => expect.unreachable('it opened'),
      (e) => e,
    );
    // It is not overwritten: no file of it was added, removed or written.
    expect(files(dir)).toEqual(before);
    return error.message;
  };
  const advice = 'restore it from a backup, or move it aside and start with an empty one';

  it('says why when pg_control is truncated, never "Aborted(). Build with -sASSERTIONS"', async () => {
    const dir = damaged((d) => truncateSync(join(d, 'global/pg_control'), 100));
    const message = await refusal(dir);
    expect(message).toContain(`the data directory ${dir} could not be opened by PGlite`);
    expect(message).toMatch(/PANIC: could not read file "global\/pg_control": read 100 of \d+/);
    expect(message).toContain(advice);
    expect(message).not.toMatch(/Aborted|ASSERTIONS/);
  }, 60_000);

  it('says why when PG_VERSION holds garbage, and does not advise initdb', async () => {
    const dir = damaged((d) => writeFileSync(join(d, 'PG_VERSION'), 'garbage\n'));
    const message = await refusal(dir);
    expect(message).toContain(`the data directory ${dir} could not be opened by PGlite`);
    expect(message).toContain(`File "${dir}/PG_VERSION" does not contain valid data`);
    expect(message).toContain(advice);
    expect(message).not.toMatch(/initdb/);
  }, 60_000);

  it('refuses a directory of other files rather than creating a database over them', async () => {
    const dir = join(scratch(), 'pglite');
    mkdirSync(dir);
    writeFileSync(join(dir, 'receipts.ndjson'), '{"id":"r1"}\n');
    const message = await refusal(dir);
    expect(message).toContain(`the data directory ${dir} could not be opened by PGlite`);
    expect(message).toContain('no PG_VERSION');
    expect(readFileSync(join(dir, 'receipts.ndjson'), 'utf8')).toBe('{"id":"r1"}\n');
  }, 60_000);
});

describe.runIf(process.platform === 'linux' && process.getuid?.() === 0)('a data directory it cannot write', () => {
  const starter = () =>
    script(`
      import { prepareDataDir } from ${src('datadir.ts')};
      import { openPglite } from ${src('pglite.ts')};
      const dir = process.argv[2];
      try {
        const release = await prepareDataDir(dir);
        await (await openPglite(dir + '/pglite')).close();
        release();
        console.log('started');
      } catch (e) {
        console.log(e.message);
      }
    `);

  it('says the directory is on a read-only file system (a read-only bind mount)', () => {
    const dir = scratch();
    const mount = `mount --bind -o ro "$0" "$0" && exec "$@"`;
    const { out, err } = run(['unshare', '-m', 'sh', '-c', mount, dir, ...starter(), dir]);
    expect(err).toBe('');
    expect(out.trim()).toBe(
      `the data directory ${dir} cannot be written: it is on a read-only file system. The collector keeps its receipts there: make it writable by the user running the collector (uid 0), or choose another with --data / ASSENT_DATA_DIR`,
    );
  }, 60_000);

  it('says that the user running it may not write there (run as nobody)', () => {
    const parent = scratch();
    chmodSync(parent, 0o755);
    const owned = join(parent, 'owned-by-root');
    mkdirSync(owned, { mode: 0o755 });
    const asNobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', ...starter()];
    const inRootsDir = run([...asNobody, join(parent, 'new')]);
    expect(inRootsDir.out).toContain(
      `the data directory ${join(parent, 'new')} cannot be written: this user may not write there`,
    );
    expect(inRootsDir.out).toContain('(uid 65534)');
    const rootsDir = run([...asNobody, owned]);
    expect(rootsDir.out).toContain(
      `the data directory ${owned} belongs to uid 0 (root), not to uid 65534 (nobody), who runs the collector`,
    );
    for (const { out, err } of [inRootsDir, rootsDir])
      expect(`${out}${err}`).not.toMatch(/ENOENT|EACCES|EPERM|\n\s+at /);
  }, 60_000);
});
