// One collector per data directory (SPEC §7; issue 12, findings 12 and 19): two collectors starting at
// once never both get it, also over the socket of one that died, a lock file naming some live process
// does not block, kill -9 frees it, and no other local user can take it or block a restart. Each way to
// the lock is run: in the data directory, and, for a data directory whose path is too long for a socket,
// through /proc/self/fd (Linux) and through a link in the temporary directory (macOS, BSD; tried here on
// Linux).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/collector/lock';
import { childScript, scratchDirs } from '../fixtures/scratch';

const root = resolve(import.meta.dirname, '../..');
const scratch = scratchDirs('assent-lock-');
// The links of long paths go in a temporary directory of these tests, not in the machine's.
const tmp = scratch();
chmodSync(tmp, 0o755);
process.env.TMPDIR = tmp;
const script = (code: string) => childScript(scratch(), code);
const lockModule = JSON.stringify(join(root, 'src/collector/lock.ts'));
const LONG = 'a-data-directory-whose-path-is-longer-than-a-unix-socket-path-may-be-'.repeat(2);
const isRoot = process.getuid?.() === 0;

const ROUNDS = 20;
interface Attempt {
  round: number;
  pid: number;
  won: boolean;
  message?: string;
  /** When it asked for the lock, and, if it got it, when it let go (ms since the epoch). */
  asked: number;
  released?: number;
}
/**
 * Says it is ready, reads the moment to start from its stdin, then in each round takes the lock of
 * that round's directory at the agreed moment, holds it 250 ms and says how it went.
 */
const racer = script(`
  import { join } from 'node:path';
  import { lockDataDir } from ${lockModule};
  const [base, rounds, platform] = process.argv.slice(2);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  console.log('ready');
  const start = await new Promise((r) => process.stdin.once('data', (chunk) => r(Number(String(chunk)))));
  for (let round = 0; round < Number(rounds); round++) {
    const at = start + round * 400;
    await sleep(at - Date.now() - 5);
    while (Date.now() < at);
    const asked = Date.now();
    try {
      const release = await lockDataDir(join(base, String(round)), platform);
      await sleep(250);
      const released = Date.now();
      release();
      console.log(JSON.stringify({ round, pid: process.pid, won: true, asked, released }));
    } catch (e) {
      console.log(JSON.stringify({ round, pid: process.pid, won: false, message: e.message, asked }));
    }
  }
  process.stdin.destroy();
`);
const lines = (child: ChildProcess) => {
  let out = '';
  const waiting: ((line: string) => void)[] = [];
  const seen: string[] = [];
  child.stdout?.on('data', (chunk) => {
    out += chunk;
    const parts = out.split('\n');
    out = parts.pop() ?? '';
    for (const line of parts) (waiting.shift() ?? ((l: string) => seen.push(l)))(line);
  });
  return () => new Promise<string>((r) => (seen.length ? r(seen.shift() as string) : waiting.push(r)));
};
const race = async (base: string, platform: string) => {
  const racers = [0, 1].map(() => {
    const child = spawn(racer[0], [...racer.slice(1), base, String(ROUNDS), platform], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    return { child, next: lines(child), exited: new Promise((r) => child.once('exit', r)) };
  });
  // Both start together, however long each took to load.
  for (const r of racers) expect(await r.next()).toBe('ready');
  const start = Date.now() + 300;
  for (const r of racers) r.child.stdin?.write(String(start));
  const attempts = await Promise.all(
    racers.map(async (r) => {
      const found: Attempt[] = [];
      for (let round = 0; round < ROUNDS; round++) found.push(JSON.parse(await r.next()));
      await r.exited;
      return found;
    }),
  );
  return attempts.flat();
};

/** Holds the directory's lock until killed. */
const holder = script(`
  import { lockDataDir } from ${lockModule};
  await lockDataDir(process.argv[2], process.argv[3]);
  console.log('held');
  setInterval(() => {}, 1000);
`);
const holdUntilKilled = async (dir: string, platform: string) => {
  const child = spawn(holder[0], [...holder.slice(1), dir, platform], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((held) => child.stdout.once('data', held));
  return child;
};
const kill = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
};

/** Leaves a socket that no process listens on in the lock's holder/, as a collector killed with kill -9 does. */
const deadHolder = async (dir: string) => {
  const live = join(scratch(), 'live');
  const server = createServer();
  await new Promise<void>((r) => server.listen(live, r));
  linkSync(live, `${live}-dead`);
  await new Promise((r) => server.close(r));
  mkdirSync(join(dir, 'collector.lock.d', 'holder'), { recursive: true, mode: 0o700 });
  renameSync(`${live}-dead`, join(dir, 'collector.lock.d', 'holder', 'deadbeef'));
};

describe.each([
  ['in the data directory', '', 'linux'],
  ['through /proc/self/fd, for a long path (Linux)', LONG, 'linux'],
  ['through a link in the temporary directory, for a long path (macOS, BSD)', LONG, 'darwin'],
] as const)('the data-directory lock, %s', (_, long, platform) => {
  const dataDir = () => {
    const dir = join(scratch(), long);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  };

  it.runIf(process.platform === 'linux')(
    `of two collectors starting at once, exactly one gets the directory, ${ROUNDS} times in ${ROUNDS}, also over a dead one's socket`,
    async () => {
      const base = dataDir();
      for (let round = 0; round < ROUNDS; round++) {
        mkdirSync(join(base, String(round)), { mode: 0o700 });
        if (round % 2) await deadHolder(join(base, String(round)));
      }
      const attempts = await race(base, platform);
      for (let round = 0; round < ROUNDS; round++) {
        const [a, b] = attempts.filter((r) => r.round === round);
        const winners = [a, b].filter((r) => r.won);
        // Never both at once; and both asked while the other held it, so exactly one got it.
        expect(winners.length, `round ${round}: ${JSON.stringify([a, b])}`).toBe(1);
        const [winner] = winners;
        const loser = winner === a ? b : a;
        expect(loser.asked, `round ${round}`).toBeLessThan(winner.released as number);
        // The one refused names the directory and the process that holds it.
        expect(loser.message).toContain(
          `the data directory ${join(base, String(round))} is in use by another collector`,
        );
        expect(loser.message).toContain(`process ${winner.pid}`);
      }
    },
    60_000,
  );

  it.runIf(process.platform !== 'win32')(
    'is not blocked by a lock file that names a live process that is no collector',
    async () => {
      for (const pid of [1, process.ppid, process.pid]) {
        const dir = dataDir();
        writeFileSync(join(dir, 'collector.lock'), String(pid));
        const release = await lockDataDir(dir, platform);
        release();
      }
    },
  );

  it.runIf(process.platform === 'linux')(
    'refuses a second collector while the first lives, even when its lock file is caught half-written',
    async () => {
      const dir = dataDir();
      const child = await holdUntilKilled(dir, platform);
      try {
        // The moment between a lock file's creation and its pid being written, when the old lock let anyone in.
        writeFileSync(join(dir, 'collector.lock'), '');
        await expect(lockDataDir(dir, platform)).rejects.toThrow(
          `the data directory ${dir} is in use by another collector (process ${child.pid}, running since`,
        );
      } finally {
        await kill(child);
      }
    },
    30_000,
  );

  it.runIf(process.platform === 'linux')(
    'is free again as soon as its holder is killed with kill -9, and what that one left is cleared',
    async () => {
      const dir = dataDir();
      const child = await holdUntilKilled(dir, platform);
      try {
        await expect(lockDataDir(dir, platform)).rejects.toThrow(`process ${child.pid}`);
      } finally {
        await kill(child);
      }
      const release = await lockDataDir(dir, platform);
      expect(readdirSync(join(dir, 'collector.lock.d', 'holder'))).toHaveLength(1);
      release();
      expect(readdirSync(join(dir, 'collector.lock.d'))).toEqual(['holder']);
      expect(readdirSync(join(dir, 'collector.lock.d', 'holder'))).toEqual([]);
    },
    30_000,
  );

  it.runIf(process.platform === 'linux')(
    'takes a holder whose event loop is busy (a long query) for a live one, naming it from collector.lock',
    async () => {
      const dir = dataDir();
      const child = await holdUntilKilled(dir, platform);
      try {
        child.kill('SIGSTOP');
        await expect(lockDataDir(dir, platform)).rejects.toThrow(
          `the data directory ${dir} is in use by another collector (process ${child.pid} according to collector.lock; it does not answer)`,
        );
      } finally {
        await kill(child);
      }
    },
    30_000,
  );

  /**
   * As nobody: every socket name or path in /proc/net/unix that looks like the collector's, and every
   * path of the lock's it can guess, it tries to bind, again and again, as the red team did while the
   * collector restarted. Says "watching", then each thing it bound.
   */
  const squatter = script(`
    import { readFileSync } from 'node:fs';
    import { createServer } from 'node:net';
    import { join } from 'node:path';
    const [dir, tmp] = process.argv.slice(2);
    const guesses = [join(dir, 'collector.lock.d', 'holder', 'squatter'), join(dir, 'collector.lock.d', 'squatter'), join(dir, 'collector.lock'), join(tmp, 'assent-0', 'squatter')];
    // Once seen, a name is tried for good: it is free again when its holder stops.
    const seen = new Set(guesses);
    const bind = (name) =>
      new Promise((done) => {
        const server = createServer((s) => s.end(JSON.stringify({ pid: 1, since: 'squatted' })));
        server.once('error', () => done());
        server.listen(name, () => {
          console.log('bound ' + JSON.stringify(name));
          done();
        });
      });
    console.log('watching');
    for (;;) {
      const names = readFileSync('/proc/net/unix', 'utf8')
        .split('\\n')
        .map((line) => line.trim().split(/\\s+/)[7])
        .filter((name) => name && /assent|collector/.test(name))
        // An abstract name is shown with @ for each NUL, its first byte and its padding.
        .map((name) => (name.startsWith('@') ? name.replaceAll('@', '\\0') : name));
      for (const name of names) seen.add(name);
      for (const name of seen) await bind(name);
      await new Promise((r) => setTimeout(r, 2));
    }
  `);

  it.runIf(process.platform === 'linux' && isRoot)(
    'cannot be taken by another local user, who cannot block a restart either',
    async () => {
      const dir = dataDir();
      chmodSync(join(dir, '..'), 0o755);
      const first = await holdUntilKilled(dir, platform);
      const squatting = spawn(
        'setpriv',
        ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...squatter, dir, tmp],
        // tsx keeps its cache in the temporary directory: nobody needs one it may write.
        { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: '/tmp' } },
      );
      let said = '';
      squatting.stdout.on('data', (chunk) => (said += chunk));
      try {
        while (!said.includes('watching') && squatting.exitCode === null) await new Promise((r) => setTimeout(r, 10));
        // It has seen the lock while the first collector held it; now that one stops, and another starts.
        await new Promise((r) => setTimeout(r, 300));
        await kill(first);
        await new Promise((r) => setTimeout(r, 300));
        const release = await lockDataDir(dir, platform);
        release();
      } finally {
        await kill(first);
        await kill(squatting);
      }
      expect(said.trim().split('\n')).toEqual(['watching']);
    },
    30_000,
  );
});

describe.runIf(process.platform === 'linux' && isRoot)("the directory of links to long paths' locks", () => {
  it('is refused when another user made it, naming it, its owner and the fix', async () => {
    const shared = scratch();
    chmodSync(shared, 0o1777);
    const links = join(shared, 'assent-0');
    const made = spawnSync('setpriv', [
      '--reuid=nobody',
      '--regid=nogroup',
      '--clear-groups',
      'mkdir',
      '-m',
      '700',
      links,
    ]);
    expect(made.status).toBe(0);
    const dir = join(scratch(), LONG);
    mkdirSync(dir, { mode: 0o700 });
    process.env.TMPDIR = shared;
    try {
      await expect(lockDataDir(dir, 'darwin')).rejects.toThrow(
        `the directory ${links}, where the collector links the lock of a data directory whose path is too long for a socket, belongs to uid 65534 (nobody), not to uid 0 (root), who runs the collector: another user could take or block the lock there. Remove it (rm -r ${links}), or point TMPDIR at a directory of this user`,
      );
      // On Linux the lock of a long path does without it.
      const release = await lockDataDir(dir, 'linux');
      release();
    } finally {
      process.env.TMPDIR = tmp;
    }
  });
});
