// One collector per data directory: a lock file holding the owner's process id.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the data directory, or throws naming the process that holds it; returns the release. */
export const lockDataDir = (dir: string): (() => void) => {
  const file = join(dir, 'collector.lock');
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    const owner = Number(readFileSync(file, 'utf8'));
    if (owner && owner !== process.pid && alive(owner))
      throw new Error(
        `the data directory ${dir} is in use by another collector (process ${owner}); one collector per data directory`,
      );
    // A lock left by a process that died.
    writeFileSync(file, String(process.pid));
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
    } catch {}
  };
};
