// The lazily loaded parts, as a bundler resolves them (the ES module build). The classic-script
// loader swaps this module for chunks-url.ts, which imports the same parts from the release folder.
import type { Load, Part, PartName } from './parts';

const modules = {
  sync: () => import('../sync/index'),
  cleanup: () => import('../cleanup/index'),
  ui: () => import('../ui/index'),
  placeholder: () => import('../ui/placeholder'),
  reopen: () => import('../ui/reopen'),
};

/** A part by name; `short-` texts are the whole texts here (the bundler build has them all). */
export const load: Load = <N extends PartName>(name: N) => {
  const [kind, language] = name.split('-');
  return (language ? import(`../ui/texts/${language}.ts`) : modules[kind as keyof typeof modules]()) as Promise<
    Part<N>
  >;
};
