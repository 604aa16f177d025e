/**
 * Keeping a signed-in session across restarts. The session's state — account id, email,
 * refresh token and the access token's expiry — is saved through a `StorageAdapter` (the
 * vault's, or any other) under `["ridevault-account", "session"]`, sealed under the vault key
 * (XChaCha20-Poly1305, the key-store's cipher, with its own context as additional data), so
 * a copy of the device's storage holds no usable refresh token unless the vault key (kept
 * by the app in the platform's key store: Keychain, Keystore, a non-extractable WebCrypto
 * key…) is stolen too.
 *
 * `persistSession` saves now and again after every rotation (each rotation uses the previous
 * refresh token up, and presenting a used one signs the device out), and forgets the saved
 * state when the session ends. `restoreSession` opens it and refreshes at once; a session
 * signed out meanwhile gives `signed-out` and the saved state is removed.
 *
 * Value: `version u8 (= 1) · nonce 24 · XChaCha20-Poly1305(JSON state)`.
 */
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import { err, ok, type Result } from "../result.js";
import { type Clock, type Random, systemRandom } from "../runtime.js";
import type { StorageAdapter } from "../storage/storage-adapter.js";
import type { AccountClient, AccountClientError } from "./account-client.js";
import { AccountSession } from "./account-session.js";

/** Where the saved session lives in the storage adapter. */
export const SESSION_STORAGE_KEY: readonly string[] = ["ridevault-account", "session"];

/** What is saved of a session. */
export interface SavedSessionState {
  readonly accountId: string;
  readonly email: string | null;
  readonly refreshToken: string;
  /** When the access token of the saved moment expired (ms since the epoch). */
  readonly expiresAt: number;
}

/** The saved session cannot be used; the message says what to do. */
export interface SavedSessionError {
  /**
   * `signed-out`: the relay no longer knows it (log in again; it was removed). `session-locked`:
   * another vault key sealed it. `session-corrupt`: damaged (it was removed).
   */
  readonly code: "signed-out" | "session-locked" | "session-corrupt";
  readonly message: string;
}

/** Where and under which key a session is saved. */
export interface SessionStorageOptions {
  readonly storage: StorageAdapter;
  /** The vault key (32 bytes; `SignedIn.vaultKey`). */
  readonly vaultKey: Uint8Array;
  readonly random?: Random;
}

const VERSION = 1;
const NONCE_BYTES = 24;
const CONTEXT = "ridevault/account-session/v1";

/**
 * Saves `session` now and after every rotation; forgets it once the session ends. Returns a
 * function that stops following the session (the saved state stays). Resolves after the
 * first save.
 */
export async function persistSession(
  options: SessionStorageOptions & { readonly session: AccountSession },
): Promise<() => void> {
  const sodium = await loadSodium();
  const { session } = options;
  let writing: Promise<void> = Promise.resolve();
  // Writes in order, so an older state never overwrites a newer one.
  const follow = () => {
    writing = writing
      .then(() =>
        session.signedOut
          ? options.storage.remove([...SESSION_STORAGE_KEY])
          : saveState(sodium, options, stateOf(session)),
      )
      .catch(() => undefined);
  };
  const stop = session.onChange(follow);
  follow();
  await writing;
  return stop;
}

/**
 * The saved session, refreshed (undefined when none is saved). The caller should
 * `persistSession` the result again: the refresh used the saved token up.
 */
export async function restoreSession(
  options: SessionStorageOptions & { readonly client: AccountClient; readonly clock?: Clock },
): Promise<Result<AccountSession | undefined, SavedSessionError | AccountClientError>> {
  const sodium = await loadSodium();
  const key = [...SESSION_STORAGE_KEY];
  const stored = await options.storage.load(key);
  if (stored === undefined) return ok(undefined);
  const state = openState(sodium, options.vaultKey, stored);
  if (!state.ok) {
    if (state.error.code === "session-corrupt") await options.storage.remove(key);
    return state;
  }
  const resumed = await AccountSession.resume({
    client: options.client,
    accountId: state.value.accountId,
    refreshToken: state.value.refreshToken,
    email: state.value.email,
    ...(options.clock && { clock: options.clock }),
  });
  if (!resumed.ok) {
    if (resumed.error.status !== 401) return resumed;
    await options.storage.remove(key);
    return err({
      code: "signed-out",
      message: `this device was signed out of the account (${resumed.error.message}): log in again`,
    });
  }
  await saveState(sodium, options, stateOf(resumed.value));
  return ok(resumed.value);
}

/** Removes the saved session (e.g. when the rider signs out while offline). */
export async function forgetSession(storage: StorageAdapter): Promise<void> {
  await storage.remove([...SESSION_STORAGE_KEY]);
}

function stateOf(session: AccountSession): SavedSessionState {
  return {
    accountId: session.accountId,
    email: session.email,
    refreshToken: session.refreshToken,
    expiresAt: session.expiresAt,
  };
}

async function saveState(
  sodium: Sodium,
  options: SessionStorageOptions,
  state: SavedSessionState,
): Promise<void> {
  checkKey(options.vaultKey);
  const nonce = (options.random ?? systemRandom).bytes(NONCE_BYTES);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    sodium.from_string(JSON.stringify(state)),
    sodium.from_string(CONTEXT),
    null,
    nonce,
    options.vaultKey,
  );
  const value = new Uint8Array(1 + NONCE_BYTES + ciphertext.length);
  value[0] = VERSION;
  value.set(nonce, 1);
  value.set(ciphertext, 1 + NONCE_BYTES);
  await options.storage.save([...SESSION_STORAGE_KEY], value);
}

function openState(
  sodium: Sodium,
  vaultKey: Uint8Array,
  value: Uint8Array,
): Result<SavedSessionState, SavedSessionError> {
  checkKey(vaultKey);
  const corrupt = err({
    code: "session-corrupt" as const,
    message: "the saved session is damaged and was removed: log in again",
  });
  if (value.length < 1 + NONCE_BYTES + 16 || value[0] !== VERSION) return corrupt;
  let plaintext: Uint8Array;
  try {
    plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      value.subarray(1 + NONCE_BYTES),
      sodium.from_string(CONTEXT),
      value.subarray(1, 1 + NONCE_BYTES),
      vaultKey,
    );
  } catch {
    // An AEAD cannot tell a wrong key from damage; the saved state is kept for the right key.
    return err({
      code: "session-locked",
      message: "the saved session does not open with this vault key: log in again",
    });
  }
  let state: Partial<SavedSessionState>;
  try {
    state = JSON.parse(sodium.to_string(plaintext)) as Partial<SavedSessionState>;
  } catch {
    return corrupt;
  }
  if (
    typeof state.accountId !== "string" ||
    typeof state.refreshToken !== "string" ||
    typeof state.expiresAt !== "number" ||
    (state.email !== null && typeof state.email !== "string")
  )
    return corrupt;
  return ok({
    accountId: state.accountId,
    email: state.email ?? null,
    refreshToken: state.refreshToken,
    expiresAt: state.expiresAt,
  });
}

function checkKey(vaultKey: Uint8Array): void {
  if (vaultKey.length !== 32) throw new RangeError("a vault key has 32 bytes");
}
