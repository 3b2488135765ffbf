#!/usr/bin/env node
// `assent check <config.json>`: the complete config validator on the command line; `assent bundle`
// builds a config into the loaders; `assent verify` checks receipts' signatures.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifySignature } from '../core/signature';
import { validateConfig } from '../core/validate';
import { expandPresets, writeBundle } from './bundle';
import { parseJson, showJsonProblem } from './json';
import { signedReceipts, type Tombstone, tombstoneMatches, verifyAll } from './verify';

const USAGE = `usage:
  assent check <config.json>
  assent bundle <config.json> --out <dir>
  assent verify <receipts file> --jwks <jwks.json or URL> [--tombstones <tombstones.ndjson or URL>]
  assent verify --collector <URL> --consent-id <id>`;

/** What a config file that cannot be read is, by Node's error code. */
const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied (not readable)',
  EPERM: 'permission denied (not readable)',
  EISDIR: 'a folder, not a file',
};

/** A config file's JSON; or null, once it has said why the file is none (with line and column). */
const readConfig = (file: string): { config: unknown } | null => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    console.error(`${file}: ${(code && READ_PROBLEMS[code]) ?? (e as Error).message}`);
    return null;
  }
  const parsed = parseJson(text);
  if ('value' in parsed) return { config: parsed.value };
  console.error(showJsonProblem(file, text, parsed.problem));
  return null;
};

/** Prints every error and warning of the config with its path and the fix; true when it has no error. */
const report = (file: string, config: unknown): boolean => {
  const { errors, warnings } = validateConfig(config);
  for (const w of warnings) console.log(`warning  ${w.message}`);
  for (const e of errors) console.log(`error    ${e.message}`);
  console.log(
    `${file}: ${errors.length} error(s), ${warnings.length} warning(s)${errors.length ? '; assent.dev.js fails closed with this config' : ''}`,
  );
  return !errors.length;
};

const check = (file: string): number => {
  const read = readConfig(file);
  if (!read) return 2;
  return report(file, read.config) ? 0 : 1;
};

const bundle = (args: string[]): number => {
  let parsed: { values: { out?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string' } } });
  } catch (e) {
    console.error(`assent bundle: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const [file, ...extra] = parsed.positionals;
  const out = parsed.values.out;
  const misuse = (problem: string) => {
    console.error(`assent bundle: ${problem}\n${USAGE}`);
    return 2;
  };
  if (!file) return misuse('<config.json> is missing');
  if (extra.length) return misuse(`takes one <config.json>, not ${parsed.positionals.length}`);
  if (!out) return misuse('--out <dir> is missing');
  const read = readConfig(file);
  if (!read) return 2;
  if (!report(file, read.config)) {
    console.error('assent bundle: nothing written; fix the errors above');
    return 1;
  }
  try {
    writeBundle(expandPresets(read.config), out);
  } catch (e) {
    console.error(`assent bundle: ${(e as Error).message}`);
    return 2;
  }
  console.log(`wrote assent.js, assent-autoblock.js, assent.dev.js and chunks/ to ${out}, with ${file} built in
serve the loaders with Cache-Control: max-age=300, must-revalidate (a config change reaches visitors within
5 minutes) and chunks/ with Cache-Control: public, max-age=31536000, immutable`);
  return 0;
};

const load = async (source: string) =>
  /^https?:\/\//.test(source) ? (await fetch(source)).text() : readFileSync(source, 'utf8');

const verify = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      jwks: { type: 'string' },
      collector: { type: 'string' },
      'consent-id': { type: 'string' },
      tombstones: { type: 'string' },
    },
  });
  const base = values.collector?.replace(/\/$/, '');
  const source =
    positionals[0] ?? (base && values['consent-id'] && `${base}/v1/subjects/${values['consent-id']}/receipts`);
  const jwksSource = values.jwks ?? (base && `${base}/.well-known/jwks.json`);
  if (!source || !jwksSource) {
    console.error(USAGE);
    return 2;
  }
  const jwks = JSON.parse(await load(jwksSource));
  const signed = signedReceipts(await load(source));
  // The collector's signed tombstones (GET /v1/tombstones): an erased receipt still proves it existed.
  const tombstones = new Map<string, Tombstone>();
  if (values.tombstones)
    for (const line of (await load(values.tombstones)).split('\n').filter(Boolean)) {
      const { tombstone, signature } = JSON.parse(line) as { tombstone: Tombstone; signature: string };
      // The tombstone beside the signature must be the one signed.
      if ((await verifySignature(signature, jwks, { json: tombstone })).state === 'verified')
        tombstones.set(tombstone.id, tombstone);
    }
  const consentId = values['consent-id'];
  const results = await Promise.all(
    (await verifyAll(signed, jwks, consentId)).map(async (r, i) => {
      const stone = r.id && tombstones.get(r.id);
      const { signature: _, ...bare } = signed[i].receipt as { signature?: string; consentId?: string };
      if (!stone || (consentId !== undefined && bare.consentId !== consentId)) return r;
      return (await tombstoneMatches(JSON.stringify(bare), stone, jwks))
        ? { ...r, ok: true, reason: 'erased; its signed tombstone matches' }
        : { ...r, ok: false, reason: 'erased, and its tombstone is for other contents than this receipt' };
    }),
  );
  for (const r of results)
    console.log(r.ok ? `ok      ${r.id}${r.reason ? ` (${r.reason})` : ''}` : `FAILED  ${r.id}: ${r.reason}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} verified, ${failed} failed`);
  return failed || !results.length ? 1 : 0;
};

const [command, ...rest] = process.argv.slice(2);
if (command === 'help' || command === '--help' || command === '-h') console.log(USAGE);
else if (command === 'check' && rest[0]) process.exitCode = check(rest[0]);
else if (command === 'bundle') process.exitCode = bundle(rest);
else if (command === 'verify')
  verify(rest).then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(`assent verify: ${e instanceof Error ? e.message : e}`);
      process.exitCode = 2;
    },
  );
else {
  const problem = command === 'check' ? 'assent check: <config.json> is missing' : `assent: ${command} is no command`;
  console.error(command === undefined ? USAGE : `${problem}\n${USAGE}`);
  process.exitCode = 2;
}
