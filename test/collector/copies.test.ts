// The checkpoint copy beside PGlite's files: one line per writer, never seen half written, and a line
// that is no checkpoint (a torn write by an older collector, a stray edit) never breaks a start.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointCopies } from '../../src/collector/copies';
import { scratchDirs } from '../fixtures/scratch';

const scratch = scratchDirs('assent-copies-');
const jws = (writer: string, count: number) =>
  `eyJhbGciOiJFZERTQSJ9.${Buffer.from(JSON.stringify({ type: 'checkpoint', writer, count })).toString('base64url')}.c2ln`;

describe('checkpoint copies', () => {
  it('keep the newest checkpoint of each writer only, so the file stays as small as the number of writers', () => {
    const file = join(scratch(), 'checkpoints.jws');
    const copies = checkpointCopies(file);
    for (let count = 1; count <= 500; count++) copies.keep(jws('a', count));
    copies.keep(jws('b', 7));
    expect(copies.read()).toEqual({ jws: [jws('a', 500), jws('b', 7)], unreadable: 0 });
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('leave out, and count, lines that are no checkpoint', () => {
    const file = join(scratch(), 'checkpoints.jws');
    writeFileSync(file, `${jws('a', 3)}\n${jws('b', 4).slice(0, 30)}\nnot a jws at all\n`);
    const copies = checkpointCopies(file);
    expect(copies.read()).toEqual({ jws: [jws('a', 3)], unreadable: 2 });
    copies.keep(jws('a', 4));
    expect(copies.read()).toEqual({ jws: [jws('a', 4)], unreadable: 0 });
  });
});
