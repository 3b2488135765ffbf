// What the preference center adds to the banner's styles, in its own chunk. It fits from 320 px (and
// at 200 % zoom): the dialog takes the whole width but a margin, labels stand above their values
// until there is room beside them, and long names, URLs and cookie names wrap (THEME).
export const PREFERENCES_CSS = `dialog{background:var(--_bg);color:var(--_fg);border:1px solid var(--_border);border-radius:var(--_radius);padding:0;
inline-size:44rem;max-inline-size:calc(100% - 1rem);max-block-size:calc(100% - 1rem);display:flex;flex-direction:column}
dialog:not([open]){display:none}
dialog::backdrop{background:#000a}
.head,.foot{padding:.75rem 1rem;position:relative}
.head{border-block-end:1px solid var(--_border);padding-inline-end:3.25rem}
.head h2{font-size:clamp(1em,4.8vw,1.15em);margin:0}
.foot{border-block-start:1px solid var(--_border)}.foot .actions{margin:0}
.body{overflow:auto;padding:.5rem 1rem}
h2,h3,dt,strong{hyphens:auto}h3{font-size:1em;margin:0}
@media (max-height:24rem){dialog{overflow:auto}.body{overflow:visible}}
ul{list-style:none;margin:0;padding:0}
.purpose{border:1px solid var(--_border);border-radius:var(--_radius);padding:.75rem;margin:.6rem 0}
dd li+li{margin-block-start:.2rem}
.row{display:flex;flex-wrap:wrap;gap:.4rem .75rem;align-items:center;justify-content:space-between}
.muted{color:var(--_muted);font-size:.93em}
.always{font-weight:600;white-space:nowrap}
.toggle{display:flex;align-items:center;gap:.5rem;margin-inline-start:auto}
[role=switch]{flex-shrink:0}
[role=switch]{inline-size:3rem;block-size:1.75rem;min-height:24px;border-radius:1rem;border:2px solid var(--_fg);background:var(--_bg);
padding:0;cursor:pointer;position:relative}
[role=switch]::after{content:"";position:absolute;inset-block-start:.15rem;inset-inline-start:.2rem;inline-size:1.1rem;block-size:1.1rem;
border-radius:50%;background:var(--_fg);transition:inset-inline-start .15s}
[role=switch][aria-checked=true]{background:var(--_accent);border-color:var(--_accent)}
[role=switch][aria-checked=true]::after{inset-inline-start:1.45rem;background:var(--_on-accent)}
@media (prefers-reduced-motion:reduce){[role=switch]::after{transition:none}}
details{margin-block-start:.4rem}summary{cursor:pointer;color:var(--_accent);min-height:24px}
dl{margin:.5rem 0}dt{font-weight:600}dd{margin:0 0 .3rem}
@media (min-width:36rem){dl{display:grid;grid-template-columns:fit-content(14rem) minmax(0,1fr);gap:.2rem .75rem}dd{margin:0}}
.service{background:var(--_surface);border-radius:var(--_radius);padding:.5rem .75rem;margin:.4rem 0}
.note{background:var(--_surface);border-inline-start:4px solid var(--_accent);padding:.5rem .75rem;border-radius:var(--_radius)}
.body section{margin:1rem 0}
.status:empty{display:none}
.links{display:flex;flex-wrap:wrap;gap:.5rem}.links .btn{font-weight:400;min-height:36px;padding:.25em .8em}
@media (forced-colors:active){[role=switch][aria-checked=true]{background:Highlight}[role=switch]::after{background:ButtonText}
[role=switch][aria-checked=true]::after{background:HighlightText}}`;
