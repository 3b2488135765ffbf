// The lazily loaded parts of the classic-script loader: content-hashed ES modules next to it.
import type * as Recorder from '../sync/record';

declare const __CHUNKS__: { record: string };

// Chunk URLs are resolved against the loader's own URL, not the page's.
const base = ((document.currentScript as HTMLScriptElement | null)?.src || location.href).replace(/[^/]*$/, '');

export const loadRecorder = (): Promise<typeof Recorder> => import(/* @vite-ignore */ base + __CHUNKS__.record);
