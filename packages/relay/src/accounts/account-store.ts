/**
 * The account-store seam (DESIGN.md §3, §6): what the relay keeps about accounts — never
 * anything that decrypts. Per account: a normalized email, the login public key (and the
 * recovery public key), the Argon2id salt and parameters the device chose, and the wrapped
 * key bundle with a version for compare-and-set updates. Per device session: a refresh-token
 * family of which only SHA-256 hashes are stored; rotating a token marks it used, and
 * presenting a used token again revokes its whole family (theft detection). Login challenges
 * are single use and expire, and so are pairing mailboxes. The public half of the account's
 * sharing key (X25519) is kept so other riders can seal shares to it. Deleting an account
 * removes every row of it.
 *
 * Separate from `RelayStore` on purpose: accounts can live in another database than
 * envelopes. Implementations: `MemoryAccountStore`, `SqliteAccountStore`,
 * `PostgresAccountStore` (shared by several relay instances); each runs
 * `runAccountStoreTests`.
 */
import type { Result } from "@ridevault/core/protocol";

/** The Argon2id parameters and salt a device derives its keys with (libsodium `crypto_pwhash`). */
export interface KdfParams {
  readonly algorithm: "argon2id13";
  /** 16 random bytes. */
  readonly salt: Uint8Array;
  readonly opsLimit: number;
  /** Bytes. */
  readonly memLimit: number;
}

/** One account as stored. */
export interface AccountRecord {
  /** Random, opaque (22 base64url characters). */
  readonly id: string;
  /** Normalized (see `normalizeEmail`). */
  readonly email: string;
  /** Ed25519 public key derived from the password on the device. */
  readonly loginPublicKey: Uint8Array;
  /** Ed25519 public key derived from the recovery code, or null without one. */
  readonly recoveryPublicKey: Uint8Array | null;
  readonly kdf: KdfParams;
  /** The key bundle, encrypted on the device; opaque here. */
  readonly bundle: Uint8Array;
  /** 1 at registration, +1 on every change of the bundle. */
  readonly bundleVersion: number;
  readonly createdAt: number;
  /** The public half of the account's sharing key (32 bytes), or null before it has one. */
  readonly sharePublicKey: Uint8Array | null;
}

/** Which device sessions were just signed out (a refresh family, or an account's). */
export type Revocation =
  | { readonly familyId: string }
  | { readonly accountId: string; readonly except: string | null };

/** A login challenge: random bytes the device signs with its login key. */
export interface ChallengeRecord {
  readonly id: string;
  /** The normalized email it was issued for (known or not: unknown emails get one too). */
  readonly email: string;
  readonly challenge: Uint8Array;
  readonly expiresAt: number;
}

/** New login credentials: after a password change, or after recovery. */
export interface CredentialsUpdate {
  readonly accountId: string;
  readonly loginPublicKey: Uint8Array;
  readonly kdf: KdfParams;
  readonly bundle: Uint8Array;
  /** The update applies only if the stored bundle still has this version. */
  readonly expectedBundleVersion: number;
}

/** A bundle replacement, applied only if the stored version is `expectedVersion`. */
export interface BundleUpdate {
  readonly accountId: string;
  readonly bundle: Uint8Array;
  readonly expectedVersion: number;
}

/** Rotating a refresh token: the presented token's hash and its successor's. */
export interface RefreshRotation {
  readonly tokenHash: Uint8Array;
  readonly nextHash: Uint8Array;
  readonly nextExpiresAt: number;
  readonly now: number;
}

/** A pairing mailbox: a key bundle sealed to a one-time link's secret, for a new device. */
export interface MailboxRecord {
  /** Derived from the link's secret by the devices; the relay cannot derive the key from it. */
  readonly id: string;
  /** The account whose device left it; the device that takes it signs in to this account. */
  readonly accountId: string;
  readonly sealed: Uint8Array;
  readonly expiresAt: number;
}

/** The email is registered already. */
export interface EmailTakenError {
  readonly code: "email-taken";
  readonly message: string;
}
/** No such account (deleted meanwhile). */
export interface UnknownAccountError {
  readonly code: "unknown-account";
  readonly message: string;
}
/** The bundle changed since the caller read it. */
export interface BundleConflictError {
  readonly code: "bundle-conflict";
  readonly message: string;
  readonly currentVersion: number;
}
/** The refresh token is unknown, expired, or its family was revoked. */
export interface RefreshInvalidError {
  readonly code: "refresh-invalid";
  readonly message: string;
}
/** The refresh token was used before: its whole family is now revoked. */
export interface RefreshReusedError {
  readonly code: "refresh-reused";
  readonly message: string;
  readonly familyId: string;
}

/** The relay's account storage. Storage failures reject the promises. */
export interface AccountStore {
  /** Stores a new account; `email-taken` when the email is registered. */
  createAccount(account: AccountRecord): Promise<Result<void, EmailTakenError>>;
  getAccount(id: string): Promise<AccountRecord | undefined>;
  getAccountByEmail(email: string): Promise<AccountRecord | undefined>;
  /** Replaces login key, KDF and bundle together; returns the new bundle version. */
  updateCredentials(
    update: CredentialsUpdate,
  ): Promise<Result<number, UnknownAccountError | BundleConflictError>>;
  /** Replaces the bundle; returns the new version. */
  putBundle(
    update: BundleUpdate,
  ): Promise<Result<number, UnknownAccountError | BundleConflictError>>;
  /** Sets the account's sharing public key; false when there is no such account. */
  putSharePublicKey(accountId: string, publicKey: Uint8Array): Promise<boolean>;
  /** Removes the account, its challenges, families and tokens. False when there was none. */
  deleteAccount(id: string): Promise<boolean>;

  /** Stores a challenge. */
  putChallenge(challenge: ChallengeRecord): Promise<void>;
  /** Removes and returns the challenge if it exists and `now < expiresAt` (single use). */
  takeChallenge(id: string, now: number): Promise<ChallengeRecord | undefined>;

  /** Starts a family with its first token (hash only). */
  createFamily(input: {
    familyId: string;
    accountId: string;
    tokenHash: Uint8Array;
    expiresAt: number;
    createdAt: number;
  }): Promise<void>;
  /**
   * Marks the token used and stores its successor in one step. A used token revokes the
   * family (`refresh-reused`); an unknown, expired or revoked one is `refresh-invalid`.
   */
  rotateRefreshToken(
    rotation: RefreshRotation,
  ): Promise<
    Result<{ accountId: string; familyId: string }, RefreshInvalidError | RefreshReusedError>
  >;
  /** True when the family exists and is not revoked. */
  isFamilyActive(familyId: string): Promise<boolean>;
  /**
   * Which of `familyIds` are no longer active (revoked, or gone with their account): lets an
   * instance close connections signed out through another instance.
   */
  inactiveFamilies(familyIds: readonly string[]): Promise<string[]>;
  /** Revokes one family (logout on this device). */
  revokeFamily(familyId: string): Promise<void>;
  /** Revokes every family of the account but `except` (logout everywhere, password change). */
  revokeFamilies(accountId: string, except: string | null): Promise<void>;
  /** Stores a pairing mailbox (an existing id is replaced). */
  putMailbox(mailbox: MailboxRecord): Promise<void>;
  /** Removes and returns the mailbox if it exists and `now < expiresAt` (single use). */
  takeMailbox(id: string, now: number): Promise<MailboxRecord | undefined>;
  /** Removes expired challenges, tokens and mailboxes; returns how many rows went. */
  sweep(now: number): Promise<number>;
  /**
   * For a store shared by several relay instances (PostgreSQL): calls `listener` with every
   * revocation any instance makes (`revokeFamily`, `revokeFamilies`, a reused refresh token),
   * as soon as it commits, so each instance closes its connections at once. Notifications
   * can be lost (while reconnecting); instances still poll `inactiveFamilies`. Resolves
   * with a function that stops listening. Absent on single-instance stores.
   */
  listenRevocations?(listener: (revocation: Revocation) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** `email-taken`. */
export function emailTaken(): EmailTakenError {
  return {
    code: "email-taken",
    message: "an account with this email exists: log in instead, or use another email",
  };
}

/** `unknown-account`. */
export function unknownAccount(): UnknownAccountError {
  return { code: "unknown-account", message: "the account does not exist (deleted?)" };
}

/** `bundle-conflict`. */
export function bundleConflict(currentVersion: number): BundleConflictError {
  return {
    code: "bundle-conflict",
    currentVersion,
    message: `the key bundle changed meanwhile (now version ${currentVersion}): fetch it, apply your change again and retry`,
  };
}

/** `refresh-invalid`. */
export function refreshInvalid(): RefreshInvalidError {
  return {
    code: "refresh-invalid",
    message: "the refresh token is unknown, expired or signed out: log in again",
  };
}

/** `refresh-reused`. */
export function refreshReused(familyId: string): RefreshReusedError {
  return {
    code: "refresh-reused",
    familyId,
    message:
      "this refresh token was used before, so it may have been stolen: this device's session is signed out; log in again",
  };
}

/**
 * The canonical form of an email: trimmed, Unicode NFC, lowercased. Undefined when it does
 * not look like an address (one "@", something on both sides, at most 254 characters).
 */
export function normalizeEmail(email: string): string | undefined {
  const normalized = email.trim().normalize("NFC").toLowerCase();
  if (normalized.length > 254 || /\s/.test(normalized)) return undefined;
  const at = normalized.indexOf("@");
  if (at < 1 || at !== normalized.lastIndexOf("@") || at === normalized.length - 1)
    return undefined;
  return normalized;
}
