// The consent inspector (demo): a side panel that shows, live, what a marketer's code sees on the
// page: assent.getState(), Assent's events, the dataLayer, the gated and auto-blocked elements, the
// cookies and storage, and this browser's receipts with their signatures checked against the JWKS.
// Everything is written with textContent: nothing from the page becomes markup.
import { type Jwks, verifySignature } from '../../src/core/signature';
import type { Receipt } from '../../src/core/types';

const COLLECTOR = '/consent/';
const w = window as unknown as { dataLayer?: unknown[]; demoLog?: string[] };

const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...kids: Node[]
) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...kids);
  return e;
};
const text = (s: string) => document.createTextNode(s);

/** A titled part of the panel; its body is replaced whole on each update. */
const section = (id: string, title: string) => {
  const body = el('div', { className: 'body' });
  const part = el(
    'section',
    { id: `inspector-${id}` },
    el('h3', { id: `inspector-${id}-title`, textContent: title }),
    body,
  );
  part.setAttribute('aria-labelledby', `inspector-${id}-title`);
  return { part, fill: (...nodes: Node[]) => body.replaceChildren(...nodes) };
};
const pre = (s: string) => el('pre', { tabIndex: 0, textContent: s });
const items = (lines: string[], empty: string) =>
  lines.length
    ? el('ul', { tabIndex: 0 }, ...lines.map((l) => el('li', { textContent: l })))
    : el('p', { textContent: empty });

const state = section('state', 'assent.getState()');
const events = section('events', 'Events');
const dataLayer = section('datalayer', 'dataLayer');
const scripts = section('scripts', 'Scripts and embeds');
const jar = section('cookies', 'Cookies and storage');
const receipts = section('receipts', 'Receipts and outbox');

const panel = el('aside', { className: 'inspector' });
panel.setAttribute('aria-labelledby', 'inspector-title');
const toggle = el('button', { type: 'button', textContent: 'Hide' });
toggle.setAttribute('aria-expanded', 'true');
toggle.setAttribute('aria-controls', 'inspector-parts');
const parts = el(
  'div',
  { id: 'inspector-parts' },
  state.part,
  events.part,
  dataLayer.part,
  scripts.part,
  jar.part,
  receipts.part,
);
panel.append(
  el('div', { className: 'head' }, el('h2', { id: 'inspector-title', textContent: 'Consent inspector' }), toggle),
  parts,
);
const showParts = (open: boolean) => {
  parts.hidden = !open;
  toggle.textContent = open ? 'Hide' : 'Show';
  toggle.setAttribute('aria-expanded', String(open));
  document.documentElement.classList.toggle('inspector-open', open);
};
toggle.onclick = () => showParts(parts.hidden);
// `?inspector=hidden` starts with the panel folded, as the page looks to a real visitor (a scanner
// run on the demo uses it).
showParts(new URLSearchParams(location.search).get('inspector') !== 'hidden');

const log: string[] = [];
const time = () => new Date().toISOString().slice(11, 23);

const entry = (e: unknown) =>
  JSON.stringify(e && typeof e === 'object' && 'length' in e ? Array.from(e as ArrayLike<unknown>) : e);

/** A gated element: what it loads, for which purposes, and whether it is still held. */
const gated = (e: Element) => {
  const url =
    e.getAttribute('src') || e.getAttribute('data-src') || e.getAttribute('href') || e.getAttribute('data-href');
  const held =
    e.tagName === 'SCRIPT'
      ? e.getAttribute('type') === 'text/plain'
      : !(e.getAttribute('src') || e.getAttribute('href'));
  return `${held ? 'blocked' : 'released'}: ${e.tagName.toLowerCase()} ${url ?? '(inline)'} [${e.getAttribute('data-assent')}]`;
};

let jwks: Promise<Jwks> | undefined;
const verdicts = new Map<string, string>();
const check = async (r: Receipt & { signature?: string }) => {
  if (!r.signature) return 'in the outbox: not delivered yet';
  const known = verdicts.get(r.id);
  if (known) return known;
  jwks ||= fetch(`${COLLECTOR}.well-known/jwks.json`).then((res) => res.json() as Promise<Jwks>);
  // The browser's copy carries the signature beside the receipt; the signed payload is the receipt alone.
  const { signature, ...receipt } = r;
  const v = await verifySignature(signature, await jwks, { json: receipt, consentId: r.consentId });
  const said = v.state === 'verified' ? `signature verified (key ${v.kid})` : `signature ${v.state}: ${v.reason}`;
  verdicts.set(r.id, said);
  return said;
};

const render = async () => {
  const api = window.assent;
  if (!api) {
    state.fill(el('p', { textContent: 'window.assent is not there: the loader did not run.' }));
    return;
  }
  state.fill(pre(JSON.stringify(api.getState(), null, 2)));
  events.fill(items(log.slice(-30).reverse(), 'No event yet.'));
  dataLayer.fill(items((w.dataLayer ?? []).map(entry), 'Empty.'));
  const held = [...document.querySelectorAll('[data-assent]')].map(gated);
  scripts.fill(
    items(held, 'No gated element on this page.'),
    el('p', {}, text(`Ran: ${(w.demoLog ?? []).join(', ') || 'no third-party tag yet'}`)),
  );
  jar.fill(
    items(
      [
        ...document.cookie
          .split('; ')
          .filter(Boolean)
          .map((c) => `cookie ${c.length > 70 ? `${c.slice(0, 70)}…` : c}`),
        ...Object.keys(localStorage).map((k) => `localStorage ${k}`),
        ...Object.keys(sessionStorage).map((k) => `sessionStorage ${k}`),
      ],
      'No cookie and nothing stored.',
    ),
  );
  const list = await api.receipts();
  const lines = await Promise.all(
    list.map(
      async (r) =>
        `${r.timestamp.slice(11, 19)} ${r.method}: ${
          r.purposes
            .filter((p) => p.granted && p.basis === 'consent')
            .map((p) => p.id)
            .join(', ') || 'no consent purpose granted'
        } · ${await check(r)}`,
    ),
  );
  receipts.fill(items(lines, 'No receipt in this browser yet.'));
};

let queued = false;
const update = () => {
  if (queued) return;
  queued = true;
  setTimeout(() => {
    queued = false;
    render().catch((e) => console.error('inspector:', e));
  }, 50);
};

type Api = NonNullable<typeof window.assent>;
const queue = window as unknown as { assentQueue?: { push: (f: (api: Api) => void) => void } };
(queue.assentQueue ||= [] as ((api: Api) => void)[]).push((api: Api) => {
  for (const name of ['ready', 'change', 'show', 'hide', 'sync', 'error'] as const)
    api.on(name, (detail: unknown) => {
      const d = detail as { changed?: string[]; view?: string; ids?: string[]; code?: string; message?: string };
      const what = d?.changed ?? d?.view ?? d?.ids?.length ?? d?.code ?? '';
      log.push(`${time()} ${name}${what !== '' ? ` ${JSON.stringify(what)}` : ''}`);
      update();
    });
});
document.addEventListener('demo:ran', update);
const start = () => {
  document.body.append(panel);
  update();
  // Cookies and the dataLayer change without events: look again now and then.
  setInterval(update, 1000);
};
if (document.body) start();
else document.addEventListener('DOMContentLoaded', start);
