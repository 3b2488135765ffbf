// The data directory holds every receipt, the signing key and the WAL. So it is private to the user who
// runs the collector, whatever their umask (another local user read consent ids from a 0666 WAL), and
// the collector trusts it only when that user made it and nobody else may write it: run as root with a
// directory that another user had made in a shared /tmp, it served that user's signing key in its JWKS.
// It belongs to one collector at a time, and when the collector cannot write it, it says so and why.
//
// The collector changes the modes of what is its own and of nothing else: the directory and its names
// in it (OWN_NAMES). Started with --data . in a project, it once made node_modules/.bin/* and
// .git/hooks/* 0600; now a directory that holds other files and nothing of a collector's is refused,
// and other files kept beside a collector's are left as they are.
import {
  chmodSync,
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  type Stats,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { distrust, LOCK_NAMES, lockDataDir } from './lock';

export const PGLITE_DIR = 'pglite';
export const SIGNING_KEY = 'signing-key.json';
export const CHECKPOINT_COPIES = 'checkpoints.jws';
/** What the collector keeps in its data directory: its database, signing key, copies of checkpoints and lock. */
export const OWN_NAMES = [PGLITE_DIR, SIGNING_KEY, CHECKPOINT_COPIES, ...LOCK_NAMES];
/** The collector's own files (its database directory may be a link, to another disk). */
const FILES = [SIGNING_KEY, CHECKPOINT_COPIES];
/** What a file system, a file manager or git puts in an empty directory: it makes no directory someone else's. */
const ANYWHERE = ['lost+found', '.DS_Store', '.gitkeep', '.keep'];

/** Every directory and file under dir, each directory before what it holds (links and sockets left out). */
const tree = (dir: string, found: { dirs: string[]; files: string[] } = { dirs: [], files: [] }) => {
  found.dirs.push(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true }))
    if (entry.isDirectory()) tree(join(dir, entry.name), found);
    else if (entry.isFile()) found.files.push(join(dir, entry.name));
  return found;
};

/** Throws when a path is another user's, or others may write it (see distrust), saying why and how to fix it. */
const refuseUntrusted = (
  path: string,
  st: Stats,
  { what = path, orElse = '', strict }: { what?: string; orElse?: string; strict?: boolean } = {},
) => {
  const problem = distrust(path, st, strict);
  if (problem)
    throw new Error(
      `${what} ${problem.why}: the collector trusts only what its own user made and nobody else may write, as another user could have put their own signing key there. If you trust what it holds, ${problem.fix}${orElse}`,
    );
};

interface Mode {
  path: string;
  mode: number;
  now: number;
}

/**
 * The mode that makes path and everything under it private, with the mode each has now; each checked
 * on the way, so that nothing changes when one is refused.
 */
const privateModes = (path: string, strict = false, st: Stats = statSync(path), found: Mode[] = []) => {
  refuseUntrusted(path, st, { strict: strict || st.isDirectory() });
  found.push({ path, mode: st.isDirectory() ? 0o700 : 0o600, now: st.mode & 0o777 });
  // The path itself may be a link (a database moved to another disk); what is under it is taken as it is.
  if (st.isDirectory())
    for (const entry of readdirSync(path, { withFileTypes: true }))
      if (entry.isDirectory() || entry.isFile()) {
        const inner = join(path, entry.name);
        privateModes(inner, false, lstatSync(inner), found);
      }
  return found;
};
const applyModes = (modes: Mode[]) => {
  // Only where it differs: a chmod changes the ctime, and backup tools copy what has a new ctime.
  for (const { path, mode, now } of modes) if (now !== mode) chmodSync(path, mode);
};

/**
 * Sets 0700 on dir and every directory under it, and 0600 on every file, as older collectors did not;
 * for a directory that is the collector's through and through (PGlite's). Refuses, changing nothing,
 * when another user owns any of it, or others may write a directory of it.
 */
export const makePrivate = (dir: string) => applyModes(privateModes(dir));

/** fsyncs a file, or a directory's entries (Windows cannot open a directory; NTFS journals entries itself). */
export const syncPath = (path: string, isDir = false) => {
  if (isDir && process.platform === 'win32') return;
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** fsyncs every file under dir, then every directory, deepest first, so that each entry is durable. */
export const syncTree = (dir: string) => {
  const { dirs, files } = tree(dir);
  for (const file of files) syncPath(file);
  for (const path of dirs.reverse()) syncPath(path, true);
};

const REASONS: Record<string, string> = {
  EROFS: 'it is on a read-only file system',
  EACCES: 'this user may not write there',
  EPERM: 'it belongs to another user',
  ENOTDIR: 'a file stands where a directory should be',
  EEXIST: 'a file stands where a directory should be',
  ENOSPC: 'its disk is full',
};

/** Says that the data directory cannot be written, and why, instead of a stack trace. */
export const unwritable = (dir: string, e: unknown) => {
  const { code, path } = e as NodeJS.ErrnoException;
  const reason = (code && REASONS[code]) ?? String((e as Error).message ?? e);
  const where = path && path !== dir ? ` (${path})` : '';
  const user = process.getuid ? ` (uid ${process.getuid()})` : '';
  return new Error(
    `the data directory ${dir} cannot be written: ${reason}${where}. The collector keeps its receipts there: make it writable by the user running the collector${user}, or choose another with --data / ASSENT_DATA_DIR`,
    { cause: e },
  );
};

/** Refuses a directory that holds other files and nothing of a collector's: it is someone's, not a data directory. */
const refuseForeign = (dir: string) => {
  const names = readdirSync(dir).filter((name) => !ANYWHERE.includes(name));
  if (!names.length || names.some((name) => OWN_NAMES.includes(name))) return;
  const shown = names.sort().slice(0, 5).join(', ') + (names.length > 5 ? ', …' : '');
  throw new Error(
    `the data directory ${dir} holds files that are not a collector's (${shown}) and nothing of a collector's: it is no data directory, and the collector would make it private (0700) and put its database among them. Choose an empty or new directory with --data / ASSENT_DATA_DIR`,
  );
};

/** The directory and its own names in it, each made private, the whole trusted first. */
const makeOwnPrivate = (dir: string) => {
  const modes = OWN_NAMES.flatMap((name) => {
    try {
      // A file of its own is never a link: one pointing at another file would have that file made private.
      if (FILES.includes(name) && lstatSync(join(dir, name)).isSymbolicLink())
        throw new Error(
          `${join(dir, name)} is a symbolic link: the collector follows no link for its own files, as one could point at a file that is not the collector's and have it made private (0600). Put the file itself there`,
        );
      // Whoever could write the signing key could have put theirs there. Other files that others may
      // write are made private: PGlite unpacked its files 0666 under older collectors, whatever the
      // umask, and what they hold is vouched for by the hash chain and its signed checkpoints.
      return name === SIGNING_KEY ? privateModes(join(dir, name), true) : privateModes(join(dir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  });
  // Always, even when it is 0700 already: a chmod also proves that we may change the directory (it fails
  // on a read-only file system).
  chmodSync(dir, 0o700);
  applyModes(modes);
};

/**
 * Makes the data directory ready for one collector: created 0700 if missing; refused when another
 * user owns it or may write it, or when it holds other files and nothing of a collector's; the
 * collector's own files in it made private (0700 directories, 0600 files), and refused when another
 * user owns one, or others may write a directory of them or the signing key; and, unless told not to (PostgreSQL: several collectors may share
 * one), its lock taken. Resolves to the lock's release. The process's umask is left alone (a host
 * server may mount the collector): the directory is 0700 whatever is created in it, PGlite's files get
 * their modes explicitly (pglite.ts), and every start makes the collector's files private again.
 */
export const prepareDataDir = async (dir: string, { lock = true } = {}): Promise<() => void> => {
  try {
    const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (created === undefined) {
      // It was there: the directory it leads to, if it is a link, is the one to trust.
      refuseUntrusted(dir, statSync(dir), {
        what: `the data directory ${dir}`,
        orElse: ', or choose another directory with --data / ASSENT_DATA_DIR',
      });
      refuseForeign(dir);
    }
    makeOwnPrivate(dir);
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code ? unwritable(dir, e) : e;
  }
  try {
    return lock ? await lockDataDir(dir) : () => {};
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code ? unwritable(dir, e) : e;
  }
};
