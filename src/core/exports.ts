// A receipt in the standard forms: Kantara Consent Receipt v1.1 and an ISO/IEC TS 27560 consent
// record (field names as in W3C DPV's guide to ISO/IEC TS 27560). Both are derived from the receipt
// and the config it was made under; nothing is recorded twice.
import { isRequired } from './bases';
import type { AssentConfig, I18n } from './config';
import { maxAgeDays } from './decision';
import { resolveText } from './i18n';
import type { Receipt } from './types';

const METHOD: Record<Receipt['method'], string> = {
  banner: 'web form: consent banner',
  preferences: 'web form: preference center',
  placeholder: 'web form: embed placeholder ("Always allow")',
  api: 'web page script (JavaScript API)',
  gpc: 'browser signal: Global Privacy Control',
};
const SAFEGUARDS: Record<string, string> = {
  adequacy: 'an adequacy decision',
  scc: 'standard contractual clauses',
  bcr: 'binding corporate rules',
};

const title = (config: AssentConfig, id: string, language: string) =>
  resolveText(config.purposes.find((p) => p.id === id)?.title, language) ?? id;

const safeguard = (s: I18n | undefined, language: string) =>
  (typeof s === 'string' && SAFEGUARDS[s]) || resolveText(s, language) || 'a safeguard';

/** Kantara Initiative Consent Receipt Specification v1.1.0. */
export const toKantara = (r: Receipt, config: AssentConfig) => {
  const c = config.controller;
  return {
    version: 'KI-CR-v1.1.0',
    jurisdiction: 'EU',
    consentTimestamp: Math.floor(Date.parse(r.timestamp) / 1000),
    collectionMethod: METHOD[r.method],
    consentReceiptID: r.id,
    language: r.language,
    piiPrincipalId: r.consentId,
    piiControllers: [
      {
        piiController: c.name,
        onBehalf: false,
        contact: c.dpo?.name || c.name,
        address: { streetAddress: c.address || '', addressCountry: '' },
        email: c.dpo?.email || c.email || '',
        phone: c.phone || '',
        piiControllerUrl: new URL(r.policy.url, r.origin).origin,
      },
    ],
    policyUrl: new URL(r.policy.url, r.origin).href,
    services: [
      {
        service: r.origin,
        purposes: r.purposes
          .filter((p) => p.granted)
          .map((p) => ({
            purpose: title(config, p.id, r.language),
            purposeCategory: [p.id],
            consentType: isRequired(p) ? 'NOT REQUIRED' : p.basis === 'consent' ? 'EXPLICIT' : 'IMPLICIT',
            piiCategory: p.dataCategories,
            primaryPurpose: isRequired(p),
            termination: p.retention || 'when consent is withdrawn',
            thirdPartyDisclosure: p.recipients.length > 0,
            thirdPartyName: p.recipients.join('; '),
          })),
      },
    ],
    sensitive: false,
    spiCat: [] as string[],
  };
};

/** An ISO/IEC TS 27560:2023 consent record: header, one processing per purpose, parties, events. */
export const toIso27560 = (r: Receipt, config: AssentConfig) => {
  const c = config.controller;
  const controller = {
    party_name: c.name,
    party_role: 'controller',
    party_contact: [c.address, c.email, c.phone, c.dpo?.email].filter(Boolean).join('; '),
    party_type: 'legal entity',
  };
  return {
    schema_version: 'ISO/IEC TS 27560:2023',
    record_id: r.id,
    pii_principal_id: r.consentId,
    processing: r.purposes.map((p) => {
      const purpose = config.purposes.find((x) => x.id === p.id);
      return {
        privacy_notice: `${new URL(r.policy.url, r.origin).href} (version ${r.policy.version}, texts ${r.textHash})`,
        language: r.language,
        purposes: [title(config, p.id, r.language)],
        lawful_basis: p.basis,
        pii_information: p.dataCategories.map((id) => ({
          pii_type: resolveText(config.dataCategories?.find((d) => d.id === id)?.title, r.language) ?? id,
          pii_attribute_id: id,
          pii_optional: !isRequired(p),
          sensitive_pii_category: false,
          special_pii_category: false,
        })),
        pii_controllers: [controller],
        collection_method: METHOD[r.method],
        processing_method: purpose?.anonymised ? 'anonymised before processing' : 'automated',
        storage_locations: [] as string[],
        retention_period: p.retention,
        processing_locations: purpose?.transfers?.outsideEU ? ['EU', 'outside the EU'] : ['EU'],
        geographic_restrictions: purpose?.transfers?.outsideEU
          ? `transfers outside the EU under ${safeguard(purpose.transfers.safeguard, r.language)}`
          : 'none',
        jurisdiction: 'EU',
        recipient_third_parties: p.recipients.map((name) => ({ party_name: name, party_role: 'recipient' })),
        withdrawal_method: `the site's privacy settings at ${r.origin} (any time, as easily as consent was given)`,
        privacy_rights: (config.rights || []).map((right) => right.id),
        codes_of_conduct: [] as string[],
        impact_assessment: null,
        authority_party: c.authority
          ? {
              party_name: resolveText(c.authority.name, r.language),
              party_role: 'supervisory authority',
              party_contact: c.authority.url || '',
            }
          : null,
      };
    }),
    parties: [
      controller,
      {
        party_name: r.consentId,
        party_role: 'pii principal',
        party_contact: '',
        party_type: 'natural person (pseudonymous)',
      },
    ],
    events: r.purposes.map((p) => ({
      event_time: r.timestamp,
      validity_duration: `P${maxAgeDays(config)}D`,
      entity_id: r.consentId,
      event_type: `${p.id}: ${r.method}`,
      event_state: isRequired(p)
        ? 'not required'
        : p.granted
          ? 'given'
          : r.previousId
            ? 'refused or withdrawn'
            : 'refused',
    })),
  };
};
