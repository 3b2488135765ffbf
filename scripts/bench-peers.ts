// The peer comparison (issue 8): Assent against its open-source peers, each on the same page, measured in
// one run, interleaved, in headless Chromium, once at full speed and once with the CPU throttled 4×.
// Prints a markdown table per suite and writes both to docs/benchmarks.md. `scripts/bench.ts` calls
// `benchPeers()` at its end; `npx tsx scripts/bench-peers.ts` runs only this suite (on the dist/ there is,
// or on ASSENT_DIST's build). BENCH_RUNS (default 15) sets the runs per tool and suite.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { type Browser, type BrowserContext, chromium, type Page } from '@playwright/test';
import { ACCEPT_ALL, LABELS, type PageId, TOOLS, type Tool, WIDGET_PREFIX } from '../bench/peers/pages';
import { chromiumLaunch } from '../test/e2e/chromium';

const root = resolve(import.meta.dirname, '..');
/** The build under test: dist/, or ASSENT_DIST's (bench/peers/server.ts serves the same). */
const dist = resolve(process.env.ASSENT_DIST || join(root, 'dist'));
const PAGES: PageId[] = [...TOOLS, 'bare'];
/** Time left for late work (animations, effects, deferred tasks) after the banner paints (new visitor). */
export const SETTLE_MS = 250;
/** Time left for late requests after the gated script starts (returning visitor). */
const SETTLE_RETURNING_MS = 100;
export const TRACE_CATEGORIES = ['devtools.timeline', 'blink.user_timing'];
/** The CPU profile's sampling interval, µs: the trace's own profiler (about every 0.17 ms) slowed Assent's
 * banner by some 20 ms; this one, through the page's DevTools session, by about half as much. */
export const SAMPLING_US = 500;
type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

// ---------------------------------------------------------------------------------------------------------
// In the page: what bench/peers/probe.js records, from before the first script of the page runs.

export interface Probe {
  mark: number;
  bannerAt?: number;
  long: [start: number, duration: number][];
  cls: number;
}

/** The probe's source, after the page's id and the name of its user-timing mark (one per visit, to find
 * the visit's renderer in a trace that spans several): injected as text (a serialized function would
 * carry the helpers that tsx adds to named functions). */
const probeSource = readFileSync(resolve(root, 'bench/peers/probe.js'), 'utf8');
export const probe = (id: PageId, mark = 'bench-probe') => ({
  content: `window.__benchTool = ${JSON.stringify(id)}; window.__benchMark = ${JSON.stringify(mark)};\n${probeSource}`,
});

// ---------------------------------------------------------------------------------------------------------
// Trace: the widget's script time, from the renderer's main thread.

export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: {
    name?: string;
    fileName?: string;
    data?: {
      url?: string;
    };
  };
}
/** Script work the trace names with a script URL: compiling and running a classic script, compiling a
 * module, calling a function (event listeners, timers, animation frames, message and load callbacks). */
export const SCRIPT_EVENTS = new Set(['EvaluateScript', 'v8.compile', 'v8.compileModule', 'FunctionCall']);
export type Span = [start: number, end: number];

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { url: string; functionName: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  startTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** The CPU profile's samples whose stack has a frame of the widget: this covers what the events above
 * cannot name, module evaluation and promise callbacks (microtasks). A sample stands for the time until the
 * next one; a gap (the sampler starved on a busy machine) counts in full only between two widget samples,
 * else as one interval. */
const sampledSpans = (profile: CpuProfile, widget: (url: string) => boolean) => {
  const parent = new Map<number, number>();
  const own = new Map<number, boolean>();
  for (const n of profile.nodes) {
    own.set(n.id, widget(n.callFrame.url));
    for (const child of n.children ?? []) parent.set(child, n.id);
  }
  const memo = new Map<number, boolean>();
  const isWidget = (node: number | undefined): boolean => {
    if (node === undefined) return false;
    let known = memo.get(node);
    if (known === undefined) memo.set(node, (known = own.get(node) || isWidget(parent.get(node))));
    return known;
  };
  const samples = profile.samples ?? [];
  const times: number[] = [];
  let t = profile.startTime;
  for (const delta of profile.timeDeltas ?? []) times.push((t += delta));
  const spans: Span[] = [];
  for (let i = 0; i + 1 < samples.length; i++) {
    if (!isWidget(samples[i])) continue;
    const gap = times[i + 1] - times[i];
    spans.push([times[i], times[i] + (isWidget(samples[i + 1]) ? gap : Math.min(gap, SAMPLING_US))]);
  }
  return spans;
};

interface ScriptTime {
  /** Widget script time, ms (overlapping and nested spans counted once). */
  ms: number;
  /** The same spans in the page's performance.now() clock, for long-task attribution. */
  spans: Span[];
}

/** The script URL a trace event names. */
export const eventUrl = (e: TraceEvent) => e.args?.data?.url || e.args?.fileName || '';

/** The complete events of the visit's renderer main thread (found by the probe's user-timing mark), and a
 * clock conversion from the trace's µs to the page's performance.now() ms. */
export const rendererMain = (events: TraceEvent[], markName: string, probeMark: number) => {
  const mark = events.find((e) => e.name === markName && e.cat.includes('blink.user_timing'));
  if (!mark) throw new Error(`trace: no mark ${markName}`);
  const { pid } = mark;
  const main = events.find(
    (e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === 'CrRendererMain',
  )?.tid;
  return {
    events: events.filter((e) => e.pid === pid && e.tid === main && e.ph === 'X'),
    toPage: (ts: number) => (ts - mark.ts) / 1000 + probeMark,
  };
};

const scriptTime = (
  events: TraceEvent[],
  profile: CpuProfile,
  markName: string,
  probeMark: number,
  widget: (url: string) => boolean,
): ScriptTime => {
  const main = rendererMain(events, markName, probeMark);
  const named = main.events
    .filter((e) => SCRIPT_EVENTS.has(e.name) && widget(eventUrl(e)))
    .map((e): Span => [e.ts, e.ts + (e.dur ?? 0)]);
  const spans = [...named, ...sampledSpans(profile, widget)].sort((a, b) => a[0] - b[0]);
  const merged: Span[] = [];
  for (const [start, end] of spans) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return {
    ms: merged.reduce((sum, [a, b]) => sum + (b - a), 0) / 1000,
    spans: merged.map(([a, b]) => [main.toPage(a), main.toPage(b)]),
  };
};

/** How much of the spans (page clock, ms) lies before `until`. */
const before = (spans: Span[], until: number) =>
  spans.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(b, until) - a), 0);

// ---------------------------------------------------------------------------------------------------------
// Bytes: each widget response body compressed here, at the highest level.

const compressed = (body: Buffer) => ({
  gzip: gzipSync(body, { level: 9 }).length,
  brotli: brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  }).length,
});
type Sizes = ReturnType<typeof compressed>;
const sizeCache = new Map<string, Sizes>();
const sizeOf = async (url: string): Promise<Sizes> => {
  let sizes = sizeCache.get(url);
  if (!sizes) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    sizeCache.set(url, (sizes = compressed(Buffer.from(await res.arrayBuffer()))));
  }
  return sizes;
};

// ---------------------------------------------------------------------------------------------------------
// One visit.

interface Visit {
  gzip: number;
  brotli: number;
  requests: number;
  bannerAt?: number;
  bannerAfterDcl?: number;
  /** First contentful paint (the paint timing API), ms from navigation start. */
  fcp?: number;
  scriptMs?: number;
  /** Widget script time before first contentful paint: what a synchronous loader costs the parser. */
  scriptBeforeFcpMs?: number;
  longCount: number;
  longMs: number;
  /** Long tasks during which widget script ran. */
  widgetLongCount?: number;
  cls: number;
  heap?: number;
  domHeap?: number;
  gatedAt?: number;
}

/** Waits until the banner is visible, or the gated script has started. */
export const until = async (page: Page, id: PageId, what: 'banner' | 'gated', timeout = 20_000) => {
  try {
    await page.waitForFunction(
      (w) =>
        w === 'banner'
          ? (window as unknown as { __bench: Probe }).__bench.bannerAt !== undefined
          : (window as unknown as { __gatedAt?: number }).__gatedAt !== undefined,
      what,
      { timeout },
    );
  } catch (e) {
    throw new Error(`${id}: no ${what === 'banner' ? 'banner' : 'gated script'} within ${timeout} ms`, { cause: e });
  }
};

interface Env {
  browser: Browser;
  urls: Record<PageId, string>;
  /** Compressed size of each page's HTML over the bare page's: what the inline setup costs. */
  htmlExtra: Record<PageId, Sizes>;
  throttle: number;
}

let visits = 0;

type Fresh = Visit & { mark: string; probe: Probe; profile?: CpuProfile };

/** One visit in a fresh context. A new visitor's visit is also CPU-profiled; its script time and widget
 * long tasks come later, with the trace of the whole run (see `traced`). */
const visit = async (env: Env, id: PageId, state?: StorageState): Promise<Fresh> => {
  const returning = state !== undefined;
  const mark = `bench-probe-${++visits}`;
  const context = await env.browser.newContext({ storageState: state, locale: 'en-US' });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    if (env.throttle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: env.throttle });
    await page.addInitScript(probe(id, mark));
    const requested = new Set<string>();
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith(WIDGET_PREFIX)) requested.add(url.origin + url.pathname);
    });
    if (!returning) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_US });
      await cdp.send('Profiler.start');
    }
    await page.goto(env.urls[id], { waitUntil: 'load' });
    await until(page, id, !returning && id !== 'bare' ? 'banner' : 'gated');
    await page.waitForTimeout(returning ? SETTLE_RETURNING_MS : SETTLE_MS);
    const profile = returning ? undefined : (await cdp.send('Profiler.stop')).profile;
    const got = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const w = window as unknown as { __bench: Probe; __gatedAt?: number };
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
      return { probe: w.__bench, dcl: nav.domContentLoadedEventEnd, gatedAt: w.__gatedAt, fcp };
    });
    const { probe: seen } = got;
    if (returning && seen.bannerAt !== undefined) throw new Error(`${id}: the banner shows to a returning visitor`);
    // The heap does not depend on the CPU's speed: measured in the unthrottled suite only.
    let usage: { usedSize: number; embedderHeapUsedSize: number } | undefined;
    if (!returning && env.throttle === 1) {
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      usage = await cdp.send('Runtime.getHeapUsage');
    }
    const sizes = await Promise.all([...requested].map(sizeOf));
    return {
      mark,
      probe: seen,
      profile,
      gzip: sizes.reduce((sum, x) => sum + x.gzip, 0) + env.htmlExtra[id].gzip,
      brotli: sizes.reduce((sum, x) => sum + x.brotli, 0) + env.htmlExtra[id].brotli,
      requests: sizes.length,
      bannerAt: seen.bannerAt,
      bannerAfterDcl: seen.bannerAt === undefined ? undefined : seen.bannerAt - got.dcl,
      fcp: got.fcp,
      longCount: seen.long.length,
      longMs: seen.long.reduce((sum, [, d]) => sum + d, 0),
      cls: seen.cls,
      heap: usage?.usedSize,
      domHeap: usage?.embedderHeapUsedSize,
      gatedAt: got.gatedAt,
    };
  } finally {
    await context.close();
  }
};

/** Adds what the run's trace and the visit's CPU profile say of a new visitor's visit: the widget's script
 * time, and how many of the long tasks had widget script in them. */
const traced = (events: TraceEvent[], env: Env, id: PageId, v: Fresh): Visit => {
  const { mark, probe: seen, profile, ...visit } = v;
  if (id === 'bare' || !profile) return visit;
  const origin = new URL(env.urls[id]).origin;
  const script = scriptTime(events, profile, mark, seen.mark, (url) => url.startsWith(origin + WIDGET_PREFIX));
  const overlaps = ([start, duration]: [number, number]) =>
    script.spans.some(([a, b]) => a < start + duration && b > start);
  return {
    ...visit,
    scriptMs: script.ms,
    scriptBeforeFcpMs: visit.fcp === undefined ? undefined : before(script.spans, visit.fcp),
    widgetLongCount: seen.long.filter(overlaps).length,
  };
};

/** A returning visitor who accepted all: the cookies and storage left by clicking "Accept all". */
const acceptedState = async (env: Env, tool: Tool): Promise<StorageState> => {
  const context = await env.browser.newContext({ locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.addInitScript(probe(tool));
    await page.goto(env.urls[tool]);
    await until(page, tool, 'banner');
    // Accepting runs the gated script at once, with every tool: proof that the choice took. (Some banners
    // show before their buttons listen: click again until it takes.)
    for (let attempt = 1; ; attempt++) {
      await page.locator(ACCEPT_ALL[tool]).first().click();
      try {
        await until(page, tool, 'gated', 2_000);
        break;
      } catch (e) {
        if (attempt === 5) throw e;
      }
    }
    await page.waitForTimeout(300);
    return await context.storageState();
  } finally {
    await context.close();
  }
};

// ---------------------------------------------------------------------------------------------------------
// Statistics and the table.

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
};
const median = (xs: number[]) => quantile(xs, 0.5);

type Kind = 'new' | 'returning';
/** Medians of the page without a widget, which some figures are taken over. */
interface Bare {
  heap: number;
  domHeap: number;
  fcp: Record<Kind, number>;
}

interface Metric {
  label: string;
  get: (v: Visit, bare: Bare) => number | undefined;
  kind: Kind;
  digits: number;
  /** Shown for the page without a widget too (a baseline, not a competitor). */
  baseline?: boolean;
  /** Measured without CPU throttling only. */
  unthrottled?: boolean;
  /** Already a ratio (to the page without a widget): shown without a ratio to the best widget. */
  relative?: boolean;
}

const fcpOverBare = (kind: Kind) => (v: Visit, bare: Bare) =>
  v.fcp === undefined || !bare.fcp[kind] ? undefined : v.fcp / bare.fcp[kind];

const METRICS: Metric[] = [
  { label: 'New visitor: widget bytes, gzip (KB)', kind: 'new', digits: 1, get: (v) => v.gzip / 1024 },
  { label: 'New visitor: widget bytes, brotli (KB)', kind: 'new', digits: 1, get: (v) => v.brotli / 1024 },
  { label: 'New visitor: widget requests', kind: 'new', digits: 0, get: (v) => v.requests },
  { label: 'Returning visitor: widget bytes, gzip (KB)', kind: 'returning', digits: 1, get: (v) => v.gzip / 1024 },
  {
    label: 'Returning visitor: widget bytes, brotli (KB)',
    kind: 'returning',
    digits: 1,
    get: (v) => v.brotli / 1024,
  },
  { label: 'Banner first paint, from navigation start (ms)', kind: 'new', digits: 0, get: (v) => v.bannerAt },
  { label: 'Banner first paint, after DOMContentLoaded (ms)', kind: 'new', digits: 0, get: (v) => v.bannerAfterDcl },
  {
    label: 'First contentful paint, new visitor (ms from navigation start)',
    kind: 'new',
    digits: 0,
    baseline: true,
    get: (v) => v.fcp,
  },
  {
    label: 'First contentful paint, new visitor, over the page without a widget (×)',
    kind: 'new',
    digits: 2,
    baseline: true,
    relative: true,
    get: fcpOverBare('new'),
  },
  { label: 'Widget script time, new visitor (ms)', kind: 'new', digits: 1, get: (v) => v.scriptMs },
  {
    label: 'Widget script time before first contentful paint, new visitor (ms)',
    kind: 'new',
    digits: 1,
    get: (v) => v.scriptBeforeFcpMs,
  },
  { label: 'Long tasks, page-wide (count)', kind: 'new', digits: 0, baseline: true, get: (v) => v.longCount },
  { label: 'Long tasks, page-wide (total ms)', kind: 'new', digits: 0, baseline: true, get: (v) => v.longMs },
  { label: 'Long tasks with widget script in them (count)', kind: 'new', digits: 0, get: (v) => v.widgetLongCount },
  { label: 'CLS', kind: 'new', digits: 3, baseline: true, get: (v) => v.cls },
  {
    label: 'JS heap over the bare page, after GC (KB)',
    kind: 'new',
    digits: 0,
    unthrottled: true,
    get: (v, bare) => (v.heap === undefined ? undefined : (v.heap - bare.heap) / 1024),
  },
  {
    label: 'DOM (Blink) heap over the bare page, after GC (KB)',
    kind: 'new',
    digits: 0,
    unthrottled: true,
    get: (v, bare) => (v.domHeap === undefined ? undefined : (v.domHeap - bare.domHeap) / 1024),
  },
  {
    label: 'Returning visitor who accepted all: gated script starts (ms from navigation start)',
    kind: 'returning',
    digits: 0,
    baseline: true,
    get: (v) => v.gatedAt,
  },
  {
    label: 'Returning visitor: first contentful paint (ms from navigation start)',
    kind: 'returning',
    digits: 0,
    baseline: true,
    get: (v) => v.fcp,
  },
  {
    label: 'Returning visitor: first contentful paint, over the page without a widget (×)',
    kind: 'returning',
    digits: 2,
    baseline: true,
    relative: true,
    get: fcpOverBare('returning'),
  },
];

type Results = Record<PageId, { new: Visit[]; returning: Visit[] }>;

const fmt = (x: number, digits: number) => x.toFixed(digits);

/** The markdown table: a row per metric, a column per page; each cell the median, its ratio to the best
 * widget's median (all five widgets, Assent included) and the interquartile range. */
const table = (results: Results, throttled: boolean): string => {
  const bareMedian = (kind: Kind, get: (v: Visit) => number | undefined) =>
    median(results.bare[kind].map((v) => get(v) ?? 0));
  const bare: Bare = {
    heap: bareMedian('new', (v) => v.heap),
    domHeap: bareMedian('new', (v) => v.domHeap),
    fcp: { new: bareMedian('new', (v) => v.fcp), returning: bareMedian('returning', (v) => v.fcp) },
  };
  const lines = [
    `| metric | ${PAGES.map((p) => LABELS[p]).join(' | ')} |`,
    `|---|${PAGES.map(() => '---:').join('|')}|`,
  ];
  for (const m of METRICS.filter((x) => !(throttled && x.unthrottled))) {
    const values = (p: PageId) =>
      results[p][m.kind].map((v) => m.get(v, bare)).filter((x): x is number => x !== undefined);
    const medians = Object.fromEntries(PAGES.map((p) => [p, values(p).length ? median(values(p)) : undefined]));
    const best = Math.min(...TOOLS.map((t) => medians[t] ?? Number.POSITIVE_INFINITY));
    const cells = PAGES.map((p) => {
      const xs = values(p);
      const med = medians[p];
      if (med === undefined || (p === 'bare' && !m.baseline)) return '—';
      const iqr = [quantile(xs, 0.25), quantile(xs, 0.75)];
      const spread =
        fmt(iqr[0], m.digits) === fmt(iqr[1], m.digits) ? '' : ` (${iqr.map((x) => fmt(x, m.digits)).join('–')})`;
      const rounded = (x: number) => Number(fmt(x, m.digits));
      const ratio =
        p === 'bare' || m.relative
          ? ''
          : rounded(med) === rounded(best)
            ? ' **×1**'
            : best > 0
              ? ` ×${(med / best).toFixed(med / best >= 9.95 ? 0 : 1)}`
              : '';
      return `${fmt(med, m.digits)}${ratio}${spread}`;
    });
    lines.push(`| ${m.label} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
};

// ---------------------------------------------------------------------------------------------------------
// The suite.

export const buildC15t = async (outDir: string) => {
  const { build } = await import('vite');
  const dir = resolve(root, 'bench/peers/c15t');
  await build({
    configFile: false,
    root: dir,
    base: '/w/c15t/',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, manifest: true, rolldownOptions: { input: join(dir, 'main.js') } },
  });
};

export const startServer = async (c15tDir: string) => {
  const server = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'bench/peers/server.ts'), c15tDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((done, fail) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) done(out.split('\n')[0]);
    });
    server.once('exit', (code) => fail(new Error(`bench/peers/server.ts exited with ${code}`)));
  });
  return { server, ...(JSON.parse(line) as { origin: string; pages: Record<PageId, string> }) };
};

/** The runs of one suite. Each run: every page for a new visitor, under one trace; then every page for a
 * returning visitor who accepted all, untraced. The order rotates from run to run (A B C…, B C … A, …), so
 * that no page always comes first, right after the trace is read. */
const runSuite = async (env: Env, states: Record<Tool, StorageState>, runs: number): Promise<Results> => {
  const results = Object.fromEntries(PAGES.map((p) => [p, { new: [], returning: [] }])) as unknown as Results;
  for (let i = 0; i < runs; i++) {
    const order = PAGES.map((_, j) => PAGES[(i + j) % PAGES.length]);
    await env.browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
    const fresh: Fresh[] = [];
    for (const p of order) fresh.push(await visit(env, p));
    const events: TraceEvent[] = JSON.parse((await env.browser.stopTracing()).toString('utf8')).traceEvents;
    order.forEach((p, j) => {
      results[p].new.push(traced(events, env, p, fresh[j]));
    });
    for (const p of order)
      results[p].returning.push(await visit(env, p, p === 'bare' ? { cookies: [], origins: [] } : states[p]));
    process.stdout.write(`\r  ${env.throttle}× CPU: run ${i + 1} of ${runs}`);
  }
  process.stdout.write('\n');
  return results;
};

export interface PeerBench {
  /** How many of Assent's SPEC §8 figures that bench.ts does not check (CLS, long tasks) miss their budget
   * in the unthrottled suite. */
  over: number;
}

/** Switched off for the bench: Chromium 156 loads its omnibox popup WebUI (some 400 chrome:// modules, in a renderer
 * of its own) for every new window, that is for every visit, on the same cores, while the page loads. */
const OMNIBOX_WEBUI = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup'];

/** Chromium as every test launches it (test/e2e/chromium.ts), with OMNIBOX_WEBUI off. The last
 * --disable-features switch wins, so it repeats the ones Playwright sets, read from chrome://version. */
export const launch = async () => {
  let off: string[] = [];
  const first = await chromium.launch(chromiumLaunch);
  try {
    const page = await first.newPage();
    await page.goto('chrome://version');
    const line = (await page.locator('#command_line').textContent()) ?? '';
    off = [...line.matchAll(/--disable-features=(\S+)/g)].flatMap((m) => m[1].split(','));
  } finally {
    await first.close();
  }
  // Without Playwright's list (never seen so far), launch as the tests do rather than drop it.
  if (!off.length) return chromium.launch(chromiumLaunch);
  const args = [...chromiumLaunch.args, `--disable-features=${[...new Set([...off, ...OMNIBOX_WEBUI])].join(',')}`];
  return chromium.launch({ ...chromiumLaunch, args });
};

/** Runs the peer comparison, prints its tables and writes them to docs/benchmarks.md. */
export const benchPeers = async (): Promise<PeerBench> => {
  const started = Date.now();
  const runs = Number(process.env.BENCH_RUNS || 15);
  if (!existsSync(join(dist, 'assent.js'))) throw new Error(`no ${dist}/assent.js: run \`npm run build\` first`);
  console.log(`\n## Peer comparison (${runs} runs per tool, interleaved)\n`);
  const c15tDir = mkdtempSync(join(tmpdir(), 'assent-bench-c15t-'));
  await buildC15t(c15tDir);
  const { server, origin, pages } = await startServer(c15tDir);
  const browser = await launch();
  try {
    const html = async (p: PageId) => compressed(Buffer.from(await (await fetch(pages[p])).arrayBuffer()));
    const bare = await html('bare');
    const htmlExtra = {} as Record<PageId, Sizes>;
    for (const p of PAGES) {
      const own = await html(p);
      htmlExtra[p] = { gzip: own.gzip - bare.gzip, brotli: own.brotli - bare.brotli };
    }
    const env: Env = { browser, urls: pages, htmlExtra, throttle: 1 };
    const states = {} as Record<Tool, StorageState>;
    for (const t of TOOLS) states[t] = await acceptedState(env, t);

    const normal = await runSuite(env, states, runs);
    const throttled = await runSuite({ ...env, throttle: 4 }, states, runs);
    const version = browser.version();
    const date = new Date().toISOString().slice(0, 10);
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}`;
    const heading = (throttle: number) =>
      `Chromium ${version}, headless, ${throttle === 1 ? 'no CPU throttling' : `CPU throttled ${throttle}× (Emulation.setCPUThrottlingRate)`}, ${runs} runs per tool, ${date}, ${machine}`;
    const tables = [
      `### ${heading(1)}\n\n${table(normal, false)}`,
      `### ${heading(4)}\n\n${table(throttled, true)}\n\n(The heap, which the CPU's speed does not change, is measured without throttling only.)`,
    ];
    console.log(`\nEach cell: median, ×ratio to the best of the five widgets (Assent included), (p25–p75).`);
    for (const t of tables) console.log(`\n${t}\n`);

    // SPEC §8 on the unthrottled suite. CLS 0 (every run) and no long task with Assent's script in it (the
    // median run: a loaded machine can stretch one task) count: bench.ts checks neither. The banner's time
    // is shown only: bench.ts budgets it on its own page, unprofiled and timed at the frame's start, while
    // here the profiler slows every page a little and the probe times the frame after its style and layout.
    const assent = normal.assent.new;
    const checks: [string, number, number, boolean][] = [
      ['CLS, largest of all runs', Math.max(...assent.map((v) => v.cls)), 0, true],
      ['long tasks with Assent script in them, median run', median(assent.map((v) => v.widgetLongCount ?? 0)), 0, true],
      [
        'banner painted after DOMContentLoaded, median ms (shown only: bench.ts budgets it, unprofiled)',
        median(assent.map((v) => v.bannerAfterDcl ?? 0)),
        50,
        false,
      ],
    ];
    console.log('Assent against SPEC §8 in this suite (no CPU throttling):');
    let over = 0;
    for (const [what, actual, budget, counts] of checks) {
      const ok = actual <= budget;
      if (!ok && counts) over++;
      console.log(`${ok ? 'ok  ' : counts ? 'OVER' : 'note'} ${what}: ${Number(actual.toFixed(3))} (budget ${budget})`);
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`\npeer suite: ${seconds} s, pages from ${origin}`);
    writeFileSync(join(root, 'docs/benchmarks.md'), report(tables));
    console.log('written to docs/benchmarks.md');
    return { over };
  } finally {
    await browser.close();
    server.kill();
    rmSync(c15tDir, { recursive: true, force: true });
  }
};

const report = (tables: string[]) => `# Benchmarks: Assent and its open-source peers

Written by \`npm run bench\` (or \`npx tsx scripts/bench-peers.ts\` for this comparison alone, on the
current \`dist/\` or \`ASSENT_DIST\`'s build); \`BENCH_RUNS\` sets the runs per tool (default 15). Every
figure is the median, then its ratio to the best of the five widgets (Assent included: **×1** marks the
best), then the interquartile range in parentheses when it is not a single value. "No widget" is the same
page without any; it is a baseline, not a competitor.

## What is compared

The same page (the article of \`scripts/bench-site.ts\`), served from loopback without compression, with
three purposes (necessary, analytics, marketing) and English texts, and one script gated on analytics in
each tool's own syntax. Each tool is set up as its own README or getting-started page tells site owners
([\`bench/peers/\`](../bench/peers)):

| tool | setup | the gated analytics script |
|---|---|---|
| Assent (this \`dist/\`) | inline JSON config, then \`assent.js\`, first in \`<head>\` | \`<script type="text/plain" data-assent="analytics" src>\` |
| vanilla-cookieconsent 3.1.0 | \`cookieconsent.css\` in \`<head>\`; a config module importing \`cookieconsent.umd.js\` at the end of \`<body>\`; \`hideFromBots: false\` (headless Chromium sets \`navigator.webdriver\`) | \`<script type="text/plain" data-category="analytics" src>\` |
| Klaro 0.7.22 | \`config.js\` and \`klaro.js\` (styles included), both \`defer\` | \`<script type="text/plain" data-name="analytics" data-src>\` |
| tarteaucitron 1.34.0 | \`tarteaucitron.min.js\` (which loads the minified language, services and CSS files), then \`init()\` with the README's parameters | a custom service whose \`js()\` calls \`tarteaucitron.addScript\` |
| c15t 2.2.1 | \`@c15t/react\` \`ConsentManagerProvider\` + \`ConsentBanner\` + \`ConsentDialog\` with React 19, \`mode: 'offline'\` (no backend), built for production by Vite 8 | the provider's \`scripts\` option, category \`measurement\` |

## How each figure is measured

Headless Chromium (Debian's, launched as in \`test/e2e/chromium.ts\`, with the omnibox popup WebUI
that Chromium 156 loads for every new window switched off), a fresh browser context per visit, the pages
interleaved in each run: every page for a new visitor (Assent, cookieconsent, Klaro, tarteaucitron, c15t,
no widget), then every page for a returning visitor, the order rotating by one page from run to run.
Then the whole suite again with the CPU throttled 4× through \`Emulation.setCPUThrottlingRate\`.

- **Widget bytes**: every response under the widget's folder (scripts, styles, chunks, language and
  service files) that the visit requested, each body compressed here with Node's zlib at the highest level
  (gzip 9, brotli 11), plus what the tool adds to the page's HTML (the page's compressed size minus the
  page without a widget's: inline config and tags). The returning visitor has accepted all: the cookies
  and storage left by clicking the banner's "Accept all" once.
- **Banner first paint**: a probe installed before any page script waits (\`MutationObserver\`) for the
  element the widget adds for its UI, then checks in every animation frame whether the banner's first-layer
  box is laid out (\`getBoundingClientRect\`, which runs that frame's style and layout there), inside the
  viewport and visible (\`checkVisibility\` with opacity and visibility, so a fade-in counts from its first
  frame above opacity 0); the figure is \`performance.now()\` then, in the first frame where it holds, which
  paints it next. From navigation start, and minus \`domContentLoadedEventEnd\`. (\`bench.ts\` takes that
  frame's start time instead, before its style and layout: a smaller figure.) The second favours a widget
  that is one deferred script, as Klaro: \`DOMContentLoaded\` waits for it to download and run, and the
  banner follows at once; the first is the one to compare.
- **First contentful paint**: the visit's \`first-contentful-paint\` entry (paint timing API,
  \`performance.getEntriesByName\`), from navigation start, for every page including the one without a widget;
  "over the page without a widget" divides each visit's figure by that page's median for the same visitor.
  The new visitor's visits are CPU-profiled (below), the returning visitor's are not: compare ratios within a row.
- **Widget script time**: one Chromium trace per run (\`devtools.timeline\`) spans the new visitors' visits,
  each of which is also CPU-profiled through its DevTools session (\`Profiler\`, a sample every
  ${SAMPLING_US} µs); on the page's renderer main thread, the union of (a) the trace's \`EvaluateScript\`,
  \`v8.compile\`, \`v8.compileModule\` and \`FunctionCall\` events whose script URL is one of the widget's
  files, and (b) the profile's samples whose stack holds a frame of those files, which covers what (a) cannot
  name: module evaluation and promise callbacks. DOM calls made from the widget's code count; style, layout
  and paint done later by the browser do not. Until ${SETTLE_MS} ms after the banner paints. The profiler
  slows script-heavy pages a little (Assent's banner by about 10 ms, cookieconsent's by about 4 ms, measured
  with and without it), for every figure of the new visitor.
  Also **before first contentful paint**: the part of those spans before the visit's first contentful paint,
  which for a synchronous loader in \`<head>\` is what it costs the parser (compiling and running it) before
  anything can paint.
- **Long tasks**: \`PerformanceObserver\` \`longtask\` entries (> 50 ms) over the same span, page-wide
  (the page without a widget shows what the page costs alone); "with widget script in them": those that
  overlap the widget's script time above.
- **CLS**: the sum of \`layout-shift\` entries without recent input over the same span.
- **Heap**: \`Runtime.getHeapUsage\` after two \`HeapProfiler.collectGarbage\`, with the banner shown,
  minus the median of the page without a widget: \`usedSize\` (JavaScript) and \`embedderHeapUsedSize\`
  (Blink's garbage-collected heap: DOM nodes, style objects).
- **Gated script start**: the gated script records \`performance.now()\` when it starts, for a returning
  visitor who accepted all; "no widget" loads it ungated.

Timings move with the machine and its load: compare within one table, and read ratios rather than single
milliseconds.

Two scripts look closer, on the same pages: \`npx tsx scripts/heap-diff.ts [tool] [reference]\` takes a heap
snapshot of each with the banner shown and of the page without a widget, and diffs them by constructor and
by the script that owns each object (its code, machine code, strings, the DOM interfaces it set up);
\`npx tsx scripts/bench-profile.ts [tool]\` lists the widget's script events before first contentful paint,
its functions and files by self and total time, and what each long task holds, at 1× and 4× CPU.

## Results

${tables.join('\n\n')}
`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = (await benchPeers()).over ? 1 : 0;
