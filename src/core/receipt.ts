// Consent receipts (SPEC §6): what was shown, and the one pure function that builds a receipt.
import { isRequired } from './bases';
import type { AssentConfig, I18n } from './config';
import { resolveText } from './i18n';
import type { Method, Receipt } from './types';

/** JSON with object keys sorted and no white space, so equal texts always hash equally. */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
};

/**
 * Every text the visitor is shown about the processing, resolved in one language: the config's
 * texts and, when the UI was shown, its strings. This is what a receipt's `textHash` stands for.
 */
export const shownTexts = (config: AssentConfig, language: string, ui?: Record<string, string>) => {
  const t = (text: I18n | undefined) => resolveText(text, language);
  const { controller, policy } = config;
  return {
    controller: {
      ...controller,
      authority: controller.authority && { ...controller.authority, name: t(controller.authority.name) },
    },
    policy: { ...policy, url: t(policy.url) },
    purposes: config.purposes.map((p) => ({
      ...p,
      title: t(p.title),
      description: t(p.description),
      retention: t(p.retention),
      recipients: p.recipients?.map(t),
      transfers: p.transfers && { ...p.transfers, safeguard: t(p.transfers.safeguard) },
    })),
    services: config.services?.map((s) => ({
      ...s,
      match: undefined,
      cookies: s.cookies?.map((c) =>
        typeof c === 'string' ? c : { ...c, duration: t(c.duration), description: t(c.description) },
      ),
    })),
    dataCategories: config.dataCategories?.map((c) => ({ ...c, title: t(c.title), description: t(c.description) })),
    rights: config.rights?.map((r) => ({ ...r, description: t(r.description) })),
    ui,
  };
};

export interface ReceiptInput {
  config: AssentConfig;
  language: string;
  id: string;
  consentId: string;
  previousId: string | null;
  /** Epoch milliseconds of the decision. */
  time: number;
  method: Method;
  origin: string;
  textHash: string;
  gpc: boolean;
  /** The allowed state after the decision, for every purpose. */
  purposes: Record<string, boolean>;
}

/** Builds the receipt of one decision; every purpose is recorded explicitly as granted or denied. */
export const buildReceipt = (r: ReceiptInput): Receipt => ({
  type: 'consent',
  id: r.id,
  consentId: r.consentId,
  previousId: r.previousId,
  timestamp: new Date(r.time).toISOString(),
  method: r.method,
  policy: { url: resolveText(r.config.policy.url, r.language) as string, version: r.config.policy.version },
  language: r.language,
  origin: r.origin,
  textHash: r.textHash,
  gpc: r.gpc,
  purposes: r.config.purposes.map((p) => ({
    id: p.id,
    basis: p.basis,
    granted: isRequired(p) || r.purposes[p.id] === true,
    dataCategories: p.dataCategories ?? [],
    retention: resolveText(p.retention, r.language) ?? null,
    recipients: (p.recipients ?? []).map((x) => resolveText(x, r.language) as string),
  })),
});
