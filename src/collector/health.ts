// What /healthz answers, from a cached status: whether the database takes a write (probed in the
// background at most every few seconds, however often /healthz is asked, so that /healthz itself never
// waits behind a long batch) and whether the last verification found the store whole. Verifying
// walks every chain, so it runs at start, never per request.
import type { Db } from './db';

const PROBE_EVERY_MS = 5000;
/** A write that has not answered in this long counts as failed: the database is stuck or gone. */
const STUCK_AFTER_MS = 15_000;
/** How long the first answer waits for the first probe: a database stuck from the start is unavailable. */
const FIRST_WAIT_MS = 2000;

export class Health {
  /** `verifying` until the start-up verification ends. */
  chain: 'verifying' | 'whole' | 'broken' = 'verifying';
  problems = 0;
  private writable = false;
  private checkedAt = 0;
  private probing?: { since: number; done: Promise<void> };

  constructor(private readonly db: Db) {}

  /** Records what an ingest just learnt, so that a failing database shows at once. */
  saw(writable: boolean) {
    this.writable = writable;
    this.checkedAt = Date.now();
  }

  async status() {
    const now = Date.now();
    if (now - this.checkedAt > PROBE_EVERY_MS) {
      this.probing ??= { since: now, done: this.probe() };
      // Only the very first answer waits for a probe, and not long; later ones report what is known.
      if (!this.checkedAt)
        await Promise.race([this.probing.done, new Promise((done) => setTimeout(done, FIRST_WAIT_MS).unref())]);
    }
    const stuck = !!this.probing && now - this.probing.since > STUCK_AFTER_MS;
    const writable = this.writable && !stuck;
    return {
      ok: writable && this.chain !== 'broken',
      database: writable ? 'writable' : 'unavailable',
      chain: this.chain,
      ...(this.problems && { problems: this.problems }),
    };
  }

  private async probe() {
    try {
      await this.db.query(
        'INSERT INTO health (id, checked_at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET checked_at = now()',
      );
      this.saw(true);
    } catch {
      this.saw(false);
    } finally {
      this.probing = undefined;
    }
  }
}
