// The lazily loaded parts, as a bundler resolves them (the ES module build). The classic-script
// loader swaps this module for chunks-url.ts, which imports the same parts from the release folder.
import { type TextsKind, textsPart } from '../ui/text-parts';
import type { Load, Part, PartName } from './parts';

const modules = {
  sync: () => import('../sync/index'),
  receipt: () => import('../sync/receipt'),
  history: () => import('../sync/history'),
  download: () => import('../sync/download'),
  trouble: () => import('../sync/trouble'),
  plain: () => import('../sync/plain'),
  cleanup: () => import('../cleanup/index'),
  ui: () => import('../ui/index'),
  placeholder: () => import('../ui/placeholder'),
  reopen: () => import('../ui/reopen'),
};

/**
 * A part by name. Texts are split as in the release folder, so that a receipt hashes the same strings
 * in both builds.
 */
export const load: Load = <N extends PartName>(name: N) => {
  const [kind, language] = name.split('-');
  return (
    language
      ? import(`../ui/texts/${language}.ts`).then((m) => ({ default: textsPart(kind as TextsKind, m.default) }))
      : modules[kind as keyof typeof modules]()
  ) as Promise<Part<N>>;
};
