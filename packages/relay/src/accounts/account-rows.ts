/**
 * The row shapes both SQL account stores (SQLite and PostgreSQL) read back, and their
 * conversion to the records of `account-store.ts`. The two databases name columns alike;
 * their drivers return byte columns as `Buffer` (a `Uint8Array`), which the conversion copies
 * into plain `Uint8Array`s so callers never hold a driver's buffer.
 */
import type { AccountRecord, ChallengeRecord, MailboxRecord } from "./account-store.js";

/** A row of the `accounts` table. */
export interface AccountRow {
  id: string;
  email: string;
  login_public_key: Uint8Array;
  recovery_public_key: Uint8Array | null;
  kdf_salt: Uint8Array;
  kdf_ops: number;
  kdf_mem: number;
  bundle: Uint8Array;
  bundle_version: number;
  created_at: number;
  /** Null for accounts made before sharing keys (and before the column existed). */
  share_public_key: Uint8Array | null;
}

/** A row of the `login_challenges` table. */
export interface ChallengeRow {
  id: string;
  email: string;
  challenge: Uint8Array;
  expires_at: number;
}

/** A row of the `pairing_mailboxes` table. */
export interface MailboxRow {
  id: string;
  account_id: string;
  sealed: Uint8Array;
  expires_at: number;
}

/** A plain `Uint8Array` copy of a driver's byte column. */
export const bytes = (value: Uint8Array): Uint8Array => new Uint8Array(value);

/** The account a row holds. */
export function toAccount(row: AccountRow): AccountRecord {
  return {
    id: row.id,
    email: row.email,
    loginPublicKey: bytes(row.login_public_key),
    recoveryPublicKey: row.recovery_public_key ? bytes(row.recovery_public_key) : null,
    kdf: {
      algorithm: "argon2id13",
      salt: bytes(row.kdf_salt),
      opsLimit: row.kdf_ops,
      memLimit: row.kdf_mem,
    },
    bundle: bytes(row.bundle),
    bundleVersion: row.bundle_version,
    createdAt: row.created_at,
    sharePublicKey: row.share_public_key ? bytes(row.share_public_key) : null,
  };
}

/** The challenge a row taken at `now` holds, or `undefined` when absent or expired. */
export function liveChallenge(
  row: ChallengeRow | undefined,
  now: number,
): ChallengeRecord | undefined {
  if (!row || now >= row.expires_at) return undefined;
  return {
    id: row.id,
    email: row.email,
    challenge: bytes(row.challenge),
    expiresAt: row.expires_at,
  };
}

/** The mailbox a row taken at `now` holds, or `undefined` when absent or expired. */
export function liveMailbox(row: MailboxRow | undefined, now: number): MailboxRecord | undefined {
  if (!row || now >= row.expires_at) return undefined;
  return {
    id: row.id,
    accountId: row.account_id,
    sealed: bytes(row.sealed),
    expiresAt: row.expires_at,
  };
}
