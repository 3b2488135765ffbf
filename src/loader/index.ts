// dist/assent.js: the classic script a site puts first in <head>.
import { startAssent } from './assent';
import { publish } from './global';

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

if (window.assent) console.warn('assent: loaded twice; the second copy does nothing');
else {
  let source: unknown;
  try {
    source = findConfig();
  } catch (e) {
    source = Promise.reject(e);
  }
  const api = startAssent(source as Parameters<typeof startAssent>[0]);
  if (__API__) publish(api);
}
