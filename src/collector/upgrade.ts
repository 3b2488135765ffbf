// Release 1 stored receipts in the clear, in `entries_v1`. They move into the sealed, chained store
// once, in the order they arrived, keeping their time and signature. An entry today's checks refuse
// stays in entries_v1, and the collector says how many did.
import { scanBatch } from './raw';
import type { Store } from './store';

export const upgradeV1 = async (store: Store, log: (m: string) => void = console.error) => {
  const [old] = await store.db.query<{ name: string | null }>("SELECT to_regclass('entries_v1')::text AS name");
  if (!old?.name) return;
  store.releaseOne = true;
  const [{ n }] = await store.db.query<{ n: string }>('SELECT count(*) AS n FROM entries_v1');
  if (Number(n)) log(`moving ${n} entries of release 1 into the sealed, chained store (once)`);
  let kept = 0;
  let after: [Date, string] = [new Date(0), ''];
  for (;;) {
    const rows = await store.db.query<{ id: string; body: string; signature: string | null; received_at: Date }>(
      `SELECT id, body, signature, received_at FROM entries_v1 WHERE (received_at, id) > ($1, $2)
       ORDER BY received_at, id LIMIT 200`,
      after,
    );
    if (!rows.length) break;
    after = [rows[rows.length - 1].received_at, rows[rows.length - 1].id];
    const entries = rows.map(
      (r) => scanBatch(Buffer.from(`[${r.body}]`))?.entries[0] ?? { raw: r.body, problem: 'not JSON' },
    );
    const results = await store.restore(
      entries.map((entry, i) => ({
        ...entry,
        receivedAt: rows[i].received_at,
        receivedFrom: 'release 1',
        signature: rows[i].signature,
      })),
    );
    const moved = rows.filter((_, i) => results[i].status !== 'rejected').map((r) => r.id);
    kept += rows.length - moved.length;
    await store.db.query('DELETE FROM entries_v1 WHERE id = ANY($1)', [moved]);
  }
  if (kept) log(`${kept} entries of release 1 fail today's checks; they stay in the table entries_v1`);
  else {
    await store.db.query('DROP TABLE entries_v1');
    store.releaseOne = false;
  }
};
