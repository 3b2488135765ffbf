// The copy of each chain's newest checkpoint kept beside PGlite's files (`checkpoints.jws`), where a
// damaged or rolled-back database cannot take it along. One line per writer, so it stays small; it is
// rewritten whole (a temporary file, synced, then renamed), so it is never seen half written.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { syncPath } from './datadir';
import { payloadOf } from './jws';

export interface CheckpointCopies {
  /** The signed checkpoints in the file; lines that are not a JWS are left out (and reported). */
  read(): { jws: string[]; unreadable: number };
  /** Keeps this checkpoint as its writer's newest. */
  keep(jws: string): void;
}

export const checkpointCopies = (file: string): CheckpointCopies => {
  const read = () => {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    const jws = lines.filter((line) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(line));
    return { jws, unreadable: lines.length - jws.length };
  };
  return {
    read,
    keep: (jws) => {
      const writer = (line: string) => {
        try {
          return payloadOf<{ writer?: string }>(line).writer;
        } catch {
          return undefined;
        }
      };
      const others = read().jws.filter((line) => writer(line) !== writer(jws));
      const draft = `${file}.${process.pid}.tmp`;
      writeFileSync(draft, `${[...others, jws].join('\n')}\n`, { mode: 0o600 });
      syncPath(draft);
      renameSync(draft, file);
      syncPath(dirname(file), true);
    },
  };
};
