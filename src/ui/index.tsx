// The UI chunk: the banner, loaded only when something must be shown. The preference center is a chunk
// of its own, fetched when the visitor is about to open it: most visitors answer in the banner.
import { render } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { type Choices, choicesForAll } from '../core/bases';
import type { Texts } from '../core/texts';
import type { Method, ViewName } from '../core/types';
import { textIn, withOverrides } from './format';
import type { UiHost } from './host';
import { Actions, CloseButton, WithPolicyLink, withBases } from './parts';
import { adopt, shadowHost, whenBody } from './shadow';
import { UI_CSS } from './styles';

let root: ShadowRoot | undefined;
/** Where the views render, and a polite status beside them that outlives every view. */
let views: HTMLElement;
let status: HTMLElement;
let Preferences: typeof import('./Preferences').Preferences | undefined;
let css = '';
let preferences: Promise<unknown> | undefined;
const loadPreferences = () =>
  (preferences ||= import('./Preferences').then(
    (m) => {
      Preferences = m.Preferences;
      css = m.PREFERENCES_CSS;
      if (root) adopt(root, css);
    },
    (e) => {
      preferences = undefined;
      console.error(`assent: could not load the preference center (${e})`);
      throw e;
    },
  ));
let shows = 0;
/** The view on screen now. */
let shown: ViewName | null = null;

/** Shows a view (or, with null, nothing). Called by the loader with the texts of the page's language. */
export const show = (host: UiHost, builtIn: Texts, view: ViewName | null) => {
  const call = ++shows;
  const draw = () => {
    // Only the last call counts, however long the preference center and the page's body took to
    // arrive; a view already on screen is left as it is.
    if (call !== shows || view === shown) return;
    if (!root) {
      const made = shadowHost('main', UI_CSS, host.config);
      root = made.root;
      // Outside the shadow root, where tools that look for a consent banner (scanners, audits, site
      // owners' scripts) look first: an id that says what it is, on a box placed where the banner is.
      made.host.id = 'assent-consent';
      made.host.setAttribute('data-position', host.config.ui?.position || 'bottom');
      const dir = document.documentElement.dir;
      if (dir) made.host.dir = dir;
      document.body.prepend(made.host);
      if (css) adopt(root, css);
      views = root.appendChild(document.createElement('div'));
      // Not inside a view, so that it is still there (and not inert behind a modal) once the view
      // it speaks for has closed, whoever closed it.
      status = root.appendChild(document.createElement('p'));
      status.className = 'sr';
      status.setAttribute('role', 'status');
      status.lang = host.language;
    }
    const texts = withOverrides(builtIn, host.config.ui?.texts?.[host.language]);
    const say = (text: string) => {
      status.textContent = text;
    };
    render(<App host={host} texts={texts} initial={view} say={say} key={Math.random()} />, views);
  };
  whenBody(() => (view === 'preferences' && !Preferences ? loadPreferences().then(draw, () => {}) : draw()));
};

interface AppProps {
  host: UiHost;
  texts: Texts;
  initial: ViewName | null;
  /** Puts a text in the polite status beside the views. */
  say: (text: string) => void;
}

export const App = ({ host, texts, initial, say }: AppProps) => {
  const [view, setView] = useState(initial);
  // Before the browser paints, so that `show` fires with the frame that shows the view.
  useLayoutEffect(() => {
    shown = view;
    host.shown(view);
    // Emptied while a view is open, so that the next save is announced again.
    if (view) say('');
  }, [view]);
  // A decision closes its view, banner or preference center, as Escape does (focus goes back to
  // what opened it), and is announced. The decision is in force before its receipt is recorded,
  // so a receipt that could not be recorded yet (offline) closes the view too.
  const decide = (method: Method, answers: Choices) => {
    const done = () => {
      setView(null);
      say(texts.saved);
    };
    const recorded = host.decide(method, answers, texts);
    recorded.then(done, done);
    return recorded;
  };
  const close = () => setView(host.api.getState().decided ? null : 'banner');
  // The banner's "Choose" is gone while the preference center is open: the banner that comes back
  // with its close takes the focus there again.
  const chose = useRef(false);
  return view === 'banner' ? (
    <Banner
      host={host}
      texts={texts}
      refocus={chose.current}
      onDecide={decide}
      onChoose={() =>
        loadPreferences().then(
          () => {
            chose.current = true;
            setView('preferences');
          },
          () => {},
        )
      }
      onClose={() => setView(null)}
    />
  ) : view === 'preferences' && Preferences ? (
    <Preferences host={host} texts={texts} onDecide={decide} onClose={close} />
  ) : null;
};

interface BannerProps {
  host: UiHost;
  texts: Texts;
  onDecide: (method: Method, answers: Choices) => Promise<unknown>;
  onChoose: () => void;
  onClose: () => void;
  /** Focus "Choose" once shown: the preference center it opened has closed. */
  refocus?: boolean;
}

export const Banner = ({ host, texts, onDecide, onChoose, onClose, refocus }: BannerProps) => {
  const { config, gpcDenied } = host;
  const position = config.ui?.position || 'bottom';
  const box = useRef<HTMLElement>(null);
  // Keep the focused element of the page clear of the banner (WCAG 2.4.11), then restore. Before the
  // browser paints: focus is back on "Choose" by the time the preference center is gone.
  useLayoutEffect(() => {
    const html = document.documentElement.style;
    const side = position === 'top' ? 'scrollPaddingTop' : 'scrollPaddingBottom';
    const before = html[side];
    const el = box.current as HTMLElement;
    if (position !== 'center') html[side] = `${el.offsetHeight + 16}px`;
    if (refocus) (el.querySelector('.alt') as HTMLElement).focus();
    return () => {
      html[side] = before;
    };
  }, []);
  // The visitor is about to decide or to choose: fetch what either needs.
  const prepare = () => {
    host.load('sync');
    loadPreferences().catch(() => {});
  };
  const all = (grant: boolean) =>
    onDecide('banner', choicesForAll(config.purposes, grant, gpcDenied, host.api.getState().purposes));
  return (
    <section
      ref={box}
      class="banner consent-banner"
      aria-labelledby="assent-banner-label assent-banner-title"
      lang={host.language}
      onPointerOver={prepare}
      onFocusIn={prepare}
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <span id="assent-banner-label" hidden>
        {texts.bannerLabel}
      </span>
      <h2 id="assent-banner-title">{texts.bannerTitle}</h2>
      {/* Drawn beside the title: first in the Tab order, as it is on screen. */}
      <CloseButton texts={texts} onClose={onClose} />
      <WithPolicyLink
        text={withBases(texts.bannerText, texts, config.purposes)}
        texts={texts}
        url={textIn(host.language)(config.policy.url)}
      />
      <Actions texts={texts} onAll={all} other={texts.customize} onOther={onChoose} />
    </section>
  );
};
