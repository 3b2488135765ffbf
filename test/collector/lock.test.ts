// One collector per data directory (SPEC §7; issue 12, finding 19): two collectors starting at once
// never both get it, a lock file naming some live process does not block, and kill -9 frees it. The
// Linux way (an abstract socket) and the macOS way (a socket file, tried here on Linux) are both run.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/collector/lock';
import { childScript, scratchDirs } from '../fixtures/scratch';

const root = resolve(import.meta.dirname, '../..');
const scratch = scratchDirs('assent-lock-');
const script = (code: string) => childScript(scratch(), code);
const lockModule = JSON.stringify(join(root, 'src/collector/lock.ts'));

const ROUNDS = 20;
/** Takes the lock of round i's directory at the agreed moment, holds it 150 ms, and says how it went. */
const racer = script(`
  import { join } from 'node:path';
  import { lockDataDir } from ${lockModule};
  const [base, rounds, start, platform] = process.argv.slice(2);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  for (let round = 0; round < Number(rounds); round++) {
    const at = Number(start) + round * 300;
    await sleep(at - Date.now() - 5);
    while (Date.now() < at);
    try {
      const release = await lockDataDir(join(base, String(round)), platform);
      console.log(JSON.stringify({ round, pid: process.pid, won: true }));
      await sleep(150);
      release();
    } catch (e) {
      console.log(JSON.stringify({ round, pid: process.pid, won: false, message: e.message }));
    }
  }
`);
const race = (base: string, platform: string) =>
  new Promise<{ pid: number; lines: { round: number; pid: number; won: boolean; message?: string }[] }[]>((done) => {
    const start = String(Date.now() + 3000);
    const racers = [0, 1].map(() => {
      const child = spawn(racer[0], [...racer.slice(1), base, String(ROUNDS), start, platform], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      return new Promise<{ pid: number; lines: never[] }>((exited) =>
        child.on('exit', () =>
          exited({
            pid: child.pid as number,
            lines: out
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l)) as never[],
          }),
        ),
      );
    });
    Promise.all(racers).then(done);
  });

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

describe.each([
  ['an abstract socket (Linux)', 'linux'],
  ['a socket file (macOS, BSD)', 'darwin'],
] as const)('the data-directory lock, as %s', (_, platform) => {
  it.runIf(process.platform === 'linux')(
    `of two collectors starting at once, exactly one gets the directory, ${ROUNDS} times in ${ROUNDS}`,
    async () => {
      const base = scratch();
      for (let round = 0; round < ROUNDS; round++) mkdirSync(join(base, String(round)));
      const racers = await race(base, platform);
      for (let round = 0; round < ROUNDS; round++) {
        const results = racers.map((r) => r.lines.find((line) => line.round === round));
        expect(
          results.filter((r) => r?.won),
          `round ${round}`,
        ).toHaveLength(1);
        const winner = results.find((r) => r?.won);
        const loser = results.find((r) => !r?.won);
        // The one refused names the directory and the process that holds it.
        expect(loser?.message).toContain(
          `the data directory ${join(base, String(round))} is in use by another collector`,
        );
        expect(loser?.message).toContain(`process ${winner?.pid}`);
      }
    },
    60_000,
  );

  it.runIf(process.platform !== 'win32')(
    'is not blocked by a lock file that names a live process that is no collector',
    async () => {
      for (const pid of [1, process.ppid, process.pid]) {
        const dir = scratch();
        writeFileSync(join(dir, 'collector.lock'), String(pid));
        const release = await lockDataDir(dir, platform);
        release();
      }
    },
  );

  it.runIf(process.platform === 'linux')(
    'refuses a second collector while the first lives, even when its lock file is caught half-written',
    async () => {
      const dir = scratch();
      const child = await holdUntilKilled(dir, platform);
      const exited = new Promise((r) => child.once('exit', r));
      try {
        // The moment between a lock file's creation and its pid being written, when the old lock let anyone in.
        writeFileSync(join(dir, 'collector.lock'), '');
        await expect(lockDataDir(dir, platform)).rejects.toThrow(
          `the data directory ${dir} is in use by another collector (process ${child.pid}, running since`,
        );
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
    },
    30_000,
  );

  it.runIf(process.platform === 'linux')(
    'is free again as soon as its holder is killed with kill -9',
    async () => {
      const dir = scratch();
      const child = await holdUntilKilled(dir, platform);
      const exited = new Promise((r) => child.once('exit', r));
      try {
        await expect(lockDataDir(dir, platform)).rejects.toThrow(`process ${child.pid}`);
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      const release = await lockDataDir(dir, platform);
      release();
    },
    30_000,
  );
});
