// Gated scripts and iframes (SPEC §3): `<script type="text/plain" data-assent="…">` and
// `<iframe data-assent="…" data-src="…">` run once, in document order, when all their purposes are allowed.

const SELECTOR =
  'script[type="text/plain"][data-assent],iframe[data-assent][data-src],img[data-assent][data-src],img[data-assent][data-srcset],link[data-assent][data-href]';

/** The purpose ids an element names. */
export const gatedPurposes = (el: Element): string[] =>
  (el.getAttribute('data-assent') || '').split(/\s+/).filter(Boolean);

/** Whether the parser is still at this element: nothing has been parsed after it yet. */
export const parsing = (el: Node): boolean => {
  if (document.readyState !== 'loading') return false;
  for (let n: Node | null = el; n; n = n.parentNode) if (n.nextSibling) return false;
  return true;
};

/**
 * Starts gating: releases what is allowed now, watches for gated elements added later, and
 * returns the function that releases everything allowed since (call it after each change).
 */
export const startGate = (
  isAllowed: (purposes: string[]) => boolean,
  onBlockedFrame: (el: HTMLIFrameElement) => void,
  /** Filled with the purposes of every script released, so a withdrawal knows what already ran. */
  ran: string[],
  /** Auto-blocking's look at each element the page adds, before the gate's. */
  transform?: (el: Element) => unknown,
): (() => void) => {
  const seen = new WeakSet<Element>();
  // Inline scripts wait for the ordered external scripts before them; `chain` keeps that order and
  // `waiting` counts inline scripts still queued, behind which later external scripts must queue too.
  let chain: Promise<unknown> = Promise.resolve();
  let loads: Promise<unknown> = chain;
  let waiting = 0;

  const releaseScript = (old: HTMLScriptElement) => {
    // The browser never runs a script whose type is changed in place, so a new element takes its place.
    const s = document.createElement('script');
    for (const a of old.attributes) if (a.name !== 'type' && a.name !== 'data-type') s.setAttribute(a.name, a.value);
    const type = old.getAttribute('data-type');
    if (type) s.type = type;
    // Browsers hide nonces from getAttribute; the property still holds the value.
    s.nonce = old.nonce;
    s.text = old.text;
    const insert = () => old.replaceWith(s);
    if (!old.hasAttribute('src')) {
      waiting++;
      chain = chain
        .then(() => loads)
        .then(() => {
          waiting--;
          insert();
        });
      return;
    }
    // The tag that inserted the script may wait for its load or error event: the old element gets it too.
    const loaded = new Promise((done) => {
      s.onload = s.onerror = (e) => done(old.dispatchEvent(new Event((e as Event).type)));
    });
    if (old.hasAttribute('async')) return insert();
    s.async = false;
    const start = () => {
      insert();
      loads = Promise.all([loads, loaded]);
    };
    if (!waiting) return start();
    // Fetch now, run in order later.
    const hint = document.createElement('link');
    hint.rel = type === 'module' ? 'modulepreload' : 'preload';
    hint.as = 'script';
    hint.href = s.src;
    hint.nonce = s.nonce;
    // null and '' are the defaults: copied as they are, they change nothing.
    hint.crossOrigin = s.crossOrigin;
    hint.integrity = s.integrity;
    document.head.append(hint);
    chain = chain.then(start);
  };

  const consider = (el: Element) => {
    if (seen.has(el)) return;
    const script = el.tagName === 'SCRIPT';
    const purposes = gatedPurposes(el);
    if (!isAllowed(purposes)) {
      if (el.tagName === 'IFRAME') onBlockedFrame(el as HTMLIFrameElement);
      return;
    }
    seen.add(el);
    if (script) ran.push(...purposes);
    // Iframes, images and links get their URL back (an embed loaded once already has it); srcset
    // first, or WebKit fetches the image's src too.
    if (!script)
      for (const attr of ['srcset', 'src', 'href']) {
        const value = el.getAttribute(`data-${attr}`);
        if (value !== null && !el.getAttribute(attr)) el.setAttribute(attr, value);
      }
    else if (!waiting && parsing(el)) {
      // The parser has not prepared this script yet (it checks for mutations at </script> before it
      // does), so with its type restored it runs natively: in order, blocking, before DOMContentLoaded.
      const type = el.getAttribute('data-type');
      if (type) el.setAttribute('type', type);
      else el.removeAttribute('type');
    } else releaseScript(el as HTMLScriptElement);
  };
  const scan = (root: ParentNode) => root.querySelectorAll(SELECTOR).forEach(consider);

  new MutationObserver((records) => {
    // While the page parses, elements arrive one by one, mostly without children: only a
    // subtree added at once (innerHTML, append) needs a query.
    for (const r of records)
      for (const n of r.addedNodes)
        if (n.nodeType === 1) {
          transform?.(n as Element);
          if ((n as Element).matches(SELECTOR)) consider(n as Element);
          else if ((n as Element).firstElementChild) scan(n as Element);
        }
  }).observe(document.documentElement, { childList: true, subtree: true });

  const releaseAllowed = () => scan(document);
  releaseAllowed();
  return releaseAllowed;
};
