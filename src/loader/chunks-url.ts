// The lazily loaded parts of the classic-script loader: ES modules in a release folder named by the
// hash of its contents (chunks/<hash>/), so a new release never mixes old and new files.

import type * as Cleanup from '../cleanup/index';
import type { Texts } from '../core/texts';
import type * as Sync from '../sync/index';
import type * as Ui from '../ui/index';
import type * as Placeholder from '../ui/placeholder';
import type * as Reopen from '../ui/reopen';

declare const __CHUNKS__: string;

// Resolved against the loader's own URL, not the page's.
const base =
  ((document.currentScript as HTMLScriptElement | null)?.src || location.href).replace(/[^/]*$/, '') + __CHUNKS__;
// A module that failed to load stays failed for its URL, so a retry asks for another URL.
const failures: Record<string, number> = {};
const load = (name: string) =>
  import(/* @vite-ignore */ `${base + name}.js${failures[name] ? `?retry=${failures[name]}` : ''}`).catch((e) => {
    failures[name] = (failures[name] || 0) + 1;
    throw e;
  });

export const loadSync = (): Promise<typeof Sync> => load('sync');
export const loadCleanup = (): Promise<typeof Cleanup> => load('cleanup');
export const loadUi = (): Promise<typeof Ui> => load('ui');
export const loadPlaceholder = (): Promise<typeof Placeholder> => load('placeholder');
export const loadReopen = (): Promise<typeof Reopen> => load('reopen');
export const loadTexts = (language: string): Promise<{ default: Texts }> => load(`texts-${language}`);
export const loadShortTexts = (language: string): Promise<{ default: Texts }> => load(`short-${language}`);
