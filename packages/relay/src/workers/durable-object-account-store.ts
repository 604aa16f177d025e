/**
 * `AccountStore` on Durable Objects: every call goes to the one accounts object
 * (`AccountsObject`, named `accounts` in an optional namespace prefix). Each call takes a
 * new stub (cheap), because a stub cannot be used by another request than the one that made
 * it, and the entry Worker keeps its account routes (and their rate limiters) across
 * requests. Runs in a Worker or in another Durable Object. A Workers relay is one logical
 * instance, so there is no `listenRevocations`.
 */
import type { AccountStore } from "../accounts/account-store.js";
import type { AccountsRpc } from "./accounts-object.js";
import type { Namespace } from "./document-rpc.js";

/** Options of a `DurableObjectAccountStore`. */
export interface DurableObjectAccountStoreOptions {
  readonly accounts: Namespace<AccountsRpc>;
  /** Prefixed to the object's name, so tests can give each store its own. Default: none. */
  readonly namespace?: string;
}

/** The account store of the Workers relay. */
export class DurableObjectAccountStore implements AccountStore {
  readonly #options: DurableObjectAccountStoreOptions;
  #closed = false;

  constructor(options: DurableObjectAccountStoreOptions) {
    this.#options = options;
  }

  createAccount: AccountStore["createAccount"] = (account) => this.#rpc().createAccount(account);
  getAccount: AccountStore["getAccount"] = (id) => this.#rpc().getAccount(id);
  getAccountByEmail: AccountStore["getAccountByEmail"] = (email) =>
    this.#rpc().getAccountByEmail(email);
  updateCredentials: AccountStore["updateCredentials"] = (update) =>
    this.#rpc().updateCredentials(update);
  putBundle: AccountStore["putBundle"] = (update) => this.#rpc().putBundle(update);
  putSharePublicKey: AccountStore["putSharePublicKey"] = (accountId, key) =>
    this.#rpc().putSharePublicKey(accountId, key);
  deleteAccount: AccountStore["deleteAccount"] = (id) => this.#rpc().deleteAccount(id);
  putChallenge: AccountStore["putChallenge"] = (challenge) => this.#rpc().putChallenge(challenge);
  takeChallenge: AccountStore["takeChallenge"] = (id, now) => this.#rpc().takeChallenge(id, now);
  createFamily: AccountStore["createFamily"] = (input) => this.#rpc().createFamily(input);
  rotateRefreshToken: AccountStore["rotateRefreshToken"] = (rotation) =>
    this.#rpc().rotateRefreshToken(rotation);
  isFamilyActive: AccountStore["isFamilyActive"] = (familyId) =>
    this.#rpc().isFamilyActive(familyId);
  inactiveFamilies: AccountStore["inactiveFamilies"] = (familyIds) =>
    this.#rpc().inactiveFamilies([...familyIds]);
  revokeFamily: AccountStore["revokeFamily"] = (familyId) => this.#rpc().revokeFamily(familyId);
  revokeFamilies: AccountStore["revokeFamilies"] = (accountId, except) =>
    this.#rpc().revokeFamilies(accountId, except);
  putMailbox: AccountStore["putMailbox"] = (mailbox) => this.#rpc().putMailbox(mailbox);
  takeMailbox: AccountStore["takeMailbox"] = (id, now) => this.#rpc().takeMailbox(id, now);
  sweep: AccountStore["sweep"] = (now) => this.#rpc().sweep(now);

  async close(): Promise<void> {
    this.#closed = true;
  }

  /** A stub of the accounts object; throws after `close`. */
  #rpc(): AccountsRpc {
    if (this.#closed) throw new Error("the account store is closed: open a new one");
    const { accounts, namespace = "" } = this.#options;
    return accounts.get(accounts.idFromName(`${namespace}accounts`));
  }
}
