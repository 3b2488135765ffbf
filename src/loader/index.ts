// dist/assent.js: the classic script a site puts first in <head>.
import { startAssent } from './assent';
import { pushWaitingDefault } from './consent-mode';
import { reportIgnoredSources } from './dev';
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
    Promise.reject('add <script type="application/json" id="assent-config"> before the loader')
  );
};

const own = Object.getOwnPropertyDescriptor(window, 'assent');
let first: boolean | undefined;
/** A copy that blocks nothing, or a brand the page made up, before this auto-blocking one. */
let beforeMe = false;
// Only an own brand counts, read from the descriptor (a getter of the page's never runs here): a
// Proxy answers any key it is asked, and Object.prototype can carry the brand. A trap that throws
// fails closed, as does a primitive or no value at all. The auto-blocking loader defers only to a
// copy that blocks too (brand 2): after a plain copy, or a brand the page made up, it blocks itself.
try {
  first = Object.hasOwn(own?.value, BRAND);
  if (__AUTOBLOCK__ && first && !(own?.value[BRAND] > 1)) {
    first = false;
    beforeMe = true;
  }
} catch {}
if (first) console.warn('assent: loaded twice; the second copy does nothing');
else {
  let source: unknown;
  try {
    // `assent bundle` writes the site's config, a JSON string, over this null (src/cli/bundle.ts): a
    // config built in wins over every other source. JSON.parse(null) is null, and terser keeps the call.
    const builtIn = JSON.parse(null as never);
    if (__DEV__ && builtIn) reportIgnoredSources();
    source = builtIn ?? findConfig();
  } catch (e) {
    source = Promise.reject(e);
  }
  // A config fetched by URL, or none to be had (missing, not JSON): tags that run meanwhile, or ever,
  // find every Consent Mode type denied (SPEC §1).
  if (__CONSENT_MODE__ && source instanceof Promise) pushWaitingDefault();
  // Where tags cannot read the visitor's choice, nothing may run that needs one.
  // A value, getter or setter of the page's own stays untouched.
  const mine = !own && free();
  if (beforeMe)
    console.error('assent: assent-autoblock.js runs after another copy of Assent; load only assent-autoblock.js');
  const api = startAssent(source as Parameters<typeof startAssent>[0], !mine);
  if (__API__ && mine) publish(api);
}
