// The lazily loaded parts, as a bundler resolves them (the ES module build). The classic-script
// loader swaps this module for chunks-url.ts, which imports the same parts from the release folder.
import type { Texts } from '../core/texts';

export const loadSync = () => import('../sync/index');
export const loadCleanup = () => import('../cleanup/index');
export const loadUi = () => import('../ui/index');
export const loadPlaceholder = () => import('../ui/placeholder');
export const loadReopen = () => import('../ui/reopen');
export const loadTexts = (language: string): Promise<{ default: Texts }> => import(`../ui/texts/${language}.ts`);
/** The few strings of the placeholder and the reopen button (the bundler build has them all). */
export const loadShortTexts = loadTexts;
