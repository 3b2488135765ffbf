// The CSV export: one row per receipt, for spreadsheets. Cells are quoted as RFC 4180 says, and a cell
// a spreadsheet would read as a formula is prefixed with an apostrophe (OWASP "CSV injection").
import type { Receipt } from '../core/types';
import type { StoredReceipt } from './store';

export const csvHeader =
  'received_at,id,consent_id,previous_id,timestamp,method,language,origin,policy_url,policy_version,text_hash,gpc,granted,denied,conflict,received_from,signature';

/** One cell; `=`, `+`, `-`, `@`, tab and carriage return start formulas in spreadsheets. */
export const csvCell = (v: unknown): string => {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const csvRow = (r: StoredReceipt): string => {
  const x = JSON.parse(r.raw) as Receipt;
  const ids = (granted: boolean) =>
    x.purposes
      .filter((p) => p.granted === granted)
      .map((p) => p.id)
      .join(' ');
  return [
    r.receivedAt.toISOString(),
    x.id,
    x.consentId,
    x.previousId,
    x.timestamp,
    x.method,
    x.language,
    x.origin,
    x.policy.url,
    x.policy.version,
    x.textHash,
    x.gpc,
    ids(true),
    ids(false),
    r.conflict,
    r.receivedFrom,
    r.signature,
  ]
    .map(csvCell)
    .join(',');
};
