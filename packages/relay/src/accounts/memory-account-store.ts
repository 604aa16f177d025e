/**
 * The in-memory account store: maps, for tests and for relays that may forget accounts on
 * restart. Byte arrays are copied in and out, as a database would.
 */
import { err, ok } from "@ridevault/core/protocol";
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

interface Family {
  readonly accountId: string;
  revoked: boolean;
}

interface Token {
  readonly familyId: string;
  readonly expiresAt: number;
  used: boolean;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

function copyAccount(account: AccountRecord): AccountRecord {
  return {
    ...account,
    loginPublicKey: account.loginPublicKey.slice(),
    recoveryPublicKey: account.recoveryPublicKey?.slice() ?? null,
    kdf: { ...account.kdf, salt: account.kdf.salt.slice() },
    bundle: account.bundle.slice(),
    sharePublicKey: account.sharePublicKey?.slice() ?? null,
  };
}

/** An `AccountStore` in memory. */
export class MemoryAccountStore implements AccountStore {
  readonly #accounts = new Map<string, AccountRecord>();
  readonly #challenges = new Map<string, ChallengeRecord>();
  readonly #families = new Map<string, Family>();
  readonly #tokens = new Map<string, Token>();
  readonly #mailboxes = new Map<string, MailboxRecord>();

  async createAccount(account: AccountRecord) {
    for (const existing of this.#accounts.values()) {
      if (existing.email === account.email) return err(emailTaken());
    }
    this.#accounts.set(account.id, copyAccount(account));
    return ok(undefined);
  }

  async getAccount(id: string) {
    const account = this.#accounts.get(id);
    return account && copyAccount(account);
  }

  async getAccountByEmail(email: string) {
    for (const account of this.#accounts.values()) {
      if (account.email === email) return copyAccount(account);
    }
    return undefined;
  }

  async updateCredentials(update: Parameters<AccountStore["updateCredentials"]>[0]) {
    const account = this.#accounts.get(update.accountId);
    if (!account) return err(unknownAccount());
    if (account.bundleVersion !== update.expectedBundleVersion)
      return err(bundleConflict(account.bundleVersion));
    const next = copyAccount({
      ...account,
      loginPublicKey: update.loginPublicKey,
      kdf: update.kdf,
      bundle: update.bundle,
      bundleVersion: account.bundleVersion + 1,
    });
    this.#accounts.set(account.id, next);
    return ok(next.bundleVersion);
  }

  async putBundle(update: Parameters<AccountStore["putBundle"]>[0]) {
    const account = this.#accounts.get(update.accountId);
    if (!account) return err(unknownAccount());
    if (account.bundleVersion !== update.expectedVersion)
      return err(bundleConflict(account.bundleVersion));
    const next = copyAccount({
      ...account,
      bundle: update.bundle,
      bundleVersion: account.bundleVersion + 1,
    });
    this.#accounts.set(account.id, next);
    return ok(next.bundleVersion);
  }

  async putSharePublicKey(accountId: string, publicKey: Uint8Array) {
    const account = this.#accounts.get(accountId);
    if (!account) return false;
    this.#accounts.set(accountId, copyAccount({ ...account, sharePublicKey: publicKey }));
    return true;
  }

  async deleteAccount(id: string) {
    const account = this.#accounts.get(id);
    if (!account) return false;
    this.#accounts.delete(id);
    for (const [challengeId, challenge] of this.#challenges) {
      if (challenge.email === account.email) this.#challenges.delete(challengeId);
    }
    for (const [mailboxId, mailbox] of this.#mailboxes) {
      if (mailbox.accountId === id) this.#mailboxes.delete(mailboxId);
    }
    for (const [familyId, family] of this.#families) {
      if (family.accountId !== id) continue;
      this.#families.delete(familyId);
      for (const [hash, token] of this.#tokens) {
        if (token.familyId === familyId) this.#tokens.delete(hash);
      }
    }
    return true;
  }

  async putChallenge(challenge: ChallengeRecord) {
    this.#challenges.set(challenge.id, { ...challenge, challenge: challenge.challenge.slice() });
  }

  async takeChallenge(id: string, now: number) {
    const challenge = this.#challenges.get(id);
    if (!challenge) return undefined;
    this.#challenges.delete(id);
    return now < challenge.expiresAt ? challenge : undefined;
  }

  async createFamily(input: Parameters<AccountStore["createFamily"]>[0]) {
    this.#families.set(input.familyId, { accountId: input.accountId, revoked: false });
    this.#tokens.set(hex(input.tokenHash), {
      familyId: input.familyId,
      expiresAt: input.expiresAt,
      used: false,
    });
  }

  async rotateRefreshToken(rotation: Parameters<AccountStore["rotateRefreshToken"]>[0]) {
    const token = this.#tokens.get(hex(rotation.tokenHash));
    const family = token && this.#families.get(token.familyId);
    if (!token || !family || family.revoked || rotation.now >= token.expiresAt)
      return err(refreshInvalid());
    if (token.used) {
      family.revoked = true;
      return err(refreshReused(token.familyId));
    }
    token.used = true;
    this.#tokens.set(hex(rotation.nextHash), {
      familyId: token.familyId,
      expiresAt: rotation.nextExpiresAt,
      used: false,
    });
    return ok({ accountId: family.accountId, familyId: token.familyId });
  }

  async isFamilyActive(familyId: string) {
    const family = this.#families.get(familyId);
    return family !== undefined && !family.revoked;
  }

  async inactiveFamilies(familyIds: readonly string[]) {
    return familyIds.filter((familyId) => this.#families.get(familyId)?.revoked !== false);
  }

  async revokeFamily(familyId: string) {
    const family = this.#families.get(familyId);
    if (family) family.revoked = true;
  }

  async revokeFamilies(accountId: string, except: string | null) {
    for (const [familyId, family] of this.#families) {
      if (family.accountId === accountId && familyId !== except) family.revoked = true;
    }
  }

  async putMailbox(mailbox: MailboxRecord) {
    this.#mailboxes.set(mailbox.id, { ...mailbox, sealed: mailbox.sealed.slice() });
  }

  async takeMailbox(id: string, now: number) {
    const mailbox = this.#mailboxes.get(id);
    if (!mailbox) return undefined;
    this.#mailboxes.delete(id);
    return now < mailbox.expiresAt ? mailbox : undefined;
  }

  async sweep(now: number) {
    let removed = 0;
    for (const [id, mailbox] of this.#mailboxes) {
      if (mailbox.expiresAt <= now && this.#mailboxes.delete(id)) removed++;
    }
    for (const [id, challenge] of this.#challenges) {
      if (challenge.expiresAt <= now && this.#challenges.delete(id)) removed++;
    }
    for (const [hash, token] of this.#tokens) {
      if (token.expiresAt <= now && this.#tokens.delete(hash)) removed++;
    }
    return removed;
  }

  async close() {}
}
