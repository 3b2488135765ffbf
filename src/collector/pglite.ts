// PGlite (PostgreSQL compiled to WASM, its data directory on the real file system through Emscripten's
// NODEFS), opened so that a resolved commit is on disk.
//
// As shipped, PGlite runs PostgreSQL with fsync=off, and NODEFS cannot sync anyway: fsync() finds no
// fsync operation on a NODEFS stream and reports success, and fdatasync() is a stub (PGlite issue
// #1107). Two ways out: sync the WAL from outside after every commit, or make PostgreSQL's own syncs
// real. We do the second. From outside we would also have to sync data files before pg_control at each
// checkpoint, and new and recycled WAL segments and their directory, all in PostgreSQL's order, which
// PostgreSQL already knows and does itself once its syncs work. So:
// - NODEFS streams get an fsync that calls fs.fsyncSync on the host descriptor (files and directories);
// - PostgreSQL runs with fsync=on, synchronous_commit=on and wal_sync_method=fsync: fsync is the one
//   method that reaches that operation (fdatasync, Linux's default, stays a stub), so COMMIT returns
//   only after the WAL is flushed, and a failed sync is an error that PostgreSQL sees and PANICs on,
//   not a silent success (see panic). The settings are read back: a PGlite that ignored them is refused.
// On macOS, Node's fsync is F_FULLFSYNC, which also gets through the drive's cache.
//
// The same patch keeps the directory private whatever the umask (SPEC §7, finding 17): NODEFS creates
// files with the process's umask and PGlite unpacks its initial database as 0666, so every mode it sets
// loses its group and other bits. A first start is made crash-safe with a marker (see openPglite), and
// a directory PGlite cannot open gets a message that says so, not "Aborted(). Build with -sASSERTIONS".
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { makePrivate, syncPath, syncTree, unwritable } from './datadir';
import type { Db } from './db';

/** What makes a commit durable; every one is checked after start. */
const DURABLE = { fsync: 'on', synchronous_commit: 'on', wal_sync_method: 'fsync', full_page_writes: 'on' };

/** The parts of Emscripten's NODEFS that the patch touches. */
interface Nodefs {
  tryFSOperation<T>(operation: () => T): T;
  realPath(node: object): string;
  stream_ops: { fsync?: (stream: { nfd: number }) => number };
  node_ops: { mknod(parent: object, name: string, mode: number, dev: number): { mode: number } };
  doSetAttr(arg: unknown, node: object, attr: { mode?: number }, ...rest: unknown[]): void;
}

const OWNER_ONLY = ~0o077;

const patchNodefs = (nodefs: Nodefs) => {
  // tryFSOperation turns a failed sync (EIO) into the errno PostgreSQL expects.
  nodefs.stream_ops.fsync = (stream) =>
    nodefs.tryFSOperation(() => {
      fsyncSync(stream.nfd);
      return 0;
    });
  const { mknod } = nodefs.node_ops;
  nodefs.node_ops.mknod = (parent, name, mode, dev) => {
    const node = mknod(parent, name, mode & OWNER_ONLY, dev);
    // NODEFS created it through the umask: set exactly the mode asked for, without group and other bits.
    nodefs.tryFSOperation(() => chmodSync(nodefs.realPath(node), node.mode & 0o7777));
    return node;
  };
  const { doSetAttr } = nodefs;
  nodefs.doSetAttr = (arg, node, attr, ...rest) =>
    doSetAttr(arg, node, attr.mode === undefined ? attr : { ...attr, mode: attr.mode & OWNER_ONLY }, ...rest);
};

/** A first start that had not finished: what is in the directory was never acknowledged to anyone. */
const MARKER = '.assent-initialising';

/** What the directory holds: nothing yet (or an unfinished first start), a database, or something else. */
const contents = (dir: string) => {
  const entries = existsSync(dir) ? readdirSync(dir) : [];
  if (!entries.length || entries.includes(MARKER)) return { kind: 'new' as const, entries };
  return { kind: entries.includes('PG_VERSION') ? ('database' as const) : ('foreign' as const), entries };
};

/** PostgreSQL's own words about why it stopped (FATAL, PANIC and their DETAIL; not its HINT to run initdb). */
const whatPostgresSaid = (dir: string, lines: string[]) => {
  const said = lines
    .map((line) => /\b(PANIC|FATAL|ERROR|DETAIL):\s+(.*)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => `${m[1]}: ${m[2]}`);
  const last = lines.filter((line) => line.trim() && !/^Aborted\(/.test(line)).at(-1);
  return (said.length ? said.join(' ') : (last ?? '')).replaceAll('/pglite/data', dir);
};

const cannotOpen = (dir: string, why: string, cause?: unknown) =>
  new Error(
    `the data directory ${dir} could not be opened by PGlite (${why}). It was left as it is, nothing in it was overwritten: restore it from a backup, or move it aside and start with an empty one`,
    { cause },
  );

/**
 * After a PANIC, PostgreSQL's postmaster stops every backend and recovers from the WAL: a sync that
 * failed ("fsyncgate") leaves the page cache in doubt, so going on is never safe. PGlite cannot do
 * that: it goes on, and loops for good on the COMMIT it aborted, with the event loop blocked. So the
 * process stops here, as PostgreSQL would; the commit under way was not acknowledged, and a restart
 * recovers from the WAL. (While opening, PostgreSQL's words make the error message instead.)
 */
const panic = (dir: string, line: string) => {
  writeSync(
    2,
    `assent-collector: PGlite in ${dir} stopped: ${whatPostgresSaid(dir, [line])}. Restart the collector: PostgreSQL recovers from its WAL\n`,
  );
  process.exit(1);
};

const start = async (dir: string) => {
  const { PGlite } = await import('@electric-sql/pglite');
  const { NodeFS } = await import('@electric-sql/pglite/nodefs');
  class DurableNodeFS extends NodeFS {
    override async init(pg: PGlite, opts: Parameters<InstanceType<typeof NodeFS>['init']>[1]) {
      const { emscriptenOpts } = await super.init(pg, opts);
      const patch = (mod: { NODEFS: unknown }) => patchNodefs(mod.NODEFS as Nodefs);
      return { emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), patch] } };
    }
  }
  // PostgreSQL says why it stops on stderr; PGlite itself throws only "Aborted()".
  const said: string[] = [];
  let open = false;
  try {
    const pg = await PGlite.create({
      fs: new DurableNodeFS(dir),
      startParams: [
        ...PGlite.defaultStartParams.filter((param) => param !== '-F'),
        ...Object.entries(DURABLE).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
      onStderr: (line) => {
        if (open && /\bPANIC:/.test(line)) panic(dir, line);
        else if (!open) said.push(line);
        return false;
      },
    });
    open = true;
    return pg;
  } catch (e) {
    throw cannotOpen(dir, whatPostgresSaid(dir, said) || String((e as Error).message ?? e), e);
  }
};

const checkDurable = async (pg: PGlite, dir: string) => {
  const { rows } = await pg.query<{ name: string; setting: string }>(
    'SELECT name, setting FROM pg_settings WHERE name = ANY($1)',
    [Object.keys(DURABLE)],
  );
  const settings = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  const wrong = Object.entries(DURABLE).filter(([name, value]) => settings[name] !== value);
  if (wrong.length) {
    await pg.close();
    throw new Error(
      `PGlite in ${dir} runs with ${wrong.map(([name]) => `${name}=${settings[name]}`).join(', ')}: its commits would not be durable, so the collector does not use it`,
    );
  }
};

/** Makes the directory ready for PGlite; says whether it starts a new database. */
const prepare = (dir: string) => {
  const found = contents(dir);
  if (found.kind === 'foreign')
    throw cannotOpen(dir, 'it is not empty, and holds no PG_VERSION: it is no PGlite database');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Older collectors left their files readable by everyone: made private here. One that another user
  // owns or may write is refused instead, before anything in the directory is removed or changed.
  makePrivate(dir);
  // PostgreSQL would stop on its lock file with "could not create lock file"; say what is wrong instead.
  accessSync(dir, constants.W_OK);
  if (found.kind === 'new') {
    // PGlite unpacks a new database file by file; a crash halfway would leave a directory that looks
    // like a damaged database. The marker, durable before the first file, says it is only unfinished.
    for (const entry of found.entries) rmSync(join(dir, entry), { recursive: true, force: true });
    writeFileSync(join(dir, MARKER), '', { mode: 0o600 });
    syncPath(join(dir, MARKER));
    syncPath(dir, true);
  }
  return found.kind === 'new';
};

/**
 * Opens the embedded database in a directory (created, 0700, if missing). A resolved transaction is
 * on disk. The caller holds the directory's lock (prepareDataDir); nothing here takes it.
 */
export const openPglite = async (dir: string): Promise<Db> => {
  let fresh: boolean;
  try {
    fresh = prepare(dir);
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code ? unwritable(dir, e) : e;
  }
  const pg = await start(dir);
  await checkDurable(pg, dir);
  // Files that PGlite wrote without syncs (its initial database, or all of it under an older collector)
  // are made durable before the first commit is acknowledged.
  syncTree(dir);
  if (fresh) {
    unlinkSync(join(dir, MARKER));
    syncPath(dir, true);
  }
  const wrap = (q: Pick<PGlite, 'query'>): Db => ({
    kind: 'pglite',
    query: async (sql, params) => (await q.query(sql, params)).rows as never,
    transaction: (work) => pg.transaction((tx) => work(wrap(tx))),
    close: () => pg.close(),
  });
  return wrap(pg);
};
