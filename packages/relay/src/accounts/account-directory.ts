/**
 * Finding other riders to share with: each account's sharing public key (X25519, made on its
 * device; the secret half never leaves its key bundle), a lookup by email that answers
 * the account id and that key, and a profile by account id (the email), so a recipient can
 * show who shared with them. A lookup is refused the same way (`not-found`) for an unknown
 * email and for an account without a sharing key, and rate-limited per caller (the HTTP
 * routes), so it is no faster a way to test emails than registration is.
 */
import { err, ok, type Result } from "@ridevault/core/protocol";
import type { AccountError } from "./account-errors.js";
import type { Caller } from "./account-service.js";
import { type AccountStore, normalizeEmail } from "./account-store.js";

/** An account as a lookup answers it. */
export interface AccountLookup {
  readonly accountId: string;
  readonly email: string;
  readonly sharePublicKey: Uint8Array;
}

const notFound = (what: string): AccountError => ({ code: "not-found", message: what });

const NO_SHARE_KEY =
  "no account with a sharing key has this email: ask the rider to sign in to ridevault once";

/** Sharing keys, lookups and profiles over an `AccountStore`. */
export class AccountDirectory {
  readonly #store: AccountStore;

  constructor(store: AccountStore) {
    this.#store = store;
  }

  /** Sets the caller's sharing public key (32 bytes). */
  async putShareKey(caller: Caller, publicKey: Uint8Array): Promise<Result<void, AccountError>> {
    const stored = await this.#store.putSharePublicKey(caller.accountId, publicKey);
    return stored
      ? ok(undefined)
      : err({ code: "invalid-token", message: "the account no longer exists: log in again" });
  }

  /** The account with `email` and its sharing key; `not-found` alike when either is missing. */
  async lookup(email: string): Promise<Result<AccountLookup, AccountError>> {
    const normalized = normalizeEmail(email);
    const account =
      normalized === undefined ? undefined : await this.#store.getAccountByEmail(normalized);
    if (!account?.sharePublicKey) return err(notFound(NO_SHARE_KEY));
    return ok({
      accountId: account.id,
      email: account.email,
      sharePublicKey: account.sharePublicKey,
    });
  }

  /** Who `accountId` is: its email, or `not-found`. */
  async profile(
    accountId: string,
  ): Promise<Result<{ accountId: string; email: string }, AccountError>> {
    const account = await this.#store.getAccount(accountId);
    if (!account) return err(notFound("no such account (deleted?)"));
    return ok({ accountId: account.id, email: account.email });
  }
}
