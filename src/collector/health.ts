// What /healthz answers, from a cached status: whether the database takes a write (probed at most
// every few seconds, however often /healthz is asked) and whether the last verification found the
// store whole. Verifying walks every chain, so it runs at start, never per request.
import type { Db } from './db';

const PROBE_EVERY_MS = 5000;

export class Health {
  /** `verifying` until the start-up verification ends. */
  chain: 'verifying' | 'whole' | 'broken' = 'verifying';
  problems = 0;
  private writable = false;
  private checkedAt = 0;
  private probing?: Promise<void>;

  constructor(private readonly db: Db) {}

  /** Records what an ingest just learnt, so that a failing database shows at once. */
  saw(writable: boolean) {
    this.writable = writable;
    this.checkedAt = Date.now();
  }

  async status() {
    if (Date.now() - this.checkedAt > PROBE_EVERY_MS) await (this.probing ??= this.probe());
    return {
      ok: this.writable && this.chain !== 'broken',
      database: this.writable ? 'writable' : 'unavailable',
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
