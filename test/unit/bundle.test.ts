// `assent bundle`: the config written into a loader's source is the same config, whatever it holds,
// and nothing in it can break out of the string it is written as.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { embedConfig, expandPresets, jsString, LOADERS, SLOT, writeBundle } from '../../src/cli/bundle';

// The slot as the minified loader has it: `e=JSON.parse(null)??(()=>{…findConfig…})()`.
const LOADER = `!function(){let e;try{e=${SLOT}??(()=>"the page's config")()}catch(t){e=t}globalThis.found=e}();`;
const found = (code: string): unknown => {
  const context: { found?: unknown } = {};
  runInNewContext(code, context);
  return context.found;
};

// JSON text, so that `__proto__` is an own key as JSON.parse makes it, as in an inline config.
const HOSTILE = `{
  "policy": { "version": "</script><script>alert(1)</script>", "url": "<!-- <script>" },
  "lines": "a\u2028b\u2029c\\r\\n",
  "template": "\${alert(1)} \`backtick\`",
  "backslashes": "\\\\ \\\\\\" \\\\u0041 \\\\",
  "nul": "a\\u0000b",
  "surrogates": ["\\ud800", "\\udfff", "x\\udc00y\\ud83d", "\u{1F600}"],
  "replacement": "$& $' $\` $$ $1 JSON.parse(null)",
  "__proto__": { "polluted": true },
  "letters": "Mesure d’audience, Бисквитки, 同意"
}`;

describe('a config built into a loader', () => {
  it('reaches the loader as the very same value, however hostile its texts', () => {
    const config = JSON.parse(HOSTILE);
    const got = found(embedConfig(LOADER, config)) as Record<string, unknown>;
    expect(got).toEqual(config);
    expect(JSON.stringify(got)).toBe(JSON.stringify(config));
    // `__proto__` stays a key, as JSON.parse makes it: the object's prototype is untouched.
    expect(Object.hasOwn(got, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(got)).not.toHaveProperty('polluted');
    expect((got.surrogates as string[])[2]).toBe('x\udc00y\ud83d');
  });

  it('is written in ASCII, with no way out of the string nor out of an inline <script>', () => {
    const code = embedConfig(LOADER, JSON.parse(HOSTILE));
    const literal = code.slice(code.indexOf('JSON.parse(') + 11, code.indexOf(')??'));
    expect(literal).toMatch(/^"[^"\\]*(?:\\.[^"\\]*)*"$/);
    expect(literal).not.toContain('<');
    expect(code).not.toMatch(/<\/script|<!--/i);
    // ASCII only: no raw line separator, NUL or lone surrogate is left.
    expect(code).toMatch(/^[\x20-\x7e]*$/);
    // The rest of the loader is as it was.
    expect(code.startsWith('!function(){let e;try{e=JSON.parse("')).toBe(true);
    expect(code.endsWith(`")??(()=>"the page's config")()}catch(t){e=t}globalThis.found=e}();`)).toBe(true);
  });

  it('escapes each character that may not stand in a script as it is', () => {
    expect(jsString('</script>')).toBe('"\\u003c/script>"');
    expect(jsString('\u2028\u2029')).toBe('"\\u2028\\u2029"');
    expect(jsString('\0"\\')).toBe('"\\u0000\\"\\\\"');
    expect(jsString('\ud800')).toBe('"\\ud800"');
    expect(jsString('é😀')).toBe('"\\u00e9\\ud83d\\ude00"');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a text that a template literal would run
    for (const text of ['</script>', '\u2028', '\0', '\ud800', '${x}', 'é😀', '\\'])
      expect(runInNewContext(jsString(text))).toBe(text);
  });

  it('leaves a loader without a config built in to find the page’s', () => {
    expect(found(LOADER)).toBe("the page's config");
  });

  it('refuses a loader that has no slot, or more than one', () => {
    expect(() => embedConfig('!function(){}();', {}, 'assent.js')).toThrow(
      'assent.js has 0 slots for a built-in config, not 1',
    );
    expect(() => embedConfig(embedConfig(LOADER, {}), {})).toThrow('has 0 slots');
    expect(() => embedConfig(LOADER + LOADER, {})).toThrow('has 2 slots');
  });

  it('expands presets in one place, which today returns the config as it is', () => {
    const config = JSON.parse(HOSTILE);
    expect(expandPresets(config)).toBe(config);
  });
});

describe('writeBundle', () => {
  const prebuilt = () => {
    const dir = mkdtempSync(join(tmpdir(), 'assent-prebuilt-'));
    for (const name of LOADERS) writeFileSync(join(dir, name), `/*${name}*/${LOADER}`);
    mkdirSync(join(dir, 'chunks/0123456789'), { recursive: true });
    writeFileSync(join(dir, 'chunks/0123456789/ui.js'), 'export const ui = 1;');
    return dir;
  };

  it('writes the three loaders with the config, and the chunks they load', () => {
    const from = prebuilt();
    const out = join(mkdtempSync(join(tmpdir(), 'assent-out-')), 'site/assent');
    const config = { policy: { version: '7' } };
    expect(writeBundle(config, out, from)).toEqual(['assent.js', 'assent-autoblock.js', 'assent.dev.js', 'chunks/']);
    expect(readdirSync(out).sort()).toEqual(['assent-autoblock.js', 'assent.dev.js', 'assent.js', 'chunks']);
    for (const name of LOADERS) {
      const code = readFileSync(join(out, name), 'utf8');
      expect(code.startsWith(`/*${name}*/`)).toBe(true);
      expect(found(code)).toEqual(config);
    }
    expect(readFileSync(join(out, 'chunks/0123456789/ui.js'), 'utf8')).toBe('export const ui = 1;');
  });

  it('writes over an earlier bundle, and keeps its chunk folders for loaders still cached', () => {
    const from = prebuilt();
    const out = mkdtempSync(join(tmpdir(), 'assent-out-'));
    mkdirSync(join(out, 'chunks/oldrelease'), { recursive: true });
    writeBundle({ policy: { version: '1' } }, out, from);
    writeBundle({ policy: { version: '2' } }, out, from);
    expect(found(readFileSync(join(out, 'assent.js'), 'utf8'))).toEqual({ policy: { version: '2' } });
    expect(readdirSync(join(out, 'chunks')).sort()).toEqual(['0123456789', 'oldrelease']);
  });

  it('writes nothing when a loader is missing or has no slot, and never over the prebuilt loaders', () => {
    const from = prebuilt();
    const out = join(mkdtempSync(join(tmpdir(), 'assent-out-')), 'never');
    expect(() => writeBundle({}, from, from)).toThrow('is the folder of the prebuilt loaders');
    symlinkSync(from, `${out}-link`);
    expect(() => writeBundle({}, `${out}-link`, from)).toThrow('is the folder of the prebuilt loaders');
    writeFileSync(join(from, 'assent.dev.js'), '!function(){}();');
    expect(() => writeBundle({}, out, from)).toThrow('assent.dev.js has 0 slots');
    expect(existsSync(out)).toBe(false);
    expect(() => writeBundle({}, out, join(from, 'nowhere'))).toThrow('assent.js is missing');
    expect(existsSync(out)).toBe(false);
  });

  it('follows no symbolic link planted in the output: each is replaced or refused, and its target kept', () => {
    const from = prebuilt();
    const prebuiltLoader = readFileSync(join(from, 'assent.js'), 'utf8');
    const out = mkdtempSync(join(tmpdir(), 'assent-out-'));
    const victim = join(mkdtempSync(join(tmpdir(), 'assent-victim-')), 'victim.js');
    writeFileSync(victim, 'the victim');
    // The temporary name of earlier releases, pointing at the package's own loader.
    symlinkSync(join(from, 'assent.js'), join(out, 'assent.js.tmp'));
    symlinkSync(victim, join(out, 'assent.dev.js'));
    mkdirSync(join(out, 'chunks/0123456789'), { recursive: true });
    symlinkSync(victim, join(out, 'chunks/0123456789/ui.js'));
    writeBundle({ policy: { version: '3' } }, out, from);
    expect(readFileSync(join(from, 'assent.js'), 'utf8')).toBe(prebuiltLoader);
    expect(readFileSync(victim, 'utf8')).toBe('the victim');
    for (const name of LOADERS) {
      expect(lstatSync(join(out, name)).isFile()).toBe(true);
      expect(found(readFileSync(join(out, name), 'utf8'))).toEqual({ policy: { version: '3' } });
    }
    expect(lstatSync(join(out, 'chunks/0123456789/ui.js')).isFile()).toBe(true);
    expect(readFileSync(join(out, 'chunks/0123456789/ui.js'), 'utf8')).toBe('export const ui = 1;');
    // No temporary file or folder is left beside them.
    expect(readdirSync(out).sort()).toEqual([
      'assent-autoblock.js',
      'assent.dev.js',
      'assent.js',
      'assent.js.tmp',
      'chunks',
    ]);
    expect(readdirSync(join(out, 'chunks'))).toEqual(['0123456789']);
  });

  it('replaces a linked chunk folder with a real one, and refuses a linked chunks/ folder', () => {
    const from = prebuilt();
    const elsewhere = mkdtempSync(join(tmpdir(), 'assent-elsewhere-'));
    const out = mkdtempSync(join(tmpdir(), 'assent-out-'));
    mkdirSync(join(out, 'chunks'));
    symlinkSync(elsewhere, join(out, 'chunks/0123456789'));
    writeBundle({}, out, from);
    expect(lstatSync(join(out, 'chunks/0123456789')).isDirectory()).toBe(true);
    expect(readdirSync(elsewhere)).toEqual([]);
    // Served by any web server: the fresh folder is not left private as mkdtemp makes it.
    expect(statSync(join(out, 'chunks/0123456789')).mode & 0o777).toBe(0o755);

    const linked = mkdtempSync(join(tmpdir(), 'assent-out-'));
    symlinkSync(elsewhere, join(linked, 'chunks'));
    expect(() => writeBundle({}, linked, from)).toThrow(`${join(linked, 'chunks')} is not a folder`);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(join(linked, 'assent.js'))).toBe(false);
  });

  it('leaves the chunk folder of an earlier bundle of the same release where it is', () => {
    const from = prebuilt();
    const out = mkdtempSync(join(tmpdir(), 'assent-out-'));
    writeBundle({ policy: { version: '1' } }, out, from);
    const before = statSync(join(out, 'chunks/0123456789')).ino;
    writeBundle({ policy: { version: '2' } }, out, from);
    expect(statSync(join(out, 'chunks/0123456789')).ino).toBe(before);
    // A changed one is put back as the release has it.
    writeFileSync(join(out, 'chunks/0123456789/ui.js'), 'tampered');
    writeBundle({ policy: { version: '3' } }, out, from);
    expect(readFileSync(join(out, 'chunks/0123456789/ui.js'), 'utf8')).toBe('export const ui = 1;');
  });
});
