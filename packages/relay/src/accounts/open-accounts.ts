/**
 * Accounts from configuration, for `main.ts`: opens `accounts.sqlite` in the data directory
 * and reads the token secret — from the configured file, or from `relay-secret` in the data
 * directory, which is made (32 random bytes as hex, mode 0600) the first time. The secret
 * must outlive restarts: a new one signs every device out and changes the fake salts.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { err, ok, type Result } from "@ridevault/core";
import { DEFAULT_ACCOUNT_RATE_LIMITS } from "../http/account-routes.js";
import type { RelayAccountsOptions } from "./relay-accounts.js";
import { openSqliteAccountStore } from "./sqlite-account-store.js";

/** What `openConfiguredAccounts` needs from the configuration. */
export interface AccountsConfig {
  readonly dataDir: string;
  readonly accounts: "required" | "optional" | "off";
  readonly secretFile: string | null;
  readonly tokenAudience: string;
  readonly loginRate: number;
}

/** Accounts could not be set up; the message says why and what to do. */
export interface AccountsSetupError {
  readonly code: "accounts-setup";
  readonly message: string;
}

/** The relay's account options, or undefined when accounts are off. */
export function openConfiguredAccounts(
  config: AccountsConfig,
): Result<Omit<RelayAccountsOptions, "allowedOrigins"> | undefined, AccountsSetupError> {
  if (config.accounts === "off") return ok(undefined);
  const secret = readSecret(
    config.secretFile ?? path.join(config.dataDir, "relay-secret"),
    config.secretFile === null,
  );
  if (!secret.ok) return secret;
  const store = openSqliteAccountStore(path.join(config.dataDir, "accounts.sqlite"));
  if (!store.ok) return err({ code: "accounts-setup", message: store.error.message });
  return ok({
    store: store.value,
    secret: secret.value,
    requireAccount: config.accounts === "required",
    audience: config.tokenAudience,
    rateLimits: {
      ...DEFAULT_ACCOUNT_RATE_LIMITS,
      challenge: { burst: 3 * config.loginRate, perMinute: 3 * config.loginRate },
      login: { burst: config.loginRate, perMinute: config.loginRate },
    },
  });
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
