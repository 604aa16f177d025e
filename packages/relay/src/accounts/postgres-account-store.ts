/**
 * The account store in PostgreSQL, for several relay instances on one database: an account
 * registered through one instance logs in, refreshes and is signed out through any other.
 * Tables sit next to the relay store's (see `postgres-account-schema.ts`); the pool is the
 * account store's own (4 connections by default). Refresh-token rotation locks the token's
 * row (`FOR UPDATE`), so two instances racing with the same token cannot both succeed.
 *
 * Every revocation of sessions also sends `NOTIFY ridevault_signout` in its transaction
 * (payload: `{"f": familyId}` or `{"a": accountId, "x": except}` — ids, no secret), which
 * every instance LISTENs to (`listenRevocations`) to close the signed-out connections at
 * once instead of at its next poll.
 */
import { err, ok, type Result } from "@ridevault/core/protocol";
import type { Sql } from "postgres";
import { connectPostgres, describeUrl, type PgSql } from "../store/postgres/postgres-connection.js";
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
  type Revocation,
  refreshInvalid,
  refreshReused,
  unknownAccount,
} from "./account-store.js";
import { migrateAccounts } from "./postgres-account-schema.js";

/** Options of `openPostgresAccountStore`. */
export interface PostgresAccountStoreOptions {
  /** A `postgres://user:password@host:port/database` URL. */
  readonly url: string;
  /** Connections in the pool (default 4). */
  readonly poolSize?: number;
  /** Seconds to wait for a connection (default 5). */
  readonly connectTimeoutSeconds?: number;
}

/** The database cannot be reached or migrated. */
export interface PostgresAccountStoreOpenError {
  readonly code: "open-failed";
  readonly message: string;
}

const buf = (value: Uint8Array): Buffer => Buffer.from(value);

/** The channel revocations are announced on. */
export const SIGNOUT_CHANNEL = "ridevault_signout";

/** The NOTIFY payload of a revocation: ids only. */
export function encodeRevocation(revocation: Revocation): string {
  return JSON.stringify(
    "familyId" in revocation
      ? { f: revocation.familyId }
      : { a: revocation.accountId, x: revocation.except },
  );
}

/** The revocation in a NOTIFY payload, or undefined when it is not one. */
export function decodeRevocation(payload: string): Revocation | undefined {
  try {
    const value = JSON.parse(payload) as { f?: unknown; a?: unknown; x?: unknown };
    if (typeof value.f === "string") return { familyId: value.f };
    if (typeof value.a === "string" && (value.x === null || typeof value.x === "string"))
      return { accountId: value.a, except: value.x };
  } catch {
    // Not ours: ignored below.
  }
  return undefined;
}

/**
 * Connects, migrates the account tables (safe when instances start together) and reads the
 * shared token secret, creating it the first time.
 */
export async function openPostgresAccountStore(
  options: PostgresAccountStoreOptions,
): Promise<Result<PostgresAccountStore, PostgresAccountStoreOpenError>> {
  const sql = connectPostgres({
    url: options.url,
    max: options.poolSize ?? 4,
    ...(options.connectTimeoutSeconds !== undefined && {
      connectTimeoutSeconds: options.connectTimeoutSeconds,
    }),
  });
  try {
    const secret = await migrateAccounts(sql as unknown as Sql);
    return ok(new PostgresAccountStore(sql, secret));
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    return err({
      code: "open-failed",
      message: `cannot open the account store in PostgreSQL at ${describeUrl(options.url)}: ${(error as Error).message}`,
    });
  }
}

/** An `AccountStore` in PostgreSQL. Create it with `openPostgresAccountStore`. */
export class PostgresAccountStore implements AccountStore {
  readonly #sql: PgSql;
  /** The token secret every instance on this database shares (32 bytes). */
  readonly secret: Uint8Array;

  /** @internal Use `openPostgresAccountStore`. */
  constructor(sql: PgSql, secret: Uint8Array) {
    this.#sql = sql;
    this.secret = secret;
  }

  async createAccount(a: AccountRecord) {
    try {
      await this.#sql`
        INSERT INTO accounts (id, email, login_public_key, recovery_public_key, kdf_algorithm,
          kdf_salt, kdf_ops, kdf_mem, bundle, bundle_version, created_at, share_public_key)
        VALUES (${a.id}, ${a.email}, ${buf(a.loginPublicKey)},
          ${a.recoveryPublicKey && buf(a.recoveryPublicKey)}, ${a.kdf.algorithm},
          ${buf(a.kdf.salt)}, ${a.kdf.opsLimit}, ${a.kdf.memLimit}, ${buf(a.bundle)},
          ${a.bundleVersion}, ${a.createdAt}, ${a.sharePublicKey && buf(a.sharePublicKey)})`;
      return ok(undefined);
    } catch (error) {
      if ((error as { code?: string }).code === "23505") return err(emailTaken());
      throw error;
    }
  }

  async getAccount(id: string) {
    const [row] = await this.#sql<AccountRow[]>`SELECT * FROM accounts WHERE id = ${id}`;
    return row && toAccount(row);
  }

  async getAccountByEmail(email: string) {
    const [row] = await this.#sql<AccountRow[]>`SELECT * FROM accounts WHERE email = ${email}`;
    return row && toAccount(row);
  }

  async updateCredentials(u: Parameters<AccountStore["updateCredentials"]>[0]) {
    return this.#sql.begin(async (tx) => {
      const version = await lockedVersion(tx as unknown as PgSql, u.accountId);
      if (version === undefined) return err(unknownAccount());
      if (version !== u.expectedBundleVersion) return err(bundleConflict(version));
      await tx`
        UPDATE accounts SET login_public_key = ${buf(u.loginPublicKey)},
          kdf_algorithm = ${u.kdf.algorithm}, kdf_salt = ${buf(u.kdf.salt)},
          kdf_ops = ${u.kdf.opsLimit}, kdf_mem = ${u.kdf.memLimit}, bundle = ${buf(u.bundle)},
          bundle_version = ${version + 1}
        WHERE id = ${u.accountId}`;
      return ok(version + 1);
    });
  }

  async putBundle(u: Parameters<AccountStore["putBundle"]>[0]) {
    return this.#sql.begin(async (tx) => {
      const version = await lockedVersion(tx as unknown as PgSql, u.accountId);
      if (version === undefined) return err(unknownAccount());
      if (version !== u.expectedVersion) return err(bundleConflict(version));
      await tx`UPDATE accounts SET bundle = ${buf(u.bundle)}, bundle_version = ${version + 1}
               WHERE id = ${u.accountId}`;
      return ok(version + 1);
    });
  }

  async putSharePublicKey(accountId: string, publicKey: Uint8Array) {
    const updated = await this.#sql`
      UPDATE accounts SET share_public_key = ${buf(publicKey)} WHERE id = ${accountId}`;
    return updated.count > 0;
  }

  async deleteAccount(id: string) {
    return this.#sql.begin(async (tx) => {
      const [row] = await tx<{ email: string }[]>`
        SELECT email FROM accounts WHERE id = ${id} FOR UPDATE`;
      if (!row) return false;
      await tx`DELETE FROM login_challenges WHERE email = ${row.email}`;
      // Families, tokens and mailboxes go with the account (ON DELETE CASCADE).
      await tx`DELETE FROM accounts WHERE id = ${id}`;
      return true;
    });
  }

  async putChallenge(c: ChallengeRecord) {
    await this.#sql`
      INSERT INTO login_challenges (id, email, challenge, expires_at)
      VALUES (${c.id}, ${c.email}, ${buf(c.challenge)}, ${c.expiresAt})`;
  }

  async takeChallenge(id: string, now: number) {
    const [row] = await this.#sql<ChallengeRow[]>`
      DELETE FROM login_challenges WHERE id = ${id} RETURNING *`;
    return liveChallenge(row, now);
  }

  async createFamily(input: Parameters<AccountStore["createFamily"]>[0]) {
    await this.#sql.begin(async (tx) => {
      await tx`INSERT INTO refresh_families (id, account_id, created_at)
               VALUES (${input.familyId}, ${input.accountId}, ${input.createdAt})`;
      await tx`INSERT INTO refresh_tokens (hash, family_id, expires_at)
               VALUES (${buf(input.tokenHash)}, ${input.familyId}, ${input.expiresAt})`;
    });
  }

  async rotateRefreshToken(r: Parameters<AccountStore["rotateRefreshToken"]>[0]) {
    return this.#sql.begin(async (tx) => {
      const [row] = await tx<
        {
          family_id: string;
          used: boolean;
          expires_at: number;
          account_id: string;
          revoked: boolean;
        }[]
      >`SELECT t.family_id, t.used, t.expires_at, f.account_id, f.revoked
        FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
        WHERE t.hash = ${buf(r.tokenHash)} FOR UPDATE`;
      if (!row || row.revoked || r.now >= row.expires_at) return err(refreshInvalid());
      if (row.used) {
        await tx`UPDATE refresh_families SET revoked = true WHERE id = ${row.family_id}`;
        await notify(tx as unknown as PgSql, { familyId: row.family_id });
        return err(refreshReused(row.family_id));
      }
      await tx`UPDATE refresh_tokens SET used = true WHERE hash = ${buf(r.tokenHash)}`;
      await tx`INSERT INTO refresh_tokens (hash, family_id, expires_at)
               VALUES (${buf(r.nextHash)}, ${row.family_id}, ${r.nextExpiresAt})`;
      return ok({ accountId: row.account_id, familyId: row.family_id });
    });
  }

  async isFamilyActive(familyId: string) {
    const [row] = await this.#sql<{ revoked: boolean }[]>`
      SELECT revoked FROM refresh_families WHERE id = ${familyId}`;
    return row !== undefined && !row.revoked;
  }

  async inactiveFamilies(familyIds: readonly string[]) {
    if (familyIds.length === 0) return [];
    const active = await this.#sql<{ id: string }[]>`
      SELECT id FROM refresh_families
      WHERE id = ANY(${[...familyIds]}::text[]) AND NOT revoked`;
    const activeIds = new Set(active.map((row) => row.id));
    return familyIds.filter((familyId) => !activeIds.has(familyId));
  }

  async revokeFamily(familyId: string) {
    await this.#sql.begin(async (tx) => {
      await tx`UPDATE refresh_families SET revoked = true WHERE id = ${familyId}`;
      await notify(tx as unknown as PgSql, { familyId });
    });
  }

  async revokeFamilies(accountId: string, except: string | null) {
    await this.#sql.begin(async (tx) => {
      await tx`
        UPDATE refresh_families SET revoked = true
        WHERE account_id = ${accountId} AND id IS DISTINCT FROM ${except}`;
      await notify(tx as unknown as PgSql, { accountId, except });
    });
  }

  async listenRevocations(listener: (revocation: Revocation) => void) {
    const listening = await this.#sql.listen(SIGNOUT_CHANNEL, (payload) => {
      const revocation = decodeRevocation(payload);
      if (revocation) listener(revocation);
    });
    return () => listening.unlisten();
  }

  async putMailbox(m: MailboxRecord) {
    await this.#sql`
      INSERT INTO pairing_mailboxes (id, account_id, sealed, expires_at)
      VALUES (${m.id}, ${m.accountId}, ${buf(m.sealed)}, ${m.expiresAt})
      ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id,
        sealed = excluded.sealed, expires_at = excluded.expires_at`;
  }

  async takeMailbox(id: string, now: number) {
    const [row] = await this.#sql<MailboxRow[]>`
      DELETE FROM pairing_mailboxes WHERE id = ${id} RETURNING *`;
    return liveMailbox(row, now);
  }

  async sweep(now: number) {
    return this.#sql.begin(async (tx) => {
      const mailboxes = await tx`DELETE FROM pairing_mailboxes WHERE expires_at <= ${now}`;
      const challenges = await tx`DELETE FROM login_challenges WHERE expires_at <= ${now}`;
      const tokens = await tx`DELETE FROM refresh_tokens WHERE expires_at <= ${now}`;
      return mailboxes.count + challenges.count + tokens.count;
    });
  }

  async close() {
    await this.#sql.end({ timeout: 5 });
  }
}

// Delivered when the transaction commits, to every instance listening (this one too).
async function notify(tx: PgSql, revocation: Revocation): Promise<void> {
  await tx`SELECT pg_notify(${SIGNOUT_CHANNEL}, ${encodeRevocation(revocation)})`;
}

async function lockedVersion(tx: PgSql, accountId: string): Promise<number | undefined> {
  const [row] = await tx<{ bundle_version: number }[]>`
    SELECT bundle_version FROM accounts WHERE id = ${accountId} FOR UPDATE`;
  return row?.bundle_version;
}
