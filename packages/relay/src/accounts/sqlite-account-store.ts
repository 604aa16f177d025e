/**
 * The SQLite account store: its own database file (better-sqlite3 12, WAL, durable
 * commits). Rotation of a refresh token — check, mark used, insert the successor, or revoke
 * the family on reuse — is one immediate transaction, so two racing refreshes with the same
 * token cannot both succeed.
 */
import { err, ok, type Result } from "@ridevault/core/protocol";
import Database from "better-sqlite3";
import {
  type AccountRow,
  type ChallengeRow,
  liveChallenge,
  liveMailbox,
  type MailboxRow,
  toAccount,
} from "./account-rows.js";
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
} from "./account-store.js";
import { prepareAccountDatabase } from "./sqlite-account-schema.js";

/** The account database cannot be opened; the message names the path and the reason. */
export interface AccountStoreOpenError {
  readonly code: "open-failed";
  readonly message: string;
}

/** Opens (creating if needed) the account database at `path`. */
export function openSqliteAccountStore(
  path: string,
): Result<SqliteAccountStore, AccountStoreOpenError> {
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    prepareAccountDatabase(db);
    return ok(new SqliteAccountStore(db));
  } catch (error) {
    db?.close();
    return err({
      code: "open-failed",
      message: `the account store ${path} cannot be opened: ${(error as Error).message}`,
    });
  }
}

/** An `AccountStore` on SQLite. */
export class SqliteAccountStore implements AccountStore {
  readonly #db: Database.Database;

  /** @internal Use `openSqliteAccountStore`. */
  constructor(db: Database.Database) {
    this.#db = db;
  }

  async createAccount(a: AccountRecord) {
    try {
      this.#db
        .prepare(
          `INSERT INTO accounts (id, email, login_public_key, recovery_public_key, kdf_algorithm,
             kdf_salt, kdf_ops, kdf_mem, bundle, bundle_version, created_at, share_public_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          a.id,
          a.email,
          a.loginPublicKey,
          a.recoveryPublicKey,
          a.kdf.algorithm,
          a.kdf.salt,
          a.kdf.opsLimit,
          a.kdf.memLimit,
          a.bundle,
          a.bundleVersion,
          a.createdAt,
          a.sharePublicKey,
        );
      return ok(undefined);
    } catch (error) {
      if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE")
        return err(emailTaken());
      throw error;
    }
  }

  async getAccount(id: string) {
    const row = this.#db.prepare("SELECT * FROM accounts WHERE id = ?").get(id) as
      | AccountRow
      | undefined;
    return row && toAccount(row);
  }

  async getAccountByEmail(email: string) {
    const row = this.#db.prepare("SELECT * FROM accounts WHERE email = ?").get(email) as
      | AccountRow
      | undefined;
    return row && toAccount(row);
  }

  async updateCredentials(u: Parameters<AccountStore["updateCredentials"]>[0]) {
    return this.#db
      .transaction(() => {
        const version = this.#version(u.accountId);
        if (version === undefined) return err(unknownAccount());
        if (version !== u.expectedBundleVersion) return err(bundleConflict(version));
        this.#db
          .prepare(
            `UPDATE accounts SET login_public_key = ?, kdf_algorithm = ?, kdf_salt = ?, kdf_ops = ?,
               kdf_mem = ?, bundle = ?, bundle_version = ? WHERE id = ?`,
          )
          .run(
            u.loginPublicKey,
            u.kdf.algorithm,
            u.kdf.salt,
            u.kdf.opsLimit,
            u.kdf.memLimit,
            u.bundle,
            version + 1,
            u.accountId,
          );
        return ok(version + 1);
      })
      .immediate();
  }

  async putBundle(u: Parameters<AccountStore["putBundle"]>[0]) {
    return this.#db
      .transaction(() => {
        const version = this.#version(u.accountId);
        if (version === undefined) return err(unknownAccount());
        if (version !== u.expectedVersion) return err(bundleConflict(version));
        this.#db
          .prepare("UPDATE accounts SET bundle = ?, bundle_version = ? WHERE id = ?")
          .run(u.bundle, version + 1, u.accountId);
        return ok(version + 1);
      })
      .immediate();
  }

  async putSharePublicKey(accountId: string, publicKey: Uint8Array) {
    const changed = this.#db
      .prepare("UPDATE accounts SET share_public_key = ? WHERE id = ?")
      .run(publicKey, accountId).changes;
    return changed > 0;
  }

  async deleteAccount(id: string) {
    return this.#db
      .transaction(() => {
        const row = this.#db.prepare("SELECT email FROM accounts WHERE id = ?").get(id) as
          | { email: string }
          | undefined;
        if (!row) return false;
        this.#db.prepare("DELETE FROM login_challenges WHERE email = ?").run(row.email);
        // Families and tokens go with the account (ON DELETE CASCADE).
        this.#db.prepare("DELETE FROM accounts WHERE id = ?").run(id);
        return true;
      })
      .immediate();
  }

  async putChallenge(c: ChallengeRecord) {
    this.#db
      .prepare(
        "INSERT INTO login_challenges (id, email, challenge, expires_at) VALUES (?, ?, ?, ?)",
      )
      .run(c.id, c.email, c.challenge, c.expiresAt);
  }

  async takeChallenge(id: string, now: number) {
    const row = this.#db.prepare("DELETE FROM login_challenges WHERE id = ? RETURNING *").get(id) as
      | ChallengeRow
      | undefined;
    return liveChallenge(row, now);
  }

  async createFamily(input: Parameters<AccountStore["createFamily"]>[0]) {
    this.#db
      .transaction(() => {
        this.#db
          .prepare("INSERT INTO refresh_families (id, account_id, created_at) VALUES (?, ?, ?)")
          .run(input.familyId, input.accountId, input.createdAt);
        this.#db
          .prepare("INSERT INTO refresh_tokens (hash, family_id, expires_at) VALUES (?, ?, ?)")
          .run(input.tokenHash, input.familyId, input.expiresAt);
      })
      .immediate();
  }

  async rotateRefreshToken(r: Parameters<AccountStore["rotateRefreshToken"]>[0]) {
    return this.#db
      .transaction(() => {
        const row = this.#db
          .prepare(
            `SELECT t.family_id, t.used, t.expires_at, f.account_id, f.revoked
             FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id WHERE t.hash = ?`,
          )
          .get(r.tokenHash) as
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
          this.#db
            .prepare("UPDATE refresh_families SET revoked = 1 WHERE id = ?")
            .run(row.family_id);
          return err(refreshReused(row.family_id));
        }
        this.#db.prepare("UPDATE refresh_tokens SET used = 1 WHERE hash = ?").run(r.tokenHash);
        this.#db
          .prepare("INSERT INTO refresh_tokens (hash, family_id, expires_at) VALUES (?, ?, ?)")
          .run(r.nextHash, row.family_id, r.nextExpiresAt);
        return ok({ accountId: row.account_id, familyId: row.family_id });
      })
      .immediate();
  }

  async isFamilyActive(familyId: string) {
    const row = this.#db
      .prepare("SELECT revoked FROM refresh_families WHERE id = ?")
      .get(familyId) as { revoked: number } | undefined;
    return row !== undefined && row.revoked === 0;
  }

  async inactiveFamilies(familyIds: readonly string[]) {
    const active = this.#db.prepare("SELECT 1 FROM refresh_families WHERE id = ? AND revoked = 0");
    return familyIds.filter((familyId) => active.get(familyId) === undefined);
  }

  async revokeFamily(familyId: string) {
    this.#db.prepare("UPDATE refresh_families SET revoked = 1 WHERE id = ?").run(familyId);
  }

  async revokeFamilies(accountId: string, except: string | null) {
    this.#db
      .prepare("UPDATE refresh_families SET revoked = 1 WHERE account_id = ? AND id IS NOT ?")
      .run(accountId, except);
  }

  async putMailbox(m: MailboxRecord) {
    this.#db
      .prepare(
        "INSERT OR REPLACE INTO pairing_mailboxes (id, account_id, sealed, expires_at) VALUES (?, ?, ?, ?)",
      )
      .run(m.id, m.accountId, m.sealed, m.expiresAt);
  }

  async takeMailbox(id: string, now: number) {
    const row = this.#db
      .prepare("DELETE FROM pairing_mailboxes WHERE id = ? RETURNING *")
      .get(id) as MailboxRow | undefined;
    return liveMailbox(row, now);
  }

  async sweep(now: number) {
    return this.#db
      .transaction(() => {
        const mailboxes = this.#db
          .prepare("DELETE FROM pairing_mailboxes WHERE expires_at <= ?")
          .run(now).changes;
        const challenges = this.#db
          .prepare("DELETE FROM login_challenges WHERE expires_at <= ?")
          .run(now).changes;
        const tokens = this.#db
          .prepare("DELETE FROM refresh_tokens WHERE expires_at <= ?")
          .run(now).changes;
        return challenges + tokens + mailboxes;
      })
      .immediate();
  }

  async close() {
    if (this.#db.open) this.#db.close();
  }

  #version(accountId: string): number | undefined {
    const row = this.#db
      .prepare("SELECT bundle_version FROM accounts WHERE id = ?")
      .get(accountId) as { bundle_version: number } | undefined;
    return row?.bundle_version;
  }
}
