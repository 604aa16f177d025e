/**
 * The rider's account on this device, for the account screens and for sync: whether this
 * device is anonymous, signed in (sync presents the session's access token) or signed out
 * of an account it belonged to (sync pauses until the rider logs in again, since the relay
 * no longer serves the account's documents to this device). Every account action is a call
 * to `@ridevault/core`'s account flows; this class keeps the session, turns failures into
 * sentences (account-messages.ts) and notices when the relay ended the session elsewhere —
 * a password change or "log out everywhere" on another device closes this device's sync
 * connection, and the next check finds the session refused.
 *
 * The session survives reloads (saved-account.ts): after a password login or registration
 * it is saved, and at start-up it is resumed — sync stays paused meanwhile — or, when the
 * relay ended it in between, the device is signed out saying why. A device paired by link
 * has no vault key to seal the session with: its session lasts as long as the page. The
 * email and account id are kept in `localStorage`, to say whose session this was.
 */
import {
  AccountClient,
  type AccountSession,
  attachAccount,
  changePassword,
  createPairing,
  deleteAccount,
  joinByPairingLink,
  type LibraryAccess,
  logIn,
  recoverAccount,
  type ShareKeyPair,
  type SignedIn,
  type Vault,
  type WebSocketClass,
  type WebSocketWithProtocols,
} from "@ridevault/core/browser";
import type { SyncAuth } from "../sync/sync-controller.js";
import { ACCOUNT_HINT_KEY, readAccountHint } from "./account-hint.js";
import {
  type AccountProblem,
  accountMessage,
  ENDED_ELSEWHERE,
  NOT_KEPT,
  notResumedReason,
} from "./account-messages.js";
import { pairingLinkOf } from "./pairing-link.js";
import { SavedAccount } from "./saved-account.js";

export { pairingLinkOf } from "./pairing-link.js";

/** Where this device stands with an account. */
export type AccountState =
  | { readonly kind: "anonymous" }
  /** Resuming the saved session at start-up; `problem`: why it has not worked yet. */
  | { readonly kind: "resuming"; readonly email: string; readonly problem: string | null }
  | {
      readonly kind: "signed-in";
      readonly email: string;
      readonly accountId: string;
      /** The session is saved on this device and survives a reload (null: being saved). */
      readonly staysSignedIn: boolean | null;
    }
  | { readonly kind: "signed-out"; readonly email: string; readonly reason: string };

/** An account action's result: a value, or the sentence to show. */
export type Outcome<T = void> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

/** A signed-in session waiting to be adopted, with the account's email. */
export interface PendingSignIn extends SignedIn {
  readonly email: string;
}

/** Options of `AccountController`. */
export interface AccountControllerOptions {
  /** The sync URL of the relay the account lives on (read at each action). */
  readonly relayUrl: () => string;
  readonly storage?: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  /** Where the session is saved across reloads (default: IndexedDB; null: not saved). */
  readonly saved?: SavedAccount | null;
}

const CHECK_INTERVAL_MS = 5_000;
const RESUME_RETRY_MS = 15_000;

/** The account of this device; one per app. */
export class AccountController implements SyncAuth {
  readonly #relayUrl: () => string;
  readonly #storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  readonly #listeners = new Set<() => void>();
  #state: AccountState;
  #session: AccountSession | null = null;
  #webSocket: WebSocketClass | null = null;
  #shareKeys: ShareKeyPair | null = null;
  #stopSessionListener: (() => void) | undefined;
  #lastCheck = 0;
  readonly #saved: SavedAccount | null;
  #resumeTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onOnline = () => void this.#resume();

  constructor(options: AccountControllerOptions) {
    this.#relayUrl = options.relayUrl;
    this.#storage = options.storage ?? localStorage;
    this.#saved = options.saved === undefined ? SavedAccount.browser() : options.saved;
    const stored = readAccountHint(this.#storage);
    if (!stored) this.#state = { kind: "anonymous" };
    else if (!this.#saved)
      this.#state = { kind: "signed-out", email: stored.email, reason: NOT_KEPT };
    else {
      this.#state = { kind: "resuming", email: stored.email, problem: null };
      globalThis.addEventListener?.("online", this.#onOnline);
      void this.#resume();
    }
  }

  /** The current state. */
  get state(): AccountState {
    return this.#state;
  }

  /** How sync connects: with the session's token, paused while signed out, else anonymously. */
  get connection(): WebSocketClass | "paused" | null {
    if (this.#webSocket) return this.#webSocket;
    const { kind } = this.#state;
    return kind === "signed-out" || kind === "resuming" ? "paused" : null;
  }

  /** The account's sharing key pair while signed in (null without one, e.g. after pairing). */
  get shareKeys(): ShareKeyPair | null {
    return this.#session ? this.#shareKeys : null;
  }

  /** The signed-in session's access token (refreshed as needed), or null without one. */
  async accessToken(): Promise<string | null> {
    const session = this.#session;
    if (!session) return null;
    const token = await session.accessToken();
    return token.ok ? token.value : null;
  }

  /** Calls `listener` on every state change; returns an unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Creates an account for `vault` (core's `attachAccount`: its library keys go into the
   * account, and the documents it synced without an account are claimed for it), signs in,
   * and resolves to the recovery code — with a warning when the claim failed (the account
   * exists either way; unclaimed rides keep syncing as before).
   */
  async register(input: {
    email: string;
    password: string;
    vault: Vault;
  }): Promise<Outcome<{ recoveryCode: string; warning: string | null }>> {
    const email = input.email.trim();
    const done = await attachAccount({ ...input, email, client: this.#client() });
    if (!done.ok) return failed(done.error);
    this.adopt(done.value.session, email, done.value.shareKeys, done.value.vaultKey);
    const { claimError } = done.value;
    const warning = claimError
      ? `Your account is ready, but the rides this device synced before could not be moved into it yet: ${accountMessage(claimError)}`
      : null;
    return { ok: true, value: { recoveryCode: done.value.recoveryCode, warning } };
  }

  /** Checks email and password; the session is not adopted yet (the vault may change first). */
  async logIn(input: { email: string; password: string }): Promise<Outcome<PendingSignIn>> {
    const email = input.email.trim();
    const done = await logIn({ email, password: input.password, client: this.#client() });
    return done.ok ? { ok: true, value: { ...done.value, email } } : failed(done.error);
  }

  /** Proves the recovery code, sets `newPassword`; the session is not adopted yet. */
  async recover(input: {
    email: string;
    recoveryCode: string;
    newPassword: string;
  }): Promise<Outcome<PendingSignIn>> {
    const email = input.email.trim();
    const done = await recoverAccount({ ...input, email, client: this.#client() });
    return done.ok ? { ok: true, value: { ...done.value, email } } : failed(done.error);
  }

  /** Takes a pairing link's mailbox; the session is not adopted yet. */
  async joinByLink(link: string): Promise<Outcome<PendingSignIn>> {
    const client = this.#client();
    const joined = await joinByPairingLink({ client, link: pairingLinkOf(link) });
    if (!joined.ok) return failed(joined.error);
    const token = await joined.value.session.accessToken();
    if (!token.ok) return failed(token.error);
    const me = await client.me(token.value);
    if (!me.ok) return failed(me.error);
    return { ok: true, value: { ...joined.value, email: me.value.email } };
  }

  /**
   * Makes `session` this device's: sync presents its token from now on. `shareKeys` (the
   * account's sharing key pair, null after pairing by link) opens shares made for the account.
   * With the `vaultKey` (null after pairing by link) the session is saved, so it survives a
   * reload (`state.staysSignedIn` turns true once it is).
   */
  adopt(
    session: AccountSession,
    email: string,
    shareKeys: ShareKeyPair | null = null,
    vaultKey: Uint8Array | null = null,
  ): void {
    const saved = this.#saved;
    this.#use(session, email, shareKeys, saved && vaultKey ? null : false);
    if (!saved) return;
    if (!vaultKey) {
      void saved.forget();
      return;
    }
    const secrets = { accountId: session.accountId, vaultKey, shareKeys };
    void saved.save(session, secrets).then(
      (kept) => this.#savedFor(session, kept),
      (error: unknown) => {
        console.warn("the session could not be saved on this device:", error);
        this.#savedFor(session, false);
      },
    );
  }

  #use(
    session: AccountSession,
    email: string,
    shareKeys: ShareKeyPair | null,
    staysSignedIn: boolean | null,
  ): void {
    this.#stopResuming();
    this.#stopSessionListener?.();
    this.#session = session;
    this.#shareKeys = shareKeys;
    // The DOM's WebSocket types its handlers' events precisely; core's seam takes `unknown`.
    this.#webSocket = session.webSocket(globalThis.WebSocket as unknown as WebSocketWithProtocols);
    this.#stopSessionListener = session.onSignedOut(() => this.#ended(session, ENDED_ELSEWHERE));
    this.#storage.setItem(
      ACCOUNT_HINT_KEY,
      JSON.stringify({ email, accountId: session.accountId }),
    );
    this.#set({ kind: "signed-in", email, accountId: session.accountId, staysSignedIn });
  }

  #savedFor(session: AccountSession, staysSignedIn: boolean): void {
    if (this.#session !== session || this.#state.kind !== "signed-in") return;
    this.#set({ ...this.#state, staysSignedIn });
  }

  async #resume(): Promise<void> {
    const saved = this.#saved;
    const state = this.#state;
    if (!saved || state.kind !== "resuming") return;
    clearTimeout(this.#resumeTimer);
    const resumed = await saved.resume(this.#client());
    if (this.#state !== state) return;
    switch (resumed.kind) {
      case "resumed":
        this.#use(resumed.session, resumed.session.email ?? state.email, resumed.shareKeys, true);
        return;
      case "failed":
        this.#resumeTimer = setTimeout(() => void this.#resume(), RESUME_RETRY_MS);
        this.#set({ ...state, problem: `${accountMessage(resumed)} Trying again…` });
        return;
      default:
        this.#stopResuming();
        this.#set({ kind: "signed-out", email: state.email, reason: notResumedReason(resumed) });
    }
  }

  #stopResuming(): void {
    clearTimeout(this.#resumeTimer);
    globalThis.removeEventListener?.("online", this.#onOnline);
  }

  /** Logs out this device, or every device of the account. Rides stay on this device. */
  async logOut(everywhere: boolean): Promise<Outcome> {
    const session = this.#session;
    if (!session) return { ok: true, value: undefined };
    const done = await session.logout(everywhere);
    // Signed out here either way: a session the relay already refused is just as ended.
    this.#ended(
      session,
      everywhere ? "You logged out of every device." : "You logged out of this device.",
    );
    return done.ok || done.error.status === 401
      ? { ok: true, value: undefined }
      : failed(done.error);
  }

  /** Changes the password; every other device is signed out. */
  async changePassword(currentPassword: string, newPassword: string): Promise<Outcome> {
    const signedIn = this.#signedIn();
    if (!signedIn.ok) return signedIn;
    const { session, email } = signedIn.value;
    const done = await changePassword({
      client: this.#client(),
      session,
      email,
      currentPassword,
      newPassword,
    });
    return done.ok ? { ok: true, value: undefined } : failed(done.error);
  }

  /**
   * Deletes the account and what it stored on the relay; this device becomes anonymous.
   * `beforeAnonymous` runs first (turn sync off there, or the rides would be uploaded again).
   */
  async deleteAccount(password: string, beforeAnonymous: () => void): Promise<Outcome> {
    const signedIn = this.#signedIn();
    if (!signedIn.ok) return signedIn;
    const { session, email } = signedIn.value;
    const done = await deleteAccount({ client: this.#client(), session, email, password });
    if (!done.ok) return failed(done.error);
    beforeAnonymous();
    this.#forget();
    return { ok: true, value: undefined };
  }

  /** A one-time link (10 minutes) that signs another device in to this account. */
  async createPairing(
    library: LibraryAccess,
  ): Promise<Outcome<{ link: string; expiresAt: number }>> {
    const signedIn = this.#signedIn();
    if (!signedIn.ok) return signedIn;
    const made = await createPairing({
      client: this.#client(),
      session: signedIn.value.session,
      library,
    });
    return made.ok ? { ok: true, value: made.value } : failed(made.error);
  }

  /**
   * Sync lost its connection with an error: asks the relay whether the session still stands
   * (at most every 5 s). A refused session signs this device out.
   */
  syncFailed(): void {
    const session = this.#session;
    const now = Date.now();
    if (!session || now - this.#lastCheck < CHECK_INTERVAL_MS) return;
    this.#lastCheck = now;
    void this.#check(session);
  }

  /** Stops listening to the session (the app is going away). */
  dispose(): void {
    this.#stopResuming();
    this.#saved?.stop();
    this.#stopSessionListener?.();
    this.#listeners.clear();
  }

  async #check(session: AccountSession): Promise<void> {
    const token = await session.accessToken();
    if (!token.ok) {
      if (token.error.status === 401) this.#ended(session, ENDED_ELSEWHERE);
      return;
    }
    const me = await this.#client().me(token.value);
    if (me.ok || me.error.status !== 401) return;
    const refreshed = await session.refresh();
    if (!refreshed.ok && refreshed.error.status === 401) this.#ended(session, ENDED_ELSEWHERE);
  }

  #signedIn(): Outcome<{ session: AccountSession; email: string }> {
    if (!this.#session || this.#state.kind !== "signed-in")
      return { ok: false, message: "This device is not signed in. Log in first." };
    return { ok: true, value: { session: this.#session, email: this.#state.email } };
  }

  #ended(session: AccountSession, reason: string): void {
    if (this.#session !== session) return;
    const email = "email" in this.#state ? this.#state.email : "";
    this.#drop();
    void this.#saved?.forget();
    this.#set({ kind: "signed-out", email, reason });
  }

  #forget(): void {
    this.#drop();
    void this.#saved?.forget();
    this.#storage.removeItem(ACCOUNT_HINT_KEY);
    this.#set({ kind: "anonymous" });
  }

  #drop(): void {
    this.#stopSessionListener?.();
    this.#stopSessionListener = undefined;
    this.#session = null;
    this.#webSocket = null;
    this.#shareKeys = null;
  }

  #client(): AccountClient {
    return new AccountClient({ baseUrl: this.#relayUrl() });
  }

  #set(state: AccountState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener();
  }
}

function failed(problem: AccountProblem): { readonly ok: false; readonly message: string } {
  return { ok: false, message: accountMessage(problem) };
}
