/**
 * The PostgreSQL account store's schema, next to the relay store's tables in the same
 * database and migrated the same way (`runMigrations` in `store/postgres/postgres-schema.ts`:
 * one transaction under the shared advisory lock, versions in their own table,
 * `ridevault_account_migrations`). The same transaction creates the relay's token secret
 * once: 32 random bytes in `relay_secrets`, so every instance on the database signs and
 * verifies access tokens (and derives fake salts) with the same key.
 */
import { randomBytes } from "node:crypto";
import type { Sql } from "postgres";
import { type MigrationSet, runMigrations } from "../store/postgres/postgres-schema.js";

/** Migration i takes the schema from version i to i + 1. Append; never edit a released one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    login_public_key BYTEA NOT NULL,
    recovery_public_key BYTEA,
    kdf_algorithm TEXT NOT NULL,
    kdf_salt BYTEA NOT NULL,
    kdf_ops INTEGER NOT NULL,
    kdf_mem BIGINT NOT NULL,
    bundle BYTEA NOT NULL,
    bundle_version INTEGER NOT NULL,
    created_at BIGINT NOT NULL
  );

  CREATE TABLE login_challenges (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    challenge BYTEA NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX login_challenges_email ON login_challenges (email);

  CREATE TABLE refresh_families (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    revoked BOOLEAN NOT NULL DEFAULT false,
    created_at BIGINT NOT NULL
  );
  CREATE INDEX refresh_families_account ON refresh_families (account_id);

  -- Only SHA-256 hashes of refresh tokens: a copy of this table signs no one in.
  CREATE TABLE refresh_tokens (
    hash BYTEA PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
    used BOOLEAN NOT NULL DEFAULT false,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

  -- Pairing mailboxes: a key bundle sealed to a one-time link, taken once.
  CREATE TABLE pairing_mailboxes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    sealed BYTEA NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX pairing_mailboxes_account ON pairing_mailboxes (account_id);

  -- Secrets every instance shares (the token-signing key).
  CREATE TABLE relay_secrets (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
  );
  `,
  `
  -- The public half of each account's sharing key (X25519); null until it has one.
  ALTER TABLE accounts ADD COLUMN share_public_key BYTEA;
  `,
];

/** The schema version this code writes. */
export const ACCOUNTS_PG_SCHEMA_VERSION = MIGRATIONS.length;

/** The name of the token secret's row in `relay_secrets`. */
const TOKEN_SECRET = "access-token";

/**
 * Brings the account tables up to date and returns the shared token secret, creating it the
 * first time (under the migration lock, so instances starting together agree on one).
 */
export async function migrateAccounts(sql: Sql): Promise<Uint8Array> {
  let secret: Uint8Array | undefined;
  const set: MigrationSet = {
    table: "ridevault_account_migrations",
    migrations: MIGRATIONS,
    async after(tx) {
      await tx`INSERT INTO relay_secrets (name, value)
               VALUES (${TOKEN_SECRET}, ${randomBytes(32)}) ON CONFLICT (name) DO NOTHING`;
      const [row] = await tx<{ value: Uint8Array }[]>`
        SELECT value FROM relay_secrets WHERE name = ${TOKEN_SECRET}`;
      secret = row && new Uint8Array(row.value);
    },
  };
  await runMigrations(sql, set);
  if (!secret || secret.length < 32) throw new Error("the shared token secret is missing");
  return secret;
}
