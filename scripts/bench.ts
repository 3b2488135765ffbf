// `npm run bench`: builds, then prints the size of every dist file and what each loader feature
// costs, and exits non-zero when a budget of SPEC §8 is missed. (Timings join as the UI lands.)
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildAll, buildLoader, FEATURES } from './build';

const dist = resolve(import.meta.dirname, '../dist');
const KB = 1024;

const sizes = (file: string) => {
  const bytes = readFileSync(file);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
};
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

const { chunks } = await buildAll();

console.log('\n## dist/ sizes (bytes)\n');
console.log(row(['file', 'raw', 'gzip', 'brotli']));
console.log(row(['---', '---:', '---:', '---:']));
for (const file of files(dist)
  .filter((f) => /\.(m?js|json)$/.test(f) && !f.includes('/types/'))
  .sort())
  console.log(row([relative(dist, file), ...Object.values(sizes(file))]));

const loader = sizes(join(dist, 'assent.js'));
console.log('\n## What each loader feature costs (the loader built without it)\n');
console.log(row(['feature', 'gzip', 'brotli']));
console.log(row(['---', '---:', '---:']));
const tmp = mkdtempSync(join(tmpdir(), 'assent-bench-'));
for (const feature of FEATURES) {
  await buildLoader({ outDir: tmp, fileName: `without-${feature}.js`, chunks, without: [feature] });
  const without = sizes(join(tmp, `without-${feature}.js`));
  console.log(
    row([feature.toLowerCase().replace('_', ' '), loader.gzip - without.gzip, loader.brotli - without.brotli]),
  );
}
await buildLoader({ outDir: tmp, fileName: 'core.js', chunks, without: [...FEATURES] });
const core = sizes(join(tmp, 'core.js'));
console.log(row(['(core: config, state, decisions)', core.gzip, core.brotli]));
rmSync(tmp, { recursive: true, force: true });

const budgets: [string, number, number][] = [['dist/assent.js (loader)', loader.brotli, 5 * KB]];
console.log('\n## Budgets (SPEC §8, brotli)\n');
let over = 0;
for (const [what, actual, budget] of budgets) {
  const ok = actual <= budget;
  if (!ok) over++;
  console.log(`${ok ? 'ok  ' : 'OVER'} ${what}: ${actual} B of ${budget} B (${Math.round((actual / budget) * 100)} %)`);
}
process.exitCode = over ? 1 : 0;
