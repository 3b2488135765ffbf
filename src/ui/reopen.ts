// The reopen-button chunk (≤ 2 KB, no Preact): a small floating button that opens the preference
// center after a decision, so withdrawing stays as easy as consenting.
import type { Texts } from '../core/texts';
import { withOverrides } from './format';
import type { UiHost } from './host';
import { shadowHost, THEME, whenBody } from './shadow';

export type ReopenTexts = Pick<Texts, 'reopen'>;

const CSS = `${THEME}
button{position:fixed;z-index:2147483646;inset-block-end:.75rem;inset-inline-start:.75rem;inline-size:44px;block-size:44px;border-radius:50%;
padding:0;display:grid;place-items:center;background:var(--_bg);color:var(--_fg);border:2px solid var(--_border);cursor:pointer;box-shadow:0 2px 8px #0003}
svg{inline-size:24px;block-size:24px;fill:none;stroke:currentColor;stroke-width:1.8}`;

let button: HTMLButtonElement | undefined;

/** Shows the button once per page. */
export const mount = (host: UiHost, builtIn: ReopenTexts) => {
  if (button) return;
  const texts = withOverrides(builtIn, host.config.ui?.texts?.[host.language]);
  const { host: box, root } = shadowHost('reopen', CSS, host.config, 'aside');
  box.setAttribute('aria-label', texts.reopen);
  button = document.createElement('button');
  button.type = 'button';
  button.title = texts.reopen;
  button.setAttribute('aria-label', texts.reopen);
  button.lang = host.language;
  // A cookie outline: drawn with DOM calls, as the CSP allows no inline markup.
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M12 3a9 9 0 1 0 9 9 3 3 0 0 1-3-3 3 3 0 0 1-3-3 3 3 0 0 1-3-3zM8 11h.01M10 16h.01M15 14h.01');
  svg.append(path);
  button.append(svg);
  button.onclick = () => host.api.showPreferences();
  root.append(button);
  whenBody(() => document.body.append(box));
};
