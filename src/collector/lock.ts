// One collector per data directory (SPEC §7). The lock is a listening socket, not a file holding a pid:
// a socket listens only while its process lives (the kernel closes it when the process ends, even on
// kill -9), so a lock is live when its socket accepts connections, and only then. A pid proves nothing
// (any process may reuse it, and the old lock file then blocked startup for good). The holder answers
// each connection with who it is, so the collector that is refused can say which process holds the
// directory.
//
// The socket is a file in the data directory's collector.lock.d/, which only the collector's user can
// enter (0700, refused when another user owns it or may write it). No other local user (root aside)
// can bind, connect to or remove anything there, so none can take the lock or block a restart. (It was an
// abstract socket named after a secret, but /proc/net/unix lists every bound name for everyone: a local
// user read it and bound it while the collector restarted.) A file is found by every path to the
// directory (a symlink, a bind mount, another container's mount of the volume), though on one machine
// only: a socket does not work across NFS.
//
// A socket file outlives its process, so a dead one has to be removed, but never a live one that took
// its place a moment before. So a collector first listens at a name of its own, in a directory of its
// own (collector.lock.d/<id>/<id>), then renames that directory to collector.lock.d/holder. rename()
// replaces an empty directory and fails on one that holds anything, atomically: of collectors starting
// at once, exactly one gets there, and while holder/ holds a live socket, nobody else can. A socket in
// holder/ that refuses connections is dead for good (it was listening before it got there) and is
// removed by its own name, which no other collector uses; one that answers, or accepts and stays
// silent (a collector whose event loop is busy), holds the directory.
//
// A socket's path has at most 103 bytes (sun_path). When the lock directory's path is longer, the
// collector reaches it by a shorter one: /proc/self/fd/N of a descriptor open on it (Linux), or a
// symbolic link in assent-<uid>/ in the temporary directory, refused when another user made that
// directory or may write it (macOS gives each user a temporary directory of their own).
//
// Windows: a named pipe, which dies with its process too, named after a hash of a random key kept in the
// data directory and of the directory's device and inode. Windows has no private place for it: other
// local users can list pipe names, and one who creates that name first blocks the collector.
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Holder {
  pid: number;
  since: string;
}
/** What a connection to a lock's socket found: its holder, one that does not answer, or no process. */
type Answer = Holder | 'silent' | 'gone';

/** What the lock keeps in the data directory: the holder's pid (for people, and older collectors), its directory, Windows' key. */
export const LOCK_NAMES = ['collector.lock', 'collector.lock.d', 'collector.lock-key'];
const HOLDER = 'holder';
/** The longest socket path of every platform: sun_path holds 104 bytes on macOS and BSD (108 on Linux), with a NUL. */
const SOCKET_PATH_MAX = 103;
const ID_BYTES = 4;

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** A user as people know them: "uid 65534 (nobody)". */
export const userName = (uid: number) => {
  try {
    const entry = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .find((fields) => fields[2] === String(uid));
    if (entry) return `uid ${uid} (${entry[0]})`;
  } catch {}
  return `uid ${uid}`;
};

/**
 * Why this process must not trust a file or directory: another user owns it (and may change it at
 * will), or it is a directory that other users may write (so it may hold whatever they put there: a
 * signing key, a socket). `strict` also refuses a file that others may write, for a file whose contents
 * nothing else vouches for. With the command that fixes it, for someone who trusts what it holds.
 * Undefined when it may be trusted, and on Windows, which has no uids.
 */
export const distrust = (path: string, st: Stats, strict = st.isDirectory()) => {
  const me = process.geteuid?.();
  if (me === undefined) return undefined;
  if (st.uid !== me)
    return {
      why: `belongs to ${userName(st.uid)}, not to ${userName(me)}, who runs the collector`,
      fix: `chown -R ${me} ${path}`,
    };
  if (strict && st.mode & 0o022)
    return {
      why: `may be written by other users (mode ${(st.mode & 0o777).toString(8)})`,
      fix: `chmod -R go-w ${path}`,
    };
  return undefined;
};

/** Makes a directory for the lock, 0700, or makes sure that the one there is this user's alone. */
const privateDir = (dir: string, what: string, fix = '') => {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if (code(e) !== 'EEXIST') throw e;
  }
  const st = lstatSync(dir);
  const why = st.isDirectory() ? distrust(dir, st)?.why : 'is not a directory';
  if (why)
    throw new Error(`${what} ${why}: another user could take or block the lock there. Remove it (rm -r ${dir})${fix}`);
  if (st.mode & 0o077) chmodSync(dir, 0o700);
};

/** A path to the lock directory short enough for the sockets in it, and what to do once it is not needed. */
const shortPath = (lockDir: string, platform: NodeJS.Platform) => {
  const fits = (base: string) => Buffer.byteLength(base) + 2 * (2 * ID_BYTES + 1) <= SOCKET_PATH_MAX;
  if (fits(lockDir)) return { base: lockDir, close: () => {} };
  if (platform === 'linux' && existsSync('/proc/self/fd')) {
    const fd = openSync(lockDir, 'r');
    return { base: `/proc/self/fd/${fd}`, close: () => closeSync(fd) };
  }
  const links = join(tmpdir(), `assent-${process.geteuid?.()}`);
  privateDir(
    links,
    `the directory ${links}, where the collector links the lock of a data directory whose path is too long for a socket,`,
    ', or point TMPDIR at a directory of this user',
  );
  const real = realpathSync(lockDir);
  const link = join(links, createHash('sha256').update(real).digest('hex').slice(0, 16));
  if (!fits(link))
    throw new Error(
      `the temporary directory ${tmpdir()} has too long a path for the lock of the data directory ${lockDir}: point TMPDIR at a shorter one`,
    );
  let target: string | undefined;
  try {
    target = readlinkSync(link);
  } catch {}
  if (target !== real) {
    // Replaced whole, so that no collector ever follows a half-made link.
    const draft = `${link}.${randomBytes(4).toString('hex')}`;
    symlinkSync(real, draft);
    renameSync(draft, link);
  }
  return { base: link, close: () => {} };
};

/** Listens at a path, serving who this process is. */
const listen = (path: string, me: Holder) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.end(JSON.stringify(me));
    });
    server.once('error', reject);
    // unref: the lock alone must not keep the process alive.
    server.listen(path, () => resolve(server.unref()));
  });

/** Asks a socket who holds it. Only a refused connection (or no socket) means that no process does. */
const ask = (path: string) =>
  new Promise<Answer>((resolve) => {
    let answer = '';
    const socket = createConnection(path);
    socket.setEncoding('utf8');
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', (e) => resolve(code(e) === 'ECONNREFUSED' || code(e) === 'ENOENT' ? 'gone' : 'silent'));
    socket.on('close', () => {
      try {
        const holder = JSON.parse(answer);
        resolve(Number.isInteger(holder.pid) ? holder : 'silent');
      } catch {
        resolve('silent');
      }
    });
  });

/** Who holds holder/: the first live socket in it. The dead ones, and anything else, are removed by their names. */
const occupant = async (holder: string): Promise<Answer> => {
  let names: string[];
  try {
    names = readdirSync(holder);
  } catch (e) {
    if (code(e) === 'ENOENT') return 'gone';
    throw e;
  }
  for (const name of names) {
    const path = join(holder, name);
    let isSocket = false;
    try {
      isSocket = lstatSync(path).isSocket();
    } catch {}
    const answer = isSocket ? await ask(path) : 'gone';
    if (answer !== 'gone') return answer;
    rmSync(path, { recursive: true, force: true });
  }
  return 'gone';
};

/**
 * Removes the directories that collectors killed while taking the lock left: those whose socket is
 * dead, and old (a socket refuses connections between its bind() and listen(), for a moment).
 */
const sweep = async (base: string) => {
  for (const name of readdirSync(base)) {
    const socket = join(base, name, name);
    if (name === HOLDER || !existsSync(socket) || Date.now() - lstatSync(socket).mtimeMs < 60_000) continue;
    if ((await ask(socket)) === 'gone') rmSync(join(base, name), { recursive: true, force: true });
  }
};

/** Takes holder/ in the lock directory (reached by base) for this process, or finds out who holds it. */
const takeSocketLock = async (base: string, me: Holder): Promise<{ server: Server; socket: string } | Answer> => {
  const holder = join(base, HOLDER);
  // Each round removes what is dead in holder/, or finds it live: a few suffice.
  for (let round = 0; round < 20; round++) {
    const id = randomBytes(ID_BYTES).toString('hex');
    const mine = join(base, id);
    mkdirSync(mine, { mode: 0o700 });
    let server: Server | undefined;
    let taken = false;
    try {
      server = await listen(join(mine, id), me);
      try {
        renameSync(mine, holder);
        // Ours only with our socket in it: a sweep may have emptied our directory just before.
        taken = lstatSync(join(holder, id), { throwIfNoEntry: false })?.isSocket() ?? false;
        if (taken) {
          await sweep(base).catch(() => {});
          return { server, socket: join(holder, id) };
        }
        continue;
      } catch (e) {
        // Swept away (see above): try again. A file where holder/ goes is no collector's.
        if (code(e) === 'ENOENT') continue;
        if (code(e) === 'ENOTDIR') rmSync(holder, { force: true });
        else if (code(e) !== 'ENOTEMPTY' && code(e) !== 'EEXIST') throw e;
      }
      const answer = await occupant(holder);
      if (answer !== 'gone') return answer;
    } finally {
      // Not taken: the socket closes (which removes its file), and its directory goes.
      if (!taken) {
        server?.close();
        rmSync(mine, { recursive: true, force: true });
      }
    }
  }
  return 'silent';
};

/** The data directory's lock key (Windows): random, made once, never rewritten; link() makes it appear whole or not at all. */
const lockKey = (dir: string) => {
  const file = join(dir, 'collector.lock-key');
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
  const draft = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, randomBytes(32).toString('hex'), { mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (e) {
    if (code(e) !== 'EEXIST') throw e;
  } finally {
    unlinkSync(draft);
  }
  return readFileSync(file, 'utf8');
};

/** The named pipe of a data directory, on Windows. */
const pipeName = (dir: string) => {
  const { dev, ino } = statSync(dir);
  const hash = createHash('sha256')
    .update(`${lockKey(dir)}:${dev}:${ino}`)
    .digest('hex')
    .slice(0, 24);
  return `\\\\.\\pipe\\assent-collector-${hash}`;
};

/** A pipe is gone with its process: taken means alive. */
const takePipe = async (address: string, me: Holder): Promise<{ server: Server } | Answer> => {
  // 'gone' here means the holder exited between our listen and our question: try again.
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return { server: await listen(address, me) };
    } catch (e) {
      if (code(e) !== 'EADDRINUSE') throw e;
    }
    const answer = await ask(address);
    if (answer !== 'gone') return answer;
  }
  return 'silent';
};

/** Who holds the lock, in words: its answer, else the pid in collector.lock. */
const holderOf = (dir: string, answer: Answer) => {
  if (typeof answer === 'object') return `process ${answer.pid}, running since ${answer.since}`;
  try {
    const pid = Number(readFileSync(join(dir, 'collector.lock'), 'utf8'));
    if (pid) return `process ${pid} according to collector.lock; it does not answer`;
  } catch {}
  return 'a process that does not answer';
};

/**
 * Takes the data directory for this process, or throws naming the process that holds it. Resolves to
 * the release. A process that exits without it, even by kill -9, leaves a dead socket, which the next
 * collector removes. `platform` chooses how a lock is reached (tests try each).
 */
export const lockDataDir = async (dir: string, platform: NodeJS.Platform = process.platform) => {
  const me: Holder = { pid: process.pid, since: new Date().toISOString() };
  let taken: { server: Server; socket?: string } | Answer;
  let close = () => {};
  if (platform === 'win32') taken = await takePipe(pipeName(dir), me);
  else {
    const lockDir = join(dir, 'collector.lock.d');
    privateDir(lockDir, `the lock directory ${lockDir}`);
    const path = shortPath(lockDir, platform);
    close = path.close;
    try {
      taken = await takeSocketLock(path.base, me);
    } catch (e) {
      close();
      throw e;
    }
  }
  if (!(typeof taken === 'object' && 'server' in taken)) {
    close();
    throw new Error(
      `the data directory ${dir} is in use by another collector (${holderOf(dir, taken)}): one collector per data directory; stop that one, or give this one another --data`,
    );
  }
  const { server, socket } = taken;
  // The holder's pid, for people to read, and in the old format, so that an older collector started
  // by mistake refuses too. The socket, not this file, is the lock.
  const info = join(dir, 'collector.lock');
  writeFileSync(info, String(process.pid), { mode: 0o600 });
  return () => {
    // Its name first: the name is ours alone, and holder/ is free once it is empty.
    if (socket) rmSync(socket, { force: true });
    server.close();
    close();
    try {
      if (readFileSync(info, 'utf8') === String(process.pid)) unlinkSync(info);
    } catch {}
  };
};
