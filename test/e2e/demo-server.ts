// Starts the demo as a visitor's machine would (a shell command on a free port, its collector on a
// data directory of its own) and stops every process it started.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');

export interface Demo {
  /** The demo's address, e.g. `http://127.0.0.1:41234`. */
  base: string;
  /** Stops the demo (its collector syncs as it stops), then removes its data directory. */
  stop: () => Promise<void>;
}

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

/** Whether any process of the group (the shell, npm, the server) is still running. */
const running = (group: number) => {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
};

/** Runs `command` in the repository and resolves once it prints the demo's address. */
export const startDemo = async (command: string): Promise<Demo> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'assent-demo-'));
  const demo = spawn('sh', ['-c', command], {
    cwd: root,
    env: { ...process.env, PORT: String(await freePort()), ASSENT_DATA_DIR: dataDir },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async () => {
    if (demo.pid) {
      process.kill(-demo.pid, 'SIGTERM');
      while (running(demo.pid)) await new Promise((r) => setTimeout(r, 100));
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  let out = '';
  const base = await new Promise<string>((done, fail) => {
    demo.stdout?.on('data', (d) => {
      out += d;
      const url = /Assent demo: (http:\/\/\S+?)\/\s/.exec(out)?.[1];
      if (url) done(url);
    });
    demo.stderr?.on('data', (d) => (out += d));
    demo.once('exit', (code) => fail(new Error(`"${command}" exited with ${code}:\n${out}`)));
  }).catch(async (e) => {
    await stop();
    throw e;
  });
  return { base, stop };
};
