/**
 * A small client of the relay's account endpoints (`/v1/accounts/…`, see the relay's
 * `http/account-routes.ts`) over `fetch` — injectable, so tests and other runtimes can pass
 * their own. Every answer is decoded and checked; failures are values carrying the relay's
 * error `code` (or `network` / `bad-response`) and the HTTP status.
 */

import type { AccountKdf } from "../keys/account-kdf.js";
import { err, ok, type Result } from "../result.js";
import {
  type AccountClientError,
  badResponse,
  CLAIM_STATUSES,
  decodeKdf,
  decodeTokens,
  fromBase64Url,
  type Json,
  kdfJson,
  type LoginProof,
  proofJson,
  type SessionTokens,
  toBase64Url,
} from "./account-json.js";
import { callRelay, type RelayAnswer, relayHttpOrigin } from "./relay-http.js";

export {
  type AccountClientError,
  fromBase64Url,
  type LoginProof,
  type SessionTokens,
  toBase64Url,
} from "./account-json.js";

/** A login challenge and the KDF to answer it with. */
export interface LoginChallenge {
  readonly challengeId: string;
  readonly challenge: Uint8Array;
  readonly kdf: AccountKdf;
}

/** What registration sends. */
export interface Registration {
  readonly email: string;
  readonly loginPublicKey: Uint8Array;
  readonly recoveryPublicKey: Uint8Array | null;
  readonly kdf: AccountKdf;
  readonly bundle: Uint8Array;
  /** The public half of the account's sharing key (X25519), kept by the relay. */
  readonly sharePublicKey?: Uint8Array;
}

/** A claim of one document: the document's current write key signed `claimProofMessage`. */
export interface DocumentClaim {
  readonly docId: string;
  readonly signature: Uint8Array;
}

/**
 * What the relay did with a claimed document: `claimed` (now the account's), `already` (it
 * was), `taken` (another account owns it), `unknown` (not registered), `bad-signature`.
 */
export type ClaimStatus = "claimed" | "already" | "taken" | "unknown" | "bad-signature";

/** Another rider's account as `lookupAccount` finds it, to share with them. */
export interface AccountLookup {
  readonly accountId: string;
  readonly email: string;
  /** Their X25519 sharing public key: seal to it with `crypto_box_seal`. */
  readonly sharePublicKey: Uint8Array;
}

/** Options of `AccountClient`. */
export interface AccountClientOptions {
  /** The relay's HTTP origin, e.g. `https://relay.example` (a `ws(s)://…/sync` URL works too). */
  readonly baseUrl: string;
  readonly fetch?: typeof globalThis.fetch;
}

type Reply<T> = Promise<Result<T, AccountClientError>>;

/** Calls the account endpoints of one relay. */
export class AccountClient {
  readonly #base: string;
  readonly #origin: string;
  readonly #fetch: typeof globalThis.fetch;

  constructor(options: AccountClientOptions) {
    this.#origin = relayHttpOrigin(options.baseUrl);
    this.#base = `${this.#origin}/v1/accounts/`;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Creates an account and signs this device in. */
  register(input: Registration): Reply<SessionTokens> {
    return this.#tokens("register", {
      email: input.email,
      loginPublicKey: toBase64Url(input.loginPublicKey),
      recoveryPublicKey: input.recoveryPublicKey && toBase64Url(input.recoveryPublicKey),
      kdf: kdfJson(input.kdf),
      bundle: toBase64Url(input.bundle),
      ...(input.sharePublicKey && { sharePublicKey: toBase64Url(input.sharePublicKey) }),
    });
  }

  /** Asks for a login challenge (every email gets one). */
  async startLogin(email: string): Reply<LoginChallenge> {
    const reply = await this.#call("POST", "login/start", null, { email });
    if (!reply.ok) return reply;
    const challenge = fromBase64Url(reply.value.body.challenge);
    const kdf = decodeKdf(reply.value.body.kdf);
    const challengeId = reply.value.body.challengeId;
    if (!challenge || !kdf || typeof challengeId !== "string")
      return err(badResponse("login challenge", reply.value.status));
    return ok({ challengeId, challenge, kdf });
  }

  /** Sends the signed challenge; tokens when it verifies. */
  finishLogin(proof: LoginProof): Reply<SessionTokens> {
    return this.#tokens("login/finish", proofJson(proof));
  }

  /** Rotates the refresh token. */
  refresh(refreshToken: string): Reply<SessionTokens> {
    return this.#tokens("refresh", { refreshToken });
  }

  /** Signs out this device (or every device). */
  async logout(accessToken: string, everywhere = false): Reply<void> {
    const reply = await this.#call("POST", "logout", accessToken, { everywhere });
    return reply.ok ? ok(undefined) : reply;
  }

  /** The account's email, id, creation time and bundle version. */
  async me(
    accessToken: string,
  ): Reply<{ accountId: string; email: string; bundleVersion: number }> {
    const reply = await this.#call("GET", "me", accessToken, null);
    if (!reply.ok) return reply;
    const { accountId, email, bundleVersion } = reply.value.body;
    if (
      typeof accountId !== "string" ||
      typeof email !== "string" ||
      typeof bundleVersion !== "number"
    )
      return err(badResponse("me", reply.value.status));
    return ok({ accountId, email, bundleVersion });
  }

  /** Replaces login key, KDF and bundle after a fresh proof; other devices are signed out. */
  async changePassword(
    accessToken: string,
    input: {
      proof: LoginProof;
      loginPublicKey: Uint8Array;
      kdf: AccountKdf;
      bundle: Uint8Array;
      expectedBundleVersion: number;
    },
  ): Reply<{ bundleVersion: number }> {
    const reply = await this.#call("POST", "password", accessToken, {
      ...proofJson(input.proof),
      loginPublicKey: toBase64Url(input.loginPublicKey),
      kdf: kdfJson(input.kdf),
      bundle: toBase64Url(input.bundle),
      expectedBundleVersion: input.expectedBundleVersion,
    });
    if (!reply.ok) return reply;
    const version = reply.value.body.bundleVersion;
    return typeof version === "number"
      ? ok({ bundleVersion: version })
      : err(badResponse("password", reply.value.status));
  }

  /** The wrapped key bundle, its version and the KDF. */
  async getBundle(
    accessToken: string,
  ): Reply<{ bundle: Uint8Array; version: number; kdf: AccountKdf }> {
    const reply = await this.#call("GET", "bundle", accessToken, null);
    if (!reply.ok) return reply;
    const bundle = fromBase64Url(reply.value.body.bundle);
    const kdf = decodeKdf(reply.value.body.kdf);
    const version = reply.value.body.version;
    if (!bundle || !kdf || typeof version !== "number")
      return err(badResponse("bundle", reply.value.status));
    return ok({ bundle, version, kdf });
  }

  /** Replaces the bundle if it is still at `expectedVersion`. */
  async putBundle(
    accessToken: string,
    bundle: Uint8Array,
    expectedVersion: number,
  ): Reply<{ version: number }> {
    const reply = await this.#call("PUT", "bundle", accessToken, {
      bundle: toBase64Url(bundle),
      expectedVersion,
    });
    if (!reply.ok) return reply;
    const version = reply.value.body.version;
    return typeof version === "number"
      ? ok({ version })
      : err(badResponse("bundle", reply.value.status));
  }

  /** Deletes the account after a fresh proof. */
  async deleteAccount(accessToken: string, proof: LoginProof): Reply<void> {
    const reply = await this.#call("DELETE", "me", accessToken, proofJson(proof));
    return reply.ok ? ok(undefined) : reply;
  }

  /** Leaves a sealed bundle in a pairing mailbox (10 minutes, taken once). */
  async leaveMailbox(
    accessToken: string,
    mailboxId: string,
    sealed: Uint8Array,
  ): Reply<{ expiresAt: number }> {
    const reply = await this.#call("POST", "pairing", accessToken, {
      mailboxId,
      sealed: toBase64Url(sealed),
    });
    if (!reply.ok) return reply;
    const expiresAt = reply.value.body.expiresAt;
    return typeof expiresAt === "number"
      ? ok({ expiresAt })
      : err(badResponse("pairing", reply.value.status));
  }

  /** Takes a pairing mailbox: its sealed bundle, and tokens for this new device. */
  async takeMailbox(mailboxId: string): Reply<{ sealed: Uint8Array; tokens: SessionTokens }> {
    const reply = await this.#call("POST", "pairing/take", null, { mailboxId });
    if (!reply.ok) return reply;
    const tokens = decodeTokens(reply.value.body, reply.value.status);
    if (!tokens.ok) return tokens;
    const sealed = fromBase64Url(reply.value.body.sealed);
    return sealed
      ? ok({ sealed, tokens: tokens.value })
      : err(badResponse("pairing mailbox", reply.value.status));
  }

  /** Stores the public half of the account's sharing key (replacing any). */
  async putShareKey(accessToken: string, publicKey: Uint8Array): Reply<void> {
    const reply = await this.#call("PUT", "me/share-key", accessToken, {
      publicKey: toBase64Url(publicKey),
    });
    return reply.ok ? ok(undefined) : reply;
  }

  /**
   * The account registered with `email` and its sharing public key; `not-found` (404) both
   * for an unknown email and for an account without a sharing key. Rate-limited per account.
   */
  async lookupAccount(accessToken: string, email: string): Reply<AccountLookup> {
    const reply = await this.#call(
      "GET",
      `lookup?email=${encodeURIComponent(email)}`,
      accessToken,
      null,
    );
    if (!reply.ok) return reply;
    const { accountId, email: found } = reply.value.body;
    const sharePublicKey = fromBase64Url(reply.value.body.sharePublicKey);
    if (typeof accountId !== "string" || typeof found !== "string" || sharePublicKey?.length !== 32)
      return err(badResponse("lookup", reply.value.status));
    return ok({ accountId, email: found, sharePublicKey });
  }

  /** Who an account is (its email), e.g. to show who shared with this rider. */
  async accountProfile(
    accessToken: string,
    accountId: string,
  ): Reply<{ accountId: string; email: string }> {
    const reply = await this.#call(
      "GET",
      `${encodeURIComponent(accountId)}/profile`,
      accessToken,
      null,
    );
    if (!reply.ok) return reply;
    const { accountId: id, email } = reply.value.body;
    if (typeof id !== "string" || typeof email !== "string")
      return err(badResponse("profile", reply.value.status));
    return ok({ accountId: id, email });
  }

  /**
   * Claims documents registered without an account for the caller's account (attaching an
   * anonymous vault); at most 500 per call. Answers each document's `ClaimStatus`.
   */
  async claimDocuments(
    accessToken: string,
    claims: readonly DocumentClaim[],
  ): Reply<{ docId: string; status: ClaimStatus }[]> {
    const reply = await this.#call("POST", `${this.#origin}/v1/documents/claim`, accessToken, {
      documents: claims.map((c) => ({ docId: c.docId, signature: toBase64Url(c.signature) })),
    });
    if (!reply.ok) return reply;
    const results = reply.value.body.results;
    if (
      !Array.isArray(results) ||
      !results.every(
        (r: Json) => typeof r?.docId === "string" && CLAIM_STATUSES.includes(r.status as string),
      )
    )
      return err(badResponse("claim", reply.value.status));
    return ok(results as { docId: string; status: ClaimStatus }[]);
  }

  async #tokens(path: string, body: Json): Reply<SessionTokens> {
    const reply = await this.#call("POST", path, null, body);
    return reply.ok ? decodeTokens(reply.value.body, reply.value.status) : reply;
  }

  #call(
    method: string,
    path: string,
    accessToken: string | null,
    body: Json | null,
  ): Reply<RelayAnswer> {
    return callRelay({
      fetch: this.#fetch,
      url: path.startsWith(this.#origin) ? path : `${this.#base}${path}`,
      method,
      body,
      accessToken: async () => accessToken,
    });
  }
}
