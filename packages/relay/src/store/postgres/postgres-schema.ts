/**
 * The PostgreSQL relay store's schema and its migrations. Versions are rows of
 * `ridevault_schema_migrations`; the relay brings the schema up to date on every start, in
 * one transaction holding a transaction-scoped advisory lock, so two instances starting at
 * once run each migration exactly once (the second waits, then finds nothing to do) and a
 * crash mid-migration leaves the previous version intact (PostgreSQL DDL is transactional).
 */
import type { Sql } from "postgres";

/** The advisory lock key the migrations hold ("RVRS" as an integer). */
export const MIGRATION_LOCK_KEY = 0x52565253;

/**
 * Migration i takes the schema from version i to i + 1. Append new ones; never edit a
 * released one.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    write_public_key BYTEA NOT NULL,
    access_hash BYTEA NOT NULL,
    owner TEXT,
    created_at BIGINT NOT NULL,
    -- The per-document sequence: updated in the transaction that inserts the envelope,
    -- under the row lock that serialises appends to one document across instances.
    last_seq BIGINT NOT NULL DEFAULT 0,
    -- The latest snapshot: the one covering the most (ties: the newer).
    snapshot_seq BIGINT,
    snapshot_covers_seq BIGINT
  );

  CREATE TABLE envelopes (
    doc_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    author TEXT NOT NULL,
    counter BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('change', 'snapshot')),
    covers_seq BIGINT CHECK ((kind = 'snapshot') = (covers_seq IS NOT NULL)),
    envelope BYTEA NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (doc_id, seq),
    UNIQUE (doc_id, author, counter)
  );

  -- What prune removed, per author: keeps retries of pruned envelopes duplicates.
  CREATE TABLE pruned_authors (
    doc_id TEXT NOT NULL,
    author TEXT NOT NULL,
    max_counter BIGINT NOT NULL,
    max_seq BIGINT NOT NULL,
    PRIMARY KEY (doc_id, author)
  );
  `,
  `
  -- Per-account quotas and account deletion find an owner's documents.
  CREATE INDEX documents_owner ON documents (owner) WHERE owner IS NOT NULL;
  `,
  `
  -- Key rotation: the generation of the document's current write key and access hash.
  ALTER TABLE documents ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;

  -- Share grants (docs/sharing.md). The capability itself is never stored, only its hash.
  CREATE TABLE grants (
    grant_id TEXT PRIMARY KEY,
    capability_hash BYTEA NOT NULL UNIQUE,
    mode TEXT NOT NULL CHECK (mode IN ('read', 'write')),
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT,
    recipient TEXT,
    keyring BYTEA NOT NULL,
    sealed_secret BYTEA,
    last_used_at BIGINT
  );
  -- A recipient's inbox, and account deletion (grants created by or addressed to it).
  CREATE INDEX grants_recipient ON grants (recipient, created_at) WHERE recipient IS NOT NULL;
  CREATE INDEX grants_created_by ON grants (created_by) WHERE created_by IS NOT NULL;

  -- The documents a grant opens, in the order the grant lists them.
  CREATE TABLE grant_documents (
    grant_id TEXT NOT NULL REFERENCES grants ON DELETE CASCADE,
    doc_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (grant_id, doc_id)
  );
  CREATE INDEX grant_documents_doc ON grant_documents (doc_id);
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A versioned list of migrations with its own version table (see `runMigrations`). */
export interface MigrationSet {
  /** The table recording applied versions, e.g. `ridevault_schema_migrations`. */
  readonly table: string;
  /** Migration i takes the schema from version i to i + 1. */
  readonly migrations: readonly string[];
  /** Runs last in the same transaction, under the lock (e.g. to create a secret once). */
  readonly after?: (tx: Sql) => Promise<void>;
}

/**
 * Brings the relay store's schema up to `SCHEMA_VERSION` (or `target`, for tests that make
 * an older database to upgrade) and returns the version found. Safe to run from several
 * instances at once. Throws when the database was migrated by a newer relay.
 */
export async function migrate(sql: Sql, target = SCHEMA_VERSION): Promise<number> {
  return runMigrations(sql, {
    table: "ridevault_schema_migrations",
    migrations: MIGRATIONS.slice(0, target),
  });
}

/**
 * Applies the pending migrations of `set` in one transaction holding the advisory lock
 * `MIGRATION_LOCK_KEY` (shared by every migration set, so instances starting together
 * migrate one after the other); returns the version found. Throws when the database holds
 * a newer version than `set` knows.
 */
export async function runMigrations(sql: Sql, set: MigrationSet): Promise<number> {
  if (!/^[a-z_]+$/.test(set.table)) throw new Error(`bad migration table name ${set.table}`);
  const known = set.migrations.length;
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    // Quiet: "already exists" notices would be logged on every start otherwise.
    await tx`SET LOCAL client_min_messages = warning`;
    await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${set.table} (
      version INTEGER PRIMARY KEY,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const [row] = await tx.unsafe<{ version: number | null }[]>(
      `SELECT MAX(version) AS version FROM ${set.table}`,
    );
    const found = row?.version ?? 0;
    if (found > known) {
      throw new Error(
        `its schema version (${set.table}) is ${found} but this relay knows up to ${known}; run a newer relay`,
      );
    }
    for (let version = found; version < known; version++) {
      await tx.unsafe(set.migrations[version] as string);
      await tx.unsafe(`INSERT INTO ${set.table} (version) VALUES ($1)`, [version + 1]);
    }
    await set.after?.(tx as unknown as Sql);
    return found;
  });
}
