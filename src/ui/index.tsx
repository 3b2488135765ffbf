// The UI chunk: the banner, loaded only when something must be shown. The preference center is a chunk
// of its own, fetched with its strings when the visitor reaches for it: most visitors answer in the
// banner. No preact/hooks (900 B brotli): the view is module state, drawn again by render(), and the
// views are classes.
import { Component, render } from 'preact';
import { type Choices, choicesForAll } from '../core/bases';
import type { ViewName } from '../core/types';
import { textIn, withOverrides } from './format';
import type { UiHost } from './host';
import { Actions, CloseButton, WithPolicyLink, withBases } from './parts';
import { adopt, shadowHost, whenBody } from './shadow';
import { UI_CSS } from './styles';
import type { BannerTexts, PreferencesOwnTexts, PreferencesTexts } from './text-parts';

let root: ShadowRoot | undefined;
/** Where the views render, and a polite status beside them that outlives every view. */
let views: HTMLElement;
let status: HTMLElement;
/** The preference center's chunk and its own strings, once both have loaded. */
let preferences: [typeof import('./Preferences'), PreferencesOwnTexts] | undefined;
let loading: Promise<unknown> | undefined;
const loadPreferences = (host: UiHost) =>
  (loading ||= Promise.all([import('./Preferences'), host.load(`prefs-${host.language}`)]).then(
    ([m, texts]) => {
      preferences = [m, texts.default];
      if (root) adopt(root, m.PREFERENCES_CSS);
    },
    (e) => {
      loading = undefined;
      console.error(`assent: could not load the preference center (${e})`);
      throw e;
    },
  ));
let shows = 0;
/** The view on screen now. */
let shown: ViewName | null = null;
/** What the last show() call that drew asked for, and whether "Choose" has opened the preference center since. */
let drawn: { host: UiHost; builtIn: BannerTexts; chose: boolean };

/** Puts a text in the polite status beside the views. */
const say = (text: string) => {
  status.textContent = text;
};

/** Shows a view (or, with null, nothing). Called by the loader with the banner's strings in the page's language. */
export const show = (host: UiHost, builtIn: BannerTexts, view: ViewName | null) => {
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
      if (preferences) adopt(root, preferences[0].PREFERENCES_CSS);
      views = root.appendChild(document.createElement('div'));
      // Not inside a view, so that it is still there (and not inert behind a modal) once the view
      // it speaks for has closed, whoever closed it.
      status = root.appendChild(document.createElement('p'));
      status.className = 'sr';
      status.setAttribute('role', 'status');
      status.lang = host.language;
    }
    drawn = { host, builtIn, chose: false };
    setView(view);
  };
  whenBody(() => (view === 'preferences' && !preferences ? loadPreferences(host).then(draw, () => {}) : draw()));
};

/**
 * Renders a view, or nothing, and tells the loader. Preact's render() commits at once: `show` fires with
 * the frame that shows the view.
 */
const setView = (view: ViewName | null) => {
  const now = drawn;
  const { host, builtIn } = now;
  // The strings the view shows, with the site's overrides (complete for the preference center: its
  // own have loaded). A decision's receipt hashes those of the view it was made in.
  const texts = withOverrides(
    { ...builtIn, ...(view === 'preferences' && preferences?.[1]) },
    host.config.ui?.texts?.[host.language],
  ) as PreferencesTexts;
  // A decision closes its view, banner or preference center, as Escape does (focus goes back to
  // what opened it), and is announced. The decision is in force before its receipt is recorded,
  // so a receipt that could not be recorded yet (offline) closes the view too; a later show() call
  // has drawn its own view by then, which stays.
  const decide = (method: 'banner' | 'preferences', answers: Choices) => {
    const done = () => {
      if (now === drawn) setView(null);
      say(texts.saved);
    };
    const recorded = host.decide(method, answers, texts);
    recorded.then(done, done);
    return recorded;
  };
  const Preferences = preferences?.[0].Preferences;
  render(
    view === 'banner' ? (
      <Banner
        host={host}
        texts={texts}
        refocus={now.chose}
        onDecide={decide}
        onChoose={() =>
          loadPreferences(host).then(
            () => {
              // The banner's "Choose" is gone while the preference center is open: the banner that
              // comes back with its close takes the focus there again.
              now.chose = true;
              setView('preferences');
            },
            () => {},
          )
        }
        onClose={() => setView(null)}
      />
    ) : view === 'preferences' && Preferences ? (
      <Preferences
        host={host}
        texts={texts}
        onDecide={decide}
        onClose={() => setView(host.api.getState().decided ? null : 'banner')}
      />
    ) : null,
    views,
  );
  if (view === shown) return;
  shown = view;
  host.shown(view);
  // Emptied while a view is open, so that the next save is announced again.
  if (view) say('');
};

interface BannerProps {
  host: UiHost;
  texts: BannerTexts;
  onDecide: (method: 'banner', answers: Choices) => Promise<unknown>;
  onChoose: () => void;
  onClose: () => void;
  /** Focus "Choose" once shown: the preference center it opened has closed. */
  refocus?: boolean;
}

export class Banner extends Component<BannerProps> {
  // Keeps the focused element of the page clear of the banner (WCAG 2.4.11) while it is shown. A ref
  // callback runs before the browser paints, and its clean-up (Preact calls it instead of the ref with
  // null) before the banner leaves: focus is back on "Choose" by the time the preference center is gone.
  keepClear = (box: HTMLElement | null) => {
    const el = box as HTMLElement;
    const position = this.props.host.config.ui?.position;
    const html = document.documentElement.style;
    const side = position === 'top' ? 'scrollPaddingTop' : 'scrollPaddingBottom';
    const before = html[side];
    if (position !== 'center') html[side] = `${el.offsetHeight + 16}px`;
    if (this.props.refocus) (el.querySelector('.alt') as HTMLElement).focus();
    return () => {
      html[side] = before;
    };
  };

  render() {
    const { host, texts, onDecide, onChoose, onClose } = this.props;
    const { config } = host;
    // The visitor is about to decide: fetch what recording it needs.
    const prepare = () => {
      host.load('sync');
      host.load('receipt');
    };
    return (
      <section
        ref={this.keepClear}
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
        <Actions
          texts={texts}
          onAll={(grant) =>
            onDecide('banner', choicesForAll(config.purposes, grant, host.gpcDenied, host.api.getState().purposes))
          }
          other={texts.customize}
          onOther={onChoose}
          // The visitor reaches for "Choose": fetch the preference center, and only then.
          onReach={() => loadPreferences(host).catch(() => {})}
        />
      </section>
    );
  }
}
