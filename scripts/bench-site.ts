// The bench pages, served from a process of their own so that the browser's requests never wait on
// the bench's own event loop. Prints one JSON line: the URL of each page.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pageWith, Site } from '../test/e2e/site';

const site = await new Site().start();
const config = JSON.parse(readFileSync(resolve(import.meta.dirname, '../demo/configs/blooom.json'), 'utf8'));
const article = '<article><h2>Product</h2><p>A page of a shop, with text and a few sections.</p></article>'.repeat(40);
console.log(JSON.stringify({ banner: site.page(pageWith(config, article)) }));
