/**
 * The accounts of the Workers relay: one Durable Object (named `accounts`, in an optional
 * store namespace) holds every account, login challenge, refresh-token family and pairing
 * mailbox in its SQLite storage, with the tables of the SQLite account store. Its RPC
 * methods are the `AccountStore` methods; `DurableObjectAccountStore` calls them.
 *
 * Why a Durable Object and not D1: the object is single-threaded, so a refresh-token
 * rotation (check, mark used, insert the successor, or revoke the family on reuse) runs
 * without interleaving — the guarantee the SQLite store gets from an immediate transaction —
 * and it needs no second kind of binding or migration tool beside the relay's other objects.
 * The price is one object's throughput for every account request; sign-ins are rare next to
 * sync traffic, and access tokens are verified without it.
 *
 * Every ten minutes while it holds rows that expire, an alarm sweeps expired challenges,
 * refresh tokens and mailboxes (the Node relay's sweep timer).
 */
import { DurableObject } from "cloudflare:workers";
import { err, ok } from "@ridevault/core/protocol";
import {
  type AccountRow,
  type ChallengeRow,
  liveChallenge,
  liveMailbox,
  type MailboxRow,
  toAccount,
} from "../accounts/account-rows.js";
import {
  type AccountRecord,
  type AccountStore,
  bundleConflict,
  type ChallengeRecord,
  emailTaken,
  type MailboxRecord,
  refreshInvalid,
  refreshReused,
  unknownAccount,
} from "../accounts/account-store.js";
import type { RelayEnv } from "./document-rpc.js";

/** What the accounts object answers: the `AccountStore` methods a store forwards. */
export type AccountsRpc = Omit<AccountStore, "close" | "listenRevocations">;

/** How often expired rows are swept. */
const SWEEP_EVERY_MS = 10 * 60_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, login_public_key BLOB NOT NULL,
    recovery_public_key BLOB, kdf_algorithm TEXT NOT NULL, kdf_salt BLOB NOT NULL,
    kdf_ops INTEGER NOT NULL, kdf_mem INTEGER NOT NULL, bundle BLOB NOT NULL,
    bundle_version INTEGER NOT NULL, created_at INTEGER NOT NULL, share_public_key BLOB);
  CREATE TABLE IF NOT EXISTS login_challenges (
    id TEXT PRIMARY KEY, email TEXT NOT NULL, challenge BLOB NOT NULL,
    expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS refresh_families (
    id TEXT PRIMARY KEY, account_id TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS refresh_families_account ON refresh_families (account_id);
  CREATE TABLE IF NOT EXISTS refresh_tokens (
    hash BLOB PRIMARY KEY, family_id TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family_id);
  CREATE TABLE IF NOT EXISTS pairing_mailboxes (
    id TEXT PRIMARY KEY, account_id TEXT NOT NULL, sealed BLOB NOT NULL,
    expires_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS pairing_mailboxes_account ON pairing_mailboxes (account_id);
`;

const blob = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

/** A row with its BLOB columns (ArrayBuffers here) as `Uint8Array`s, as `account-rows.ts` reads them. */
function withBytes<T>(row: Record<string, SqlStorageValue> | undefined): T | undefined {
  if (!row) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    out[key] = value instanceof ArrayBuffer ? new Uint8Array(value.slice(0)) : value;
  }
  return out as T;
}

/** Every account of a Workers relay. */
export class AccountsObject extends DurableObject<RelayEnv> implements AccountsRpc {
  constructor(ctx: DurableObjectState, env: RelayEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  async createAccount(a: AccountRecord) {
    if (this.#first("SELECT 1 FROM accounts WHERE email = ?", a.email)) return err(emailTaken());
    this.#sql(
      `INSERT INTO accounts (id, email, login_public_key, recovery_public_key, kdf_algorithm,
         kdf_salt, kdf_ops, kdf_mem, bundle, bundle_version, created_at, share_public_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      a.id,
      a.email,
      blob(a.loginPublicKey),
      a.recoveryPublicKey && blob(a.recoveryPublicKey),
      a.kdf.algorithm,
      blob(a.kdf.salt),
      a.kdf.opsLimit,
      a.kdf.memLimit,
      blob(a.bundle),
      a.bundleVersion,
      a.createdAt,
      a.sharePublicKey && blob(a.sharePublicKey),
    );
    return ok(undefined);
  }

  async getAccount(id: string) {
    const row = withBytes<AccountRow>(this.#first("SELECT * FROM accounts WHERE id = ?", id));
    return row && toAccount(row);
  }

  async getAccountByEmail(email: string) {
    const row = withBytes<AccountRow>(this.#first("SELECT * FROM accounts WHERE email = ?", email));
    return row && toAccount(row);
  }

  async updateCredentials(u: Parameters<AccountStore["updateCredentials"]>[0]) {
    const version = this.#version(u.accountId);
    if (version === undefined) return err(unknownAccount());
    if (version !== u.expectedBundleVersion) return err(bundleConflict(version));
    this.#sql(
      `UPDATE accounts SET login_public_key = ?, kdf_algorithm = ?, kdf_salt = ?, kdf_ops = ?,
         kdf_mem = ?, bundle = ?, bundle_version = ? WHERE id = ?`,
      blob(u.loginPublicKey),
      u.kdf.algorithm,
      blob(u.kdf.salt),
      u.kdf.opsLimit,
      u.kdf.memLimit,
      blob(u.bundle),
      version + 1,
      u.accountId,
    );
    return ok(version + 1);
  }

  async putBundle(u: Parameters<AccountStore["putBundle"]>[0]) {
    const version = this.#version(u.accountId);
    if (version === undefined) return err(unknownAccount());
    if (version !== u.expectedVersion) return err(bundleConflict(version));
    this.#sql(
      "UPDATE accounts SET bundle = ?, bundle_version = ? WHERE id = ?",
      blob(u.bundle),
      version + 1,
      u.accountId,
    );
    return ok(version + 1);
  }

  async putSharePublicKey(accountId: string, publicKey: Uint8Array) {
    const cursor = this.ctx.storage.sql.exec(
      "UPDATE accounts SET share_public_key = ? WHERE id = ?",
      blob(publicKey),
      accountId,
    );
    cursor.toArray();
    return cursor.rowsWritten > 0;
  }

  async deleteAccount(id: string) {
    return this.ctx.storage.transactionSync(() => {
      const row = this.#first("SELECT email FROM accounts WHERE id = ?", id);
      if (!row) return false;
      this.#sql("DELETE FROM login_challenges WHERE email = ?", row.email);
      this.#sql(
        "DELETE FROM refresh_tokens WHERE family_id IN (SELECT id FROM refresh_families WHERE account_id = ?)",
        id,
      );
      this.#sql("DELETE FROM refresh_families WHERE account_id = ?", id);
      this.#sql("DELETE FROM pairing_mailboxes WHERE account_id = ?", id);
      this.#sql("DELETE FROM accounts WHERE id = ?", id);
      return true;
    });
  }

  async putChallenge(c: ChallengeRecord) {
    this.#sql(
      "INSERT INTO login_challenges (id, email, challenge, expires_at) VALUES (?, ?, ?, ?)",
      c.id,
      c.email,
      blob(c.challenge),
      c.expiresAt,
    );
    await this.#scheduleSweep();
  }

  async takeChallenge(id: string, now: number) {
    const row = this.#first("DELETE FROM login_challenges WHERE id = ? RETURNING *", id);
    return liveChallenge(withBytes<ChallengeRow>(row), now);
  }

  async createFamily(input: Parameters<AccountStore["createFamily"]>[0]) {
    this.ctx.storage.transactionSync(() => {
      this.#sql(
        "INSERT INTO refresh_families (id, account_id, created_at) VALUES (?, ?, ?)",
        input.familyId,
        input.accountId,
        input.createdAt,
      );
      this.#sql(
        "INSERT INTO refresh_tokens (hash, family_id, expires_at) VALUES (?, ?, ?)",
        blob(input.tokenHash),
        input.familyId,
        input.expiresAt,
      );
    });
    await this.#scheduleSweep();
  }

  async rotateRefreshToken(r: Parameters<AccountStore["rotateRefreshToken"]>[0]) {
    return this.ctx.storage.transactionSync(() => {
      const row = this.#first(
        `SELECT t.family_id, t.used, t.expires_at, f.account_id, f.revoked
         FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id WHERE t.hash = ?`,
        blob(r.tokenHash),
      ) as
        | {
            family_id: string;
            used: number;
            expires_at: number;
            account_id: string;
            revoked: number;
          }
        | undefined;
      if (!row || row.revoked || r.now >= row.expires_at) return err(refreshInvalid());
      if (row.used) {
        this.#sql("UPDATE refresh_families SET revoked = 1 WHERE id = ?", row.family_id);
        return err(refreshReused(row.family_id));
      }
      this.#sql("UPDATE refresh_tokens SET used = 1 WHERE hash = ?", blob(r.tokenHash));
      this.#sql(
        "INSERT INTO refresh_tokens (hash, family_id, expires_at) VALUES (?, ?, ?)",
        blob(r.nextHash),
        row.family_id,
        r.nextExpiresAt,
      );
      return ok({ accountId: row.account_id, familyId: row.family_id });
    });
  }

  async isFamilyActive(familyId: string) {
    const row = this.#first(
      "SELECT 1 FROM refresh_families WHERE id = ? AND revoked = 0",
      familyId,
    );
    return row !== undefined;
  }

  async inactiveFamilies(familyIds: readonly string[]) {
    return familyIds.filter(
      (familyId) =>
        !this.#first("SELECT 1 FROM refresh_families WHERE id = ? AND revoked = 0", familyId),
    );
  }

  async revokeFamily(familyId: string) {
    this.#sql("UPDATE refresh_families SET revoked = 1 WHERE id = ?", familyId);
  }

  async revokeFamilies(accountId: string, except: string | null) {
    this.#sql(
      "UPDATE refresh_families SET revoked = 1 WHERE account_id = ? AND id IS NOT ?",
      accountId,
      except,
    );
  }

  async putMailbox(m: MailboxRecord) {
    this.#sql(
      "INSERT OR REPLACE INTO pairing_mailboxes (id, account_id, sealed, expires_at) VALUES (?, ?, ?, ?)",
      m.id,
      m.accountId,
      blob(m.sealed),
      m.expiresAt,
    );
    await this.#scheduleSweep();
  }

  async takeMailbox(id: string, now: number) {
    const row = this.#first("DELETE FROM pairing_mailboxes WHERE id = ? RETURNING *", id);
    return liveMailbox(withBytes<MailboxRow>(row), now);
  }

  async sweep(now: number) {
    return this.ctx.storage.transactionSync(
      () =>
        this.#written("DELETE FROM pairing_mailboxes WHERE expires_at <= ?", now) +
        this.#written("DELETE FROM login_challenges WHERE expires_at <= ?", now) +
        this.#written("DELETE FROM refresh_tokens WHERE expires_at <= ?", now),
    );
  }

  /** The sweep alarm; it comes back while expiring rows remain. */
  override async alarm(): Promise<void> {
    await this.sweep(Date.now());
    const left = this.#first(
      `SELECT (SELECT count(*) FROM login_challenges) + (SELECT count(*) FROM refresh_tokens)
         + (SELECT count(*) FROM pairing_mailboxes) AS n`,
    );
    if (Number(left?.n ?? 0) > 0) await this.ctx.storage.setAlarm(Date.now() + SWEEP_EVERY_MS);
  }

  async #scheduleSweep(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + SWEEP_EVERY_MS);
    }
  }

  #version(accountId: string): number | undefined {
    const row = this.#first("SELECT bundle_version FROM accounts WHERE id = ?", accountId);
    return row === undefined ? undefined : Number(row.bundle_version);
  }

  #first(query: string, ...bindings: unknown[]): Record<string, SqlStorageValue> | undefined {
    return this.ctx.storage.sql.exec(query, ...bindings).toArray()[0];
  }

  #sql(query: string, ...bindings: unknown[]): void {
    this.ctx.storage.sql.exec(query, ...bindings).toArray();
  }

  #written(query: string, ...bindings: unknown[]): number {
    const cursor = this.ctx.storage.sql.exec(query, ...bindings);
    cursor.toArray();
    return cursor.rowsWritten;
  }
}
