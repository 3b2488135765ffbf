// The `download` part: the visitor's record as a file, for the preference center's download button.
// The standard forms are needed only here.
import { toIso27560, toKantara } from '../core/exports';
import { receipts } from './history';
import type { Sync } from './index';

/** The visitor's record as a JSON file: receipts with signatures, and Kantara and ISO/IEC TS 27560 forms. */
export const download = async (sync: Sync) => {
  const { config, api } = sync.host;
  const list = await receipts(sync);
  const file = {
    exportedAt: new Date().toISOString(),
    consentId: api.getState().id,
    receipts: list,
    kantaraConsentReceipts: list.map((r) => toKantara(r, config)),
    iso27560Records: list.map((r) => toIso27560(r, config)),
  };
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' }));
  link.download = `consent-record-${location.hostname}.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
};
