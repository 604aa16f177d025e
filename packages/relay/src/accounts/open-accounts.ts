/**
 * Accounts from configuration, for `main.ts`. Without a database URL: `accounts.sqlite` in
 * the data directory, and the token secret from the configured file or from `relay-secret`
 * in the data directory, made (32 random bytes as hex, mode 0600) the first time. With a
 * database URL (several instances): the account tables in that PostgreSQL database, and the
 * secret kept there too — made once, under the migration lock, and shared by every
 * instance — unless `--secret-file` names one (then every instance needs the same file).
 * The secret must outlive restarts: a new one signs every device out and changes the fake
 * salts quoted for unknown emails.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { err, ok, type Result } from "@ridevault/core/protocol";
import { DEFAULT_ACCOUNT_RATE_LIMITS } from "../http/account-routes.js";
import type { AccountStore } from "./account-store.js";
import { openPostgresAccountStore } from "./postgres-account-store.js";
import type { RelayAccountsOptions } from "./relay-accounts.js";
import { openSqliteAccountStore } from "./sqlite-account-store.js";

/** What `openConfiguredAccounts` needs from the configuration. */
export interface AccountsConfig {
  readonly dataDir: string;
  readonly accounts: "required" | "optional" | "off";
  readonly secretFile: string | null;
  readonly tokenAudience: string;
  readonly loginRate: number;
  /** A `postgres://` URL: accounts (and the secret) live in that database; null: SQLite. */
  readonly databaseUrl?: string | null;
  readonly quotaBytes?: number;
  readonly quotaDocuments?: number;
  /** Pushes per minute per account (also the burst). */
  readonly pushRate?: number;
  /** New documents per minute per account (also the burst). */
  readonly createRate?: number;
}

/** Accounts could not be set up; the message says why and what to do. */
export interface AccountsSetupError {
  readonly code: "accounts-setup";
  readonly message: string;
}

/** The relay's account options, or undefined when accounts are off. */
export async function openConfiguredAccounts(
  config: AccountsConfig,
): Promise<Result<Omit<RelayAccountsOptions, "allowedOrigins"> | undefined, AccountsSetupError>> {
  if (config.accounts === "off") return ok(undefined);
  const opened = await openStore(config);
  if (!opened.ok) return opened;
  const { store, storedSecret } = opened.value;
  let secret: Result<Uint8Array, AccountsSetupError>;
  if (config.secretFile === null && storedSecret) secret = ok(storedSecret);
  else
    secret = readSecret(
      config.secretFile ?? path.join(config.dataDir, "relay-secret"),
      config.secretFile === null,
    );
  if (!secret.ok) {
    await store.close();
    return secret;
  }
  const perMinute = (rate: number | undefined) =>
    rate === undefined ? undefined : { burst: rate, perMinute: rate };
  const push = perMinute(config.pushRate);
  const create = perMinute(config.createRate);
  return ok({
    store,
    secret: secret.value,
    requireAccount: config.accounts === "required",
    audience: config.tokenAudience,
    rateLimits: {
      ...DEFAULT_ACCOUNT_RATE_LIMITS,
      challenge: { burst: 3 * config.loginRate, perMinute: 3 * config.loginRate },
      login: { burst: config.loginRate, perMinute: config.loginRate },
    },
    limits: {
      ...(config.quotaBytes !== undefined && { quotaBytes: config.quotaBytes }),
      ...(config.quotaDocuments !== undefined && { quotaDocuments: config.quotaDocuments }),
      ...(push && { push }),
      ...(create && { create }),
    },
  });
}

async function openStore(
  config: AccountsConfig,
): Promise<Result<{ store: AccountStore; storedSecret?: Uint8Array }, AccountsSetupError>> {
  if (config.databaseUrl) {
    const opened = await openPostgresAccountStore({ url: config.databaseUrl });
    if (!opened.ok) return err({ code: "accounts-setup", message: opened.error.message });
    return ok({ store: opened.value, storedSecret: opened.value.secret });
  }
  const opened = openSqliteAccountStore(path.join(config.dataDir, "accounts.sqlite"));
  if (!opened.ok) return err({ code: "accounts-setup", message: opened.error.message });
  return ok({ store: opened.value });
}

function readSecret(file: string, create: boolean): Result<Uint8Array, AccountsSetupError> {
  if (!existsSync(file)) {
    if (!create)
      return err({ code: "accounts-setup", message: `the secret file ${file} does not exist` });
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  }
  const text = readFileSync(file, "utf8").trim();
  if (!/^([0-9a-f]{2}){32,}$/i.test(text)) {
    return err({
      code: "accounts-setup",
      message: `the secret file ${file} must hold at least 32 bytes as hex (e.g. openssl rand -hex 32)`,
    });
  }
  return ok(new Uint8Array(Buffer.from(text, "hex")));
}
