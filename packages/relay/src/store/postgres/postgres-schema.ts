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
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the schema up to `SCHEMA_VERSION` and returns the version found. Safe to run from
 * several instances at once. Throws when the database was migrated by a newer relay.
 */
export async function migrate(sql: Sql): Promise<number> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    // Quiet: "already exists" notices would be logged on every start otherwise.
    await tx`SET LOCAL client_min_messages = warning`;
    await tx`CREATE TABLE IF NOT EXISTS ridevault_schema_migrations (
      version INTEGER PRIMARY KEY,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`;
    const [row] = await tx<{ version: number | null }[]>`
      SELECT MAX(version) AS version FROM ridevault_schema_migrations`;
    const found = row?.version ?? 0;
    if (found > SCHEMA_VERSION) {
      throw new Error(
        `its schema version is ${found} but this relay knows up to ${SCHEMA_VERSION}; run a newer relay`,
      );
    }
    for (let version = found; version < SCHEMA_VERSION; version++) {
      await tx.unsafe(MIGRATIONS[version] as string);
      await tx`INSERT INTO ridevault_schema_migrations (version) VALUES (${version + 1})`;
    }
    return found;
  });
}
