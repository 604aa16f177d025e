/**
 * Accounts and shares of the Workers relay, wired from its variables: the same parts as
 * the Node relay's `createRelayAccounts` (token issuer, `AccountService`, directory, claims,
 * per-account limits, `createAccountPolicy`, the account and share routes), over the
 * accounts Durable Object and the Durable Object relay store. What differs is what a
 * Worker cannot do: no sweep timer (the accounts object sweeps by alarm), no revocation
 * listener (one logical instance), and the share routes check proofs with `node:crypto`'s
 * Ed25519 (libsodium cannot start in workerd).
 *
 * Variables: `ACCOUNTS_MODE` (`required`, `optional` or `off`; unset: `off`),
 * `ACCESS_TOKEN_SECRET` (a Worker secret: at least 32 bytes as hex, e.g. `openssl rand -hex
 * 32`; accounts refuse to start without it) and `TOKEN_AUDIENCE` (default `ridevault-relay`).
 */

import type { Sodium } from "@ridevault/core/protocol";
import { err, ok, type Result } from "@ridevault/core/protocol";
import { createAccessTokens } from "../accounts/access-token.js";
import { AccountDirectory } from "../accounts/account-directory.js";
import { DEFAULT_ACCOUNT_KDF } from "../accounts/account-kdf-defaults.js";
import { AccountLimits, DEFAULT_ACCOUNT_LIMITS } from "../accounts/account-limits.js";
import { type AccountPolicy, createAccountPolicy } from "../accounts/account-policy.js";
import { AccountService } from "../accounts/account-service.js";
import { DocumentClaims } from "../accounts/document-claims.js";
import { verifyLoginSignature } from "../accounts/login-proof.js";
import type { OwnedDocuments } from "../accounts/relay-accounts.js";
import { type AccountRoutes, createAccountRoutes } from "../http/account-routes.js";
import { createShareRoutes, type ShareRoutes } from "../http/share-routes.js";
import type { RelayStore } from "../store/relay-store.js";
import type { AccountsRpc } from "./accounts-object.js";
import { blake2b } from "./blake2b.js";
import type { Namespace } from "./document-rpc.js";
import { DurableObjectAccountStore } from "./durable-object-account-store.js";

/** The bindings and variables accounts read. */
export interface WorkersAccountsEnv {
  readonly ACCOUNTS: Namespace<AccountsRpc>;
  readonly ACCOUNTS_MODE?: string;
  readonly ACCESS_TOKEN_SECRET?: string;
  readonly TOKEN_AUDIENCE?: string;
  /** Comma-separated origins allowed cross-origin; unset or empty: any. */
  readonly ALLOWED_ORIGINS?: string;
}

/** Accounts are misconfigured; the message says which variable and what to do. */
export interface AccountsSetupError {
  readonly code: "accounts-setup";
  readonly message: string;
}

/** The wired parts. */
export interface WorkersAccounts {
  readonly service: AccountService;
  readonly policy: AccountPolicy;
  readonly routes: AccountRoutes;
}

/**
 * Accounts as the variables configure them: null when `ACCOUNTS_MODE` is `off` (or unset),
 * an error when it is unknown or the secret is missing or short. `documents` gives quotas
 * their usage, claims their documents and account deletion the documents to delete.
 */
export function createWorkersAccounts(
  env: WorkersAccountsEnv,
  documents: OwnedDocuments,
): Result<WorkersAccounts | null, AccountsSetupError> {
  const mode = (env.ACCOUNTS_MODE ?? "off").trim() || "off";
  if (mode === "off") return ok(null);
  if (mode !== "required" && mode !== "optional") {
    return setupError(`ACCOUNTS_MODE is "${mode}": set it to required, optional or off`);
  }
  const hex = (env.ACCESS_TOKEN_SECRET ?? "").trim();
  if (!/^([0-9a-fA-F]{2}){32,}$/.test(hex)) {
    return setupError(
      "ACCESS_TOKEN_SECRET must be at least 32 bytes as hex: run `openssl rand -hex 32 | npx wrangler secret put ACCESS_TOKEN_SECRET`, or set ACCOUNTS_MODE to off",
    );
  }
  const secret = new Uint8Array(Buffer.from(hex, "hex"));
  const store = new DurableObjectAccountStore({ accounts: env.ACCOUNTS });
  const limits = new AccountLimits({
    ...DEFAULT_ACCOUNT_LIMITS,
    usage: (owner) => documents.ownerStats(owner),
  });
  const tokens = createAccessTokens({
    secret,
    ...(env.TOKEN_AUDIENCE && { audience: env.TOKEN_AUDIENCE }),
  });
  const service = new AccountService({
    store,
    tokens,
    secret,
    defaultKdf: DEFAULT_ACCOUNT_KDF,
    async deleteOwnedData(accountId) {
      await documents.deleteDocumentsOwnedBy(accountId);
      limits.forget(accountId);
    },
  });
  const policy = createAccountPolicy({ service, requireAccount: mode === "required", limits });
  const routes = createAccountRoutes({
    service,
    directory: new AccountDirectory(store),
    claims: new DocumentClaims({ documents, onClaimed: (accountId) => limits.forget(accountId) }),
    allowedOrigins: allowedOrigins(env.ALLOWED_ORIGINS),
  });
  return ok({ service, policy, routes });
}

/** Options of `createWorkersShareRoutes`. */
export interface WorkersShareRoutesOptions {
  readonly store: RelayStore;
  readonly accounts: WorkersAccounts | null;
  readonly allowedOrigins: readonly string[] | null;
  /** Ends live subscriptions held through revoked grants. */
  readonly revoked?: (grantIds: readonly string[]) => void;
}

/** The share endpoints over the Workers relay's store (`http/share-routes.ts`). */
export function createWorkersShareRoutes(options: WorkersShareRoutesOptions): ShareRoutes {
  const { accounts } = options;
  return createShareRoutes({
    store: options.store,
    sodium: ed25519Verifier,
    hashCapability: (capability) => blake2b(capability, 32),
    allowedOrigins: options.allowedOrigins,
    ...(options.revoked && { revoked: options.revoked }),
    ...(accounts && {
      authenticate: async (token: string) => {
        const caller = await accounts.service.authenticate(token);
        return caller.ok ? caller.value.accountId : null;
      },
    }),
  });
}

/** The allowlist in `ALLOWED_ORIGINS` (comma-separated), or null for any origin. */
export function allowedOrigins(value: string | undefined): string[] | null {
  const origins = (value ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  return origins.length > 0 ? origins : null;
}

/**
 * The one libsodium function the share routes call (`crypto_sign_verify_detached`, through
 * core's `verifyShareProof`), done by `node:crypto`'s Ed25519 instead.
 */
const ed25519Verifier = {
  crypto_sign_verify_detached: (
    signature: Uint8Array,
    message: Uint8Array,
    publicKey: Uint8Array,
  ) => verifyLoginSignature(publicKey, message, signature),
} as unknown as Sodium;

function setupError(message: string): Result<never, AccountsSetupError> {
  return err({ code: "accounts-setup", message });
}
