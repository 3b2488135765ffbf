// One small interface over the three engines, so a scenario is written once and runs in each:
// Chromium through puppeteer-core (CDP), Firefox through puppeteer-core (WebDriver BiDi), and WebKit
// through selenium-webdriver (classic WebDriver: WebKitWebDriver driving WebKitGTK's MiniBrowser under
// an Xvfb display of its own). Every browser is Debian's; nothing is downloaded.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type KeyInput, type Page } from 'puppeteer-core';
import { Builder, Key, Origin, type WebDriver } from 'selenium-webdriver';
import { chromiumLaunch } from '../e2e/chromium';

export type EngineName = 'chromium' | 'firefox' | 'webkit';

export interface Cookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  /** Seconds since the epoch; undefined for a session cookie. */
  expires?: number;
}

/** What a browser may be asked for when a session opens. */
export interface SessionOptions {
  /** The system prefers a dark colour scheme. */
  dark?: boolean;
  /**
   * A private window: Firefox starts with `browser.privatebrowsing.autostart`, MiniBrowser with
   * `--private`. Chromium's sessions are off-the-record contexts already, so it changes nothing there.
   */
  private?: boolean;
  /**
   * false: Tab skips links, as in Safari by default (MiniBrowser starts with
   * `--enable-tabs-to-links=false`). Chromium and Firefox always move to links.
   */
  tabsToLinks?: boolean;
}

export type PressKey = 'Tab' | 'Enter' | 'Escape' | ' ' | 'ArrowDown' | 'ArrowUp' | 'End' | 'Home';

// biome-ignore lint/suspicious/noExplicitAny: a page function's arguments are whatever JSON the test passes
type PageFunction<T> = (...args: any[]) => T | Promise<T>;

export interface Tab {
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Runs `fn` in the page (serialised, so it sees only its arguments) and awaits its result. */
  run<T>(fn: PageFunction<T>, ...args: unknown[]): Promise<T>;
  /** A real (trusted) pointer click on the first element `css` matches whose name is `name`. */
  click(css: string, name?: string): Promise<void>;
  /** A real key press, with Shift held when `shift` is set. */
  press(key: PressKey, shift?: boolean): Promise<void>;
  /** The browser's cookies for this tab's URL. */
  cookies(): Promise<Cookie[]>;
  /** Sets the viewport (the page's `innerWidth` × `innerHeight`, in CSS pixels). */
  resize(width: number, height: number): Promise<void>;
  /** A PNG of the viewport. */
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

/** A fresh profile: its own cookies, storage and IndexedDB. */
export interface Session {
  tab: Tab;
  newTab(): Promise<Tab>;
  close(): Promise<void>;
}

export interface Engine {
  name: EngineName;
  /** The browser's own name and version, for the report. */
  version: string;
  open(options?: SessionOptions): Promise<Session>;
  close(): Promise<void>;
}

/**
 * Finds, in the document and every open shadow root, the elements `css` matches whose accessible name
 * (aria-label, else aria-labelledby's text, else the text) is `name`. It runs in the page, so it is
 * written to be serialised: no imports, no closures.
 */
export const FIND_IN_PAGE = `(css, name) => {
  const roots = [document];
  for (let i = 0; i < roots.length; i++)
    for (const el of roots[i].querySelectorAll('*')) if (el.shadowRoot) roots.push(el.shadowRoot);
  const text = (el) => (el.textContent || '').replace(/\\s+/g, ' ').trim();
  const label = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label').trim();
    const ids = el.getAttribute('aria-labelledby');
    if (ids) {
      const root = el.getRootNode();
      return ids.split(/\\s+/).map((id) => text(root.getElementById ? root.getElementById(id) || document.getElementById(id) : document.getElementById(id))).join(' ').trim();
    }
    return text(el);
  };
  return roots.flatMap((r) => [...r.querySelectorAll(css)]).filter((el) => name === null || label(el) === name);
}`;

const CENTRE_OF = `(find, css, name) => {
  const el = find(css, name)[0];
  if (!el) return null;
  el.scrollIntoView({ block: 'center', inline: 'center' });
  const r = el.getBoundingClientRect();
  return { x: Math.round(r.left + r.width / 2), y: Math.round(r.top + r.height / 2) };
}`;

/** An expression, evaluated in the page, for the viewport point at the centre of the element. */
const centreOf = (css: string, name?: string) =>
  `(${CENTRE_OF})(${FIND_IN_PAGE}, ${JSON.stringify(css)}, ${JSON.stringify(name ?? null)})`;

const missing = (css: string, name?: string) =>
  new Error(`no element matches ${css}${name === undefined ? '' : ` named ${JSON.stringify(name)}`}`);

const chromiumArgs = [...chromiumLaunch.args];

// --- Chromium and Firefox: puppeteer-core -------------------------------------------------------

class PuppeteerTab implements Tab {
  constructor(readonly page: Page) {}

  /** A page of `context`; `emulateDark` for Chromium, whose colour scheme is set per page. */
  static async open(context: BrowserContext, emulateDark: boolean, window = false) {
    const page = await context.newPage(window ? { type: 'window' } : undefined);
    if (emulateDark) await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    return new PuppeteerTab(page);
  }

  async goto(url: string) {
    await this.page.goto(url);
  }
  async reload() {
    await this.page.reload();
  }
  run<T>(fn: PageFunction<T>, ...args: unknown[]): Promise<T> {
    return this.page.evaluate(fn as () => T, ...(args as [])) as Promise<T>;
  }
  async click(css: string, name?: string) {
    const at = (await this.page.evaluate(centreOf(css, name))) as { x: number; y: number } | null;
    if (!at) throw missing(css, name);
    await this.page.mouse.click(at.x, at.y);
  }
  async press(key: PressKey, shift = false) {
    if (shift) await this.page.keyboard.down('Shift');
    await this.page.keyboard.press(key as KeyInput);
    if (shift) await this.page.keyboard.up('Shift');
  }
  async cookies() {
    const all = await this.page.browserContext().cookies();
    const host = new URL(this.page.url()).hostname;
    return all
      .filter(
        (c) =>
          host === c.domain.replace(/^\./, '') || host.endsWith(c.domain.startsWith('.') ? c.domain : `.${c.domain}`),
      )
      .map((c) => ({
        name: c.name,
        value: c.value,
        domain: c.domain,
        path: c.path,
        expires: c.session || c.expires < 0 ? undefined : c.expires,
      }));
  }
  async resize(width: number, height: number) {
    await this.page.setViewport({ width, height });
  }
  async screenshot() {
    return Buffer.from(await this.page.screenshot());
  }
  close() {
    return this.page.close();
  }
}

class PuppeteerEngine implements Engine {
  private browsers = new Map<string, Promise<Browser>>();
  version = '';

  constructor(
    readonly name: 'chromium' | 'firefox',
    private readonly proxyPort: number,
  ) {}

  private launch(dark: boolean, privately: boolean): Promise<Browser> {
    if (this.name === 'chromium')
      return puppeteer.launch({
        browser: 'chrome',
        executablePath: chromiumLaunch.executablePath,
        headless: true,
        args: chromiumArgs,
      });
    return puppeteer.launch({
      browser: 'firefox',
      executablePath: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr',
      headless: true,
      extraPrefsFirefox: {
        // This ESR has no BiDi emulation of media features: the colour scheme is a preference.
        'ui.systemUsesDarkTheme': dark ? 1 : 0,
        // Host names under .test reach the test server through itself as a proxy; loopback goes direct.
        'network.proxy.type': 1,
        'network.proxy.http': '127.0.0.1',
        'network.proxy.http_port': this.proxyPort,
        'network.proxy.no_proxies_on': 'localhost, 127.0.0.1',
        'browser.safebrowsing.malware.enabled': false,
        'browser.safebrowsing.phishing.enabled': false,
        ...(privately && { 'browser.privatebrowsing.autostart': true }),
      },
    });
  }

  private browser(dark: boolean, privately = false) {
    // Chromium emulates the colour scheme per page; Firefox needs a browser started with the preferences.
    const firefox = this.name === 'firefox';
    const key = `${firefox && dark} ${firefox && privately}`;
    let browser = this.browsers.get(key);
    if (!browser) {
      browser = this.launch(firefox && dark, firefox && privately);
      this.browsers.set(key, browser);
    }
    return browser;
  }

  async start() {
    this.version = await (await this.browser(false)).version();
    return this;
  }

  async open(options: SessionOptions = {}): Promise<Session> {
    const dark = options.dark ?? false;
    const context = await (await this.browser(dark, options.private)).createBrowserContext();
    const emulate = dark && this.name === 'chromium';
    return {
      tab: await PuppeteerTab.open(context, emulate),
      // A window of its own, as in WebKit: a tab behind another is hidden, and Firefox then runs its
      // timers once a second at most.
      newTab: () => PuppeteerTab.open(context, emulate, true),
      close: () => context.close(),
    };
  }

  async close() {
    for (const browser of this.browsers.values()) await (await browser).close();
  }
}

// --- WebKit: WebKitWebDriver and MiniBrowser ----------------------------------------------------

const MINIBROWSER = process.env.MINIBROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

const KEYS: Record<PressKey, string> = {
  Tab: Key.TAB,
  Enter: Key.ENTER,
  Escape: Key.ESCAPE,
  ' ': Key.SPACE,
  ArrowDown: Key.ARROW_DOWN,
  ArrowUp: Key.ARROW_UP,
  End: Key.END,
  Home: Key.HOME,
};

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

/** Starts Xvfb on the first free display and returns it, e.g. `:99`. */
const startXvfb = () =>
  new Promise<{ display: string; process: ChildProcess }>((done, fail) => {
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    xvfb.stderr?.on('data', (d) => (errors += d));
    xvfb.once('error', fail);
    xvfb.once('exit', (code) => fail(new Error(`Xvfb exited with ${code}: ${errors.slice(-500)}`)));
    (xvfb.stdio[3] as NodeJS.ReadableStream).once('data', (d: Buffer) =>
      done({ display: `:${d.toString().trim()}`, process: xvfb }),
    );
  });

/**
 * A GTK configuration whose stylesheet lets MiniBrowser's toolbar shrink, so that its window can be as
 * narrow as a phone (its buttons and address field keep it 447 px wide otherwise). Web content does not
 * use GTK styles.
 */
const narrowToolbar = () => {
  const home = mkdtempSync(join(tmpdir(), 'assent-gtk-'));
  mkdirSync(join(home, 'gtk-3.0'));
  writeFileSync(
    join(home, 'gtk-3.0/gtk.css'),
    'button, entry { min-width: 0; padding: 0; margin: 0; border-width: 0; }',
  );
  return home;
};

/** One MiniBrowser: WebDriver drives one window at a time, so the tabs of a session take turns. */
class WebKitSession {
  private current = '';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly driver: WebDriver) {}

  /** Runs `work` with `handle`'s window current, after every earlier command of this session. */
  on<T>(handle: string | null, work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      if (handle !== null && this.current !== handle) {
        await this.driver.switchTo().window(handle);
        this.current = handle;
      }
      return work();
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** Opens a window of its own rather than a tab, so both pages stay visible and unthrottled. */
  newWindow() {
    return this.on(null, async () => {
      await this.driver.switchTo().newWindow('window');
      this.current = await this.driver.getWindowHandle();
      await this.driver.manage().window().setRect({ width: 1024, height: 768 });
      return this.current;
    });
  }

  async tab(handle: string): Promise<Tab> {
    this.current ||= handle;
    const d = this.driver;
    const on = <T>(work: () => Promise<T>) => this.on(handle, work);
    return {
      goto: (url) => on(() => d.get(url)),
      reload: () => on(() => d.navigate().refresh()),
      run: <T>(fn: PageFunction<T>, ...args: unknown[]) =>
        on(() => d.executeScript(`return (${fn}).apply(null, arguments)`, ...args) as Promise<T>),
      click: (css, name) =>
        on(async () => {
          const at = (await d.executeScript(`return ${centreOf(css, name)}`)) as { x: number; y: number } | null;
          if (!at) throw missing(css, name);
          await d.actions().move({ x: at.x, y: at.y, origin: Origin.VIEWPORT }).press().release().perform();
        }),
      press: (key, shift) =>
        on(async () => {
          const actions = d.actions();
          if (shift) actions.keyDown(Key.SHIFT);
          actions.sendKeys(KEYS[key]);
          if (shift) actions.keyUp(Key.SHIFT);
          await actions.perform();
        }),
      cookies: () =>
        on(async () =>
          (await d.manage().getCookies()).map((c) => ({
            name: c.name,
            value: c.value,
            domain: c.domain ?? '',
            path: c.path ?? '/',
            expires:
              c.expiry === undefined ? undefined : typeof c.expiry === 'number' ? c.expiry : c.expiry.getTime() / 1000,
          })),
        ),
      resize: (width, height) =>
        on(async () => {
          // The window is the viewport plus MiniBrowser's own frame, whatever size it has now.
          const [w, h] = (await d.executeScript(
            'return [outerWidth - innerWidth, outerHeight - innerHeight]',
          )) as number[];
          await d
            .manage()
            .window()
            .setRect({ width: width + w, height: height + h });
        }),
      screenshot: () => on(async () => Buffer.from(await d.takeScreenshot(), 'base64')),
      close: () => on(() => d.close()),
    };
  }
}

class WebKitEngine implements Engine {
  readonly name = 'webkit';
  version = '';
  private xvfb?: ChildProcess;
  private webdriver?: ChildProcess;
  private gtkHome?: string;
  private url = '';

  constructor(private readonly proxyPort: number) {}

  async start() {
    if (!existsSync(MINIBROWSER))
      throw new Error(`MiniBrowser not found at ${MINIBROWSER} (apt-get install webkit2gtk-driver)`);
    const { display, process: xvfb } = await startXvfb();
    this.xvfb = xvfb;
    const port = await freePort();
    this.webdriver = spawn('WebKitWebDriver', [`--port=${port}`], {
      stdio: 'ignore',
      env: { ...process.env, DISPLAY: display, XDG_CONFIG_HOME: (this.gtkHome = narrowToolbar()) },
    });
    this.url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`${this.url}/status`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await (await this.open()).close();
    return this;
  }

  async open(options: SessionOptions = {}): Promise<Session> {
    const args = ['--automation', ...(options.dark ? ['--dark-mode'] : []), ...(options.private ? ['--private'] : [])];
    if (options.tabsToLinks === false) args.push('--enable-tabs-to-links=false');
    const driver = await new Builder()
      .usingServer(this.url)
      .withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args },
        // Host names under .test reach the test server through itself as a proxy, which passes other
        // loopback servers' requests on (WebKitWebDriver hangs on a noProxy list).
        proxy: { proxyType: 'manual', httpProxy: `127.0.0.1:${this.proxyPort}` },
      })
      .build();
    await driver.manage().window().setRect({ width: 1024, height: 768 });
    const session = new WebKitSession(driver);
    this.version ||= `MiniBrowser/WebKitGTK ${(await driver.getCapabilities()).get('browserVersion')}`;
    return {
      tab: await session.tab(await driver.getWindowHandle()),
      newTab: async () => session.tab(await session.newWindow()),
      close: () => driver.quit(),
    };
  }

  async close() {
    this.webdriver?.kill();
    this.xvfb?.kill();
    if (this.gtkHome) rmSync(this.gtkHome, { recursive: true, force: true });
  }
}

/** Starts an engine; `proxyPort` is the test server, which also proxies the *.test host names. */
export async function startEngine(name: EngineName, proxyPort: number): Promise<Engine> {
  if (name === 'webkit') return new WebKitEngine(proxyPort).start();
  return new PuppeteerEngine(name, proxyPort).start();
}
