// The isolated box every UI part renders in: an element of the host page with an open shadow root,
// styled only through constructable stylesheets (no <style>, no inline style attributes: strict CSP).
import type { AssentConfig } from '../core/config';

const sheets = new Map<string, CSSStyleSheet>();

/** Runs once the page has a body: the loader, first in <head>, may load a part before it exists. */
export const whenBody = (run: () => void) =>
  document.body ? run() : document.addEventListener('DOMContentLoaded', run, { once: true });

/** Creates `<tag data-assent-ui="name">` with an open shadow root styled by `css` and the theme. */
export const shadowHost = (name: string, css: string, config: AssentConfig, tag = 'div') => {
  const host = document.createElement(tag);
  host.setAttribute('data-assent-ui', name);
  for (const [key, value] of Object.entries(config.ui?.theme || {})) host.style.setProperty(`--assent-${key}`, value);
  const root = host.attachShadow({ mode: 'open' });
  adopt(root, css);
  return { host, root };
};

/** Adds a stylesheet to a shadow root; each text becomes one sheet, shared by every root. */
export const adopt = (root: ShadowRoot, css: string) => {
  let sheet = sheets.get(css);
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    sheets.set(css, sheet);
  }
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
};

/**
 * Theme variables with their defaults, light and dark (README "Theming"). Scroll bars take the theme's
 * colours: Firefox on Linux draws them in the system's colours otherwise, whatever the colour scheme
 * (light ones in the dark theme).
 */
export const THEME = `:host{all:initial;color-scheme:light dark;scrollbar-color:var(--_muted) transparent;
--_bg:var(--assent-bg,#fff);--_fg:var(--assent-fg,#1d1d1f);--_muted:var(--assent-muted,#52525b);
--_accent:var(--assent-accent,#1d4ed8);--_on-accent:var(--assent-on-accent,#fff);--_border:var(--assent-border,#71717a);
--_surface:var(--assent-surface,#f4f4f5);--_focus:var(--assent-focus,#1d4ed8);--_radius:var(--assent-radius,8px);
--_font:var(--assent-font,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);
font:15px/1.5 var(--_font);color:var(--_fg);overflow-wrap:anywhere}
@media (prefers-color-scheme:dark){:host{
--_bg:var(--assent-dark-bg,#1c1c1e);--_fg:var(--assent-dark-fg,#f4f4f5);--_muted:var(--assent-dark-muted,#c4c4cc);
--_accent:var(--assent-dark-accent,#93b4ff);--_on-accent:var(--assent-dark-on-accent,#0b1020);--_border:var(--assent-dark-border,#8e8e96);
--_surface:var(--assent-dark-surface,#2c2c30);--_focus:var(--assent-dark-focus,#93b4ff)}}
*{box-sizing:border-box}
:focus-visible{outline:3px solid var(--_focus);outline-offset:2px}
.btn{font:inherit;font-weight:600;min-height:44px;min-width:44px;padding:.5em .75em;hyphens:auto;border-radius:var(--_radius);cursor:pointer;border:2px solid var(--_accent)}
.btn.main{background:var(--_accent);color:var(--_on-accent)}
.btn.alt{background:transparent;color:var(--_fg);border-color:var(--_border)}
@media (forced-colors:active){.btn{border:2px solid ButtonText}}`;
