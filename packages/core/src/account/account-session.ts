/**
 * A signed-in device's session: its access token (refreshed by itself shortly before it
 * expires, one refresh at a time), its rotating refresh token, and a WebSocket class for
 * `startSync` that presents the access token in the upgrade. Browsers cannot set headers on
 * a WebSocket, so the token travels as a `Sec-WebSocket-Protocol` entry
 * (`ridevault.access-token.<jwt>` next to `ridevault.v1`); the relay authenticates before
 * the upgrade completes. When the token expires the relay closes the connection (4001) and
 * the sync engine reconnects with a fresh one: re-authentication needs no protocol message.
 *
 * When the relay refuses the refresh token (signed out elsewhere, password changed, token
 * reuse detected) the session ends: `signedOut` turns true and listeners hear it. Every
 * rotation is announced too (`onChange`), so a saved session (`persistSession`)
 * always holds the latest refresh token.
 */
import { err, ok, type Result } from "../result.js";
import { type Clock, systemClock } from "../runtime.js";
import type { WebSocketClass, WebSocketLike } from "../sync/transport.js";
import type { AccountClient, AccountClientError, SessionTokens } from "./account-client.js";

/** The subprotocol a ridevault relay speaks. */
export const SYNC_SUBPROTOCOL = "ridevault.v1";
/** The prefix of the subprotocol entry that carries the access token. */
export const TOKEN_SUBPROTOCOL_PREFIX = "ridevault.access-token.";

/** A WebSocket class that takes subprotocols (browser `WebSocket`, `ws`). */
export type WebSocketWithProtocols = new (url: string, protocols?: string[]) => WebSocketLike;

/** Options of `AccountSession`. */
export interface AccountSessionOptions {
  readonly client: AccountClient;
  readonly tokens: SessionTokens;
  /** The account's email, when the device knows it (kept with a saved session). */
  readonly email?: string | null;
  readonly clock?: Clock;
  /** Refresh this long before the access token expires (default 60 s). */
  readonly refreshMarginMs?: number;
}

/** One device's session with an account. */
export class AccountSession {
  readonly accountId: string;
  /** The account's email, or null when this session was made without it. */
  readonly email: string | null;
  readonly #client: AccountClient;
  readonly #clock: Clock;
  readonly #margin: number;
  #accessToken: string;
  #refreshToken: string;
  #expiresAt: number;
  #refreshing: Promise<Result<string, AccountClientError>> | undefined;
  #signedOut = false;
  readonly #listeners = new Set<(reason: AccountClientError) => void>();
  readonly #changeListeners = new Set<() => void>();

  constructor(options: AccountSessionOptions) {
    this.#client = options.client;
    this.#clock = options.clock ?? systemClock;
    this.#margin = options.refreshMarginMs ?? 60_000;
    this.accountId = options.tokens.accountId;
    this.email = options.email ?? null;
    this.#accessToken = options.tokens.accessToken;
    this.#refreshToken = options.tokens.refreshToken;
    this.#expiresAt = this.#clock.now() + options.tokens.expiresIn * 1000;
  }

  /**
   * Resumes a session an app kept across a restart (`accountId` and the latest
   * `refreshToken`): rotates the refresh token at once, so the stored one is used up.
   */
  static async resume(options: {
    readonly client: AccountClient;
    readonly accountId: string;
    readonly refreshToken: string;
    readonly email?: string | null;
    readonly clock?: Clock;
  }): Promise<Result<AccountSession, AccountClientError>> {
    const rotated = await options.client.refresh(options.refreshToken);
    if (!rotated.ok) return rotated;
    if (rotated.value.accountId !== options.accountId)
      return err({
        code: "bad-response",
        status: 200,
        message: "the relay answered for another account: log in again",
      });
    return ok(
      new AccountSession({
        client: options.client,
        tokens: rotated.value,
        email: options.email ?? null,
        ...(options.clock && { clock: options.clock }),
      }),
    );
  }

  /** True once the relay refused this session (or after `logout`). */
  get signedOut(): boolean {
    return this.#signedOut;
  }

  /** The current refresh token, for apps that keep the session across restarts. */
  get refreshToken(): string {
    return this.#refreshToken;
  }

  /** When the current access token expires (ms since the epoch). */
  get expiresAt(): number {
    return this.#expiresAt;
  }

  /**
   * Calls `listener` after every rotation of the tokens and when the session ends (refused
   * by the relay, or `logout`): what a saved session must follow (`persistSession`).
   */
  onChange(listener: () => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** Calls `listener` when the session ends because the relay refused it. */
  onSignedOut(listener: (reason: AccountClientError) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async accessToken(): Promise<Result<string, AccountClientError>> {
    if (this.#signedOut) return err(signedOutError());
    if (this.#clock.now() < this.#expiresAt - this.#margin) return ok(this.#accessToken);
    return this.refresh();
  }

  /** Rotates the tokens now (one rotation at a time: a second caller shares the first). */
  refresh(): Promise<Result<string, AccountClientError>> {
    this.#refreshing ??= this.#rotate().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /**
   * A WebSocket class for `startSync({ WebSocket })` that authenticates the upgrade with the
   * current access token (and starts a refresh when it is about to expire, for the next
   * connection attempt).
   */
  webSocket(WebSocketImpl: WebSocketWithProtocols): WebSocketClass {
    const session = this;
    return class extends WebSocketImpl {
      constructor(url: string) {
        if (session.#clock.now() >= session.#expiresAt - session.#margin) void session.refresh();
        super(url, [SYNC_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${session.#accessToken}`]);
      }
    };
  }

  /** Signs out this device (or every device) and ends the session. */
  async logout(everywhere = false): Promise<Result<void, AccountClientError>> {
    const token = await this.accessToken();
    if (!token.ok) return token;
    const done = await this.#client.logout(token.value, everywhere);
    this.#signedOut = true;
    for (const listener of this.#changeListeners) listener();
    return done;
  }

  async #rotate(): Promise<Result<string, AccountClientError>> {
    const rotated = await this.#client.refresh(this.#refreshToken);
    if (!rotated.ok) {
      if (rotated.error.status === 401) {
        this.#signedOut = true;
        for (const listener of this.#listeners) listener(rotated.error);
        for (const listener of this.#changeListeners) listener();
      }
      return rotated;
    }
    this.#accessToken = rotated.value.accessToken;
    this.#refreshToken = rotated.value.refreshToken;
    this.#expiresAt = this.#clock.now() + rotated.value.expiresIn * 1000;
    for (const listener of this.#changeListeners) listener();
    return ok(this.#accessToken);
  }
}

function signedOutError(): AccountClientError {
  return {
    code: "signed-out",
    status: 401,
    message: "this device is signed out of the account: log in again",
  };
}
