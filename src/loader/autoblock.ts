// Auto-blocking (dist/assent-autoblock.js, SPEC §3): elements whose URL matches a service's `match`
// make no request before their purposes are allowed, however a tag inserts them. Each is turned into
// the gated form the gate already knows (`type="text/plain"`, `data-src`, `data-href`), and is released
// by it in order on consent.
import type { AssentConfig } from '../core/config';
import { patternRegExp } from '../core/patterns';
import { parsing } from './gate';

type Target = [tag: string, attribute: string];
const TARGETS: Target[] = [
  ['SCRIPT', 'src'],
  ['IFRAME', 'src'],
  ['IMG', 'src'],
  ['IMG', 'srcset'],
  ['LINK', 'href'],
];
const isTarget = (el: Element, name: string) => TARGETS.some(([tag, attr]) => el.tagName === tag && attr === name);

/**
 * Installs the blocker; returns the hook the gate calls for each element the parser adds. Nothing is
 * installed when no service has `match`.
 */
export const installAutoblock = (config: AssentConfig | undefined, isAllowed: (purposes: string[]) => boolean) => {
  // A config that failed its check may hold anything here: whatever is not a list blocks nothing, a
  // pattern that is no valid /regex/ is left out, and nothing throws into the page's own scripts.
  const list = <T>(x: T[] | undefined): T[] => (Array.isArray(x) ? x : []);
  const rules = list(config?.services).flatMap((s) =>
    list(s?.match).flatMap((m) => {
      try {
        const pattern = String(m);
        const re = patternRegExp(pattern);
        const matches = (url: string) => {
          if (!re) return url.includes(pattern);
          // Compiled once: a /g/ or /y/ pattern would otherwise go on from where it last matched.
          re.lastIndex = 0;
          return re.test(url);
        };
        return [[matches, list(s.purposes)] as const];
      } catch {
        return [];
      }
    }),
  );
  if (!rules.length) return;
  const proto = Element.prototype;
  const setAttribute = proto.setAttribute;
  const removeAttribute = proto.removeAttribute;

  /** Blocks the element when the URL needs a purpose not allowed; true when the attribute must not be set. */
  const block = (el: Element, name: string, value: string): boolean => {
    let url = value;
    try {
      url = new URL(value.split(/\s/)[0], document.baseURI).href;
    } catch {}
    const purposes = rules.find(([matches]) => matches(url))?.[1];
    if (!purposes || isAllowed(purposes)) return false;
    setAttribute.call(el, 'data-assent', purposes.join(' '));
    if (el.tagName === 'SCRIPT') {
      // A script of another type makes no request and never runs: its src may stay.
      const type = el.getAttribute('type');
      if (type && type !== 'text/plain') setAttribute.call(el, 'data-type', type);
      setAttribute.call(el, 'type', 'text/plain');
      return false;
    }
    setAttribute.call(el, `data-${name}`, value);
    return true;
  };

  proto.setAttribute = function (this: Element, name: string, value: string) {
    const n = name.toLowerCase();
    if (isTarget(this, n) && block(this, n, String(value))) return;
    setAttribute.call(this, name, value);
  };
  for (const [tag, attr] of TARGETS) {
    const ctor = { SCRIPT: HTMLScriptElement, IFRAME: HTMLIFrameElement, IMG: HTMLImageElement, LINK: HTMLLinkElement }[
      tag
    ] as typeof HTMLElement;
    const property = Object.getOwnPropertyDescriptor(ctor.prototype, attr) as PropertyDescriptor;
    Object.defineProperty(ctor.prototype, attr, {
      ...property,
      set(this: Element, value: string) {
        if (!block(this, attr, String(value))) property.set?.call(this, value);
      },
    });
  }
  // A tag that sets the type after the src must not make a blocked script runnable again.
  const type = Object.getOwnPropertyDescriptor(HTMLScriptElement.prototype, 'type') as PropertyDescriptor;
  Object.defineProperty(HTMLScriptElement.prototype, 'type', {
    ...type,
    set(this: HTMLScriptElement, value: string) {
      if (this.getAttribute('type') === 'text/plain' && this.hasAttribute('data-assent'))
        setAttribute.call(this, 'data-type', value);
      else type.set?.call(this, value);
    },
  });

  // HTML strings are parsed into an inert template first: nothing there loads. Markup with nothing
  // to block passes through untouched (document.write may write half an element).
  const html = Object.getOwnPropertyDescriptor(proto, 'innerHTML') as PropertyDescriptor;
  // Scripts that innerHTML inserts never run, and are left alone; document.write's do run.
  const inert = (markup: string, scripts?: boolean) => {
    const template = document.createElement('template');
    html.set?.call(template, markup);
    let changed = false;
    for (const el of template.content.querySelectorAll(
      `${scripts ? 'script[src],' : ''}iframe[src],img[src],img[srcset],link[href]`,
    ))
      changed = transform(el) || changed;
    return changed ? (html.get?.call(template) as string) : markup;
  };
  /** Blocks an element that already has its attributes; true when it changed. */
  const transform = (el: Element) => {
    // An element the page gated itself keeps its purposes; any other is checked for each of its URLs.
    const gated = el.hasAttribute('data-assent');
    for (const [, attr] of TARGETS) {
      const value = el.getAttribute(attr);
      if (value !== null && !gated && isTarget(el, attr) && block(el, attr, value)) {
        removeAttribute.call(el, attr);
        // A stylesheet whose load has started still applies once its URL is gone (WebKit, and Chromium
        // at times): a copy without it takes its place.
        if (el.tagName === 'LINK') el.replaceWith(el.cloneNode());
      }
    }
    return !gated && el.hasAttribute('data-assent');
  };
  Object.defineProperty(proto, 'innerHTML', {
    ...html,
    set(this: Element, markup: string) {
      html.set?.call(this, inert(String(markup)));
    },
  });
  const insertAdjacentHTML = proto.insertAdjacentHTML;
  proto.insertAdjacentHTML = function (this: Element, where: InsertPosition, markup: string) {
    insertAdjacentHTML.call(this, where, inert(String(markup)));
  };
  const write = document.write;
  document.write = (...markup: string[]) => write.call(document, inert(markup.join(''), true));

  // Elements the parser adds: a script is caught before the parser prepares it. A script anywhere else
  // came from innerHTML or the like, which the browser never runs: blocking it would only run it later.
  return (el: Element) => (el.tagName !== 'SCRIPT' || parsing(el)) && transform(el);
};
