/**
 * The SQLite relay store's connection settings and schema. Settings are per connection and
 * applied on every open; the schema is versioned in `PRAGMA user_version` and brought up to
 * date by migrations that each run in their own transaction, so opening is idempotent and
 * a crash mid-migration leaves the previous version intact.
 */
import type BetterSqlite3 from "better-sqlite3";

type Database = BetterSqlite3.Database;

/** Marks a database file as a ridevault relay store ("RVRS"); other files are refused. */
export const APPLICATION_ID = 0x52565253;

/**
 * Migration i takes the schema from version i to i + 1. Append new ones; never edit a
 * released one.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    write_public_key BLOB NOT NULL,
    access_hash BLOB NOT NULL,
    owner TEXT,
    created_at INTEGER NOT NULL,
    -- The per-document sequence: updated in the transaction that inserts the envelope.
    last_seq INTEGER NOT NULL DEFAULT 0,
    -- The latest snapshot: the one covering the most (ties: the newer).
    snapshot_seq INTEGER,
    snapshot_covers_seq INTEGER
  ) STRICT;

  CREATE TABLE envelopes (
    doc_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    author TEXT NOT NULL,
    counter INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('change', 'snapshot')),
    covers_seq INTEGER CHECK ((kind = 'snapshot') = (covers_seq IS NOT NULL)),
    envelope BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (doc_id, seq),
    UNIQUE (doc_id, author, counter)
  ) STRICT;

  -- What prune removed, per author: keeps retries of pruned envelopes duplicates.
  CREATE TABLE pruned_authors (
    doc_id TEXT NOT NULL,
    author TEXT NOT NULL,
    max_counter INTEGER NOT NULL,
    max_seq INTEGER NOT NULL,
    PRIMARY KEY (doc_id, author)
  ) STRICT, WITHOUT ROWID;
  `,
  `
  -- Per-account quotas and account deletion find an owner's documents.
  CREATE INDEX documents_owner ON documents (owner) WHERE owner IS NOT NULL;
  `,
  `
  -- Key rotation: the generation of the document's current write key and access hash.
  ALTER TABLE documents ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;

  -- Share grants (docs/sharing.md). The capability itself is never stored, only its hash.
  CREATE TABLE grants (
    grant_id TEXT PRIMARY KEY,
    capability_hash BLOB NOT NULL UNIQUE,
    mode TEXT NOT NULL CHECK (mode IN ('read', 'write')),
    expires_at INTEGER,
    created_at INTEGER NOT NULL,
    created_by TEXT,
    recipient TEXT,
    keyring BLOB NOT NULL,
    sealed_secret BLOB,
    last_used_at INTEGER
  ) STRICT;
  -- A recipient's inbox, and account deletion (grants created by or addressed to it).
  CREATE INDEX grants_recipient ON grants (recipient, created_at) WHERE recipient IS NOT NULL;
  CREATE INDEX grants_created_by ON grants (created_by) WHERE created_by IS NOT NULL;

  -- The documents a grant opens, in the order the grant lists them.
  CREATE TABLE grant_documents (
    grant_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (grant_id, doc_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX grant_documents_doc ON grant_documents (doc_id);
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Applies the connection settings. Throws when the file is not a relay store or cannot be
 * put in WAL mode.
 */
export function configureConnection(db: Database): void {
  const applicationId = db.pragma("application_id", { simple: true });
  if (applicationId !== 0 && applicationId !== APPLICATION_ID) {
    throw new Error(`it is not a ridevault relay store (application_id ${applicationId})`);
  }
  // WAL: readers don't block the writer, and a commit appends to one file.
  const mode = db.pragma("journal_mode = WAL", { simple: true });
  if (mode !== "wal") throw new Error(`it cannot use WAL mode (journal_mode stays "${mode}")`);
  // FULL syncs the WAL at every commit: an acknowledged envelope survives power loss.
  // NORMAL would sync only at checkpoints and could lose the last commits.
  db.pragma("synchronous = FULL");
  // No automatic checkpoints: SQLite would run them inside whichever commit crosses the
  // threshold, and that commit's appends would wait for it (REFERENCE.md: p99 12–28 ms).
  // The store checkpoints on a timer instead, between commits.
  db.pragma("wal_autocheckpoint = 0");
  // After a checkpoint, give back the disk space of a WAL that grew in a burst.
  db.pragma("journal_size_limit = 67108864");
  db.pragma("busy_timeout = 5000");
  // Deleted rows are overwritten: a deleted account's documents leave no bytes in the file.
  db.pragma("secure_delete = ON");
}

/**
 * Brings the schema up to `SCHEMA_VERSION` (or `target`, for tests that make an older file
 * to upgrade); returns the version found. Throws when the file was written by a newer relay.
 */
export function migrate(db: Database, target = SCHEMA_VERSION): number {
  const found = Number(db.pragma("user_version", { simple: true }));
  if (found > SCHEMA_VERSION) {
    throw new Error(
      `its schema version is ${found} but this relay knows up to ${SCHEMA_VERSION}; run a newer relay`,
    );
  }
  for (let version = found; version < Math.min(target, SCHEMA_VERSION); version++) {
    const migration = MIGRATIONS[version] as string;
    db.transaction(() => {
      db.exec(migration);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return found;
}
