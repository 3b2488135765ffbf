// The `history` part: what only some visitors need, later than their decision: their consent
// history (`receipts()`), its erasure (`forget()`), the rebuild of a receipt whose page closed
// before storing it, and a newer decision put back over a late answer (watch.ts). The sync chunk
// loads it on first use.
import { uuid } from '../core/ids';
import type { ErasureEntry, Receipt } from '../core/types';
import { withOverrides } from '../ui/format';
import type { Sync } from './index';
import type { HistoryItem } from './store';
import { remember } from './watch';

export { putBack } from './watch';

/** This browser's consent history, newest first, with the endpoint's signatures where known. */
export const receipts = async ({ store }: Pick<Sync, 'store'>): Promise<Receipt[]> =>
  (await store.list<HistoryItem>('h:'))
    .reverse()
    .map(([, item]) => (item.signature ? { ...item.receipt, signature: item.signature } : item.receipt));

/** Erases the local history and asks the endpoint to erase its copy. */
export const forget = async (sync: Sync, consentId: string, time: number) => {
  const { store, endpoint, flush, host, need } = sync;
  // Watched like a decision, and kept as this origin's newest: no decision.
  need('receipt').then((m) => m.watch(sync));
  remember(store, host.config, time, null);
  await store.remove([...(await store.list('h:')), ...(await store.list('t:'))].map(([key]) => key));
  if (endpoint && consentId) {
    const entry: ErasureEntry = {
      type: 'erasure',
      id: uuid(Date.now()),
      consentId,
      timestamp: new Date().toISOString(),
    };
    await store.put([[`o:${entry.id}`, entry]]);
  }
  await flush();
};

/**
 * A decision made just before a page closed may have left before its receipt was stored; its cookie
 * still holds everything the receipt records, so it is rebuilt (same id: the endpoint keeps one).
 */
export const recover = async (sync: Sync) => {
  const { host, store } = sync;
  const { decision: d, language } = host;
  const previous = (await store.list<HistoryItem>('h:')).filter(([key]) => key < `h:${d.receiptId}`).pop();
  // A decision made in the banner or the preference center was shown that view's strings, as the UI
  // puts them together (src/ui/text-parts.ts): the same hash.
  const kinds: ('texts' | 'prefs')[] =
    d.method === 'banner' ? ['texts'] : d.method === 'preferences' ? ['texts', 'prefs'] : [];
  const shown = await Promise.all(kinds.map((kind) => host.load(`${kind}-${language}`)));
  const ui = shown.length
    ? withOverrides(Object.assign({}, ...shown.map((m) => m.default)), host.config.ui?.texts?.[language])
    : undefined;
  const rebuilt = {
    ...d,
    previousId: previous ? previous[1].receipt.id : null,
    purposes: host.api.getState().purposes,
  };
  await sync.keep((m) => m.store(sync, rebuilt, ui as Record<string, string> | undefined, { recovered: true }));
};
