// The collector's database: PGlite (embedded PostgreSQL, in the data directory) by default, or a
// PostgreSQL server when DATABASE_URL is set. Both run the same SQL, so one interface serves both.

export interface Db {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs statements in one transaction. */
  transaction<T>(work: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  kind: 'pglite' | 'postgres';
}

/** Append-only storage: rows are inserted, read, and deleted only by erasure and retention. */
const MIGRATIONS = [
  `CREATE TABLE entries (
     id text PRIMARY KEY,
     type text NOT NULL,
     consent_id text,
     body text NOT NULL,
     signature text,
     -- clock_timestamp, not now(): entries of one batch keep their order.
     received_at timestamptz NOT NULL DEFAULT clock_timestamp()
   );
   CREATE INDEX entries_consent ON entries (consent_id, received_at);
   CREATE INDEX entries_received ON entries (received_at);
   CREATE TABLE texts (
     text_hash text PRIMARY KEY,
     language text NOT NULL,
     body text NOT NULL,
     received_at timestamptz NOT NULL DEFAULT now()
   );
   CREATE TABLE erasures (day date PRIMARY KEY, count integer NOT NULL);
   CREATE TABLE signing_keys (kid text PRIMARY KEY, public_jwk text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
];

/** Brings a database to the latest schema; safe to run on every start. */
export const migrate = async (db: Db) => {
  await db.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY)');
  const done = new Set(
    (await db.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version),
  );
  for (const [i, sql] of MIGRATIONS.entries())
    if (!done.has(i + 1))
      await db.transaction(async (tx) => {
        for (const statement of sql.split(';').filter((s) => s.trim())) await tx.query(statement);
        await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
      });
};

/** Opens the embedded database in a directory. */
export const openPglite = async (dir: string): Promise<Db> => {
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = await PGlite.create(dir);
  const wrap = (q: Pick<typeof pg, 'query'>): Db => ({
    kind: 'pglite',
    query: async (sql, params) => (await q.query(sql, params)).rows as never,
    transaction: (work) => pg.transaction((tx) => work(wrap(tx))),
    close: () => pg.close(),
  });
  return wrap(pg);
};

/** Connects to a PostgreSQL server. */
export const openPostgres = async (url: string): Promise<Db> => {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query('SELECT 1');
  const db: Db = {
    kind: 'postgres',
    query: async (sql, params) => (await pool.query(sql, params)).rows,
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({ ...db, query: async (sql, params) => (await client.query(sql, params)).rows });
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
  return db;
};
