// The banner's styles (the preference center adds its own, in its chunk). Logical properties only, so
// right-to-left pages mirror. The host element is the banner's box (found by tools that cannot see
// into the shadow root); its position wins over the page's own styles for elements like it.
import { THEME } from './shadow';

export const UI_CSS = `${THEME}
:host{position:fixed!important;z-index:2147483647;inset-inline:0;margin:0 auto;max-inline-size:60rem}
:host([data-position=bottom]){inset-block-end:.5rem}:host([data-position=top]){inset-block-start:.5rem}
:host([data-position=center]){inset-block-start:50%;transform:translateY(-50%)}
.banner{position:relative;max-block-size:85vh;overflow:auto;
background:var(--_bg);color:var(--_fg);border:1px solid var(--_border);border-radius:var(--_radius);padding:1rem 1.25rem;
box-shadow:0 4px 24px #0004}
@media (max-width:40rem){:host{inset-inline:.25rem}.banner{padding-inline:1rem}}
h2{font-size:1.15em;margin-block:0 .4em;margin-inline:0 2rem}p{margin:.4em 0}
a{color:var(--_accent)}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-block-start:.75rem}
.actions .btn{flex:1 1 7.5rem}
.x{position:absolute;inset-inline-end:.25rem;inset-block-start:.25rem;font:inherit;font-size:1.4em;line-height:1;min-width:44px;min-height:44px;
background:none;border:0;color:var(--_fg);cursor:pointer;border-radius:var(--_radius)}
.sr{position:fixed;inline-size:1px;block-size:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}`;
