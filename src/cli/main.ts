#!/usr/bin/env node
// `assent check <config.json>`: the complete config validator on the command line.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { validateConfig } from '../core/validate';
import { signedReceipts, verifyAll } from './verify';

const USAGE = `usage:
  assent check <config.json>
  assent verify <receipts file> --jwks <jwks.json or URL>
  assent verify --collector <URL> --consent-id <id>`;

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

const load = async (source: string) =>
  /^https?:\/\//.test(source) ? (await fetch(source)).text() : readFileSync(source, 'utf8');

const verify = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { jwks: { type: 'string' }, collector: { type: 'string' }, 'consent-id': { type: 'string' } },
  });
  const base = values.collector?.replace(/\/$/, '');
  const source =
    positionals[0] ?? (base && values['consent-id'] && `${base}/v1/subjects/${values['consent-id']}/receipts`);
  const jwksSource = values.jwks ?? (base && `${base}/.well-known/jwks.json`);
  if (!source || !jwksSource) {
    console.error(USAGE);
    return 2;
  }
  const results = verifyAll(signedReceipts(await load(source)), JSON.parse(await load(jwksSource)));
  for (const r of results) console.log(r.ok ? `ok      ${r.id}` : `FAILED  ${r.id}: ${r.reason}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} verified, ${failed} failed`);
  return failed || !results.length ? 1 : 0;
};

const [command, ...rest] = process.argv.slice(2);
if (command === 'check' && rest[0]) process.exitCode = check(rest[0]);
else if (command === 'verify')
  verify(rest).then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(`assent verify: ${e instanceof Error ? e.message : e}`);
      process.exitCode = 2;
    },
  );
else {
  console.error(USAGE);
  process.exitCode = 2;
}
