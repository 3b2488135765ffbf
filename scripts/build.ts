// `npm run build`: every file in dist/ (README "Build output").
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { rolldown } from 'rolldown';
import { minify } from 'terser';
import { build, type InlineConfig, type Plugin } from 'vite';
import { LANGUAGES } from '../src/core/i18n';
import type { Texts } from '../src/core/texts';
import { type TextsKind, textsPart } from '../src/ui/text-parts';
import { writeSchemas } from './schema';

const root = resolve(import.meta.dirname, '..');
const src = (p: string) => resolve(root, 'src', p);
const version = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version as string;

/** Loader features that `npm run bench` leaves out one at a time to price them. */
export const FEATURES = ['COOKIE', 'API', 'GATING', 'CONSENT_MODE', 'TABS'] as const;
export type Feature = (typeof FEATURES)[number];

const defines = (dev: boolean, without: Feature[] = [], autoblock = false) => ({
  __VERSION__: JSON.stringify(version),
  __DEV__: String(dev),
  __AUTOBLOCK__: String(autoblock),
  ...Object.fromEntries(FEATURES.map((f) => [`__${f}__`, String(!without.includes(f))])),
});

const base = (outDir: string): InlineConfig => ({
  configFile: false,
  logLevel: 'warn',
  root,
  build: {
    outDir,
    emptyOutDir: false,
    target: 'es2020',
    reportCompressedSize: false,
    copyPublicDir: false,
    // The loader imports its parts itself; Vite's preload helper would only add bytes.
    modulePreload: false,
  },
});

/** Minified for the browsers the build targets (ES2020): terser may then use its syntax, 40 B less in the loader. */
const TERSER = {
  ecma: 2020,
  compress: { passes: 3, unsafe_arrows: true },
  format: { comments: false },
} as const;

/** No `// node_modules/preact/…` comment before each module: a path of the machine that built it. */
const NO_MODULE_PATHS = { attachDebugInfo: 'none' } as const;

/**
 * `\0texts:fr`, `\0prefs:fr` and `\0short:fr`: one part of a language's strings (src/ui/text-parts.ts)
 * as a module, generated from src/ui/texts.
 */
const textsModules = (): Plugin => ({
  name: 'assent-texts',
  resolveId: (id) => (/^\0(texts|prefs|short):/.test(id) ? id : null),
  load: async (id) => {
    const m = /^\0(texts|prefs|short):(\w+)$/.exec(id);
    if (!m) return null;
    const texts: Texts = (await import(src(`ui/texts/${m[2]}.ts`))).default;
    return `export default ${JSON.stringify(textsPart(m[1] as TextsKind, texts))};`;
  },
});

/**
 * The UI part (the banner, and the preference center as a chunk of its own), built with Rolldown
 * itself: Vite would wrap its import() of the preference center in its preload helper, 600 B brotli
 * that a part the loader imports does not need.
 */
const buildUi = async (outDir: string) => {
  const bundle = await rolldown({
    input: { ui: src('ui/index.tsx') },
    platform: 'browser',
    tsconfig: resolve(root, 'tsconfig.json'),
    // The banner's modules that the preference center also uses stay in ui.js.
    preserveEntrySignatures: 'allow-extension',
    transform: {
      target: 'es2020',
      define: defines(false),
      // Preact's h(), which render() needs anyway, rather than its JSX runtime: 100 B less.
      jsx: { runtime: 'classic', pragma: 'h', pragmaFrag: 'Fragment' },
      inject: { h: ['preact', 'h'], Fragment: ['preact', 'Fragment'] },
    },
  });
  const { output } = await bundle.generate({
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-shared.js',
  });
  await bundle.close();
  mkdirSync(outDir, { recursive: true });
  for (const chunk of output)
    if (chunk.type === 'chunk')
      writeFileSync(
        resolve(outDir, chunk.fileName),
        (await minify(chunk.code, { ...TERSER, module: true })).code as string,
      );
};

/**
 * The lazily loaded parts: ES modules in chunks/<hash>/, where the hash covers every file, so a new
 * release never mixes old and new files while each name stays short for the loader. Each part is a
 * build of its own, so that a part never waits for a shared chunk.
 */
const buildChunks = async (outDir: string) => {
  const staging = resolve(outDir, 'chunks/.staging');
  const part = (input: Record<string, string>) =>
    build({
      ...base(staging),
      define: defines(false),
      plugins: [textsModules()],
      build: {
        ...base(staging).build,
        minify: 'terser',
        terserOptions: TERSER,
        rolldownOptions: {
          input,
          // Lets shared modules join the entry that loads first, instead of a chunk of their own.
          preserveEntrySignatures: 'allow-extension',
          output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-shared.js' },
        },
      },
    });
  const perLanguage = (kind: string) => Object.fromEntries(LANGUAGES.map((l) => [`${kind}-${l}`, `\0${kind}:${l}`]));
  await buildUi(staging);
  await part({ placeholder: src('ui/placeholder.ts') });
  await part({ reopen: src('ui/reopen.ts') });
  await part({ sync: src('sync/index.ts') });
  // The sync chunk's own parts, each loaded on first use (src/sync/index.ts says when).
  await part({ receipt: src('sync/receipt.ts') });
  await part({ history: src('sync/history.ts') });
  await part({ download: src('sync/download.ts') });
  await part({ trouble: src('sync/trouble.ts') });
  await part({ plain: src('sync/plain.ts') });
  await part({ cleanup: src('cleanup/index.ts') });
  await part({ ...perLanguage('texts'), ...perLanguage('prefs'), ...perLanguage('short') });
  const hash = createHash('sha256');
  for (const f of readdirSync(staging).sort()) hash.update(f).update(readFileSync(resolve(staging, f)));
  const folder = `chunks/${hash.digest('hex').slice(0, 10)}/`;
  renameSync(staging, resolve(outDir, folder));
  return folder;
};

/**
 * A classic-script loader, built with Rolldown itself: Vite would wrap each dynamic import in its
 * preload helper, which a loader that imports its own parts does not need.
 */
export const buildLoader = async (opts: {
  outDir: string;
  fileName: string;
  chunks: string;
  dev?: boolean;
  without?: Feature[];
  autoblock?: boolean;
}) => {
  const bundle = await rolldown({
    input: src('loader/index.ts'),
    platform: 'browser',
    tsconfig: resolve(root, 'tsconfig.json'),
    transform: {
      target: 'es2020',
      define: { ...defines(!!opts.dev, opts.without, opts.autoblock), __CHUNKS__: JSON.stringify(opts.chunks) },
    },
    plugins: [
      { name: 'assent-chunks-url', resolveId: (id) => (id === './chunks' ? src('loader/chunks-url.ts') : null) },
    ],
  });
  const { output } = await bundle.generate({ format: 'iife' });
  await bundle.close();
  const code = opts.dev ? output[0].code : ((await minify(output[0].code, TERSER)).code as string);
  writeFileSync(resolve(opts.outDir, opts.fileName), code);
};

/** The ES module build for bundlers, and `assent/cookie`, with everything they import. */
const buildModules = async (outDir: string) => {
  await build({
    ...base(outDir),
    define: defines(false),
    build: {
      ...base(outDir).build,
      minify: false,
      rolldownOptions: {
        input: { assent: src('index.ts'), cookie: src('cookie.ts') },
        preserveEntrySignatures: 'strict',
        experimental: NO_MODULE_PATHS,
        // Preact and idb-keyval are bundled: the `assent` package has no runtime dependencies.
        output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'lib/[name]-[hash].mjs' },
      },
    },
  });
};

/** One Node program or library; `bundled` also takes in what it imports from npm (only `node:` stays outside). */
const buildNode = async (outDir: string, input: Record<string, string>, bundled: boolean) => {
  await build({
    ...base(outDir),
    ssr: bundled ? { noExternal: true } : undefined,
    build: {
      ...base(outDir).build,
      ssr: true,
      target: 'node22',
      minify: false,
      rolldownOptions: { input, experimental: NO_MODULE_PATHS, output: { format: 'es', entryFileNames: '[name].mjs' } },
    },
  });
};

/** `assent` on the command line: it ships in the `assent` package, which has no dependencies. */
const buildCli = (outDir: string) => buildNode(outDir, { cli: src('cli/main.ts') }, true);

/**
 * The collector's bin, and the library that mounts it (`@assent/collector`): built one at a time, so
 * that each finds the dashboard beside itself; the server stack stays the package's dependencies.
 */
const buildCollector = async (outDir: string) => {
  await buildNode(outDir, { collector: src('collector/main.ts') }, false);
  await buildNode(outDir, { server: src('collector/index.ts') }, false);
};

/** The `.d.ts` of a project (tsconfig.build.json: the widget's; tsconfig.collector.json) in `types/`. */
const buildTypes = (outDir: string, project: string) => {
  const types = resolve(outDir, 'types');
  execFileSync('npx', ['tsc', '-p', project, '--outDir', types], { cwd: root, stdio: 'inherit' });
  // tsc keeps the sources' extensionless imports, which Node's resolution (`nodenext`) cannot follow
  // in an ES module package: each names its file.
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(resolve(dir, e.name)) : e.name.endsWith('.d.ts') ? [resolve(dir, e.name)] : [],
    );
  for (const file of walk(types)) {
    const code = readFileSync(file, 'utf8').replace(/(from |import\()'(\.\.?\/[^']+)'/g, (all, head, spec: string) => {
      const target = resolve(dirname(file), spec);
      if (existsSync(`${target}.d.ts`)) return `${head}'${spec}.js'`;
      if (existsSync(resolve(target, 'index.d.ts'))) return `${head}'${spec}/index.js'`;
      return all;
    });
    writeFileSync(file, code);
  }
};

/** The site owner's consent dashboard (src/dashboard): a static page with its assets, in dashboard/. */
export const buildDashboard = async (outDir: string) => {
  const dir = resolve(outDir, 'dashboard');
  await build({
    ...base(dir),
    root: src('dashboard'),
    // Relative asset URLs: the page works under any path, such as the demo's /dashboard/.
    base: './',
    build: { ...base(dir).build, emptyOutDir: true, assetsDir: 'assets' },
  });
};

/** What the `assent` package ships: the loaders, their chunks, the ES modules, schemas, types and CLI. */
export const buildWidget = async (outDir: string) => {
  const schemas = writeSchemas();
  writeFileSync(resolve(outDir, 'assent.schema.json'), schemas.config);
  writeFileSync(resolve(outDir, 'assent.entry.schema.json'), schemas.entry);
  const chunks = await buildChunks(outDir);
  await buildLoader({ outDir, fileName: 'assent.js', chunks });
  await buildLoader({ outDir, fileName: 'assent.dev.js', chunks, dev: true });
  await buildLoader({ outDir, fileName: 'assent-autoblock.js', chunks, autoblock: true });
  await buildModules(outDir);
  await buildCli(outDir);
  buildTypes(outDir, 'tsconfig.build.json');
  return { chunks };
};

/** What `@assent/collector` ships: its bin, its library, their types, and the dashboard it serves. */
export const buildCollectorPackage = async (outDir: string) => {
  await buildCollector(outDir);
  await buildDashboard(outDir);
  buildTypes(outDir, 'tsconfig.collector.json');
};

const fresh = (outDir: string) => {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
};

/** `npm run build`: both packages' files in one dist/, which the tests, the demo and the bench read. */
export const buildAll = async (outDir = resolve(root, 'dist')) => {
  fresh(outDir);
  const built = await buildWidget(outDir);
  await buildCollectorPackage(outDir);
  return built;
};

/** `prepack` of a package in packages/: its own dist/, built from the sources in src/. */
export const buildPackage = async (name: 'assent' | 'collector') => {
  const outDir = resolve(root, 'packages', name, 'dist');
  fresh(outDir);
  if (name === 'assent') {
    await buildWidget(outDir);
    // The GTM tag template ships beside the widget.
    cpSync(resolve(root, 'integrations'), resolve(root, 'packages/assent/integrations'), { recursive: true });
  } else await buildCollectorPackage(outDir);
};

if (process.argv[1]?.endsWith('build.ts')) {
  const started = Date.now();
  // `tsx scripts/build.ts --package assent`: a package's prepack.
  const name = process.argv[2] === '--package' ? process.argv[3] : undefined;
  if (name !== undefined && name !== 'assent' && name !== 'collector')
    throw new Error(`--package must be assent or collector (got ${name})`);
  if (name) await buildPackage(name);
  else await buildAll();
  console.log(`built ${name ? `packages/${name}/dist/` : 'dist/'} in ${Date.now() - started} ms`);
}
