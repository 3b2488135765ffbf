// The consent state of one page and the API around it (SPEC §2–§5). Everything here runs on every
// page view, so it decides synchronously from the inline config and the cookie.
import {
  allowedPurposes,
  type Choices,
  changedPurposes,
  choicesForAll,
  emptyMap,
  gpcDenied,
  has,
  isDecided,
  isRequired,
} from '../core/bases';
import type { AssentConfig, Purpose } from '../core/config';
import { type DecodedConsent, decodeConsentCookie, encodeConsentCookie } from '../core/cookie';
import { type Decision, decisionFromCookie, maxAgeDays } from '../core/decision';
import { pickLanguage } from '../core/i18n';
import { uuid } from '../core/ids';
import type { Texts } from '../core/texts';
import type {
  AssentApi,
  AssentEventName,
  AssentEvents,
  ConsentState,
  ErrorCode,
  Method,
  Receipt,
  ViewName,
} from '../core/types';
import type { SyncHost } from '../sync/index';

type SyncModule = typeof import('../sync/index');

import { CLEANUP_OWED } from '../cleanup/owed';
import type { UiHost } from '../ui/host';
import { installAutoblock } from './autoblock';
import { configProblem } from './check';
import { load } from './chunks';
import { dataLayer, pushConsentMode } from './consent-mode';
import { readCookie, writeCookie } from './cookie-jar';
import { reportConfig } from './dev';
import { startGate } from './gate';
import type { Part } from './parts';
import { watchTabs } from './tabs';

// biome-ignore lint/suspicious/noExplicitAny: one list holds the handlers of every event
type Handler = (detail: any) => void;

const HINT = '; `npx assent check` lists all';
const fail = (message: string) => Promise.reject(new Error(`assent: ${message}`));

/**
 * Starts Assent on this page with a config, or a promise of one (a config fetched by URL: until it
 * arrives nothing is allowed but required purposes, and nothing runs). `taken`: the page holds
 * window.assent, so tags cannot read the visitor's choice: Assent fails closed as for a bad config.
 */
export const startAssent = (source: AssentConfig | Promise<unknown>, taken?: boolean): AssentApi => {
  const handlers: Partial<Record<AssentEventName, Handler[]>> = {};
  let config: AssentConfig | undefined;
  let state: ConsentState = {
    decided: false,
    purposes: emptyMap(),
    id: '',
    version: '',
    updatedAt: null,
    method: null,
  };
  let decision: Decision;
  // The time of this page's newest word on the decision: when it was made, or when "no decision"
  // began (forget). A response that re-issues an older cookie is undone against it.
  let newest = 0;
  const adopt = (next: Decision) => {
    decision = next;
    newest = next.updatedAt ?? Date.now();
  };
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
  const error = (code: ErrorCode, message: string) => {
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
      if (has(state.purposes, id)) return state.purposes[id];
      // Without a valid config every id is unknown: the config error has said why already.
      if (config) warnOnce(`data-assent: unknown purpose "${id}"`);
      return false;
    });
  // Deletes what the services that may not run now stored; `owed`: once more on the next page view.
  const cleanUp = (owed: boolean, then?: () => unknown) =>
    load('cleanup').then((m) => {
      m.clean(config as AssentConfig, state.purposes, owed);
      then?.();
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
      dataLayer().push({
        event: initial ? 'assent_ready' : 'assent_update',
        assent,
      });
    }
    // Released before anyone hears of the change, so that handlers see the page as it now is.
    releaseAllowed();
    if (ready) {
      const changed = changedPurposes(before, state.purposes);
      const withdrawn = changed.filter((id) => before[id]);
      // Scripts of a withdrawn purpose that already ran keep running until the page reloads, and may
      // store it all again meanwhile: the clean-up is then owed to the next page view too.
      const running = withdrawn.some((id) => ran.includes(id));
      if (withdrawn.length) cleanUp(running, () => running && c.consent?.reloadOnWithdraw && location.reload());
      emit('change', { state: snapshot(), changed });
      // A decision made elsewhere (the API, another tab) answers the banner too.
      if (state.decided && view === 'banner') showView(null);
      showReopenButton();
    }
  };

  // Writes the decision to the cookie only.
  const persist = (next: Decision) => {
    adopt(next);
    if (!__COOKIE__) return;
    const c = config as AssentConfig;
    const kept = writeCookie(
      cookieName,
      // A decision with a method has its time; the cookie adds the policy version.
      next.method ? encodeConsentCookie({ ...next, policyVersion: c.policy.version } as DecodedConsent) : null,
      maxAgeDays(c),
      c.consent?.cookieDomain,
    );
    if (!kept) error('cookie', 'cookies are blocked; the choice lasts for this page only');
  };
  const save = (next: Decision) => {
    persist(next);
    update();
    tellTabs();
  };

  // The sync chunk: receipts, history, delivery. Started once, on first use.
  const sync = () =>
    load('sync').then((m) => {
      m.start(host);
      return m;
    });

  // What the lazily loaded parts get (the UI's and the sync chunk's interfaces in one object);
  // config, language, gpcDenied, api, decide, reassert and the decision as the page found it join
  // it at init, with a valid config (no part loads without one).
  let view: ViewName | null = null;
  const host = {
    emit,
    load,
    sync,
    // Without checks of its own (3 B): the sync chunk asks only for a decision whose cookie says
    // otherwise (a collector may have cleared the flag itself).
    setPending: (pending: boolean) => persist({ ...decision, pending }),
    shown: (next: ViewName | null) => {
      if (view) emit('hide', { view });
      view = next;
      if (view) emit('show', { view });
    },
  } as unknown as UiHost & SyncHost;

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
    // The receipt records whether the signal is sent now; the decision, whether it was ever applied.
    const input = { ...decision, previousId, gpc: denied.length > 0, purposes: state.purposes };
    const recordIn = (m: SyncModule) => m.record(input, texts as Record<string, string> | undefined);
    return sync().then(recordIn, (e) => {
      // Offline, say: the decision stands, and its receipt is recorded once the sync chunk loads,
      // when the browser is back online or 5 s later, whichever comes first.
      new Promise((later) => {
        addEventListener('online', later, { once: true });
        setTimeout(later, 5000);
      })
        .then(sync)
        .then(recordIn);
      throw e;
    });
  };

  // The cookie's decision, or the one another tab wrote (`value`, '' for none): Firefox may deliver
  // that tab's message before the cookie reaches this tab's process.
  const stored = (value?: string) =>
    decisionFromCookie(
      __COOKIE__ ? decodeConsentCookie(value ?? readCookie(cookieName)) : null,
      config as AssentConfig,
      Date.now(),
    );
  // Only ever called with a config: by other tabs, and by the sync chunk (after the endpoint's
  // responses, and while it watches the cookie). The newest decision wins: an older one in the
  // cookie (a late response re-issued it) is written over, a newer one (another tab's, another
  // subdomain's) adopted. No decision there is adopted only from `tab` (another tab's forget()),
  // and only over a decision: elsewhere it may be blocked cookies, and it is never a re-issue.
  const reread = (tab?: unknown) => {
    const next = stored((tab as MessageEvent | undefined)?.data);
    const time = next.updatedAt ?? 0;
    if (time && time < newest) {
      persist(decision);
      tellTabs();
    } else if (time > newest || (tab && !time && decision.updatedAt)) {
      adopt(next);
      update();
    }
  };

  // The UI parts load only when something must be shown, in parallel with the page.
  const uiFailed = (e: unknown) => error('ui', `could not load the UI (${e})`);
  let ui: Promise<[typeof import('../ui/index'), { default: Texts }]> | undefined;
  // The parts wait for the page's body themselves; the UI shows the last view asked for.
  const showView = (next: ViewName | null) => {
    if (!config || !(next || view)) return;
    (ui ||= Promise.all([load('ui'), load(`texts-${language}`)])).then(
      ([m, texts]) => m.show(host, texts.default, next),
      uiFailed,
    );
  };
  const withShortTexts = <N extends 'placeholder' | 'reopen'>(name: N, use: (part: Part<N>, texts: Texts) => void) =>
    Promise.all([load(name), load(`short-${language}`)]).then(([part, texts]) => use(part, texts.default), uiFailed);
  const showReopenButton = () => {
    if (state.decided && config?.ui?.reopenButton) withShortTexts('reopen', (m, texts) => m.mount(host, texts));
  };

  // Without __API__ (a bench build that prices it), nothing but the state is left.
  const api: AssentApi = !__API__
    ? ({ getState: snapshot } as AssentApi)
    : {
        version: __VERSION__,
        get: (id) => {
          if (has(state.purposes, id)) return state.purposes[id];
          // Without a valid config every id is unknown: the config error has said why already.
          if (config) warnOnce(`get("${id}"): unknown purpose`);
          return false;
        },
        getState: snapshot,
        acceptAll: () => decide('api', choicesForAll(config?.purposes || [], true, denied, decision?.choices)),
        rejectAll: () => decide('api', choicesForAll(config?.purposes || [], false, denied)),
        set: (choices) => {
          if (!config) return fail('no valid config');
          // A complete decision: the purposes it does not name keep their current value (SPEC §4).
          const answers: Choices = {};
          for (const p of config.purposes) if (!isRequired(p)) answers[p.id] = state.purposes[p.id];
          // Own keys, each value read once: a getter or a Proxy cannot answer one thing to this check
          // and another to the receipt. Without an object (set()), it throws.
          for (const [id, value] of Object.entries(choices)) {
            const problem = !has(state.purposes, id)
              ? 'unknown purpose'
              : !has(answers, id)
                ? 'always active'
                : typeof value !== 'boolean' && 'not true or false';
            if (problem) return fail(`set(): ${problem}: "${id}"`);
            answers[id] = value;
          }
          return decide('api', answers);
        },
        whenAllowed: (id) =>
          new Promise((resolve) => {
            // Once ready (a fetched config may take a while), and again on each change. Without a
            // valid config it never settles: nothing is allowed, and the config error says why.
            // Resolved with a rejected promise, it rejects.
            const check = () => {
              // state.purposes has no prototype: `constructor` is no purpose there, and unknown.
              if (state.purposes[id]) resolve();
              else if (!has(state.purposes, id)) config && resolve(fail(`unknown purpose "${id}"`));
              else return;
              off();
            };
            const off = on('change', check);
            on('ready', check);
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
    if (taken || problem) {
      // Fail closed: only purposes that are always active, and valid, are allowed.
      // An id also declared with another basis is no always-active purpose: each listed id is false
      // unless every declaration of it is always active.
      for (const p of ([] as Purpose[]).concat(c?.purposes || []))
        if (typeof p?.id === 'string') state.purposes[p.id] = isRequired(p) && state.purposes[p.id] !== false;
      if (__CONSENT_MODE__ && c) pushConsentMode(c, state.purposes, 'default');
      if (taken) error('page', 'the page defines window.assent: rename it; only always-active purposes run');
      else error('config', __DEV__ ? problem : problem + HINT);
    } else {
      config = c;
      // cookieNameOf(c), spelled out: terser leaves that call as a function of its own (+10 B).
      cookieName = c.consent?.cookieName || 'assent';
      if (__DEV__ && !__AUTOBLOCK__ && Array.isArray(c.services) && c.services.some((s) => s?.match?.length))
        console.warn('assent: config.services[].match needs assent-autoblock.js');
      language = pickLanguage([c.language, document.documentElement.lang, ...navigator.languages]);
      adopt(stored());
      if (decision.pending) sync();
      // The banner's files start downloading now, in parallel with the page.
      const undecided = !isDecided(c.purposes, decision.choices);
      if (undecided) showView('banner');
      const signal = (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
      denied = gpcDenied(c.purposes, c.consent?.gpc, signal);
      // The decision as this page found it: a receipt its predecessor could not store is rebuilt from it.
      Object.assign(host, { config: c, language, gpcDenied: denied, decision, api, decide, reassert: reread });
      if (__CONSENT_MODE__) pushConsentMode(c, allowedPurposes(c.purposes, {}, denied), 'default', undecided);
      if (denied.length && !decision.gpc) {
        // The signal overrides the answers in force, and is recorded once, in a receipt of its own.
        for (const id of denied) if (has(decision.choices, id)) decision.choices[id] = false;
        recordGpc = true;
      }
      update(true);
      if (__TABS__) tellTabs = watchTabs(cookieName, reread);
      // A withdrawal on an earlier page view is cleaned up again, once, now that nothing withdrawn runs.
      try {
        if (localStorage.getItem(CLEANUP_OWED)) cleanUp(false);
      } catch {}
    }
    if (__GATING__)
      releaseAllowed = startGate(
        allows,
        (frame) => config && withShortTexts('placeholder', (m, texts) => m.place(host, texts, frame)),
        ran,
        // Also with a bad config: its well-formed `match` patterns block as if nothing were allowed.
        __AUTOBLOCK__ ? installAutoblock(config || c, allows) : undefined,
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
      (e) => init(undefined as never, `no config (${e})`),
    );
  else init(source);
  return api;
};
