#!/usr/bin/env node
// `assent check <config.json>`: the complete config validator on the command line.
import { readFileSync } from 'node:fs';
import { validateConfig } from '../core/validate';

const USAGE = 'usage: assent check <config.json>';

const check = (file: string): number => {
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: ${(e as Error).message}`);
    return 2;
  }
  const { errors, warnings } = validateConfig(config);
  for (const w of warnings) console.log(`warning  ${w.message}`);
  for (const e of errors) console.log(`error    ${e.message}`);
  console.log(
    `${file}: ${errors.length} error(s), ${warnings.length} warning(s)${errors.length ? '; Assent fails closed with this config' : ''}`,
  );
  return errors.length ? 1 : 0;
};

const [command, file] = process.argv.slice(2);
if (command === 'check' && file) process.exitCode = check(file);
else {
  console.error(USAGE);
  process.exitCode = 2;
}
