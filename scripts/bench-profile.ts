// What a widget's script time is made of (issue 15): the peer suite's new visitor, traced and CPU-profiled
// as there, at 1× and 4× CPU. Prints, per throttle: the widget's script events before first contentful paint
// (for a synchronous loader, what it costs the parser), its functions by self and total time, its files,
// and what each long task holds. `npx tsx scripts/bench-profile.ts [tool]` (default: assent), on dist/ or
// ASSENT_DIST's build; BENCH_RUNS (default 5) visits per throttle, figures averaged over them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from '@playwright/test';
import { LABELS, TOOLS, type Tool, WIDGET_PREFIX } from '../bench/peers/pages';
import {
  buildC15t,
  type CpuProfile,
  eventUrl,
  launch,
  type Probe,
  probe,
  rendererMain,
  SAMPLING_US,
  SCRIPT_EVENTS,
  SETTLE_MS,
  startServer,
  TRACE_CATEGORIES,
  type TraceEvent,
  until,
} from './bench-peers';

interface Recorded {
  /** The renderer main thread's complete events, and the trace's clock in the page's. */
  main: ReturnType<typeof rendererMain>;
  profile: CpuProfile;
  probe: Probe;
  fcp: number;
}

/** The trace category of the main thread's tasks (RunTask), which the peer suite does not record. */
const TASKS = 'disabled-by-default-devtools.timeline';

/** One new visitor's visit, as the peer suite's: a fresh context, the probe, the CPU profile. */
const profiled = async (browser: Browser, tool: Tool, url: string, throttle: number, mark: string) => {
  const context = await browser.newContext({ locale: 'en-US' });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    if (throttle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });
    await page.addInitScript(probe(tool, mark));
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_US });
    await cdp.send('Profiler.start');
    await page.goto(url, { waitUntil: 'load' });
    await until(page, tool, 'banner');
    await page.waitForTimeout(SETTLE_MS);
    const { profile } = await cdp.send('Profiler.stop');
    const got = await page.evaluate(() => ({
      probe: (window as unknown as { __bench: Probe }).__bench,
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
    }));
    return { profile: profile as CpuProfile, ...got };
  } finally {
    await context.close();
  }
};

/** The visit, with a trace of it. */
const record = async (browser: Browser, tool: Tool, url: string, throttle: number, n: number): Promise<Recorded> => {
  const mark = `bench-profile-${n}`;
  await browser.startTracing(undefined, { categories: [...TRACE_CATEGORIES, TASKS] });
  let trace: Buffer;
  let visit: Awaited<ReturnType<typeof profiled>>;
  try {
    visit = await profiled(browser, tool, url, throttle, mark);
  } finally {
    trace = await browser.stopTracing();
  }
  const events: TraceEvent[] = JSON.parse(trace.toString('utf8')).traceEvents;
  return { main: rendererMain(events, mark, visit.probe.mark), ...visit };
};

// ---------------------------------------------------------------------------------------------------------
// The CPU profile: each sample's stack, and the time it stands for (to the next sample, at most 4 intervals,
// so that a starved sampler does not inflate one frame).

const isWidget = (url: string) => new URL(url || 'about:blank').pathname.startsWith(WIDGET_PREFIX);
const file = (url: string) => new URL(url).pathname.slice(WIDGET_PREFIX.length).replace(/chunks\/[\w-]+\//, '');
type Frame = CpuProfile['nodes'][number]['callFrame'];

/** A function's name and place: `name file:line:column` (1-based, as DevTools shows them). */
const where = (f: Frame) =>
  f.url && isWidget(f.url)
    ? `${f.functionName || '(anonymous)'} ${file(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}`
    : `${f.functionName || '(native)'} (browser)`;

/** The samples whose stack holds a widget frame, each as its stack (innermost first), time and length. */
const widgetSamples = (profile: CpuProfile) => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out: { stack: Frame[]; at: number; ms: number }[] = [];
  let t = profile.startTime;
  const times = (profile.timeDeltas ?? []).map((d) => (t += d));
  const samples = profile.samples ?? [];
  for (let i = 0; i + 1 < samples.length; i++) {
    const stack: Frame[] = [];
    for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id))
      stack.push(byId.get(id)?.callFrame as Frame);
    if (!stack.some((f) => isWidget(f.url))) continue;
    out.push({ stack, at: times[i], ms: Math.min(times[i + 1] - times[i], 4 * SAMPLING_US) / 1000 });
  }
  return out;
};

type Times = Map<string, { self: number; total: number }>;
const addTime = (m: Times, key: string, self: number, total: number) => {
  const x = m.get(key) ?? { self: 0, total: 0 };
  x.self += self;
  x.total += total;
  m.set(key, x);
};

/** Self time (the innermost frame: a widget function, or the browser's code it called) and total time
 * (every function on the stack, once per sample), by function and by file. */
const profileTimes = (samples: ReturnType<typeof widgetSamples>) => {
  const functions: Times = new Map();
  const files: Times = new Map();
  const frames = new Map<string, Frame>();
  for (const { stack, ms } of samples) {
    for (const f of stack) frames.set(where(f), f);
    addTime(functions, where(stack[0]), ms, 0);
    for (const key of new Set(stack.map(where))) addTime(functions, key, 0, ms);
    const own = stack.find((f) => isWidget(f.url)) as Frame;
    addTime(files, file(own.url), ms, 0);
    for (const key of new Set(stack.filter((f) => isWidget(f.url)).map((f) => file(f.url)))) addTime(files, key, 0, ms);
  }
  return { functions, files, frames };
};

/** The first characters of a widget function's source, to tell minified functions apart. */
const sources = new Map<string, Promise<string[]>>();
const codeAt = async (f: Frame | undefined) => {
  if (!f || !isWidget(f.url)) return '';
  if (!sources.has(f.url))
    sources.set(
      f.url,
      fetch(f.url).then(async (res) => (await res.text()).split('\n')),
    );
  const line = (await sources.get(f.url))?.[f.lineNumber] ?? '';
  return line.slice(f.columnNumber, f.columnNumber + 48);
};

// ---------------------------------------------------------------------------------------------------------
// The trace: script events before first contentful paint, and the work inside each long task.

/** The widget's script events that start before first contentful paint, by event and file, in ms; an
 * EvaluateScript's run is its time without the compile nested in it. */
const beforeFcp = (r: Recorded) => {
  const out = new Map<string, number>();
  const bump = (key: string, ms: number) => out.set(key, (out.get(key) ?? 0) + ms);
  const own = r.main.events.filter(
    (e) => SCRIPT_EVENTS.has(e.name) && isWidget(eventUrl(e)) && r.main.toPage(e.ts) < r.fcp,
  );
  for (const e of own) {
    const key = `${e.name} ${file(eventUrl(e))}`;
    const end = e.ts + (e.dur ?? 0);
    bump(key, (e.dur ?? 0) / 1000);
    if (e.name !== 'EvaluateScript') continue;
    const compiled = own.filter((c) => c.name === 'v8.compile' && c.ts >= e.ts && c.ts < end);
    bump(`${key}: run`, ((e.dur ?? 0) - compiled.reduce((sum, c) => sum + (c.dur ?? 0), 0)) / 1000);
  }
  return out;
};

/** A long task's parts: the trace's task that overlaps it most, the events one and two levels under that
 * task (1 ms or more), and the widget functions with the most self time in it. */
const longTaskParts = (r: Recorded, samples: ReturnType<typeof widgetSamples>, [start, duration]: [number, number]) => {
  const { events, toPage } = r.main;
  const end = (e: TraceEvent) => e.ts + (e.dur ?? 0);
  const overlap = (e: TraceEvent) => Math.min(toPage(end(e)), start + duration) - Math.max(toPage(e.ts), start);
  const task = events.filter((e) => e.name === 'RunTask').sort((a, b) => overlap(b) - overlap(a))[0];
  const inside = task
    ? events.filter((e) => e.ts >= task.ts && end(e) <= end(task)).sort((a, b) => a.ts - b.ts || end(b) - end(a))
    : [];
  const parts: string[] = [];
  const open: number[] = [];
  for (const e of inside) {
    while (open.length && e.ts >= open[open.length - 1]) open.pop();
    const depth = open.length;
    open.push(end(e));
    if (depth === 0 || depth > 2 || (e.dur ?? 0) < 1000) continue;
    const url = eventUrl(e);
    const name = `${e.name}${url && isWidget(url) ? ` ${file(url)}` : ''}`;
    parts.push(`${depth === 2 ? '(in it) ' : ''}${name} ${((e.dur ?? 0) / 1000).toFixed(1)}`);
  }
  const self: Times = new Map();
  for (const s of samples) {
    const at = toPage(s.at);
    if (at >= start && at < start + duration) addTime(self, where(s.stack[0]), s.ms, 0);
  }
  const top = [...self].sort((a, b) => b[1].self - a[1].self).slice(0, 8);
  return { parts, top: top.map(([k, v]) => `${k} ${v.self.toFixed(1)}`) };
};

// ---------------------------------------------------------------------------------------------------------
// The report.

const ms = (x: number) => x.toFixed(1);
/** Rows by self time, then total; with the code each function starts with when `frames` are given. */
const timesTable = async (title: string, times: Times, runs: number, rows: number, frames?: Map<string, Frame>) => {
  const code = frames ? ' code there |' : '';
  const lines = [`| ${title} | self (ms) | total (ms) |${code}`, `|---|---:|---:|${frames ? '---|' : ''}`];
  const sorted = [...times].sort((a, b) => b[1].self - a[1].self || b[1].total - a[1].total).slice(0, rows);
  for (const [k, v] of sorted) {
    const start = frames ? ` \`${(await codeAt(frames.get(k))).replaceAll('|', '\\|').replaceAll('`', "'")}\` |` : '';
    lines.push(`| \`${k}\` | ${ms(v.self / runs)} | ${ms(v.total / runs)} |${start}`);
  }
  return lines.join('\n');
};

/** The runs at one throttle, summed: functions, files, script events before first contentful paint, and
 * each long task described. */
const collect = async (browser: Browser, tool: Tool, url: string, throttle: number, runs: number) => {
  const c = { functions: new Map() as Times, files: new Map() as Times, frames: new Map<string, Frame>() };
  const early = new Map<string, number>();
  const tasks: string[] = [];
  let fcp = 0;
  for (let i = 0; i < runs; i++) {
    const r = await record(browser, tool, url, throttle, throttle * 100 + i);
    const samples = widgetSamples(r.profile);
    const t = profileTimes(samples);
    for (const [k, v] of t.functions) addTime(c.functions, k, v.self, v.total);
    for (const [k, v] of t.files) addTime(c.files, k, v.self, v.total);
    for (const [k, f] of t.frames) c.frames.set(k, f);
    for (const [k, v] of beforeFcp(r)) early.set(k, (early.get(k) ?? 0) + v);
    fcp += r.fcp;
    for (const task of r.probe.long) {
      const { parts, top } = longTaskParts(r, samples, task);
      tasks.push(
        `- run ${i + 1}, at ${task[0].toFixed(0)} ms (first contentful paint ${r.fcp.toFixed(0)}), ${task[1].toFixed(0)} ms:\n` +
          `  ${parts.join('; ')}\n  widget self time: ${top.join('; ') || 'none'}`,
      );
    }
  }
  return { ...c, early, tasks, fcp };
};

const section = async (tool: Tool, throttle: number, runs: number, c: Awaited<ReturnType<typeof collect>>) => {
  const early = [...c.early].sort().map(([k, v]) => `| ${k} | ${ms(v / runs)} |`);
  return [
    `## ${LABELS[tool]}, ${throttle}× CPU, ${runs} runs (averages per visit)`,
    `First contentful paint: ${(c.fcp / runs).toFixed(0)} ms. Widget script events that start before it:\n\n| event, file | ms |\n|---|---:|\n${early.join('\n')}`,
    await timesTable('function (self: innermost frame)', c.functions, runs, 20, c.frames),
    await timesTable('file', c.files, runs, 10),
    `Long tasks (${c.tasks.length} in ${runs} runs; trace events under the task, ms):\n\n${c.tasks.join('\n') || 'none'}`,
  ].join('\n\n');
};

const tool = (process.argv[2] ?? 'assent') as Tool;
if (!TOOLS.includes(tool)) throw new Error(`unknown tool ${tool}: ${TOOLS.join(', ')}`);
const runs = Number(process.env.BENCH_RUNS || 5);
const c15tDir = mkdtempSync(join(tmpdir(), 'assent-profile-c15t-'));
await buildC15t(c15tDir);
const { server, pages } = await startServer(c15tDir);
const browser = await launch();
try {
  for (const throttle of [1, 4])
    console.log(`\n${await section(tool, throttle, runs, await collect(browser, tool, pages[tool], throttle, runs))}`);
} finally {
  await browser.close();
  server.kill();
  rmSync(c15tDir, { recursive: true, force: true });
}
