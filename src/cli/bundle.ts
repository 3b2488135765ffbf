// `assent bundle <config.json> --out <dir>`: the prebuilt loaders with the site's config built in, so
// that a page needs one <script src> and nothing inline. The config is written into the loaders as
// they were built (no bundler ships with the package), in place of their `JSON.parse(null)` slot.
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
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

/**
 * Writes the three loaders with the config built in, and the chunks they load, into `outDir`.
 * Chunks come first and each loader is renamed into place whole, so that a server answering from
 * `outDir` meanwhile never serves a loader whose chunks are missing, nor half a file. Chunk folders
 * of earlier bundles stay: a visitor's cached loader may still ask for them.
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
  cpSync(resolve(from, 'chunks'), resolve(out, 'chunks'), { recursive: true });
  for (const { name, code } of loaders) {
    writeFileSync(resolve(out, `${name}.tmp`), code);
    renameSync(resolve(out, `${name}.tmp`), resolve(out, name));
  }
  return [...LOADERS, 'chunks/'];
};
