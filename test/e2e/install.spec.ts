// The packages as a site owner installs them: `npm pack` of `assent` and `@assent/collector` (each
// builds itself on prepack), installed together into an empty project. A page embeds the installed
// dist/, the installed collector bin stores its receipts, and the installed CLIs and types work.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { installedPackages, installSize, installTarballs, packWorkspaces } from '../../scripts/packages';
import { decodeConsentCookie } from '../../src/core/cookie';

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'assent-install-'));
const project = join(work, 'site');
const installed = (path: string) => join(project, 'node_modules', path);
const ADMIN = 'install-admin';
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
};

let tarballs: Record<string, string>;
let site: Server;
let siteOrigin: string;
let collector: ChildProcess;
let collectorUrl: string;
const requests: string[] = [];

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

/** The smallest config `assent check` passes, sending receipts to the installed collector. */
const config = () => ({
  controller: { name: 'A small shop' },
  policy: { url: 'https://shop.example/privacy', version: '2026-12-01' },
  purposes: [{ id: 'analytics', basis: 'consent', title: 'Audience measurement', description: 'Counts visits.' }],
  endpoint: `${collectorUrl}/v1/receipts`,
});

const page = () => `<!doctype html><html lang="en"><head><title>A small shop</title>
<script type="application/json" id="assent-config">${JSON.stringify(config())}</script>
<script src="/assent/assent.js"></script></head><body><main><h1>A small shop</h1>
<script type="text/plain" data-assent="analytics" src="/vendor/analytics.js"></script>
<script type="text/plain" data-assent="analytics">window.__inline = (window.__inline || 0) + 1</script>
</main></body></html>`;

/** The site: the installed node_modules/assent/dist/ at /assent/, the page, and a tracker that logs its load. */
const startSite = () =>
  new Promise<void>((done) => {
    const dist = installed('assent/dist');
    site = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      requests.push(path);
      if (path === '/') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page());
      if (path === '/vendor/analytics.js')
        return res.writeHead(200, { 'content-type': 'text/javascript' }).end('window.__analytics = true;');
      const file = resolve(dist, `.${path.replace(/^\/assent\//, '/')}`);
      if (path.startsWith('/assent/') && file.startsWith(`${dist}/`) && TYPES[extname(file)])
        try {
          return res.writeHead(200, { 'content-type': TYPES[extname(file)] }).end(readFileSync(file));
        } catch {}
      res.writeHead(404).end();
    }).listen(0, '127.0.0.1', () => {
      siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      done();
    });
  });

/** The installed bin, on PGlite in a temp data directory, taking receipts from the site's origin. */
const startCollector = () =>
  new Promise<void>((done, fail) => {
    const args = ['--port', '0', '--data', join(work, 'data'), '--origin', siteOrigin];
    collector = spawn(installed('.bin/assent-collector'), args, {
      env: { ...process.env, DATABASE_URL: '', ASSENT_ADMIN_TOKEN: ADMIN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk;
      const url = /ready on (http:\/\/[\d.:]+)/.exec(output)?.[1];
      if (url) {
        collectorUrl = url;
        done();
      }
    };
    collector.stdout?.on('data', read);
    collector.stderr?.on('data', read);
    collector.on('exit', (code) => fail(new Error(`assent-collector exited with ${code}: ${output}`)));
  });

const exported = async () => {
  const res = await fetch(`${collectorUrl}/v1/export?format=ndjson`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line).receipt as { consentId: string; purposes: { id: string; granted: boolean }[] });
};

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  tarballs = packWorkspaces(['assent', '@assent/collector'], join(work, 'packs'));
  installTarballs(project, [tarballs.assent, tarballs['@assent/collector']]);
  await startSite();
  await startCollector();
});

test.afterAll(async () => {
  if (collector && collector.exitCode === null) {
    collector.kill('SIGTERM');
    await new Promise((r) => collector.once('exit', r));
  }
  site?.close();
});

test('the packed assent installs alone as one package of at most 2 MB that imports nothing from npm', () => {
  const alone = installTarballs(join(work, 'alone'), [tarballs.assent]);
  const size = installSize(alone);
  expect(size.packages).toBe(1);
  expect(size.bytes).toBeLessThanOrEqual(2 * 1024 * 1024);
  const manifest = JSON.parse(readFileSync(join(alone, 'node_modules/assent/package.json'), 'utf8'));
  for (const field of ['dependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies'])
    expect(manifest[field], field).toBeUndefined();
  // Every import in every shipped file is a node: builtin or a file of the package itself.
  const pkg = join(alone, 'node_modules/assent');
  const scripts = files(pkg).filter((f) => /\.m?js$/.test(f));
  expect(scripts.map((f) => relative(pkg, f))).toEqual(
    expect.arrayContaining(['dist/assent.js', 'dist/assent.mjs', 'dist/cookie.mjs', 'dist/cli.mjs']),
  );
  for (const file of scripts) {
    const code = readFileSync(file, 'utf8');
    const specifiers = [
      ...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(["'])([^"'\n]+)\1/g),
    ];
    for (const [, , specifier] of specifiers) {
      if (specifier.startsWith('node:')) continue;
      expect(specifier, `${relative(pkg, file)} imports ${specifier}`).toMatch(/^\.\.?\//);
      expect(statSync(resolve(dirname(file), specifier)).isFile(), `${relative(pkg, file)}: ${specifier}`).toBe(true);
    }
  }
});

test('a page embedding the installed dist/ gates its scripts until consent, and the installed collector gets each receipt', async ({
  browser,
}) => {
  const visit = async (choice: 'Reject all' | 'Accept all') => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const before = requests.length;
    await tab.goto(`${siteOrigin}/`);
    await tab.getByRole('button', { name: choice }).click();
    await expect(tab.getByRole('button', { name: choice })).toBeHidden();
    const cookie = (await context.cookies()).find((c) => c.name === 'assent')?.value;
    const consentId = decodeConsentCookie(cookie)?.consentId as string;
    expect(consentId).toBeTruthy();
    await expect.poll(async () => (await exported()).filter((r) => r.consentId === consentId).length).toBe(1);
    const ran = await tab.evaluate(() => [
      (window as { __analytics?: boolean }).__analytics ?? false,
      (window as { __inline?: number }).__inline ?? 0,
    ]);
    await context.close();
    const [receipt] = (await exported()).filter((r) => r.consentId === consentId);
    return {
      ran,
      receipt,
      fetched: requests.slice(before).filter((p) => p === '/vendor/analytics.js').length,
      consentId,
    };
  };

  const rejected = await visit('Reject all');
  expect(rejected.ran).toEqual([false, 0]);
  expect(rejected.fetched).toBe(0);
  expect(rejected.receipt.purposes).toEqual([expect.objectContaining({ id: 'analytics', granted: false })]);

  const accepted = await visit('Accept all');
  expect(accepted.ran).toEqual([true, 1]);
  expect(accepted.fetched).toBe(1);
  expect(accepted.receipt.purposes).toEqual([expect.objectContaining({ id: 'analytics', granted: true })]);
  expect(requests.filter((p) => p.startsWith('/assent/chunks/')).length).toBeGreaterThan(0);

  // The installed CLI checks the receipts' signatures against the collector's JWKS.
  const verified = spawnSync(
    installed('.bin/assent'),
    ['verify', '--collector', collectorUrl, '--consent-id', accepted.consentId],
    { encoding: 'utf8' },
  );
  expect(verified.stdout).toContain('1 verified, 0 failed');
  expect(verified.status).toBe(0);
});

test('the installed assent check passes the smallest config and names the field of a bad one', () => {
  const good = join(work, 'assent.config.json');
  writeFileSync(good, JSON.stringify(config(), null, 2));
  const passed = spawnSync(installed('.bin/assent'), ['check', good], { encoding: 'utf8' });
  expect(passed.stdout).toContain('0 error(s), 0 warning(s)');
  expect(passed.status).toBe(0);
  const bad = join(work, 'bad.json');
  writeFileSync(bad, JSON.stringify({ ...config(), purposes: [{ ...config().purposes[0], basis: 'consnet' }] }));
  const failed = spawnSync(installed('.bin/assent'), ['check', bad], { encoding: 'utf8' });
  expect(failed.stdout).toContain('config.purposes[0].basis must be one of');
  expect(failed.status).toBe(1);
});

test('the installed collector serves its dashboard, which reads that collector with the admin token', async ({
  page,
}) => {
  const violations: string[] = [];
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => console.error(`csp: ${e.violatedDirective}`)),
  );
  page.on('console', (m) => m.type() === 'error' && violations.push(m.text()));
  await page.goto(`${collectorUrl}/dashboard`);
  expect(page.url()).toBe(`${collectorUrl}/dashboard/`);
  await page.getByLabel('Admin token').fill(ADMIN);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^2 decisions from / })).toBeVisible();
  expect(violations).toEqual([]);
});

test('the installed packages type-check for their users, and every dependency runs on Node 22', () => {
  writeFileSync(
    join(project, 'check.ts'),
    `import { createAssent, validateConfig, type AssentConfig } from 'assent';
import { decodeConsentCookie } from 'assent/cookie';
import { assentCollector, collectorHandler, type CollectorHandler } from '@assent/collector';
const config: AssentConfig = ${JSON.stringify(config())};
const report: { errors: unknown[] } = validateConfig(config);
const handler: CollectorHandler = collectorHandler({ dataDir: '.assent-data', origins: ['https://shop.example'], rateLimit: 300, trustProxy: false });
const route: (request: Request) => Promise<Response> = handler;
export { createAssent, decodeConsentCookie, assentCollector, report, route };
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        lib: ['es2022', 'dom'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
      },
      files: ['check.ts'],
    }),
  );
  const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', project], { encoding: 'utf8' });
  expect(tsc.stdout + tsc.stderr).toBe('');
  expect(tsc.status).toBe(0);
  // Both libraries load in Node, from the installed files.
  const loaded = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const c = await import('@assent/collector'); const k = await import('assent/cookie'); console.log(typeof c.assentCollector, typeof c.collectorHandler, typeof k.decodeConsentCookie)",
    ],
    { cwd: project, encoding: 'utf8' },
  );
  expect(loaded.trim()).toBe('function function function');
  // `engines: >=22` is true only when no dependency asks for more.
  const semver = createRequire(join(project, 'package.json'))('semver') as {
    subset: (a: string, b: string) => boolean;
  };
  const ours = JSON.parse(readFileSync(installed('@assent/collector/package.json'), 'utf8')).engines.node;
  expect(ours).toBe('>=22');
  for (const dir of installedPackages(join(project, 'node_modules'))) {
    const wanted = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).engines?.node;
    if (wanted) expect(semver.subset(ours, wanted), `${relative(project, dir)} wants Node ${wanted}`).toBe(true);
  }
});
