// The data directory holds every receipt, the signing key and the WAL. So it is private to the user who
// runs the collector, whatever their umask (another local user read consent ids from a 0666 WAL), it
// belongs to one collector at a time, and when the collector cannot write it, it says so and why.
import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir } from './lock';

/** Every directory and file under dir, each directory before what it holds (links and sockets left out). */
const tree = (dir: string, found: { dirs: string[]; files: string[] } = { dirs: [], files: [] }) => {
  found.dirs.push(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true }))
    if (entry.isDirectory()) tree(join(dir, entry.name), found);
    else if (entry.isFile()) found.files.push(join(dir, entry.name));
  return found;
};

/** Sets 0700 on dir and every directory under it, and 0600 on every file: what older collectors left too. */
export const makePrivate = (dir: string) => {
  const { dirs, files } = tree(dir);
  // Only where it differs: a chmod changes the ctime, and backup tools copy what has a new ctime.
  for (const [paths, mode] of [
    [dirs, 0o700],
    [files, 0o600],
  ] as const)
    for (const path of paths) if ((lstatSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
};

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

/**
 * Makes the data directory ready for one collector: created 0700 if missing, everything in it made
 * private (0700 directories, 0600 files), and, unless told not to (PostgreSQL: several collectors may
 * share one), its lock taken. Resolves to the lock's release. The process's umask is left alone (a
 * host server may mount the collector): the directory is 0700 whatever is created in it, PGlite's
 * files get their modes explicitly (pglite.ts), and every start makes the rest private again.
 */
export const prepareDataDir = async (dir: string, { lock = true } = {}): Promise<() => void> => {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Also proves that we may change the directory: chmod fails on a read-only file system, or for another owner.
    chmodSync(dir, 0o700);
  } catch (e) {
    throw unwritable(dir, e);
  }
  let release = () => {};
  try {
    if (lock) release = await lockDataDir(dir);
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code ? unwritable(dir, e) : e;
  }
  try {
    makePrivate(dir);
  } catch (e) {
    release();
    throw unwritable(dir, e);
  }
  return release;
};
