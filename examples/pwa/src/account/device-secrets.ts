/**
 * The account secrets this device keeps across reloads — the vault key, which seals the
 * saved session (core's `persistSession`), and the account's sharing key pair — wrapped
 * under a per-device AES-GCM key that WebCrypto generated as non-extractable: page script
 * can encrypt and decrypt with it, but no API hands out its bytes. Key and wrapped secrets
 * live in a `KeyValueStore` (IndexedDB in the app). The account id is the cipher's
 * additional data, so a wrapped record cannot be passed off as another account's.
 *
 * Record: `{ version: 1, accountId, iv (12 bytes), ciphertext }`, the plaintext
 * `vaultKey 32 · [sharePublicKey 32 · shareSecretKey 32]`.
 */
import { err, ok, type Result, type ShareKeyPair } from "@ridevault/core/browser";
import type { KeyValueStore } from "./key-value-store.js";

/** What is wrapped: the vault key and, when the device has it, the sharing key pair. */
export interface DeviceSecrets {
  readonly accountId: string;
  /** 32 bytes (`SignedIn.vaultKey`). */
  readonly vaultKey: Uint8Array;
  readonly shareKeys: ShareKeyPair | null;
}

/** The wrapped secrets cannot be used; the message says what to do. */
export interface DeviceSecretsError {
  /**
   * `secrets-locked`: this device's key does not open them (the key was replaced or the
   * record altered). `secrets-corrupt`: the record is not one this app wrote.
   */
  readonly code: "secrets-locked" | "secrets-corrupt";
  readonly message: string;
}

/** Where the secrets are kept, and the WebCrypto to use (default: the global one). */
export interface DeviceSecretsOptions {
  readonly store: KeyValueStore;
  readonly crypto?: Crypto;
}

/** The store's name of the device key and of the wrapped secrets. */
export const DEVICE_KEY_NAME = "device-key";
/** The store's name of the wrapped secrets. */
export const WRAPPED_SECRETS_NAME = "account-secrets";

const VERSION = 1;
const IV_BYTES = 12;
const KEY_BYTES = 32;
const CONTEXT = "ridevault/pwa-account-secrets/v1:";

interface WrappedRecord {
  readonly version: number;
  readonly accountId: string;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Wraps `secrets` under the device key (made now if this device has none) and stores them. */
export async function saveDeviceSecrets(
  options: DeviceSecretsOptions & { readonly secrets: DeviceSecrets },
): Promise<void> {
  const crypto = options.crypto ?? globalThis.crypto;
  const { secrets } = options;
  if (secrets.vaultKey.length !== KEY_BYTES) throw new RangeError("a vault key has 32 bytes");
  const key = await deviceKey(options.store, crypto);
  const plaintext = new Uint8Array(secrets.shareKeys ? 3 * KEY_BYTES : KEY_BYTES);
  plaintext.set(secrets.vaultKey);
  if (secrets.shareKeys) {
    plaintext.set(secrets.shareKeys.publicKey, KEY_BYTES);
    plaintext.set(secrets.shareKeys.secretKey, 2 * KEY_BYTES);
  }
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt(gcm(iv, secrets.accountId), key, plaintext),
  );
  plaintext.fill(0);
  const record: WrappedRecord = { version: VERSION, accountId: secrets.accountId, iv, ciphertext };
  await options.store.set(WRAPPED_SECRETS_NAME, record);
}

/** The secrets this device kept (undefined when none are kept). */
export async function loadDeviceSecrets(
  options: DeviceSecretsOptions,
): Promise<Result<DeviceSecrets | undefined, DeviceSecretsError>> {
  const crypto = options.crypto ?? globalThis.crypto;
  const stored = await options.store.get(WRAPPED_SECRETS_NAME);
  if (stored === undefined) return ok(undefined);
  const record = asRecord(stored);
  if (!record)
    return err({
      code: "secrets-corrupt",
      message: "this device's saved sign-in is damaged: log in again",
    });
  const key = await options.store.get(DEVICE_KEY_NAME);
  const locked = err({
    code: "secrets-locked" as const,
    message: "this device's key no longer opens its saved sign-in: log in again",
  });
  if (!isCryptoKey(key)) return locked;
  let plaintext: Uint8Array;
  try {
    plaintext = new Uint8Array(
      await crypto.subtle.decrypt(
        gcm(record.iv, record.accountId),
        key,
        new Uint8Array(record.ciphertext),
      ),
    );
  } catch {
    return locked;
  }
  if (plaintext.length !== KEY_BYTES && plaintext.length !== 3 * KEY_BYTES) return locked;
  return ok({
    accountId: record.accountId,
    vaultKey: plaintext.slice(0, KEY_BYTES),
    shareKeys:
      plaintext.length === KEY_BYTES
        ? null
        : {
            publicKey: plaintext.slice(KEY_BYTES, 2 * KEY_BYTES),
            secretKey: plaintext.slice(2 * KEY_BYTES),
          },
  });
}

/** Removes the wrapped secrets; the device key stays, for the next sign-in. */
export async function forgetDeviceSecrets(store: KeyValueStore): Promise<void> {
  await store.delete(WRAPPED_SECRETS_NAME);
}

/** This device's key: generated once, non-extractable, kept as a `CryptoKey` in `store`. */
async function deviceKey(store: KeyValueStore, crypto: Crypto): Promise<CryptoKey> {
  const existing = await store.get(DEVICE_KEY_NAME);
  if (isCryptoKey(existing)) return existing;
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
    "encrypt",
    "decrypt",
  ]);
  await store.set(DEVICE_KEY_NAME, key);
  return key;
}

function gcm(iv: Uint8Array, accountId: string): AesGcmParams {
  return {
    name: "AES-GCM",
    iv: new Uint8Array(iv),
    additionalData: new TextEncoder().encode(CONTEXT + accountId),
  };
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== "undefined" && value instanceof CryptoKey;
}

function asRecord(value: unknown): WrappedRecord | null {
  if (typeof value !== "object" || value === null) return null;
  const { version, accountId, iv, ciphertext } = value as Record<string, unknown>;
  if (version !== VERSION || typeof accountId !== "string") return null;
  if (!(iv instanceof Uint8Array) || iv.length !== IV_BYTES) return null;
  if (!(ciphertext instanceof Uint8Array)) return null;
  return { version, accountId, iv, ciphertext };
}
