/**
 * The account operations (DESIGN.md §3, §6), free of HTTP: register, two-step login
 * (challenge → signature by the login key the device derives from its password), rotating
 * refresh, logout, me, password change, key bundle, delete. The relay never receives a
 * password or any key that decrypts: it stores the login public key, the KDF salt and
 * parameters the device chose, and the bundle the device wrapped.
 *
 * An unknown email gets a challenge and a salt like a known one — a stable fake salt, an
 * HMAC of the email under the relay's secret — and its login fails with the same error
 * after the same work (a signature check against a dummy key), so login does not reveal
 * who has an account.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import {
  err,
  type LoginProof,
  ok,
  type Result,
  type SessionTokens,
} from "@ridevault/core/protocol";
import type { AccessClaims, AccessTokens } from "./access-token.js";
import { type AccountError, invalidCredentials, invalidToken } from "./account-errors.js";
import type { AccountStore, KdfParams, Revocation } from "./account-store.js";
import { loginMessage, publicKeyFromSeed, verifyLoginSignature } from "./login-proof.js";

/**
 * Tokens handed to a device after login, registration or refresh, and a signature over a
 * login challenge: the wire shapes core's `AccountClient` reads and writes.
 */
export type { LoginProof, SessionTokens };

/** What registration stores. */
export interface RegisterInput {
  readonly email: string;
  readonly loginPublicKey: Uint8Array;
  readonly recoveryPublicKey: Uint8Array | null;
  readonly kdf: KdfParams;
  readonly bundle: Uint8Array;
  /** The public half of the account's sharing key, or null (sent later with `PUT me/share-key`). */
  readonly sharePublicKey: Uint8Array | null;
}

/** New credentials after a password change (or recovery). */
export interface ChangePasswordInput {
  readonly proof: LoginProof;
  readonly loginPublicKey: Uint8Array;
  readonly kdf: KdfParams;
  readonly bundle: Uint8Array;
  readonly expectedBundleVersion: number;
}

/** Options of `AccountService`. */
export interface AccountServiceOptions {
  readonly store: AccountStore;
  readonly tokens: AccessTokens;
  /** The relay's secret (fake salts for unknown emails are derived from it). */
  readonly secret: Uint8Array;
  /** The KDF parameters quoted for unknown emails: the ones devices use by default. */
  readonly defaultKdf: { readonly opsLimit: number; readonly memLimit: number };
  /** Refresh-token lifetime (default 30 days). */
  readonly refreshTtlMs?: number;
  /** Login-challenge lifetime (default 2 minutes). */
  readonly challengeTtlMs?: number;
  /** Pairing-mailbox lifetime (default 10 minutes). */
  readonly pairingTtlMs?: number;
  /**
   * Deletes what the account keeps outside the account store (its documents in the relay
   * store); runs before the account's rows go, so a failure leaves the account to retry.
   */
  readonly deleteOwnedData?: (accountId: string) => Promise<void>;
  readonly now?: () => number;
}

export type { Revocation } from "./account-store.js";

/** An authenticated caller. */
export interface Caller {
  readonly accountId: string;
  readonly familyId: string;
  /** When the access token expires, ms since the epoch. */
  readonly expiresAt: number;
}

const randomId = (): string => randomBytes(16).toString("base64url");
const sha256 = (text: string): Uint8Array => createHash("sha256").update(text).digest();

/** The account operations over an `AccountStore`. */
export class AccountService {
  readonly #o: AccountServiceOptions;
  readonly #now: () => number;
  readonly #saltKey: Buffer;
  readonly #dummyKey: Uint8Array;
  readonly #revocationListeners = new Set<(revocation: Revocation) => void>();

  constructor(options: AccountServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#saltKey = createHmac("sha256", Buffer.from(options.secret)).update("fake-salt").digest();
    this.#dummyKey = publicKeyFromSeed(
      createHmac("sha256", Buffer.from(options.secret)).update("dummy-key").digest(),
    );
  }

  /** Creates an account and signs this device in. */
  async register(input: RegisterInput): Promise<Result<SessionTokens, AccountError>> {
    const accountId = randomId();
    const created = await this.#o.store.createAccount({
      id: accountId,
      ...input,
      bundleVersion: 1,
      createdAt: this.#now(),
    });
    if (!created.ok) return created;
    return ok(await this.#startSession(accountId));
  }

  /** A challenge to sign, and the salt and parameters to derive the login key with. */
  async startLogin(
    email: string,
  ): Promise<{ challengeId: string; challenge: Uint8Array; kdf: KdfParams }> {
    const account = await this.#o.store.getAccountByEmail(email);
    const kdf: KdfParams = account?.kdf ?? {
      algorithm: "argon2id13",
      salt: new Uint8Array(
        createHmac("sha256", this.#saltKey).update(email).digest().subarray(0, 16),
      ),
      ...this.#o.defaultKdf,
    };
    const challenge = { id: randomId(), email, challenge: new Uint8Array(randomBytes(32)) };
    await this.#o.store.putChallenge({
      ...challenge,
      expiresAt: this.#now() + (this.#o.challengeTtlMs ?? 120_000),
    });
    return { challengeId: challenge.id, challenge: challenge.challenge, kdf };
  }

  /** Checks the signed challenge and signs the device in. */
  async finishLogin(proof: LoginProof): Promise<Result<SessionTokens, AccountError>> {
    const accountId = await this.#checkProof(proof, null);
    if (accountId === undefined) return err(invalidCredentials());
    return ok(await this.#startSession(accountId));
  }

  /** Rotates a refresh token: a new pair, the old token used up. */
  async refresh(refreshToken: string): Promise<Result<SessionTokens, AccountError>> {
    const refreshHash = sha256(refreshToken);
    const nextToken = randomBytes(32).toString("base64url");
    const rotated = await this.#o.store.rotateRefreshToken({
      tokenHash: refreshHash,
      nextHash: sha256(nextToken),
      nextExpiresAt: this.#now() + (this.#o.refreshTtlMs ?? 30 * 86_400_000),
      now: this.#now(),
    });
    if (!rotated.ok) {
      if (rotated.error.code === "refresh-reused")
        this.#revoked({ familyId: rotated.error.familyId });
      return err({ code: rotated.error.code, message: rotated.error.message });
    }
    const { accountId, familyId } = rotated.value;
    return ok({
      accountId,
      accessToken: this.#o.tokens.issue({ accountId, familyId }),
      expiresIn: this.#o.tokens.ttlSeconds,
      refreshToken: nextToken,
    });
  }

  /** The caller behind an access token, if it is valid and its device is still signed in. */
  async authenticate(token: string | null): Promise<Result<Caller, AccountError>> {
    if (!token) return err(invalidToken());
    const verified = this.#o.tokens.verify(token);
    if (!verified.ok) return err(invalidToken());
    const claims: AccessClaims = verified.value;
    if (!(await this.#o.store.isFamilyActive(claims.sid))) return err(invalidToken());
    return ok({ accountId: claims.sub, familyId: claims.sid, expiresAt: claims.exp * 1000 });
  }

  /** Which of these device sessions (refresh-token families) are signed out. */
  inactiveSessions(familyIds: readonly string[]): Promise<string[]> {
    return this.#o.store.inactiveFamilies(familyIds);
  }

  /** Calls `listener` whenever device sessions are signed out (to close their connections). */
  onRevoked(listener: (revocation: Revocation) => void): () => void {
    this.#revocationListeners.add(listener);
    return () => this.#revocationListeners.delete(listener);
  }

  /**
   * Tells the listeners of `onRevoked` about sessions signed out through another instance
   * (the PostgreSQL store's notifications), so this instance closes their connections too.
   */
  revokedElsewhere(revocation: Revocation): void {
    this.#revoked(revocation);
  }

  /** Signs out this device, or every device of the account. */
  async logout(caller: Caller, everywhere: boolean): Promise<void> {
    if (everywhere) {
      await this.#o.store.revokeFamilies(caller.accountId, null);
      this.#revoked({ accountId: caller.accountId, except: null });
    } else {
      await this.#o.store.revokeFamily(caller.familyId);
      this.#revoked({ familyId: caller.familyId });
    }
  }

  /** The caller's account, without anything secret. */
  async me(
    caller: Caller,
  ): Promise<
    Result<
      { accountId: string; email: string; createdAt: number; bundleVersion: number },
      AccountError
    >
  > {
    const account = await this.#o.store.getAccount(caller.accountId);
    if (!account) return err(invalidToken());
    const { id: accountId, email, createdAt, bundleVersion } = account;
    return ok({ accountId, email, createdAt, bundleVersion });
  }

  /**
   * Replaces the login key, KDF and bundle (re-wrapped on the device; nothing is
   * re-encrypted) after a fresh proof, and signs out every other device.
   */
  async changePassword(
    caller: Caller,
    input: ChangePasswordInput,
  ): Promise<Result<{ bundleVersion: number }, AccountError>> {
    if ((await this.#checkProof(input.proof, caller.accountId)) === undefined)
      return err(invalidCredentials());
    const updated = await this.#o.store.updateCredentials({
      accountId: caller.accountId,
      loginPublicKey: input.loginPublicKey,
      kdf: input.kdf,
      bundle: input.bundle,
      expectedBundleVersion: input.expectedBundleVersion,
    });
    if (!updated.ok) return err({ code: updated.error.code, message: updated.error.message });
    await this.#o.store.revokeFamilies(caller.accountId, caller.familyId);
    this.#revoked({ accountId: caller.accountId, except: caller.familyId });
    return ok({ bundleVersion: updated.value });
  }

  /** The wrapped key bundle and its version. */
  async getBundle(
    caller: Caller,
  ): Promise<Result<{ bundle: Uint8Array; version: number; kdf: KdfParams }, AccountError>> {
    const account = await this.#o.store.getAccount(caller.accountId);
    if (!account) return err(invalidToken());
    return ok({ bundle: account.bundle, version: account.bundleVersion, kdf: account.kdf });
  }

  /** Replaces the bundle if it is still at `expectedVersion`. */
  async putBundle(
    caller: Caller,
    input: { bundle: Uint8Array; expectedVersion: number },
  ): Promise<Result<{ version: number }, AccountError>> {
    const put = await this.#o.store.putBundle({ accountId: caller.accountId, ...input });
    if (!put.ok) return err({ code: put.error.code, message: put.error.message });
    return ok({ version: put.value });
  }

  /**
   * Deletes the account after a fresh proof: its documents (every envelope and snapshot),
   * its key bundle, sessions, tokens, challenges and pairing mailboxes — every row of it.
   */
  async deleteAccount(caller: Caller, proof: LoginProof): Promise<Result<void, AccountError>> {
    if ((await this.#checkProof(proof, caller.accountId)) === undefined)
      return err(invalidCredentials());
    // Signed out first, so no device of it stores anything while its documents go.
    await this.#o.store.revokeFamilies(caller.accountId, null);
    this.#revoked({ accountId: caller.accountId, except: null });
    await this.#o.deleteOwnedData?.(caller.accountId);
    await this.#o.store.deleteAccount(caller.accountId);
    return ok(undefined);
  }

  /**
   * Leaves a sealed key bundle for a new device of the caller's account, under an id only
   * the pairing link's holder can compute. It lives `pairingTtlMs` and is taken once.
   */
  async leaveMailbox(
    caller: Caller,
    input: { mailboxId: string; sealed: Uint8Array },
  ): Promise<{ expiresAt: number }> {
    const expiresAt = this.#now() + (this.#o.pairingTtlMs ?? 600_000);
    await this.#o.store.putMailbox({
      id: input.mailboxId,
      accountId: caller.accountId,
      sealed: input.sealed,
      expiresAt,
    });
    return { expiresAt };
  }

  /** Takes a mailbox (once) and signs the new device in to the account that left it. */
  async takeMailbox(
    mailboxId: string,
  ): Promise<Result<{ sealed: Uint8Array; tokens: SessionTokens }, AccountError>> {
    const mailbox = await this.#o.store.takeMailbox(mailboxId, this.#now());
    if (!mailbox || !(await this.#o.store.getAccount(mailbox.accountId)))
      return err({
        code: "pairing-invalid",
        message:
          "this pairing link was used already or has expired: make a new one on your other device",
      });
    return ok({ sealed: mailbox.sealed, tokens: await this.#startSession(mailbox.accountId) });
  }

  /** Removes expired challenges and refresh tokens. */
  sweep(): Promise<number> {
    return this.#o.store.sweep(this.#now());
  }

  #revoked(revocation: Revocation): void {
    for (const listener of this.#revocationListeners) listener(revocation);
  }

  /** The account id the proof signs in, or undefined; the same work either way. */
  async #checkProof(
    proof: LoginProof,
    expectedAccount: string | null,
  ): Promise<string | undefined> {
    const challenge = await this.#o.store.takeChallenge(proof.challengeId, this.#now());
    const account = challenge && (await this.#o.store.getAccountByEmail(challenge.email));
    const key =
      (proof.method === "password" ? account?.loginPublicKey : account?.recoveryPublicKey) ??
      this.#dummyKey;
    const message = loginMessage(proof.challengeId, challenge?.challenge ?? new Uint8Array(32));
    const valid = verifyLoginSignature(key, message, proof.signature);
    if (!valid || !account || key === this.#dummyKey) return undefined;
    if (expectedAccount !== null && account.id !== expectedAccount) return undefined;
    return account.id;
  }

  async #startSession(accountId: string): Promise<SessionTokens> {
    const familyId = randomId();
    const refreshToken = randomBytes(32).toString("base64url");
    await this.#o.store.createFamily({
      familyId,
      accountId,
      tokenHash: sha256(refreshToken),
      expiresAt: this.#now() + (this.#o.refreshTtlMs ?? 30 * 86_400_000),
      createdAt: this.#now(),
    });
    return {
      accountId,
      accessToken: this.#o.tokens.issue({ accountId, familyId }),
      expiresIn: this.#o.tokens.ttlSeconds,
      refreshToken,
    };
  }
}
