/**
 * Accounts for a relay, wired: token issuer, account service, access policy and HTTP
 * routes over one `AccountStore`. `startRelay({ accounts })` uses it; a sweep timer removes
 * expired challenges and refresh tokens.
 */

import {
  type AccountRateLimits,
  type AccountRoutes,
  createAccountRoutes,
} from "../http/account-routes.js";
import { createAccessTokens } from "./access-token.js";
import { DEFAULT_ACCOUNT_KDF } from "./account-kdf-defaults.js";
import { type AccountPolicy, createAccountPolicy } from "./account-policy.js";
import { AccountService } from "./account-service.js";
import type { AccountStore } from "./account-store.js";

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
  readonly now?: () => number;
}

/** The wired parts. */
export interface RelayAccounts {
  readonly service: AccountService;
  readonly policy: AccountPolicy;
  readonly routes: AccountRoutes;
  /** Stops the sweep timer and closes the store. */
  close(): Promise<void>;
}

/** Wires accounts over `options.store`. */
export function createRelayAccounts(options: RelayAccountsOptions): RelayAccounts {
  const now = options.now ?? Date.now;
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
  });
  const policy = createAccountPolicy({ service, requireAccount: options.requireAccount });
  const routes = createAccountRoutes({
    service,
    now,
    ...(options.rateLimits && { rateLimits: options.rateLimits }),
    ...(options.allowedOrigins !== undefined && { allowedOrigins: options.allowedOrigins }),
  });
  const sweep = setInterval(() => void service.sweep().catch(() => undefined), 10 * 60_000);
  sweep.unref();
  return {
    service,
    policy,
    routes,
    async close() {
      clearInterval(sweep);
      await options.store.close();
    },
  };
}
