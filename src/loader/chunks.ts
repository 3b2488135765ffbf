// The lazily loaded parts, as a bundler resolves them (the ES module build). The classic-script
// loader swaps this module for chunks-url.ts, which imports the content-hashed files by URL.
export const loadRecorder = () => import('../sync/record');
