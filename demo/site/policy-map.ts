// "Policy → config": how each purpose, basis, data category, retention period, recipient, transfer and
// right of a seed policy is expressed in the site's config. Every cell is read from the config itself
// (and the notes beside it), so the page cannot drift from what the banner shows.
import type { AssentConfig, I18n } from '../../src/core/config';
import { esc } from './html';
import type { Site } from './sites';

const BASES: Record<string, string> = {
  consent: 'Consent (Art. 6(1)(a))',
  contract: 'Contract (Art. 6(1)(b))',
  'legal-obligation': 'Legal obligation (Art. 6(1)(c))',
  'legitimate-interest': 'Legitimate interest (Art. 6(1)(f))',
};

/** English, then the site's own language in brackets when it differs. */
const both = (text: I18n | undefined, lang: string) => {
  if (text === undefined) return '—';
  if (typeof text === 'string') return esc(text);
  const en = text.en ?? Object.values(text)[0];
  const local = text[lang];
  // "Commission Nationale …" and "Commission nationale …" are one name: differing in case is no translation.
  const same = !local || local.localeCompare(en, lang, { sensitivity: 'accent' }) === 0;
  return `${esc(en)}${!same ? ` <span lang="${lang}">(${esc(local)})</span>` : ''}`;
};
const list = (items: string[]) => (items.length ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '—');
// A wide table scrolls in a region of its own, which a keyboard can focus, rather than the whole page.
const table = (caption: string, head: string[], rows: string[][]) =>
  `<div class="scroll" role="region" tabindex="0" aria-label="${esc(caption)}"><table><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>
<tbody>${rows.map((r) => `<tr>${r.map((c, i) => (i ? `<td>${c}</td>` : `<th scope="row">${c}</th>`)).join('')}</tr>`).join('\n')}</tbody></table></div>`;

/** What the page says, in the site's language, before its English. */
const IN_ENGLISH: Record<Site['lang'], string> = {
  fr: 'Cette page est en anglais : elle montre aux développeurs comment la politique devient la configuration.',
  bg: 'Тази страница е на английски: тя показва на разработчиците как политиката се превръща в конфигурация.',
};

export const policyMap = (site: Site, pageLang: string): string => {
  const c: AssentConfig = site.config;
  const { notes, lang } = site;
  const category = (id: string) => c.dataCategories?.find((d) => d.id === id)?.title;
  const services = (purpose: string) => (c.services ?? []).filter((s) => s.purposes.includes(purpose));
  const purposeRows = c.purposes.map((p) => {
    const note = notes.purposes[p.id] ?? {};
    const marks = [
      note.asConsent
        ? `<strong>Modelled as consent</strong>: ${esc(note.asConsent)} (the policy says: ${esc(BASES[note.policyBasis ?? ''] ?? note.policyBasis)})`
        : '',
      note.demo ? `<strong>Demo addition</strong>: ${esc(note.demo)}` : '',
    ].filter(Boolean);
    const t = p.transfers;
    return [
      `${both(p.title, lang)}<br><code>${esc(p.id)}</code>`,
      esc(BASES[p.basis]),
      list((p.dataCategories ?? []).map((id) => both(category(id), lang))),
      both(p.retention, lang),
      list((p.recipients ?? []).map((r) => both(r, lang))),
      t ? (t.outsideEU ? `Outside the EU: ${both(t.safeguard, lang)}` : 'Within the EU') : '—',
      list(services(p.id).map((s) => esc(s.name))),
      marks.length ? marks.join('<br>') : 'As in the policy',
    ];
  });
  const serviceRows = (c.services ?? []).map((s) => [
    esc(s.name),
    esc(s.provider ?? '—'),
    esc(s.country ?? '—'),
    list(s.purposes.map((id) => `<code>${esc(id)}</code>`)),
    list(
      (s.cookies ?? []).map((k) => (typeof k === 'string' ? `<code>${esc(k)}</code>` : `<code>${esc(k.name)}</code>`)),
    ),
    list((s.storage ?? []).map((k) => `<code>${esc(k)}</code>`)),
    list((s.match ?? []).map((m) => `<code>${esc(m)}</code>`)),
    notes.services[s.id] === 'demo' ? '<strong>Demo addition</strong>' : 'In the policy',
  ]);
  const ctl = c.controller;
  const inEnglish = pageLang === 'en' ? '' : `<p>${esc(IN_ENGLISH[lang])}</p>\n`;
  return `${inEnglish}<div lang="en"><h1>How ${esc(site.name)}’s privacy policy maps to the config</h1>
<p>Source: ${esc(notes.policy)}. Config: <a href="/demo-configs/${site.id}.json"><code>demo/configs/${site.id}.json</code></a>.
Each cell below is read from that config when the page is served.</p>
${table(
  'Controller',
  ['', 'In the config'],
  [
    ['Controller', esc(ctl.name)],
    ['Data protection officer', ctl.dpo ? esc(`${ctl.dpo.name ?? ''} <${ctl.dpo.email}>`) : '—'],
    ['Supervisory authority', ctl.authority ? both(ctl.authority.name, lang) : '—'],
    ['Policy', `${esc(c.policy.url)}, version ${esc(c.policy.version)}`],
  ],
)}
${table(
  'Purposes and their legal bases',
  ['Purpose', 'Legal basis', 'Data categories', 'Retention', 'Recipients', 'Transfers', 'Services', 'Modelling'],
  purposeRows,
)}
${table(
  'Data categories',
  ['Category', 'Description'],
  (c.dataCategories ?? []).map((d) => [
    `${both(d.title, lang)}<br><code>${esc(d.id)}</code>`,
    both(d.description, lang),
  ]),
)}
${table(
  'Services (third parties that set cookies or load content)',
  ['Service', 'Provider', 'Country', 'Purposes', 'Cookies', 'Storage', 'Auto-blocked URLs', 'Origin'],
  serviceRows,
)}
${table(
  'Rights of the data subject',
  ['Right', 'How', 'Where'],
  (c.rights ?? []).map((r) => [esc(r.id), both(r.description, lang), r.url ? esc(r.url) : '—']),
)}
${table(
  'Google Consent Mode types',
  ['Consent Mode type', 'Granted only when all these purposes are'],
  Object.entries(
    Object.entries(c.googleConsentMode?.purposes ?? {}).reduce<Record<string, string[]>>((out, [purpose, types]) => {
      for (const type of types) (out[type] ??= []).push(purpose);
      return out;
    }, {}),
  ).map(([type, purposes]) => [`<code>${esc(type)}</code>`, list(purposes.map((p) => `<code>${esc(p)}</code>`))]),
)}</div>`;
};
