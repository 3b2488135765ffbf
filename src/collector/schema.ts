// The collector's tables, the same SQL on PGlite and PostgreSQL. Receipts are append-only: a row is
// inserted once and deleted only by erasure or retention, never updated.
import type { Db } from './db';

export const MIGRATIONS = [
  // 1: the first release.
  `CREATE TABLE entries (
     id text PRIMARY KEY,
     type text NOT NULL,
     consent_id text,
     body text NOT NULL,
     signature text,
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
  // 2: encrypted receipts, conflicts, hash chains, tombstones and counters. The rows of release 1 are
  // moved over by `upgradeV1` in store.ts, which re-stores each one through the new path.
  `ALTER TABLE entries RENAME TO entries_v1;
   ALTER INDEX entries_consent RENAME TO entries_v1_consent;
   ALTER INDEX entries_received RENAME TO entries_v1_received;
   ALTER TABLE erasures RENAME TO erasure_counts;
   -- One data key per consent id (crypto-shredding): erasure deletes the key, and the retention job
   -- scrubs the table so that no copy of it is left in the data directory.
   CREATE TABLE subject_keys (
     subject bytea PRIMARY KEY,
     key bytea NOT NULL
   );
   -- Every entry stored, in the order each writer stored it. A receipt's body is sealed with its
   -- subject's key; subject is the SHA-256 of the consent id, so no consent id is stored in the clear.
   CREATE TABLE entries (
     writer text NOT NULL,
     seq bigint NOT NULL,
     id text NOT NULL,
     type text NOT NULL,
     subject bytea,
     body bytea NOT NULL,
     facts bytea,
     digest bytea NOT NULL,
     signature text,
     conflict boolean NOT NULL,
     received_from text NOT NULL,
     received_at timestamptz NOT NULL,
     PRIMARY KEY (writer, seq)
   );
   CREATE UNIQUE INDEX entries_first ON entries (id) WHERE NOT conflict;
   CREATE UNIQUE INDEX entries_variant ON entries (id, digest);
   CREATE INDEX entries_subject ON entries (subject, received_at);
   CREATE INDEX entries_received ON entries (type, received_at);
   -- The hash chains: one per writing process, never deleted, holding no content.
   CREATE TABLE chain (
     writer text NOT NULL,
     seq bigint NOT NULL,
     leaf bytea NOT NULL,
     hash bytea NOT NULL,
     PRIMARY KEY (writer, seq)
   );
   -- Why a chained entry is no longer stored: erased or pruned.
   CREATE TABLE gone (
     writer text NOT NULL,
     seq bigint NOT NULL,
     reason text NOT NULL,
     PRIMARY KEY (writer, seq)
   );
   -- Signed statements of each chain's length and head, outside the tables they vouch for.
   CREATE TABLE checkpoints (
     writer text NOT NULL,
     count bigint NOT NULL,
     head bytea NOT NULL,
     jws text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (writer, count)
   );
   -- What is left of an erased receipt: enough to prove it existed, nothing of what it said.
   CREATE TABLE tombstones (
     id text NOT NULL,
     digest bytea NOT NULL,
     signature text,
     received_at timestamptz NOT NULL,
     erased_at timestamptz NOT NULL,
     jws text NOT NULL,
     PRIMARY KEY (id, digest)
   );
   CREATE INDEX tombstones_erased ON tombstones (erased_at);
   -- Statistics, kept at ingest: a count per day, metric and key.
   CREATE TABLE counters (
     day date NOT NULL,
     metric text NOT NULL,
     key text NOT NULL,
     n bigint NOT NULL,
     PRIMARY KEY (day, metric, key)
   );
   CREATE TABLE health (id integer PRIMARY KEY, checked_at timestamptz NOT NULL);
   ALTER TABLE signing_keys ADD COLUMN private_jwk text;`,
  // 3: what the red team found in release 2. Each removal is signed, so that nobody without the key
  // can pass a deletion off as an erasure or a retention run; tombstones name their link; texts are
  // kept per language; upkeep owed (scrubbing after an erasure) outlives a restart.
  `ALTER TABLE gone ADD COLUMN at timestamptz NOT NULL DEFAULT now();
   ALTER TABLE gone ADD COLUMN jws text NOT NULL DEFAULT '';
   ALTER TABLE tombstones ADD COLUMN writer text;
   ALTER TABLE tombstones ADD COLUMN seq bigint;
   ALTER TABLE texts DROP CONSTRAINT texts_pkey;
   ALTER TABLE texts ADD PRIMARY KEY (text_hash, language);
   CREATE TABLE upkeep (task text PRIMARY KEY, since timestamptz NOT NULL DEFAULT now());`,
];

/** Brings a database to the latest schema; safe to run on every start, and by several processes at once. */
export const migrate = async (db: Db) => {
  await db.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY)');
  for (const [i, sql] of MIGRATIONS.entries())
    await db.transaction(async (tx) => {
      // Concurrent starts on one PostgreSQL: the lock makes the second wait, then see the migration done.
      if (tx.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7346873)');
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [i + 1]);
      if (done.length) return;
      const statements = sql.replace(/--.*$/gm, '').split(';');
      for (const statement of statements.filter((s) => s.trim())) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
    });
};
