// `npm run build`: every file in dist/ (README "Build output").
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build, type InlineConfig, type Rolldown } from 'vite';
import { generateConfigSchema, SCHEMA_FILE } from './schema';

const root = resolve(import.meta.dirname, '..');
const src = (p: string) => resolve(root, 'src', p);
const version = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).version as string;

/** Loader features that `npm run bench` leaves out one at a time to price them. */
export const FEATURES = ['COOKIE', 'API', 'GATING', 'CONSENT_MODE', 'TABS'] as const;
export type Feature = (typeof FEATURES)[number];

const defines = (dev: boolean, without: Feature[] = []) => ({
  __VERSION__: JSON.stringify(version),
  __DEV__: String(dev),
  ...Object.fromEntries(FEATURES.map((f) => [`__${f}__`, String(!without.includes(f))])),
});

const base = (outDir: string): InlineConfig => ({
  configFile: false,
  logLevel: 'warn',
  root,
  build: { outDir, emptyOutDir: false, target: 'es2020', reportCompressedSize: false, copyPublicDir: false },
});

const outputs = (result: Awaited<ReturnType<typeof build>>) =>
  (Array.isArray(result) ? result : [result]).flatMap((r) => (r as Rolldown.RolldownOutput).output);

/** The lazily loaded chunks: content-hashed ES modules that the loader imports by URL. */
const buildChunks = async (outDir: string) => {
  const result = await build({
    ...base(outDir),
    define: defines(false),
    build: {
      ...base(outDir).build,
      minify: 'terser',
      rolldownOptions: {
        input: { record: src('sync/record.ts') },
        preserveEntrySignatures: 'exports-only',
        output: { format: 'es', entryFileNames: 'chunks/[name]-[hash].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  });
  const chunks: Record<string, string> = {};
  for (const o of outputs(result)) if (o.type === 'chunk' && o.isEntry) chunks[o.name] = o.fileName;
  return chunks;
};

/** A classic-script loader. */
export const buildLoader = async (opts: {
  outDir: string;
  fileName: string;
  chunks: Record<string, string>;
  dev?: boolean;
  without?: Feature[];
}) => {
  await build({
    ...base(opts.outDir),
    define: { ...defines(!!opts.dev, opts.without), __CHUNKS__: JSON.stringify(opts.chunks) },
    resolve: { alias: [{ find: /^\.\/chunks$/, replacement: src('loader/chunks-url.ts') }] },
    build: {
      ...base(opts.outDir).build,
      minify: opts.dev ? false : 'terser',
      terserOptions: { compress: { passes: 3, unsafe_arrows: true }, format: { comments: false } },
      rolldownOptions: {
        input: src('loader/index.ts'),
        output: { format: 'iife', entryFileNames: opts.fileName },
      },
    },
  });
};

/** The ES module build for bundlers, and `assent/cookie`. */
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
        external: ['preact', 'idb-keyval'],
        output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'lib/[name]-[hash].mjs' },
      },
    },
  });
};

/** `assent` on the command line (Node). */
const buildCli = async (outDir: string) => {
  await build({
    ...base(outDir),
    build: {
      ...base(outDir).build,
      ssr: true,
      target: 'node20',
      minify: false,
      rolldownOptions: { input: { cli: src('cli/main.ts') }, output: { format: 'es', entryFileNames: '[name].mjs' } },
    },
  });
};

export const buildAll = async (outDir = resolve(root, 'dist')) => {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const schema = `${JSON.stringify(generateConfigSchema(), null, 2)}\n`;
  writeFileSync(resolve(root, SCHEMA_FILE), schema);
  writeFileSync(resolve(outDir, 'assent.schema.json'), schema);
  const chunks = await buildChunks(outDir);
  await buildLoader({ outDir, fileName: 'assent.js', chunks });
  await buildLoader({ outDir, fileName: 'assent.dev.js', chunks, dev: true });
  await buildModules(outDir);
  await buildCli(outDir);
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  return { chunks };
};

if (process.argv[1]?.endsWith('build.ts')) {
  const started = Date.now();
  await buildAll();
  console.log(`built dist/ in ${Date.now() - started} ms`);
}
