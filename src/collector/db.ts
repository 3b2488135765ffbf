// The collector's database: PGlite (embedded PostgreSQL, in the data directory) by default, or a
// PostgreSQL server when DATABASE_URL is set. Both run the same SQL, so one interface serves both.

export { migrate } from './schema';

export interface Db {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs statements in one transaction; resolved means committed (and, on PGlite, on disk). */
  transaction<T>(work: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  kind: 'pglite' | 'postgres';
}

/**
 * Whether an error means the database cannot be reached now, rather than that it refused a query:
 * no SQLSTATE (a socket error), or SQLSTATE classes 08 (connection), 53 (resources), 57 (operator
 * intervention: shutdown, restart) and 58 (system error).
 */
export const isUnavailable = (e: unknown): boolean => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || /^(08|53|57|58)/.test(code);
};

/** An error of the database, as the collector tells them apart: unreachable (503) or refused (500). */
export class DbError extends Error {
  constructor(
    readonly unavailable: boolean,
    override readonly cause: unknown,
  ) {
    super(unavailable ? 'the database is not reachable' : 'the database refused a statement');
  }
}
const wrapError = (e: unknown) => (e instanceof DbError ? e : new DbError(isUnavailable(e), e));

/** The same database, its errors turned into DbErrors. */
export const guarded = (db: Db): Db => ({
  kind: db.kind,
  query: <T>(sql: string, params?: unknown[]) => db.query<T>(sql, params).catch((e) => Promise.reject(wrapError(e))),
  transaction: async (work) => {
    // What the work throws stays as it is (its queries throw DbErrors already); BEGIN and COMMIT are wrapped.
    let thrown = false;
    try {
      return await db.transaction((tx) =>
        work(guarded(tx)).catch((e) => {
          thrown = true;
          throw e;
        }),
      );
    } catch (e) {
      throw thrown ? e : wrapError(e);
    }
  },
  close: () => db.close(),
});

/** The embedded database in a directory; the caller holds the data directory's lock. */
export { openPglite } from './pglite';

/**
 * Connects to a PostgreSQL server. The pool reconnects by itself once the server is back; meanwhile
 * queries fail fast, and an idle connection that breaks is logged rather than crashing the process.
 */
export const openPostgres = async (url: string, log: (message: string) => void = console.error): Promise<Db> => {
  const { default: pg } = await import('pg');
  // A statement that waits on a lock for long fails (503, the browser retries) rather than holding the
  // request: someone holding a table lock must not stall ingestion without end.
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000, lock_timeout: 15_000 });
  pool.on('error', (e) => log(`PostgreSQL connection lost (${(e as { code?: string }).code ?? e.message})`));
  const db: Db = {
    kind: 'postgres',
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    transaction: async (work) => {
      const client = await pool.connect();
      // A connection that broke mid-transaction is thrown away, not returned to the pool.
      let broken: unknown;
      const onError = (e: Error) => {
        broken = e;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work({ ...db, query: async (sql, params) => (await client.query(sql, params)).rows });
        await client.query('COMMIT');
        return result;
      } catch (e) {
        broken ??= isUnavailable(e) ? e : undefined;
        if (!broken) await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.off('error', onError);
        client.release(broken instanceof Error ? broken : broken ? new Error('broken') : undefined);
      }
    },
    close: () => pool.end(),
  };
  return db;
};
