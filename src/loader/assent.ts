// The consent state of one page and the API around it (SPEC §2–§5). Everything here runs on every
// page view, so it decides synchronously from the inline config and the cookie.
import {
  allowedPurposes,
  type Choices,
  changedPurposes,
  choicesForAll,
  gpcDenied,
  isDecided,
  isRequired,
} from '../core/bases';
import type { AssentConfig } from '../core/config';
import type { DecodedConsent } from '../core/cookie';
import { type Decision, decisionFromCookie, maxAgeDays } from '../core/decision';
import { pickLanguage } from '../core/i18n';
import { uuid } from '../core/ids';
import type { Texts } from '../core/texts';
import type { AssentApi, AssentEventName, AssentEvents, ConsentState, Method, Receipt, ViewName } from '../core/types';
import type { SyncHost } from '../sync/index';

type SyncModule = typeof import('../sync/index');

import type { UiHost } from '../ui/host';
import { installAutoblock } from './autoblock';
import { configProblem } from './check';
import { loadCleanup, loadPlaceholder, loadReopen, loadShortTexts, loadSync, loadTexts, loadUi } from './chunks';
import { pushConsentMode } from './consent-mode';
import { readConsentCookie, writeConsentCookie } from './cookie-jar';
import { reportConfig } from './dev';
import { startGate } from './gate';
import { watchTabs } from './tabs';

// biome-ignore lint/suspicious/noExplicitAny: one list holds the handlers of every event
type Handler = (detail: any) => void;

const HINT = '; `npx assent check` or assent.dev.js report every problem';
const fail = (message: string) => Promise.reject(new Error(`assent: ${message}`));

/**
 * Starts Assent on this page with a config, or a promise of one (a config fetched by URL: until it
 * arrives nothing is allowed but required purposes, and nothing runs).
 */
export const startAssent = (source: AssentConfig | Promise<unknown>): AssentApi => {
  const handlers: Partial<Record<AssentEventName, Handler[]>> = {};
  let config: AssentConfig | undefined;
  let state: ConsentState = { decided: false, purposes: {}, id: '', version: '', updatedAt: null, method: null };
  let decision: Decision;
  let denied: string[] = [];
  let language = 'en';
  let cookieName = 'assent';
  let ready: ConsentState | undefined;
  let releaseAllowed = () => {};
  let tellTabs = () => {};
  const warned: string[] = [];
  const ran: string[] = [];

  const emit = <E extends AssentEventName>(event: E, detail: AssentEvents[E]) => {
    if (!__API__) return;
    for (const h of handlers[event] || [])
      try {
        h(detail);
      } catch (e) {
        console.error('assent: an event handler threw', e);
      }
    dispatchEvent(new CustomEvent(`assent:${event}`, { detail }));
  };
  const error = (code: string, message: string) => {
    console.error(`assent: ${message}`);
    emit('error', { code, message });
  };
  const warnOnce = (message: string) => {
    if (!warned.includes(message)) {
      warned.push(message);
      console.warn(`assent: ${message}`);
    }
  };
  const on: AssentApi['on'] = (event, handler) => {
    if (event === 'ready' && ready) handler({ state: ready } as never);
    else (handlers[event] ||= [] as Handler[]).push(handler as Handler);
    return () => {
      handlers[event] = handlers[event]?.filter((h) => h !== handler);
    };
  };
  const snapshot = (): ConsentState => ({ ...state, purposes: { ...state.purposes } });
  const allows = (ids: string[]) =>
    ids.length > 0 &&
    ids.every((id) => {
      if (id in state.purposes) return state.purposes[id];
      warnOnce(`data-assent names an unknown purpose "${id}"; the element stays blocked`);
      return false;
    });

  // Derives the state from the decision, and tells everyone who listens what changed.
  const update = (initial?: boolean) => {
    const c = config as AssentConfig;
    const before = state.purposes;
    state = {
      decided: isDecided(c.purposes, decision.choices),
      purposes: allowedPurposes(c.purposes, decision.choices, denied),
      id: decision.consentId,
      version: c.policy.version,
      updatedAt: decision.updatedAt === null ? null : new Date(decision.updatedAt).toISOString(),
      method: decision.method,
    };
    if (__CONSENT_MODE__ && (!initial || decision.updatedAt !== null)) pushConsentMode(c, state.purposes, 'update');
    if (c.dataLayer !== false) {
      const assent: Record<string, string> = {};
      for (const id in state.purposes) assent[id] = state.purposes[id] ? 'granted' : 'denied';
      ((window as unknown as { dataLayer: unknown[] }).dataLayer ||= []).push({
        event: initial ? 'assent_ready' : 'assent_update',
        assent,
      });
    }
    // Released before anyone hears of the change, so that handlers see the page as it now is.
    releaseAllowed();
    if (ready) {
      const changed = changedPurposes(before, state.purposes);
      const withdrawn = changed.filter((id) => before[id]);
      if (withdrawn.length)
        loadCleanup().then((m) => {
          m.clean(c, withdrawn);
          // Scripts of a withdrawn purpose that already ran keep running until the page reloads.
          if (c.consent?.reloadOnWithdraw && withdrawn.some((id) => ran.includes(id))) location.reload();
        });
      emit('change', { state: snapshot(), changed });
      // A decision made elsewhere (the API, another tab) answers the banner too.
      if (state.decided && view === 'banner') showView(null);
      showReopenButton();
    }
  };

  // Writes the decision to the cookie only.
  const persist = (next: Decision) => {
    decision = next;
    if (!__COOKIE__) return;
    const c = config as AssentConfig;
    const kept = writeConsentCookie(
      cookieName,
      // A decision with a method has its time; the cookie adds the policy version.
      next.method ? ({ ...next, policyVersion: c.policy.version } as DecodedConsent) : null,
      maxAgeDays(c),
      c.consent?.cookieDomain,
    );
    if (!kept) error('cookie', 'the browser did not keep the consent cookie; the choice lasts for this page only');
  };
  const save = (next: Decision) => {
    persist(next);
    update();
    tellTabs();
  };

  // What the lazily loaded parts get (the UI's and the sync chunk's interfaces in one object);
  // config, language, gpcDenied and api join it at init.
  let loaded: Decision;
  let view: ViewName | null = null;
  const host = {
    emit,
    // The decision as this page found it: a receipt its predecessor could not store is rebuilt from it.
    decision: () => loaded,
    state: snapshot,
    // The same merge as the UI's withOverrides, spelled out: a call costs the loader 16 B of brotli.
    uiTexts: () => loadTexts(language).then((t) => ({ ...t.default, ...config?.ui?.texts?.[language] })),
    setPending: (pending: boolean) => {
      if (decision.method && decision.pending !== pending) persist({ ...decision, pending });
    },
    download: () => sync().then((m) => m.download()),
    prepare: () => {
      loadSync();
    },
    shown: (next: ViewName | null) => {
      if (view) emit('hide', { view });
      view = next;
      if (view) emit('show', { view });
    },
  } as unknown as UiHost & SyncHost;
  // The sync chunk: receipts, history, delivery. Started once, on first use.
  const sync = () =>
    loadSync().then((m) => {
      m.start(host);
      return m;
    });

  // Records a decision: the visitor's answers, merged over the ones in force.
  const decide = (method: Method, answers: Choices, texts?: Texts): Promise<Receipt> => {
    const c = config;
    if (!c) return fail('no valid config');
    const time = Date.now();
    const previousId = decision.receiptId;
    save({
      consentId: decision.consentId || uuid(),
      receiptId: uuid(time),
      updatedAt: time,
      method,
      gpc: decision.gpc || denied.length > 0,
      // Set at once, so that the next page view sends the receipt if this one closes first.
      pending: !!c.endpoint,
      choices: { ...decision.choices, ...answers },
    });
    const input = {
      config: c,
      language,
      id: decision.receiptId as string,
      consentId: decision.consentId,
      previousId,
      time,
      method,
      origin: location.origin,
      gpc: denied.length > 0,
      purposes: state.purposes,
    };
    const recordIn = (m: SyncModule) => m.record(input, texts as Record<string, string> | undefined);
    return sync().then(recordIn, (e) => {
      // Offline, say: the decision stands, and its receipt is recorded once the sync chunk loads.
      unrecorded.push(recordIn);
      addEventListener('online', recordLater, { once: true });
      setTimeout(recordLater, 5000);
      throw e;
    });
  };
  const unrecorded: ((m: SyncModule) => unknown)[] = [];
  const recordLater = () => {
    if (unrecorded.length)
      sync().then((m) => {
        for (const recordIn of unrecorded.splice(0)) recordIn(m);
      });
  };

  const stored = () =>
    decisionFromCookie(__COOKIE__ ? readConsentCookie(cookieName) : null, config as AssentConfig, Date.now());
  const reread = () => {
    if (!config) return;
    const next = stored();
    if (next.receiptId !== decision.receiptId || next.consentId !== decision.consentId) {
      decision = next;
      update();
    }
  };

  // The UI parts load only when something must be shown, in parallel with the page.
  host.decide = decide;
  const whenBody = (run: () => void) =>
    document.body ? run() : document.addEventListener('DOMContentLoaded', run, { once: true });
  // The last view asked for wins, however the files and the page's body arrive.
  let wanted: ViewName | null = null;
  let ui: Promise<[typeof import('../ui/index'), { default: Texts }]> | undefined;
  const showView = (next: ViewName | null) => {
    if (!config || !(next || view)) return;
    wanted = next;
    (ui ||= Promise.all([loadUi(), loadTexts(language)])).then(
      ([m, texts]) => whenBody(() => wanted !== view && m.show(host, texts.default, wanted)),
      (e) => error('ui', `could not load the UI (${e})`),
    );
  };
  const withShortTexts = <T>(load: () => Promise<T>, use: (part: T, texts: Texts) => void) =>
    Promise.all([load(), loadShortTexts(language)]).then(
      ([part, texts]) => whenBody(() => use(part, texts.default)),
      (e) => error('ui', `could not load the UI (${e})`),
    );
  const showReopenButton = () => {
    if (state.decided && config?.ui?.reopenButton) withShortTexts(loadReopen, (m, texts) => m.mount(host, texts));
  };

  // Without __API__ (a bench build that prices it), nothing but the state is left.
  const api: AssentApi = !__API__
    ? ({ getState: snapshot } as AssentApi)
    : {
        version: __VERSION__,
        get: (id) => {
          if (id in state.purposes) return state.purposes[id];
          console.warn(`assent: get("${id}"): unknown purpose`);
          return false;
        },
        getState: snapshot,
        acceptAll: () => decide('api', choicesForAll(config?.purposes || [], true, denied, decision?.choices)),
        rejectAll: () => decide('api', choicesForAll(config?.purposes || [], false, denied)),
        set: (choices) => {
          for (const id in choices) {
            const p = config?.purposes.find((x) => x.id === id);
            const problem = !p
              ? 'unknown purpose'
              : isRequired(p)
                ? 'always active'
                : typeof choices[id] !== 'boolean' && 'not true or false';
            if (problem) return fail(`set(): ${problem}: "${id}"`);
          }
          return decide('api', choices);
        },
        whenAllowed: (id) =>
          new Promise((resolve, reject) => {
            on('ready', () => {
              if (!(id in state.purposes)) return reject(new Error(`assent: unknown purpose "${id}"`));
              if (state.purposes[id]) return resolve();
              const off = on('change', () => {
                if (state.purposes[id]) {
                  off();
                  resolve();
                }
              });
            });
          }),
        show: () => showView('banner'),
        showPreferences: () => showView('preferences'),
        hide: () => showView(null),
        on,
        receipts: () => (config ? sync().then((m) => m.receipts()) : Promise.resolve([])),
        forget: () => {
          if (!config) return Promise.resolve();
          const consentId = decision.consentId;
          save(decisionFromCookie(null, config, 0));
          // From the preference center, the dialog says so and the banner follows when it closes.
          if (!view) showView('banner');
          return sync().then((m) => m.forget(consentId));
        },
      };

  const init = (c: AssentConfig, problem = __DEV__ ? reportConfig(c) : configProblem(c)) => {
    let recordGpc = false;
    if (problem) {
      // Fail closed: only purposes that are always active, and valid, are allowed.
      for (const p of (Array.isArray(c?.purposes) && c.purposes) || [])
        if (p && typeof p.id === 'string' && isRequired(p)) state.purposes[p.id] = true;
      error('config', __DEV__ ? problem : problem + HINT);
    } else {
      config = c;
      cookieName = c.consent?.cookieName || 'assent';
      if (!__AUTOBLOCK__ && Array.isArray(c.services) && c.services.some((s) => s?.match?.length))
        console.warn('assent: config.services[].match needs assent-autoblock.js');
      language = pickLanguage([c.language, document.documentElement.lang, ...navigator.languages]);
      decision = loaded = stored();
      if (decision.pending) sync();
      // The banner's files start downloading now, in parallel with the page.
      if (!isDecided(c.purposes, decision.choices)) showView('banner');
      const signal = (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
      denied = gpcDenied(c.purposes, c.consent?.gpc || 'deny-marketing', signal);
      Object.assign(host, { config: c, language, gpcDenied: denied });
      if (__CONSENT_MODE__)
        pushConsentMode(
          c,
          allowedPurposes(c.purposes, {}, denied),
          'default',
          !isDecided(c.purposes, decision.choices),
        );
      if (denied.length && !decision.gpc) {
        // The signal overrides the answers in force, and is recorded once, in a receipt of its own.
        for (const id of denied) if (id in decision.choices) decision.choices[id] = false;
        recordGpc = true;
      }
      update(true);
      if (__TABS__) tellTabs = watchTabs(`assent:${cookieName}`, reread);
    }
    host.api = api;
    if (__GATING__)
      releaseAllowed = startGate(
        allows,
        (frame) => withShortTexts(loadPlaceholder, (m, texts) => m.place(host, texts, frame)),
        ran,
        __AUTOBLOCK__ && config ? installAutoblock(config, allows) : undefined,
      );
    ready = snapshot();
    emit('ready', { state: ready });
    showReopenButton();
    if (recordGpc) decide('gpc', {}).catch((e) => error('receipt', String(e)));
  };

  // Any element with data-assent-open opens the preference center.
  document.addEventListener('click', (e) => {
    if ((e.target as Element | null)?.closest?.('[data-assent-open]')) {
      e.preventDefault();
      api.showPreferences();
    }
  });

  if (source instanceof Promise)
    source.then(
      (c) => init(c as AssentConfig),
      (e) => init(undefined as never, `the config could not be loaded (${e})`),
    );
  else init(source);
  return api;
};
