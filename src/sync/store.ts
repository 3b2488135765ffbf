// The browser's consent history and outbox: IndexedDB through idb-keyval, one key per entry so that
// two tabs writing at once never overwrite each other. Where IndexedDB is unavailable (private
// modes, blocked storage) the same interface keeps entries in memory, and says so once (`onFail`).
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import type { Receipt } from '../core/types';

/**
 * Keys: `h:<receipt id>` history, `o:<entry id>` outbox, `t:<text hash>` texts already queued,
 * `n:<cookie name>` the newest decision made on this origin (watch.ts).
 */
export type Key = `h:${string}` | `o:${string}` | `t:${string}` | `n:${string}`;

/** A receipt in the history (`h:`), with the endpoint's signature once it answered. */
export interface HistoryItem {
  receipt: Receipt;
  signature?: string;
}

export interface Store {
  put(items: [Key, unknown][]): Promise<void>;
  /** Every value whose key starts with `prefix` (a kind, or a whole key), in key order. */
  list<T>(prefix: Key): Promise<[Key, T][]>;
  remove(keys: Key[]): Promise<void>;
}

/** The two writes, on an IndexedDB object store or on the memory that stands in for it. */
type Writable = Pick<IDBObjectStore, 'put' | 'delete'>;

/**
 * `onFail` says why IndexedDB is unavailable, once; what it returns (a promise, say) is awaited
 * before anything is done in memory, so that the page hears of it before any entry is delivered.
 */
export const openStore = (onFail: (reason: string) => unknown): Store => {
  const memory = new Map<Key, unknown>();
  const inMemory: Writable = {
    put: (value, key) => memory.set(key as Key, value) as unknown as IDBRequest<IDBValidKey>,
    delete: (key) => memory.delete(key as Key) as unknown as IDBRequest<undefined>,
  };
  let idb: UseStore | null = null;
  let failed: unknown;
  try {
    idb = createStore('assent', 'entries');
  } catch (e) {
    failed = onFail(String(e));
  }
  // Every operation falls back to memory for good once IndexedDB throws or rejects.
  const attempt = async <T>(durable: (s: IDBObjectStore) => Promise<T>, volatile: () => T, mode?: 'readonly') => {
    if (idb)
      try {
        return await idb(mode || 'readwrite', durable);
      } catch (e) {
        idb = null;
        failed ||= onFail(String(e));
      }
    await failed;
    return volatile();
  };
  const write = (each: (s: Writable) => void) =>
    attempt(
      (s) => {
        each(s);
        return promisifyRequest(s.transaction);
      },
      () => each(inMemory),
    ) as Promise<void>;
  return {
    put: (items) => write((s) => items.map(([key, value]) => s.put(value, key))),
    remove: (keys) => write((s) => keys.map((key) => s.delete(key))),
    // IndexedDB reads only the keys under the prefix, already in order.
    list: <T>(prefix: Key) =>
      attempt(
        (s) => {
          const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
          return Promise.all([promisifyRequest(s.getAllKeys(range)), promisifyRequest(s.getAll(range))]).then(
            ([keys, values]) => keys.map((key, i) => [key, values[i]] as [Key, T]),
          );
        },
        // Sorted as text (`key,value`): keys under one prefix have one length (a UUID, a hash), so
        // that is key order (22 B less, minified, than a comparator).
        () => [...memory].filter(([key]) => key.startsWith(prefix)).sort() as [Key, T][],
        'readonly',
      ),
  };
};
