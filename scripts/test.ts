// `npm test`: static checks, the build, unit tests (vitest) and end-to-end tests (Playwright in
// Chromium). The last line is the true total across the test runners: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const run = (command: string, args: string[]) => {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } }).status === 0;
};
const readJson = (file: string) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);

rmSync('test-results', { recursive: true, force: true });
mkdirSync('test-results', { recursive: true });

let passed = 0;
let failed = 0;
let skipped = 0;
const failedChecks: string[] = [];

for (const [name, command, args] of [
  ['biome', 'npx', ['biome', 'check', '.']],
  ['typescript', 'npx', ['tsc', '--noEmit']],
  ['build', 'npx', ['tsx', 'scripts/build.ts']],
] as const)
  if (!run(command, [...args])) failedChecks.push(name);

run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile=test-results/unit.json']);
const unit = readJson('test-results/unit.json');
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
  skipped += unit.numPendingTests + unit.numTodoTests;
} else failedChecks.push('vitest (no report)');

if (failedChecks.includes('build')) failedChecks.push('playwright (not run: the build failed)');
else {
  run('npx', ['playwright', 'test']);
  const e2e = readJson('test-results/e2e.json');
  if (e2e) {
    passed += e2e.stats.expected + e2e.stats.flaky;
    failed += e2e.stats.unexpected;
    skipped += e2e.stats.skipped;
  } else failedChecks.push('playwright (no report)');
}

if (failedChecks.length) console.log(`\nfailed before or outside the tests: ${failedChecks.join(', ')}`);
failed += failedChecks.length;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed ? 1 : 0;
