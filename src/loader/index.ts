// dist/assent.js: the classic script a site puts first in <head>.
import { startAssent } from './assent';
import { BRAND, free, publish } from './global';

const findConfig = (): unknown => {
  const attr = document.currentScript?.getAttribute('data-config');
  const inline = (id: string) => {
    const el = document.getElementById(id);
    if (!el) return;
    try {
      return JSON.parse(el.textContent as string);
    } catch (e) {
      throw `the JSON in #${id} is invalid: ${(e as Error).message}`;
    }
  };
  if (attr && attr[0] === '#') return inline(attr.slice(1)) ?? Promise.reject(`no element ${attr} holds the config`);
  if (attr) return fetch(attr).then((r) => (r.ok ? r.json() : Promise.reject(`${attr} answered ${r.status}`)));
  return (
    window.assentConfig ??
    inline('assent-config') ??
    Promise.reject('no config: add <script type="application/json" id="assent-config"> before the loader')
  );
};

const own = Object.getOwnPropertyDescriptor(window, 'assent');
let first: boolean | undefined;
// Only an own brand counts, read from the descriptor (a getter of the page's never runs here): a
// Proxy answers any key it is asked, and Object.prototype can carry the brand. A trap that throws
// fails closed, as does a primitive or no value at all.
try {
  first = Object.hasOwn(own?.value, BRAND);
} catch {}
if (first) console.warn('assent: loaded twice; the second copy does nothing');
else {
  let source: unknown;
  try {
    source = findConfig();
  } catch (e) {
    source = Promise.reject(e);
  }
  // Where tags cannot read the visitor's choice, nothing may run that needs one.
  // A value, getter or setter of the page's own stays untouched.
  const mine = !own && free();
  const api = startAssent(source as Parameters<typeof startAssent>[0], !mine);
  if (__API__ && mine) publish(api);
}
