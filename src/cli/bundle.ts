// `assent bundle <config.json> --out <dir>`: the prebuilt loaders with the site's config built in, so
// that a page needs one <script src> and nothing inline. The config is written into the loaders as
// they were built (no bundler ships with the package), in place of their `JSON.parse(null)` slot.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The loaders that `assent bundle` writes, each with the config built in. */
export const LOADERS = ['assent.js', 'assent-autoblock.js', 'assent.dev.js'] as const;

/** The built-in-config slot of every loader (src/loader/index.ts): null until a config is written over it. */
export const SLOT = 'JSON.parse(null)';

/**
 * Where service presets (SPEC §9) expand: a service with `preset` gets the catalogue's fields, under
 * the ones it gives itself. The catalogue comes in a later release; until then a config is returned
 * as it is. `assent bundle` builds in what this returns.
 */
export const expandPresets = <C>(config: C): C => config;

/**
 * JavaScript source of a string literal whose value is `text`, in ASCII, safe wherever a script's
 * text may stand. JSON.stringify escapes quotes, backslashes, control characters (NUL too) and lone
 * surrogates; `<` is escaped too, so that neither `</script` nor `<!--` can end or change an inline
 * <script>, and so is everything beyond ASCII: U+2028/U+2029, which older parsers take for line ends,
 * and every other character, which the page's encoding would misread where a server sends no charset.
 */
export const jsString = (text: string): string =>
  JSON.stringify(text).replace(/[<\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A loader's code with the config built in: its slot now parses the config's JSON. */
export const embedConfig = (loader: string, config: unknown, name = 'the loader'): string => {
  const parts = loader.split(SLOT);
  if (parts.length !== 2)
    throw new Error(
      `${name} has ${parts.length - 1} slots for a built-in config, not 1: bundle from the prebuilt loaders of this release`,
    );
  // Joined, not String.replace: a `$&` or `$'` in the config would be a replacement pattern there.
  return parts.join(`JSON.parse(${jsString(JSON.stringify(config))})`);
};

/**
 * The folder of the prebuilt loaders: next to the CLI (dist/cli.mjs, also node_modules/assent/dist/
 * once installed), or the repository's dist/ when the CLI runs from its sources.
 */
export const prebuiltDir = (): string => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return [here, resolve(here, '../../dist')].find((dir) => existsSync(resolve(dir, 'assent.js'))) ?? here;
};

/** What is at `path`, the link itself and not what it points to: undefined when nothing is. */
const entry = (path: string) => lstatSync(path, { throwIfNoEntry: false });

/** True when `copy` holds the same real folders and files as `original`, and no symbolic link. */
const sameTree = (original: string, copy: string): boolean => {
  const names = readdirSync(original).sort();
  if (names.join('/') !== readdirSync(copy).sort().join('/')) return false;
  return names.every((name) => {
    const [a, b] = [resolve(original, name), resolve(copy, name)];
    const [sa, sb] = [lstatSync(a), lstatSync(b)];
    if (sa.isDirectory()) return sb.isDirectory() && sameTree(a, b);
    return sb.isFile() && readFileSync(a).equals(readFileSync(b));
  });
};

/**
 * Each chunk folder of the release into `outChunks`, copied into a fresh folder of its own and then
 * renamed into place, so that nothing already in the output (a symbolic link planted there) is
 * written through. A folder left by an earlier bundle of this release stays when it is the same.
 */
const copyChunks = (fromChunks: string, outChunks: string) => {
  const found = entry(outChunks);
  if (found && !found.isDirectory())
    throw new Error(`${outChunks} is not a folder (a symbolic link?); remove it, it is written by assent bundle`);
  mkdirSync(outChunks, { recursive: true });
  for (const hash of readdirSync(fromChunks)) {
    const target = resolve(outChunks, hash);
    const old = entry(target);
    if (old?.isDirectory() && sameTree(resolve(fromChunks, hash), target)) continue;
    const fresh = mkdtempSync(resolve(outChunks, `.${hash}-`));
    cpSync(resolve(fromChunks, hash), fresh, { recursive: true });
    // mkdtemp makes the folder private; the site's server must read it.
    chmodSync(fresh, 0o755);
    if (old) {
      // Anything else under this name (a link, a file, other contents) is moved aside, never written through.
      const aside = `${fresh}.old`;
      renameSync(target, aside);
      renameSync(fresh, target);
      rmSync(aside, { recursive: true, force: true });
    } else renameSync(fresh, target);
  }
};

/** Writes `code` to a new file of a random name beside `file`, then renames it over `file` (a link there is replaced, not followed). */
const replaceFile = (file: string, code: string) => {
  const tmp = `${file}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, code, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
};

/**
 * Writes the three loaders with the config built in, and the chunks they load, into `outDir`.
 * Chunks come first and each loader is renamed into place whole, so that a server answering from
 * `outDir` meanwhile never serves a loader whose chunks are missing, nor half a file. Chunk folders
 * of earlier bundles stay: a visitor's cached loader may still ask for them. No symbolic link inside
 * `outDir` is followed: each is replaced, or refused where replacing it would lose files.
 */
export const writeBundle = (config: unknown, outDir: string, fromDir = prebuiltDir()): string[] => {
  const from = resolve(fromDir);
  const out = resolve(outDir);
  // Also through a symbolic link: the prebuilt loaders would lose their slot.
  const real = (dir: string) => (existsSync(dir) ? realpathSync(dir) : dir);
  if (real(out) === real(from))
    throw new Error(`--out ${outDir} is the folder of the prebuilt loaders; choose another one`);
  const loaders = LOADERS.map((name) => {
    const file = resolve(from, name);
    if (!existsSync(file)) throw new Error(`${file} is missing: the assent package looks incomplete`);
    return { name, code: embedConfig(readFileSync(file, 'utf8'), config, name) };
  });
  mkdirSync(out, { recursive: true });
  copyChunks(resolve(from, 'chunks'), resolve(out, 'chunks'));
  for (const { name, code } of loaders) replaceFile(resolve(out, name), code);
  return [...LOADERS, 'chunks/'];
};
