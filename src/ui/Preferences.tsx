// The preference center: a modal dialog listing every purpose with its legal basis and details. A chunk
// of its own, with its styles; its strings come with it (`prefs-fr`).
import { Component } from 'preact';
import { type Choices, choicesForAll, has, isRequired } from '../core/bases';
import type { Purpose, RightId, Service, ServiceCookie } from '../core/config';
import { maxAgeInWords, readableName } from './cookies';
import { fill, textIn } from './format';
import type { UiHost } from './host';
import { Actions, CloseButton, Link, WithPolicyLink, withBases } from './parts';
import type { PreferencesTexts } from './text-parts';

export { PREFERENCES_CSS } from './preferences-styles';

interface Props {
  host: UiHost;
  texts: PreferencesTexts;
  /** Records the answers, closes the preference center and says so. */
  onDecide: (method: 'preferences', answers: Choices) => Promise<unknown>;
  onClose: () => void;
}

const BASIS: Record<Purpose['basis'], keyof PreferencesTexts> = {
  consent: 'basisConsent',
  'legitimate-interest': 'basisLegitimateInterest',
  contract: 'basisContract',
  'legal-obligation': 'basisLegalObligation',
};
const SAFEGUARD: Record<string, keyof PreferencesTexts> = {
  adequacy: 'safeguardAdequacy',
  scc: 'safeguardScc',
  bcr: 'safeguardBcr',
};
const rightKey = (id: RightId) =>
  `right${id.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}` as keyof PreferencesTexts;

interface State {
  /** The switches as they stand. */
  answers: Choices;
  /** What the dialog says after erasing. */
  status: string;
}

export class Preferences extends Component<Props, State> {
  override state = { answers: { ...this.props.host.api.getState().purposes }, status: '' };

  // Opens the dialog once it is on the page. A ref callback: its clean-up runs before the dialog
  // leaves the page (a passive effect's would run a frame later, once removing the open dialog has
  // already dropped focus on the body).
  open = (dialog: HTMLDialogElement | null) => {
    const d = dialog as HTMLDialogElement;
    const opener = deepActiveElement();
    d.showModal();
    // Chrome closes a modal on Escape by itself, whatever `cancel` does, when the page has had no
    // user activation since the dialog opened: the view then closes with it.
    d.onclose = this.props.onClose;
    this.props.host.load('sync');
    this.props.host.load('receipt');
    return () => {
      d.onclose = null;
      if (d.open) d.close();
      if (opener?.isConnected) (opener as HTMLElement).focus();
    };
  };

  render() {
    const { host, texts, onDecide, onClose } = this.props;
    const { answers, status } = this.state;
    const { config, language, api, gpcDenied } = host;
    const t = textIn(language);
    const state = api.getState();
    const decide = (choices: Choices) => onDecide('preferences', choices);
    const editable = config.purposes.filter((p) => !isRequired(p));
    const all = (grant: boolean) => {
      // "Accept all" never grants what Global Privacy Control denied, unless switched on here.
      const choices = choicesForAll(config.purposes, grant, gpcDenied, answers);
      this.setState({ answers: { ...answers, ...choices } });
      decide(choices);
    };
    const save = () => decide(Object.fromEntries(editable.map((p) => [p.id, answers[p.id]])));

    const { controller } = config;
    const categories = (ids: string[] = []) =>
      ids.map((id) => t(config.dataCategories?.find((c) => c.id === id)?.title) || id).join(', ');
    const gpcTitles = gpcDenied.map((id) => t(config.purposes.find((p) => p.id === id)?.title));
    const authority = controller.authority && (
      <p>
        {texts.authority}
        {texts.colon}
        <Link url={controller.authority.url} newTab>
          {t(controller.authority.name)}
        </Link>
      </p>
    );
    const rights = config.rights || [];

    return (
      <dialog
        ref={this.open}
        aria-labelledby="assent-prefs-title"
        aria-modal="true"
        lang={language}
        onCancel={(e) => {
          e.preventDefault();
          onClose();
        }}
        // Tab wraps from the last button to the first, and Shift+Tab back: left to themselves, Chromium
        // lets focus leave the modal for its own controls, WebKit stops on the dialog itself, and
        // Firefox never lets it come back past the last button. `code`, as WebKitGTK gives Shift+Tab
        // the key "Unidentified".
        onKeyDown={(e) => {
          const buttons = e.currentTarget.querySelectorAll('button');
          const [last, first] = [buttons[buttons.length - 1], buttons[0]];
          const [from, to] = e.shiftKey ? [first, last] : [last, first];
          if (e.code === 'Tab' && e.target === from) {
            e.preventDefault();
            to.focus();
          }
        }}
      >
        {/* Not <header> and <footer>: inside a dialog they would be a second banner and contentinfo
          landmark on pages that have their own. */}
        <div class="head">
          <h2 id="assent-prefs-title">{texts.preferencesTitle}</h2>
          <CloseButton texts={texts} onClose={onClose} />
        </div>
        <div class="body">
          <WithPolicyLink
            text={withBases(editable.length > 0 && texts.preferencesIntro, texts, config.purposes, true)}
            texts={texts}
            url={t(config.policy.url)}
          />
          {gpcDenied.length > 0 && <p class="note">{fill(texts.gpcHonoured, { purposes: gpcTitles.join(', ') })}</p>}
          <ul>
            {config.purposes.map((p) => (
              <PurposeItem
                key={p.id}
                purpose={p}
                texts={texts}
                language={language}
                services={(config.services || []).filter((s) => s.purposes.includes(p.id))}
                categories={categories(p.dataCategories)}
                on={answers[p.id]}
                onToggle={() => this.setState({ answers: { ...answers, [p.id]: !answers[p.id] } })}
              />
            ))}
          </ul>
          <section aria-labelledby="assent-controller">
            <h3 id="assent-controller">{texts.controller}</h3>
            <p>
              {[controller.name, controller.address, controller.email, controller.phone].filter(Boolean).join(' · ')}
            </p>
            {controller.dpo && (
              <p>
                {texts.dpo}
                {texts.colon}
                {[controller.dpo.name, controller.dpo.email].filter(Boolean).join(', ')}
              </p>
            )}
            {rights.length === 0 && authority}
          </section>
          {rights.length > 0 && (
            <section aria-labelledby="assent-rights">
              <h3 id="assent-rights">{texts.rights}</h3>
              <ul>
                {rights.map((r) => (
                  <li key={r.id}>
                    <Link url={r.url}>{texts[rightKey(r.id)]}</Link>
                    {r.description && (
                      <span class="muted">
                        {texts.colon}
                        {t(r.description)}
                      </span>
                    )}
                  </li>
                ))}
              </ul>
              {authority}
            </section>
          )}
          <p class="muted">
            {state.updatedAt
              ? fill(texts.decidedOn, {
                  date: dateIn(language, new Date(state.updatedAt)),
                })
              : texts.notDecided}
            {state.id && ` ${texts.consentId}${texts.colon}${state.id}`}
          </p>
          {state.id && (
            <p class="links">
              <button type="button" class="btn alt" onClick={() => host.sync().then((m) => m.download())}>
                {texts.downloadRecord}
              </button>
              <button
                type="button"
                class="btn alt"
                onClick={() =>
                  confirm(texts.eraseConfirm) && api.forget().then(() => this.setState({ status: texts.erased }))
                }
              >
                {texts.eraseData}
              </button>
            </p>
          )}
        </div>
        <div class="foot">
          <Actions texts={texts} onAll={all} other={texts.save} onOther={save} />
          <p class="status" role="status">
            {status}
          </p>
        </div>
      </dialog>
    );
  }
}

interface PurposeProps {
  purpose: Purpose;
  texts: PreferencesTexts;
  language: string;
  services: Service[];
  categories: string;
  on: boolean;
  onToggle: () => void;
}

const PurposeItem = ({ purpose: p, texts, language, services, categories, on, onToggle }: PurposeProps) => {
  const t = textIn(language);
  const title = `assent-p-${p.id}`;
  const label = `${title}-label`;
  const outside = p.transfers?.outsideEU;
  const safeguard = outside && p.transfers?.safeguard;
  const facts: [string, string][] = [
    [texts.dataCategories, categories],
    [texts.retention, t(p.retention)],
    [texts.recipients, (p.recipients || []).map(t).join(', ')],
    [texts.transfers, p.transfers ? (outside ? texts.transfersYes : texts.transfersNone) : ''],
    // A name, as the value of its label: no sentence has to inflect it.
    [
      texts.safeguard,
      typeof safeguard === 'string' && has(SAFEGUARD, safeguard) ? texts[SAFEGUARD[safeguard]] : t(safeguard || ''),
    ],
  ];
  const shown = facts.filter(([, value]) => value);
  return (
    <li class="purpose">
      <div class="row">
        <h3 id={title}>{t(p.title)}</h3>
        {isRequired(p) ? (
          <span class="always">{texts.alwaysActive}</span>
        ) : (
          <span class="toggle">
            <span id={label} class="muted">
              {p.basis === 'consent' ? texts.consentSwitch : texts.objectSwitch}
            </span>
            <button
              type="button"
              role="switch"
              aria-checked={on ? 'true' : 'false'}
              aria-labelledby={`${title} ${label}`}
              onClick={onToggle}
            />
          </span>
        )}
      </div>
      <p class="muted">{texts[BASIS[p.basis]]}</p>
      {p.description && <p>{t(p.description)}</p>}
      {p.marketing && <p class="muted">{texts.marketingNote}</p>}
      {p.anonymised && <p class="muted">{texts.anonymised}</p>}
      {(shown.length > 0 || services.length > 0) && (
        <details>
          <summary>{texts.details}</summary>
          <dl>{shown.map(([name, value]) => [<dt key={`${name}t`}>{name}</dt>, <dd key={`${name}d`}>{value}</dd>])}</dl>
          {services.length > 0 && <h4>{texts.services}</h4>}
          {services.map((s) => (
            <ServiceItem key={s.id} service={s} texts={texts} language={language} />
          ))}
        </details>
      )}
    </li>
  );
};

const ServiceItem = ({
  service: s,
  texts,
  language,
}: {
  service: Service;
  texts: PreferencesTexts;
  language: string;
}) => {
  const t = textIn(language);
  const country = s.country && /^[A-Z]{2}$/.test(s.country) ? regionName(s.country, language) : s.country;
  // A label, or what the pattern matches, never a /regex/; `maxAge` in words when no duration is written.
  const cookie = (c: ServiceCookie) => {
    if (typeof c === 'string') return readableName(c);
    const duration =
      t(c.duration) || (typeof c.maxAge === 'number' ? maxAgeInWords(c.maxAge, language, texts.sessionCookie) : '');
    return [c.label || readableName(c.name), duration && texts.duration + texts.colon + duration, t(c.description)]
      .filter(Boolean)
      .join(' — ');
  };
  return (
    <div class="service">
      <strong>{s.name}</strong>
      <dl>
        {s.provider && [<dt key="pt">{texts.provider}</dt>, <dd key="pd">{s.provider}</dd>]}
        {country && [<dt key="ct">{texts.country}</dt>, <dd key="cd">{country}</dd>]}
        {s.privacyPolicyUrl && [
          <dt key="lt">{texts.privacyPolicy}</dt>,
          <dd key="ld">
            <Link url={s.privacyPolicyUrl} newTab>
              {s.privacyPolicyUrl.replace(/^https?:\/\//, '')}
            </Link>
          </dd>,
        ]}
        {s.cookies &&
          s.cookies.length > 0 && [
            <dt key="kt">{texts.cookies}</dt>,
            <dd key="kd">
              <ul>
                {s.cookies.map((c, i) => (
                  <li key={i}>{cookie(c)}</li>
                ))}
              </ul>
            </dd>,
          ]}
      </dl>
    </div>
  );
};

/**
 * A date and time as the visitor's language writes them; where the browser has no data for it
 * (Chrome: Irish, Maltese), as ISO 8601 digits (Swedish writes them so) rather than in English.
 */
const dateIn = (language: string, date: Date) =>
  Intl.DateTimeFormat.supportedLocalesOf(language).length
    ? date.toLocaleString(language, { dateStyle: 'long', timeStyle: 'short' })
    : date.toLocaleString('sv', { dateStyle: 'short', timeStyle: 'short' });

const regionName = (code: string, language: string) => {
  try {
    return new Intl.DisplayNames([language], { type: 'region' }).of(code) || code;
  } catch {
    return code;
  }
};

/** The focused element, looking inside shadow roots. */
const deepActiveElement = () => {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
};
