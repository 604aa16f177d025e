/**
 * The SQLite account store's schema, in its own database file (accounts can be backed up,
 * moved or wiped apart from envelopes). Versioned in `PRAGMA user_version`, brought up to
 * date by migrations that each run in their own transaction, like the relay store's
 * (`store/sqlite-schema.ts`).
 */
import type BetterSqlite3 from "better-sqlite3";

type Database = BetterSqlite3.Database;

/** Marks a database file as a ridevault account store ("RVAC"); other files are refused. */
export const ACCOUNTS_APPLICATION_ID = 0x52564143;

/** Migration i takes the schema from version i to i + 1. Append; never edit a released one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    login_public_key BLOB NOT NULL,
    recovery_public_key BLOB,
    kdf_algorithm TEXT NOT NULL,
    kdf_salt BLOB NOT NULL,
    kdf_ops INTEGER NOT NULL,
    kdf_mem INTEGER NOT NULL,
    bundle BLOB NOT NULL,
    bundle_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE login_challenges (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    challenge BLOB NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE refresh_families (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    revoked INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX refresh_families_account ON refresh_families (account_id);

  -- Only SHA-256 hashes of refresh tokens: a copy of this table signs no one in.
  CREATE TABLE refresh_tokens (
    hash BLOB PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
    used INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
  `,
  `
  -- Pairing mailboxes: a key bundle sealed to a one-time link, taken once.
  CREATE TABLE pairing_mailboxes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX pairing_mailboxes_account ON pairing_mailboxes (account_id);
  `,
  `
  -- The public half of each account's sharing key (X25519); null until it has one.
  ALTER TABLE accounts ADD COLUMN share_public_key BLOB;
  `,
];

/** The schema version this code writes. */
export const ACCOUNTS_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Applies connection settings (WAL, durable commits, foreign keys for the cascades) and
 * brings the schema up to date. Throws when the file is another kind of database or was
 * written by a newer relay.
 */
export function prepareAccountDatabase(db: Database): void {
  const applicationId = db.pragma("application_id", { simple: true });
  if (applicationId !== 0 && applicationId !== ACCOUNTS_APPLICATION_ID) {
    throw new Error(`it is not a ridevault account store (application_id ${applicationId})`);
  }
  const mode = db.pragma("journal_mode = WAL", { simple: true });
  if (mode !== "wal") throw new Error(`it cannot use WAL mode (journal_mode stays "${mode}")`);
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  // Deleted rows are overwritten, so a deleted account leaves no bytes behind in the file.
  db.pragma("secure_delete = ON");
  db.pragma("busy_timeout = 5000");
  const found = Number(db.pragma("user_version", { simple: true }));
  if (found > ACCOUNTS_SCHEMA_VERSION) {
    throw new Error(
      `its schema version is ${found} but this relay knows up to ${ACCOUNTS_SCHEMA_VERSION}; run a newer relay`,
    );
  }
  for (let version = found; version < ACCOUNTS_SCHEMA_VERSION; version++) {
    const migration = MIGRATIONS[version] as string;
    db.transaction(() => {
      db.exec(migration);
      db.pragma(`application_id = ${ACCOUNTS_APPLICATION_ID}`);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
