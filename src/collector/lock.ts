// One collector per data directory (SPEC §7). The lock is a listening socket, not a file holding a pid:
// bind() is atomic, so of two collectors starting at once exactly one gets it, and the kernel closes the
// socket when its process dies, even on kill -9. A pid proves nothing (any process may reuse it, and the
// old lock file then blocked startup for good), so a lock is live when its socket is, and only then.
//
// - Linux: an abstract-namespace socket. It has no file, so nothing is left behind to go stale. Abstract
//   names belong to a network namespace: collectors in containers with network namespaces of their own
//   do not see each other's lock, so never share one data directory between such containers.
// - Windows: a named pipe, which also dies with its process.
// - elsewhere (macOS, BSD): a socket file in the temporary directory. It outlives a process killed with
//   kill -9, so one that refuses connections is stale and is replaced, and every bind, check and
//   removal of that file happens under a guard (an atomic mkdir): a stale file is never mistaken for a
//   live one, and a live one is never removed.
//
// The name is a hash of a random key kept in the data directory and of the directory's device and inode:
// every path to one directory (a symlink, a bind mount) finds the same lock, and a local user who cannot
// read the directory cannot work out the name and squat on it. The holder answers each connection with
// who it is, so the collector that is refused can say which process holds the directory.
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Holder {
  pid: number;
  since: string;
}
/** What a connection to the lock found: its holder, one that does not answer, or nothing listening. */
type Answer = Holder | 'silent' | 'gone';

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The data directory's lock key: random, made once, never rewritten; link() makes it appear whole or not at all. */
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

/** Where the lock of a data directory listens, on a platform. */
export const lockAddress = (dir: string, platform: NodeJS.Platform = process.platform) => {
  const { dev, ino } = statSync(dir);
  const hash = createHash('sha256')
    .update(`${lockKey(dir)}:${dev}:${ino}`)
    .digest('hex')
    .slice(0, 24);
  const name = `assent-collector-${hash}`;
  if (platform === 'linux') return `\0${name}`;
  if (platform === 'win32') return `\\\\.\\pipe\\${name}`;
  return join(tmpdir(), `${name}.sock`);
};

/** Listens at the address, or null when something already does. */
const listen = (address: string, me: Holder) =>
  new Promise<Server | null>((resolve, reject) => {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      socket.end(JSON.stringify(me));
    });
    server.once('error', (e) => (code(e) === 'EADDRINUSE' ? resolve(null) : reject(e)));
    // unref: the lock alone must not keep the process alive.
    server.listen(address, () => resolve(server.unref()));
  });

const ask = (address: string) =>
  new Promise<Answer>((resolve) => {
    let answer = '';
    const socket = createConnection(address);
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

/** An abstract socket or a pipe is gone with its process: taken means alive. */
const takeKernelLock = async (address: string, me: Holder): Promise<Server | Answer> => {
  // 'gone' here means the holder exited between our bind and our question: try again.
  for (let attempt = 0; attempt < 50; attempt++) {
    const server = await listen(address, me);
    if (server) return server;
    const answer = await ask(address);
    if (answer !== 'gone') return answer;
  }
  return 'silent';
};

/** Runs work while holding a guard directory, which only one process can create at a time. */
const withGuard = async <T>(guard: string, work: () => Promise<T>): Promise<T> => {
  for (;;) {
    try {
      mkdirSync(guard, { mode: 0o700 });
      break;
    } catch (e) {
      if (code(e) !== 'EEXIST') throw e;
    }
    // A guard is held for milliseconds: one older than 10 s belongs to a process that died holding it.
    try {
      if (Date.now() - statSync(guard).mtimeMs > 10_000) rmSync(guard, { recursive: true, force: true });
    } catch {}
    await sleep(10);
  }
  try {
    return await work();
  } finally {
    rmSync(guard, { recursive: true, force: true });
  }
};

/** A socket file outlives its process: under the guard, one that refuses connections is stale, and replaced. */
const takeFileLock = (address: string, me: Holder) =>
  withGuard(`${address}.guard`, async (): Promise<Server | Answer> => {
    const server = await listen(address, me);
    if (server) return server;
    const answer = await ask(address);
    if (answer !== 'gone') return answer;
    rmSync(address, { force: true });
    return (await listen(address, me)) ?? ask(address);
  });

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
 * the release. A process that exits without it, even by kill -9, leaves no lock that blocks (on macOS
 * and BSD, a stale socket file, which the next collector replaces).
 */
export const lockDataDir = async (dir: string, platform: NodeJS.Platform = process.platform) => {
  const address = lockAddress(dir, platform);
  const me: Holder = { pid: process.pid, since: new Date().toISOString() };
  const kernel = address.startsWith('\0') || address.startsWith('\\\\');
  const taken = kernel ? await takeKernelLock(address, me) : await takeFileLock(address, me);
  if (!(taken instanceof Server))
    throw new Error(
      `the data directory ${dir} is in use by another collector (${holderOf(dir, taken)}): one collector per data directory; stop that one, or give this one another --data`,
    );
  // The holder's pid, for people to read, and in the old format, so that an older collector started
  // by mistake refuses too. The socket, not this file, is the lock.
  const info = join(dir, 'collector.lock');
  writeFileSync(info, String(process.pid), { mode: 0o600 });
  return () => {
    taken.close();
    try {
      if (readFileSync(info, 'utf8') === String(process.pid)) unlinkSync(info);
    } catch {}
  };
};
