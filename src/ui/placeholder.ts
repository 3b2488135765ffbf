// The embed placeholder chunk (≤ 2 KB, no Preact): stands in for a gated iframe, at its size, until
// its purposes are allowed or the visitor loads this one embed.
import { isRequired } from '../core/bases';
import { matchesPattern } from '../core/patterns';
import type { Texts } from '../core/texts';
import { fill, textIn, withOverrides } from './format';
import type { UiHost } from './host';
import { shadowHost, THEME } from './shadow';

export type PlaceholderTexts = Pick<Texts, 'placeholder' | 'loadOnce' | 'alwaysAllow'>;

// Centred by auto margins rather than justify-content: in an embed too small for it, the content then
// starts at the top and scrolls instead of being cut off above.
const CSS = `${THEME}
:host{display:inline-block;max-inline-size:100%;overflow:auto}
div{box-sizing:border-box;block-size:100%;min-block-size:100%;display:flex;flex-direction:column;align-items:center;gap:.6rem;
padding:1rem;text-align:center;background:var(--_surface);color:var(--_fg);border:1px solid var(--_border);border-radius:var(--_radius)}
p{margin:auto 0 0;max-inline-size:40rem;white-space:pre-line}.alt{margin-block-end:auto}`;

const placed = new Map<HTMLIFrameElement, () => void>();
let listening: unknown;

/** Puts a placeholder in front of a blocked iframe. */
export const place = (host: UiHost, builtIn: PlaceholderTexts, iframe: HTMLIFrameElement) => {
  const { config, api } = host;
  if (placed.has(iframe) || iframe.getAttribute('src')) return;
  const texts = withOverrides(builtIn, config.ui?.texts?.[host.language]);
  const t = textIn(host.language);
  const purposes = (iframe.getAttribute('data-assent') || '').split(/\s+/).filter(Boolean);
  const src = iframe.getAttribute('data-src') || '';
  const service =
    config.services?.find((s) => s.match?.some((m) => matchesPattern(m, src)))?.name ||
    new URL(src, location.href).hostname;
  const purpose = purposes.map((id) => t(config.purposes.find((p) => p.id === id)?.title) || id).join(', ');

  const { width, height } = iframe.getBoundingClientRect();
  const { host: box, root } = shadowHost('placeholder', CSS, config);
  box.style.width = `${width}px`;
  box.style.height = `${height}px`;
  const frame = document.createElement('div');
  frame.setAttribute('role', 'group');
  frame.setAttribute('aria-label', service);
  frame.lang = host.language;
  const text = document.createElement('p');
  text.textContent = fill(texts.placeholder, { service, purpose });
  const button = (label: string, cls: string, onClick: () => void) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `btn ${cls}`;
    b.textContent = label;
    b.onclick = onClick;
    return b;
  };
  const display = iframe.style.getPropertyValue('display');
  const priority = iframe.style.getPropertyPriority('display');
  const remove = () => {
    // Focus on a button of this placeholder goes on to the embed that takes its place, not to the body.
    const focused = root.activeElement;
    placed.delete(iframe);
    box.remove();
    iframe.style.setProperty('display', display, priority);
    if (focused) iframe.focus();
  };
  frame.append(
    text,
    button(texts.loadOnce, 'main', () => {
      // Not setAttribute or the src property: auto-blocking holds this embed back there, and the
      // visitor asked for this one.
      iframe.setAttributeNS(null, 'src', src);
      remove();
    }),
    // The visitor's own choice (method `placeholder`), for the purposes this embed needs; the
    // others stay as they are, so the banner still asks about them.
    button(fill(texts.alwaysAllow, { purpose }), 'alt', () =>
      host.decide(
        'placeholder',
        Object.fromEntries(
          config.purposes.filter((p) => purposes.includes(p.id) && !isRequired(p)).map((p) => [p.id, true]),
        ),
      ),
    ),
  );
  root.append(frame);
  iframe.before(box);
  iframe.style.setProperty('display', 'none', 'important');
  placed.set(iframe, remove);
  if (!listening)
    listening = api.on('change', () => {
      for (const [el, unplace] of placed) if (el.getAttribute('src')) unplace();
    });
};
