/**
 * Accounts for a relay, wired: token issuer, account service, directory (sharing keys),
 * document claims, per-account limits, access policy and HTTP routes over one
 * `AccountStore`. `startRelay({ accounts })` uses it and hands it the relay store, so quotas
 * count an account's documents, claims hand documents to accounts and deleting an account
 * deletes them. A sweep timer removes expired challenges and refresh tokens. On a store
 * shared by instances (PostgreSQL), revocations made through any instance arrive at once
 * (`listenRevocations`) and close this instance's signed-out connections.
 */

import {
  type AccountRateLimits,
  type AccountRoutes,
  createAccountRoutes,
} from "../http/account-routes.js";
import type { RelayStore } from "../store/relay-store.js";
import { createAccessTokens } from "./access-token.js";
import { AccountDirectory } from "./account-directory.js";
import { DEFAULT_ACCOUNT_KDF } from "./account-kdf-defaults.js";
import { AccountLimits, DEFAULT_ACCOUNT_LIMITS } from "./account-limits.js";
import { type AccountPolicy, createAccountPolicy } from "./account-policy.js";
import { AccountService } from "./account-service.js";
import type { AccountStore } from "./account-store.js";
import { DocumentClaims } from "./document-claims.js";
import type { RateLimit } from "./rate-limiter.js";

/** Account settings of a relay. */
export interface RelayAccountsOptions {
  readonly store: AccountStore;
  /** At least 32 secret bytes: signs access tokens, derives fake salts. Keep it stable. */
  readonly secret: Uint8Array;
  /** Refuse devices without an account (public relay) or allow capability-only use. */
  readonly requireAccount: boolean;
  /** The access tokens' `aud` (default "ridevault-relay"). */
  readonly audience?: string;
  /** Access-token lifetime (default 900 s). */
  readonly accessTtlSeconds?: number;
  readonly rateLimits?: AccountRateLimits;
  /** Origins allowed to call the account endpoints cross-origin; null allows any. */
  readonly allowedOrigins?: readonly string[] | null;
  /** KDF parameters quoted for unknown emails (default: the devices' default). */
  readonly defaultKdf?: { readonly opsLimit: number; readonly memLimit: number };
  /** Per-account quotas and rates (defaults: `DEFAULT_ACCOUNT_LIMITS`). */
  readonly limits?: {
    readonly quotaBytes?: number;
    readonly quotaDocuments?: number;
    readonly push?: RateLimit;
    readonly create?: RateLimit;
    /** How long an account's usage read from the store is trusted (default 60 s). */
    readonly usageTtlMs?: number;
  };
  /**
   * How often the server asks the account store which of its connections' sessions were
   * signed out through another instance, and closes them (default 5000 ms).
   */
  readonly sessionCheckMs?: number;
  readonly now?: () => number;
}

/**
 * The part of the relay store accounts use: usage for quotas, deletion with the account,
 * and claims of documents registered without one.
 */
export type OwnedDocuments = Pick<
  RelayStore,
  "ownerStats" | "deleteDocumentsOwnedBy" | "getDocument" | "claimDocument"
>;

/** The wired parts. */
export interface RelayAccounts {
  readonly service: AccountService;
  readonly policy: AccountPolicy;
  readonly routes: AccountRoutes;
  /** Stops the sweep timer and closes the store. */
  close(): Promise<void>;
}

/**
 * Wires accounts over `options.store`; `documents` (the relay store) gives quotas their
 * usage and account deletion the documents to delete. Without it there are no quotas.
 */
export function createRelayAccounts(
  options: RelayAccountsOptions,
  documents?: OwnedDocuments,
): RelayAccounts {
  const now = options.now ?? Date.now;
  const configured = options.limits ?? {};
  const limits =
    documents &&
    new AccountLimits({
      quotaBytes: configured.quotaBytes ?? DEFAULT_ACCOUNT_LIMITS.quotaBytes,
      quotaDocuments: configured.quotaDocuments ?? DEFAULT_ACCOUNT_LIMITS.quotaDocuments,
      push: configured.push ?? DEFAULT_ACCOUNT_LIMITS.push,
      create: configured.create ?? DEFAULT_ACCOUNT_LIMITS.create,
      usage: (owner) => documents.ownerStats(owner),
      now,
      ...(configured.usageTtlMs !== undefined && { usageTtlMs: configured.usageTtlMs }),
    });
  const tokens = createAccessTokens({
    secret: options.secret,
    now,
    ...(options.audience !== undefined && { audience: options.audience }),
    ...(options.accessTtlSeconds !== undefined && { ttlSeconds: options.accessTtlSeconds }),
  });
  const service = new AccountService({
    store: options.store,
    tokens,
    secret: options.secret,
    defaultKdf: options.defaultKdf ?? DEFAULT_ACCOUNT_KDF,
    now,
    ...(documents && {
      async deleteOwnedData(accountId: string) {
        await documents.deleteDocumentsOwnedBy(accountId);
        limits?.forget(accountId);
      },
    }),
  });
  const policy = createAccountPolicy({
    service,
    requireAccount: options.requireAccount,
    ...(limits && { limits }),
  });
  const claims =
    documents &&
    new DocumentClaims({ documents, onClaimed: (accountId) => limits?.forget(accountId) });
  const routes = createAccountRoutes({
    service,
    directory: new AccountDirectory(options.store),
    ...(claims && { claims }),
    now,
    ...(options.rateLimits && { rateLimits: options.rateLimits }),
    ...(options.allowedOrigins !== undefined && { allowedOrigins: options.allowedOrigins }),
  });
  const sweep = setInterval(() => void service.sweep().catch(() => undefined), 10 * 60_000);
  sweep.unref();
  // Failing to listen is not fatal: the periodic session check still closes connections.
  const unlisten = options.store
    .listenRevocations?.((revocation) => service.revokedElsewhere(revocation))
    .catch(() => undefined);
  return {
    service,
    policy,
    routes,
    async close() {
      clearInterval(sweep);
      await (await unlisten)?.().catch(() => undefined);
      await options.store.close();
    },
  };
}
