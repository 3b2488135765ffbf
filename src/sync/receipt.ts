// The `receipt` part: a decision's receipt and the texts behind its hash (SPEC §6), stored in the
// history and the outbox for the sync chunk to send, and the watch on the cookie that follows each
// decision of the tab (watch.ts). Only a page on which a decision is made needs it (the UI fetches it
// when the visitor is about to decide); a page view that only sends what waits never downloads it.
import { uuid } from '../core/ids';
import { buildReceipt, canonicalJson, shownTexts } from '../core/receipt';
import { sha256Tag } from '../core/sha256';
import type { Entry, Method, Receipt, TextsEntry } from '../core/types';
import type { Decided, Sync, SyncHost } from './index';
import type { HistoryItem, Key } from './store';
import { remember, watchCookie } from './watch';

/** The receipt of a decision (with `extra` fields), and the texts it was shown as a texts entry. */
export const entries = async (
  { config, language, load }: Pick<SyncHost, 'config' | 'language' | 'load'>,
  d: Decided,
  ui?: Record<string, string>,
  extra?: object,
) => {
  const texts = shownTexts(config, language, ui);
  const textHash = await sha256Tag(canonicalJson(texts), () => load('plain').then((m) => m.sha256Js));
  const receipt: Receipt = {
    ...buildReceipt({
      config,
      language,
      id: d.receiptId as string,
      consentId: d.consentId,
      previousId: d.previousId,
      time: d.updatedAt as number,
      method: d.method as Method,
      origin: location.origin,
      textHash,
      gpc: d.gpc,
      purposes: d.purposes,
    }),
    ...extra,
  };
  const shown: TextsEntry = { type: 'texts', id: uuid(Date.now()), textHash, language, texts };
  return { receipt, texts: shown };
};

/** Stores a decision's receipt in the history and the outbox (with its texts, once per hash). */
export const store = async (sync: Sync, d: Decided, ui?: Record<string, string>, extra?: object) => {
  const { receipt, texts } = await entries({ ...sync.host, load: sync.need }, d, ui, extra);
  const items: [Key, unknown][] = [[`h:${receipt.id}`, { receipt } satisfies HistoryItem]];
  if (sync.endpoint) {
    const outgoing: Entry[] = [receipt];
    if (!(await sync.store.list(`t:${texts.textHash}`)).length) {
      outgoing.push(texts);
      items.push([`t:${texts.textHash}`, 1]);
    }
    for (const e of outgoing) items.push([`o:${e.id}`, e]);
    // In memory at once, so that a page closing right now still sends it by beacon.
    sync.queue(outgoing);
  }
  await sync.store.put(items);
  return receipt;
};

let watching: (() => void) | undefined;

/** Has the cookie watched after each of this tab's decisions, and its forget() (watch.ts). */
export const watch = ({ host, waiting }: Sync) => (watching ||= watchCookie(host.config, host.reassert, waiting))();

/** Records this tab's decision: the cookie watched, the decision kept as this origin's newest, its receipt stored. */
export const record = (sync: Sync, d: Decided, ui?: Record<string, string>) => {
  watch(sync);
  // Not awaited: the receipt must reach the outbox (and the copy sent as the page goes) at once.
  remember(sync.store, sync.host.config, d.updatedAt as number, d.receiptId);
  return store(sync, d, ui);
};
