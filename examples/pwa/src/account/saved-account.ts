/**
 * Staying signed in across reloads. Core's `persistSession` keeps the session (refresh token
 * and all) sealed under the vault key in a storage adapter, re-sealed after every rotation;
 * the vault key itself, with the sharing key pair, is wrapped under this device's
 * non-extractable WebCrypto key (device-secrets.ts). `resume` undoes both at start-up.
 *
 * One tab owns the saved session at a time (a Web Lock held for the page's lifetime): two
 * tabs resuming the same refresh token would present it twice, and the relay ends a session
 * whose refresh token is reused. A second tab neither resumes nor saves.
 */
import {
  type AccountClient,
  type AccountSession,
  forgetSession,
  IndexedDBStorageAdapter,
  persistSession,
  restoreSession,
  type ShareKeyPair,
  type StorageAdapter,
} from "@ridevault/core/browser";
import {
  type DeviceSecrets,
  forgetDeviceSecrets,
  loadDeviceSecrets,
  saveDeviceSecrets,
} from "./device-secrets.js";
import { IndexedDbKeyValueStore, type KeyValueStore } from "./key-value-store.js";

/** What `resume` found. */
export type Resumed =
  /** Nothing is saved. */
  | { readonly kind: "none" }
  | {
      readonly kind: "resumed";
      readonly session: AccountSession;
      readonly shareKeys: ShareKeyPair | null;
    }
  /** The relay ended the session meanwhile; what was saved is removed. */
  | { readonly kind: "signed-out"; readonly message: string }
  /** What was saved does not open (and is removed). */
  | { readonly kind: "unusable"; readonly message: string }
  /** The relay could not answer (e.g. offline); what was saved is kept: try again later. */
  | { readonly kind: "failed"; readonly code: string; readonly message: string }
  /** Another tab of this browser owns the saved session. */
  | { readonly kind: "other-tab" };

/** Options of `SavedAccount`. */
export interface SavedAccountOptions {
  /** Where the sealed session is kept. */
  readonly storage: StorageAdapter;
  /** Where the device key and the wrapped secrets are kept. */
  readonly keys: KeyValueStore;
  readonly crypto?: Crypto;
  /** Takes (or confirms) this tab's ownership of the saved session; false: another tab has it. */
  readonly claimOwnership?: () => Promise<boolean>;
}

const SESSION_DATABASE = "ridevault-account";
const KEYS_DATABASE = "ridevault-device-keys";
const LOCK_NAME = "ridevault-saved-session";

/** The saved session of this device. */
export class SavedAccount {
  readonly #options: SavedAccountOptions;
  readonly #claim: () => Promise<boolean>;
  #stopFollowing: (() => void) | undefined;

  constructor(options: SavedAccountOptions) {
    this.#options = options;
    this.#claim = options.claimOwnership ?? (async () => true);
  }

  /** The browser's: IndexedDB and a Web Lock; null where there is no IndexedDB. */
  static browser(): SavedAccount | null {
    if (typeof indexedDB === "undefined") return null;
    return new SavedAccount({
      storage: new IndexedDBStorageAdapter(SESSION_DATABASE, "session"),
      keys: new IndexedDbKeyValueStore(KEYS_DATABASE),
      claimOwnership: webLockOwnership(LOCK_NAME),
    });
  }

  /**
   * Saves `session` and follows its rotations until `stop` or another `save`; resolves to
   * false (saving nothing) when another tab owns the saved session.
   */
  async save(session: AccountSession, secrets: DeviceSecrets): Promise<boolean> {
    this.stop();
    if (!(await this.#claim())) return false;
    await saveDeviceSecrets({ ...this.#keyOptions(), secrets });
    this.#stopFollowing = await persistSession({
      storage: this.#options.storage,
      vaultKey: secrets.vaultKey,
      session,
    });
    return true;
  }

  /** Opens the saved session and refreshes it (which uses the saved token up, so it is saved again). */
  async resume(client: AccountClient): Promise<Resumed> {
    if (!(await this.#claim())) return { kind: "other-tab" };
    const secrets = await loadDeviceSecrets(this.#keyOptions());
    if (!secrets.ok) {
      await this.forget();
      return { kind: "unusable", message: secrets.error.message };
    }
    if (!secrets.value) {
      await forgetSession(this.#options.storage);
      return { kind: "none" };
    }
    const { vaultKey, shareKeys, accountId } = secrets.value;
    const restored = await restoreSession({ storage: this.#options.storage, vaultKey, client });
    if (!restored.ok) {
      const { code, message } = restored.error;
      if (code === "signed-out") {
        await forgetDeviceSecrets(this.#options.keys);
        return { kind: "signed-out", message };
      }
      if (code === "session-locked" || code === "session-corrupt") {
        await this.forget();
        return { kind: "unusable", message };
      }
      return { kind: "failed", code, message };
    }
    const session = restored.value;
    if (!session) {
      await forgetDeviceSecrets(this.#options.keys);
      return { kind: "none" };
    }
    if (session.accountId !== accountId) {
      await this.forget();
      return { kind: "unusable", message: "the saved sign-in belongs to another account" };
    }
    await this.save(session, secrets.value);
    return { kind: "resumed", session, shareKeys };
  }

  /** Stops following the session saved last (what is saved stays). */
  stop(): void {
    this.#stopFollowing?.();
    this.#stopFollowing = undefined;
  }

  /**
   * Stops following and removes the saved session and secrets (the device key stays), unless
   * another tab owns them.
   */
  async forget(): Promise<void> {
    this.stop();
    // What another tab saved is that tab's to forget.
    if (!(await this.#claim())) return;
    await forgetSession(this.#options.storage);
    await forgetDeviceSecrets(this.#options.keys);
  }

  #keyOptions() {
    return {
      store: this.#options.keys,
      ...(this.#options.crypto && { crypto: this.#options.crypto }),
    };
  }
}

/**
 * Ownership by the Web Lock `name`, taken if free and held until the page goes away. Where
 * Web Locks are missing, every tab owns it (as before locks existed).
 */
function webLockOwnership(name: string): () => Promise<boolean> {
  let held = false;
  return () => {
    const locks = typeof navigator === "undefined" ? undefined : navigator.locks;
    if (held || !locks) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      locks
        .request(name, { ifAvailable: true }, (lock) => {
          held = lock !== null;
          resolve(held);
          // Holding the lock means never settling this callback's promise.
          return held ? new Promise<void>(() => undefined) : undefined;
        })
        .catch(() => resolve(false));
    });
  };
}
