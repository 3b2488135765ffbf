// The browser's consent history and outbox: IndexedDB through idb-keyval, one key per entry so that
// two tabs writing at once never overwrite each other. Where IndexedDB is unavailable (private
// modes, blocked storage) the same interface keeps entries in memory, and says so once.
import { createStore, delMany, entries, setMany, type UseStore } from 'idb-keyval';

/**
 * Keys: `h:<receipt id>` history, `o:<entry id>` outbox, `t:<text hash>` texts already queued,
 * `n:<cookie name>` the newest decision made on this origin (watch.ts).
 */
export type Key = `h:${string}` | `o:${string}` | `t:${string}` | `n:${string}`;

export interface Store {
  put(items: [Key, unknown][]): Promise<void>;
  /** Every value whose key starts with the prefix, in key order. */
  list<T>(prefix: 'h:' | 'o:' | 't:' | 'n:'): Promise<[Key, T][]>;
  remove(keys: Key[]): Promise<void>;
  /** False once IndexedDB failed and entries live only in this page. */
  durable: boolean;
}

export const openStore = (onFail: (reason: string) => void): Store => {
  const memory = new Map<Key, unknown>();
  let idb: UseStore | null = null;
  try {
    idb = createStore('assent', 'entries');
  } catch (e) {
    onFail(String(e));
  }
  const store: Store = {
    durable: !!idb,
    put: (items) =>
      attempt(
        () => setMany(items, idb as UseStore),
        () => {
          for (const [k, v] of items) memory.set(k, v);
        },
      ),
    list: <T>(prefix: string) =>
      attempt(
        async () => ((await entries(idb as UseStore)) as [Key, T][]).filter(([k]) => k.startsWith(prefix)).sort(byKey),
        () => [...memory].filter(([k]) => k.startsWith(prefix)).sort(byKey) as [Key, T][],
      ),
    remove: (keys) =>
      attempt(
        () => delMany(keys, idb as UseStore),
        () => {
          for (const k of keys) memory.delete(k);
        },
      ),
  };
  // Every operation falls back to memory for good once IndexedDB throws or rejects.
  const attempt = async <T>(durable: () => Promise<T>, volatile: () => T): Promise<T> => {
    if (idb)
      try {
        return await durable();
      } catch (e) {
        idb = null;
        store.durable = false;
        onFail(String(e));
      }
    return volatile();
  };
  return store;
};

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);
