// What a widget's JavaScript heap holds over the bare page's (issue 15): a heap snapshot of each peer-suite
// page with the banner shown, diffed by constructor against the page without a widget, and each node
// attributed to the script that owns it. `npx tsx scripts/heap-diff.ts [page] [reference]` (default: assent
// cookieconsent), on dist/ or ASSENT_DIST's build, as the peer suite; HEAP_SNAPSHOTS=<dir> keeps the
// .heapsnapshot files (DevTools' Memory panel opens them).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from '@playwright/test';
import { LABELS, type PageId, TOOLS, WIDGET_PREFIX } from '../bench/peers/pages';
import { buildC15t, launch, probe, SETTLE_MS, startServer, until } from './bench-peers';

// ---------------------------------------------------------------------------------------------------------
// The snapshot: V8's .heapsnapshot JSON (flat arrays described by its meta), read into nodes and edges.

interface RawSnapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface HeapNode {
  type: string;
  name: string;
  size: number;
  /** Edges by name (property, internal and context edges; elements by index), weak edges left out: they
   * retain nothing. */
  edges: { name: string; to: number }[];
}

const parse = (raw: RawSnapshot): HeapNode[] => {
  const { meta } = raw.snapshot;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const field = (fields: string[], name: string) => fields.indexOf(name);
  const [nType, nName, nSize, nEdges] = ['type', 'name', 'self_size', 'edge_count'].map((f) =>
    field(meta.node_fields, f),
  );
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => field(meta.edge_fields, f));
  const named = new Set(['context', 'property', 'internal', 'shortcut']);
  const nodes: HeapNode[] = [];
  let e = 0;
  for (let i = 0; i < raw.nodes.length; i += nf) {
    const edges: HeapNode['edges'] = [];
    for (const end = e + raw.nodes[i + nEdges] * ef; e < end; e += ef) {
      const type = meta.edge_types[0][raw.edges[e + eType]];
      if (type === 'weak') continue;
      const name = named.has(type) ? raw.strings[raw.edges[e + eName]] : String(raw.edges[e + eName]);
      edges.push({ name, to: raw.edges[e + eTo] / nf });
    }
    nodes.push({
      type: meta.node_types[0][raw.nodes[i + nType]],
      name: raw.strings[raw.nodes[i + nName]],
      size: raw.nodes[i + nSize],
      edges,
    });
  }
  return nodes;
};

/** In `Runtime.getHeapUsage`'s usedSize, which the peer suite reports: V8's own objects. Blink's
 * garbage-collected objects (native nodes not named "system / …") and the off-heap payload of external
 * strings (Blink's copy of each script's source) are not. */
const inJsHeap = (n: HeapNode) =>
  n.type === 'native'
    ? n.name.startsWith('system / ') && n.name !== 'system / ExternalStringData'
    : n.type !== 'synthetic';

/** The constructor, as DevTools groups a summary: an object by its constructor's name, V8's internal
 * objects by kind ("system / SharedFunctionInfo / f" as "system / SharedFunctionInfo"). */
const group = (n: HeapNode): string => {
  if (n.type === 'string' || n.type === 'concatenated string' || n.type === 'sliced string') return '(string)';
  if (n.type === 'closure') return '(closure)';
  if (n.type === 'number') return '(heap number)';
  if (n.type === 'array') return `(array) ${n.name || 'internal'}`;
  const parts = n.name.split(' / ');
  return parts[0] === 'system' ? parts.slice(0, 2).join(' / ') : parts[0];
};

// ---------------------------------------------------------------------------------------------------------
// Ownership: the dominator tree (Cooper, Harvey and Kennedy's iterative algorithm), and the script that
// owns each node: the nearest dominator that names one (a script, a function, its code or feedback).

const dominators = (nodes: HeapNode[]) => {
  const post = new Int32Array(nodes.length).fill(-1);
  const order: number[] = [];
  const seen = new Uint8Array(nodes.length);
  const stack: [node: number, edge: number][] = [[0, 0]];
  seen[0] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1];
    const edge = nodes[top[0]].edges[top[1]++];
    if (!edge) {
      stack.pop();
      post[top[0]] = order.length;
      order.push(top[0]);
    } else if (!seen[edge.to]) {
      seen[edge.to] = 1;
      stack.push([edge.to, 0]);
    }
  }
  const preds: number[][] = nodes.map(() => []);
  for (const from of order) for (const { to } of nodes[from].edges) preds[to].push(from);
  const idom = new Int32Array(nodes.length).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (post[a] < post[b]) a = idom[a];
      while (post[b] < post[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = order.length - 2; i >= 0; i--) {
      const b = order[i];
      let next = -1;
      for (const p of preds[b]) if (idom[p] !== -1) next = next === -1 ? p : intersect(p, next);
      if (next !== idom[b]) {
        idom[b] = next;
        changed = true;
      }
    }
  }
  /** Reverse postorder: every node after its dominator. */
  return { idom, order: order.reverse(), preds };
};

const SCRIPT = 'system / Script / ';
const BINDINGS = '(DOM bindings)';
/** Blink's templates of the DOM interfaces a page has touched, created once per interface on first use. */
const TEMPLATES =
  /^system \/ (FunctionTemplateInfo|ObjectTemplateInfo|FunctionTemplateRareData|AccessorPair|AccessorInfo)/;

/** The owner a node names outright: a Script; a SharedFunctionInfo (its `script`, or the DOM template of
 * an API function); a closure (its `shared`); a FeedbackVector (its `shared_function_info`); a template. */
const ownerOf = (nodes: HeapNode[], n: HeapNode, depth = 0): string | undefined => {
  if (n.name.startsWith(SCRIPT)) return n.name.slice(SCRIPT.length);
  if (TEMPLATES.test(n.name)) return BINDINGS;
  if (depth > 1) return undefined;
  const via = ['script', 'shared', 'shared_function_info', 'untrusted_function_data'];
  for (const e of n.edges) {
    const found = via.includes(e.name) ? ownerOf(nodes, nodes[e.to], depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
};

const NONE = '(no script)';

/** Each node's owner: its own, else its dominator's; then a node still without one takes its retainers'
 * owner when they all have the same (a literal string held by one script's constant pools). "(no script)"
 * is what the DOM, the page's globals or several scripts hold. */
const owners = (nodes: HeapNode[]) => {
  const { idom, order, preds } = dominators(nodes);
  const owner: string[] = new Array(nodes.length).fill('(unreachable)');
  owner[0] = NONE;
  for (const i of order) if (i !== 0) owner[i] = ownerOf(nodes, nodes[i]) ?? owner[idom[i]];
  for (const i of order) {
    if (owner[i] !== NONE) continue;
    const held = new Set(preds[i].map((p) => owner[p]).filter((o) => o !== NONE));
    if (held.size === 1) owner[i] = [...held][0];
  }
  return owner;
};

/** Machine code (Sparkplug's baseline code when it keeps the bytecode's offset table, else an optimizing
 * tier's) by the function it was compiled for. */
const machineCode = (nodes: HeapNode[], owner: string[]) => {
  const code: { fn: string; owner: string; size: number; baseline: boolean }[] = [];
  nodes.forEach((n, i) => {
    if (n.name !== 'system / SharedFunctionInfo' && !n.name.startsWith('system / SharedFunctionInfo / ')) return;
    const data = n.edges.find((e) => e.name === 'trusted_function_data');
    const c = data && nodes[data.to];
    const stream = c?.edges.find((e) => e.name === 'instruction_stream');
    if (!c || !stream) return;
    const fn = n.name.split(' / ')[2] || '(anonymous)';
    const baseline = c.edges.some((e) => e.name === 'bytecode_offset_table');
    code.push({ fn, owner: owner[i], size: c.size + nodes[stream.to].size, baseline });
  });
  return code;
};

/** The DOM interfaces whose templates exist, with how many (the interface's, and one per operation and
 * attribute accessor): an operation's template names its interface (third element), an interface's itself. */
const interfaces = (nodes: HeapNode[]) => {
  const count = new Map<string, number>();
  for (const n of nodes) {
    if (n.name !== 'system / FunctionTemplateInfo') continue;
    const named = (k: string) => {
      const e = n.edges.find((x) => x.name === k);
      return e && nodes[e.to].type === 'string' ? nodes[e.to].name : undefined;
    };
    const name = named('3') ?? named('2');
    if (name) count.set(name, (count.get(name) ?? 0) + 1);
  }
  return count;
};

// ---------------------------------------------------------------------------------------------------------
// A page's heap, summed.

type Sum = { count: number; size: number };
interface Summary {
  total: number;
  /** Off-heap payloads of external strings (script sources, long literals): not in usedSize. */
  external: number;
  byGroup: Map<string, Sum>;
  /** Owner (a script's path under the widget's folder, "(page)", or one of the labels above) → constructor → sum. */
  byOwner: Map<string, Map<string, Sum>>;
  /** String contents with their total size, to match copies across pages. */
  strings: Map<string, Sum>;
  code: ReturnType<typeof machineCode>;
  interfaces: Map<string, number>;
}

const add = <K>(map: Map<K, Sum>, key: K, size: number) => {
  const sum = map.get(key) ?? { count: 0, size: 0 };
  sum.count++;
  sum.size += size;
  map.set(key, sum);
};

const ownerLabel = (url: string) => {
  if (url.startsWith('(')) return url;
  const path = url ? new URL(url, 'http://x').pathname : '';
  return path.startsWith(WIDGET_PREFIX) ? path.slice(WIDGET_PREFIX.length).replace(/chunks\/[\w-]+\//, '') : '(page)';
};

const summarize = (raw: RawSnapshot): Summary => {
  const nodes = parse(raw);
  const owner = owners(nodes).map(ownerLabel);
  const s: Summary = {
    total: 0,
    external: 0,
    byGroup: new Map(),
    byOwner: new Map(),
    strings: new Map(),
    code: machineCode(nodes, owner),
    interfaces: interfaces(nodes),
  };
  nodes.forEach((n, i) => {
    if (n.name === 'system / ExternalStringData') s.external += n.size;
    if (!inJsHeap(n)) return;
    s.total += n.size;
    const g = group(n);
    add(s.byGroup, g, n.size);
    if (!s.byOwner.has(owner[i])) s.byOwner.set(owner[i], new Map());
    add(s.byOwner.get(owner[i]) as Map<string, Sum>, g, n.size);
    if (g === '(string)') add(s.strings, n.name, n.size);
  });
  return s;
};

// ---------------------------------------------------------------------------------------------------------
// Taking the snapshots: each page in a fresh context, as the peer suite's new visitor, with the banner shown.

const snapshot = async (browser: Browser, id: PageId, url: string): Promise<RawSnapshot> => {
  const context = await browser.newContext({ locale: 'en-US' });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await page.addInitScript(probe(id));
    await page.goto(url, { waitUntil: 'load' });
    await until(page, id, id === 'bare' ? 'gated' : 'banner');
    await page.waitForTimeout(SETTLE_MS);
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const chunks: string[] = [];
    cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    const text = chunks.join('');
    if (process.env.HEAP_SNAPSHOTS) {
      mkdirSync(process.env.HEAP_SNAPSHOTS, { recursive: true });
      writeFileSync(join(process.env.HEAP_SNAPSHOTS, `${id}.heapsnapshot`), text);
    }
    return JSON.parse(text);
  } finally {
    await context.close();
  }
};

// ---------------------------------------------------------------------------------------------------------
// The tables.

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const signed = (x: number, digits = 0) => `${x > 0 ? '+' : ''}${x.toFixed(digits)}`;
const over = (s: Summary, base: Summary, key: string): Sum => {
  const a = s.byGroup.get(key) ?? { count: 0, size: 0 };
  const b = base.byGroup.get(key) ?? { count: 0, size: 0 };
  return { count: a.count - b.count, size: a.size - b.size };
};

/** By constructor: each page over the bare page, sorted by how much more the page holds than the reference. */
const constructorTable = (page: PageId, ref: PageId, s: Record<PageId, Summary>, rows = 20) => {
  const keys = [...new Set([...s[page].byGroup.keys(), ...s[ref].byGroup.keys()])];
  const gap = (k: string) => over(s[page], s.bare, k).size - over(s[ref], s.bare, k).size;
  keys.sort((a, b) => gap(b) - gap(a));
  const total = (x: PageId) => s[x].total - s.bare.total;
  const lines = [
    `| constructor | ${LABELS[page]}: count, KB over bare | ${LABELS[ref]}: count, KB over bare | gap (KB) |`,
    '|---|---:|---:|---:|',
    `| **all (usedSize)** | ${kb(total(page))} | ${kb(total(ref))} | ${kb(total(page) - total(ref))} |`,
  ];
  for (const k of keys.slice(0, rows)) {
    const [a, b] = [over(s[page], s.bare, k), over(s[ref], s.bare, k)];
    lines.push(`| ${k} | ${signed(a.count)}, ${kb(a.size)} | ${signed(b.count)}, ${kb(b.size)} | ${kb(gap(k))} |`);
  }
  return lines.join('\n');
};

/** By owner: each owner's share of the page over the bare page's, and its largest constructors. */
const ownerTable = (id: PageId, s: Summary, base: Summary) => {
  const lines = [`| ${LABELS[id]}: owner | KB | largest constructors (KB) |`, '|---|---:|---|'];
  const shares = [...s.byOwner].map(([owner, groups]) => {
    const baseGroups = base.byOwner.get(owner);
    const diff = [...groups].map(([g, sum]): [string, number] => [g, sum.size - (baseGroups?.get(g)?.size ?? 0)]);
    return { owner, diff, size: diff.reduce((t, [, x]) => t + x, 0) };
  });
  for (const { owner, diff, size } of shares.sort((a, b) => b.size - a.size)) {
    if (Math.abs(size) < 512) continue;
    const top = diff.sort((a, b) => b[1] - a[1]).slice(0, 6);
    lines.push(`| ${owner} | ${kb(size)} | ${top.map(([g, x]) => `${g} ${kb(x)}`).join(', ')} |`);
  }
  return lines.join('\n');
};

/** The widget's functions that were compiled to machine code, largest first. */
const codeTable = (id: PageId, s: Summary) => {
  const own = s.code.filter((c) => !c.owner.startsWith('('));
  const lines = [`| ${LABELS[id]}: machine code of | tier | KB |`, '|---|---|---:|'];
  for (const c of own.sort((a, b) => b.size - a.size))
    lines.push(`| ${c.owner} \`${c.fn}\` | ${c.baseline ? 'baseline (Sparkplug)' : 'optimized'} | ${kb(c.size)} |`);
  return lines.join('\n');
};

/** The DOM interfaces the page's scripts touched and the bare page's did not: Blink creates each one's
 * templates (the interface, and every operation and attribute accessor) on first use. */
const interfaceList = (s: Summary, base: Summary) =>
  [...s.interfaces]
    .filter(([name]) => !base.interfaces.has(name))
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} (${n})`)
    .join(', ');

/** Strings of a KB or more that the bare page does not hold (but the bench's probe), with their copies. */
const stringTable = (id: PageId, s: Summary, base: Summary, rows = 12) => {
  const own = [...s.strings].filter(
    ([text, sum]) => sum.size >= 1024 && !base.strings.has(text) && !text.includes('window.__benchTool'),
  );
  if (!own.length) return `${LABELS[id]}: no string of a KB or more that the bare page does not hold.`;
  const lines = [`| ${LABELS[id]}: string (start) | copies | KB |`, '|---|---:|---:|'];
  for (const [text, sum] of own.sort((a, b) => b[1].size - a[1].size).slice(0, rows))
    lines.push(
      `| \`${JSON.stringify(text.slice(0, 60)).slice(1, -1).replaceAll('|', '\\|')}\` | ${sum.count} | ${kb(sum.size)} |`,
    );
  return lines.join('\n');
};

// ---------------------------------------------------------------------------------------------------------

const [page = 'assent', ref = 'cookieconsent'] = process.argv.slice(2) as PageId[];
for (const p of [page, ref])
  if (!(TOOLS as readonly string[]).includes(p)) throw new Error(`unknown page ${p}: ${TOOLS.join(', ')}`);
const c15tDir = mkdtempSync(join(tmpdir(), 'assent-heap-c15t-'));
await buildC15t(c15tDir);
const { server, pages } = await startServer(c15tDir);
const browser = await launch();
try {
  const s = {} as Record<PageId, Summary>;
  for (const id of [page, ref, 'bare'] as PageId[]) s[id] = summarize(await snapshot(browser, id, pages[id]));
  console.log(`## JS heap over the bare page, by constructor (Chromium ${browser.version()})\n`);
  console.log(constructorTable(page, ref, s));
  for (const id of [page, ref]) {
    console.log(`\n## ${LABELS[id]}: by owner, over the bare page's\n\n${ownerTable(id, s[id], s.bare)}`);
    console.log(`\n${codeTable(id, s[id])}\n\n${stringTable(id, s[id], s.bare)}`);
    console.log(`\nDOM interfaces set up (templates): ${interfaceList(s[id], s.bare) || 'none'}`);
    console.log(`\nExternal strings' payload, off the JS heap: ${kb(s[id].external - s.bare.external)} KB over bare`);
  }
} finally {
  await browser.close();
  server.kill();
  rmSync(c15tDir, { recursive: true, force: true });
}
