/**
 * The account key bundle: what the relay stores for an account and cannot open. The
 * **account key** (32 random bytes) is wrapped twice — by the password's wrapping key and
 * by the recovery code's; the account key wraps the **vault key**; the vault key seals the
 * library's document keys exactly as the key store seals any document's (`vault-lock.ts`).
 * Every workout's keys travel inside the end-to-end encrypted library document, so a device
 * that opens the bundle can sync everything. Changing the password replaces only the
 * password wrapping: nothing else is re-encrypted.
 *
 * Version 2 adds the account's **sharing key**: an X25519 key pair (`crypto_box_keypair`)
 * whose secret half the account key wraps like the vault key, so every device of the
 * account can open what other riders seal to it; the relay keeps the public half.
 *
 * Encoding: UTF-8 JSON
 * `{ format: "ridevault-account-bundle", version: 2, password, recovery, vaultKey,
 *    library: { id, generation, keys }, shareKey: { publicKey, secretKey } | null }` with
 * base64 values; each wrapping is
 * `nonce 24 · XChaCha20-Poly1305(key, additional data = its context string)`. Version 1
 * (no `shareKey`) is still read; `addShareKeyToBundle` upgrades it.
 */
import type { DocumentKeys } from "../crypto/document-keys.js";
import type { Sodium } from "../crypto/sodium.js";
import { err, ok, type Result } from "../result.js";
import type { Random } from "../runtime.js";
import { createVaultLock } from "./vault-lock.js";

/** What a device needs to join a rider's vault: the library's id and keys. */
export interface LibraryAccess {
  readonly libraryId: string;
  readonly libraryKeys: DocumentKeys;
}

/** An account's X25519 sharing key pair (libsodium `crypto_box`), 32 bytes each. */
export interface ShareKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** Everything the bundle protects. */
export interface AccountSecrets {
  readonly accountKey: Uint8Array;
  readonly vaultKey: Uint8Array;
  readonly library: LibraryAccess;
  /** The account's sharing key pair; null in a version 1 bundle (made before sharing). */
  readonly shareKeys: ShareKeyPair | null;
}

/** A new sharing key pair (`crypto_box_keypair`). */
export function createShareKeys(sodium: Sodium): ShareKeyPair {
  const pair = sodium.crypto_box_keypair();
  return { publicKey: pair.publicKey, secretKey: pair.privateKey };
}

/** The bundle cannot be read: damaged, or not a bundle. */
export interface BundleCorruptError {
  readonly code: "bundle-corrupt";
  readonly message: string;
}
/** The key does not open the bundle (the password changed elsewhere, or a wrong code). */
export interface BundleLockedError {
  readonly code: "bundle-locked";
  readonly message: string;
}

const FORMAT = "ridevault-account-bundle";
const CONTEXT = {
  password: "ridevault/bundle/account-key/password/v1",
  recovery: "ridevault/bundle/account-key/recovery/v1",
  vaultKey: "ridevault/bundle/vault-key/v1",
  shareKey: "ridevault/bundle/share-key/v1",
} as const;
const VERSION = 2;

interface BundleJson {
  format: string;
  version: number;
  password: string;
  recovery: string | null;
  vaultKey: string;
  library: { id: string; generation: number; keys: string };
  /** Absent in version 1. */
  shareKey?: { publicKey: string; secretKey: string } | null;
}

/** Makes a bundle for `secrets`, wrapped by the password's and (optionally) the recovery code's keys. */
export function createAccountBundle(
  sodium: Sodium,
  input: {
    readonly secrets: AccountSecrets;
    readonly passwordKey: Uint8Array;
    readonly recoveryKey: Uint8Array | null;
    readonly random: Random;
  },
): Uint8Array {
  const { secrets, random } = input;
  const wrap = (key: Uint8Array, context: string, secret: Uint8Array) =>
    sodium.to_base64(seal(sodium, random, key, context, secret), sodium.base64_variants.ORIGINAL);
  const lock = createVaultLock(sodium, secrets.vaultKey, random);
  const json: BundleJson = {
    format: FORMAT,
    version: VERSION,
    password: wrap(input.passwordKey, CONTEXT.password, secrets.accountKey),
    recovery: input.recoveryKey && wrap(input.recoveryKey, CONTEXT.recovery, secrets.accountKey),
    vaultKey: wrap(secrets.accountKey, CONTEXT.vaultKey, secrets.vaultKey),
    library: {
      id: secrets.library.libraryId,
      generation: secrets.library.libraryKeys.generation,
      keys: sodium.to_base64(
        lock.seal(secrets.library.libraryId, secrets.library.libraryKeys),
        sodium.base64_variants.ORIGINAL,
      ),
    },
    shareKey:
      secrets.shareKeys && shareKeyJson(sodium, random, secrets.accountKey, secrets.shareKeys),
  };
  return sodium.from_string(JSON.stringify(json));
}

/**
 * The same bundle (upgraded to version 2) holding `shareKeys`, wrapped by `accountKey`:
 * for accounts made before sharing, whose bundle has none yet.
 */
export function addShareKeyToBundle(
  sodium: Sodium,
  bundle: Uint8Array,
  input: {
    readonly accountKey: Uint8Array;
    readonly shareKeys: ShareKeyPair;
    readonly random: Random;
  },
): Result<Uint8Array, BundleCorruptError> {
  const json = parseBundle(sodium, bundle);
  if (!json.ok) return json;
  const shareKey = shareKeyJson(sodium, input.random, input.accountKey, input.shareKeys);
  return ok(sodium.from_string(JSON.stringify({ ...json.value, version: VERSION, shareKey })));
}

function shareKeyJson(
  sodium: Sodium,
  random: Random,
  accountKey: Uint8Array,
  keys: ShareKeyPair,
): { publicKey: string; secretKey: string } {
  const b64 = (bytes: Uint8Array) => sodium.to_base64(bytes, sodium.base64_variants.ORIGINAL);
  return {
    publicKey: b64(keys.publicKey),
    secretKey: b64(seal(sodium, random, accountKey, CONTEXT.shareKey, keys.secretKey)),
  };
}

/** Opens a bundle with the password's (or recovery code's) wrapping key. */
export function openAccountBundle(
  sodium: Sodium,
  bundle: Uint8Array,
  key: { readonly wrappingKey: Uint8Array; readonly method: "password" | "recovery" },
): Result<AccountSecrets, BundleCorruptError | BundleLockedError> {
  const json = parseBundle(sodium, bundle);
  if (!json.ok) return json;
  const wrapped = key.method === "password" ? json.value.password : json.value.recovery;
  if (wrapped === null)
    return err({ code: "bundle-locked", message: "this account has no recovery code" });
  const accountKey = unseal(sodium, key.wrappingKey, CONTEXT[key.method], wrapped);
  if (!accountKey)
    return err({
      code: "bundle-locked",
      message: `the ${key.method === "password" ? "password" : "recovery code"} does not open this account's keys (was it changed on another device?)`,
    });
  const vaultKey = unseal(sodium, accountKey, CONTEXT.vaultKey, json.value.vaultKey);
  if (vaultKey?.length !== 32) return corrupt("the vault key does not decrypt");
  const { id, generation, keys } = json.value.library;
  const lock = createVaultLock(sodium, vaultKey, { bytes: (n) => sodium.randombytes_buf(n) });
  const libraryKeys = lock.open(id, generation, fromBase64(sodium, keys) ?? new Uint8Array());
  if (!libraryKeys.ok) return corrupt(libraryKeys.error.message);
  let shareKeys: ShareKeyPair | null = null;
  const shareKey = json.value.shareKey;
  if (shareKey) {
    const publicKey = fromBase64(sodium, shareKey.publicKey);
    const secretKey = unseal(sodium, accountKey, CONTEXT.shareKey, shareKey.secretKey);
    if (publicKey?.length !== 32 || secretKey?.length !== 32)
      return corrupt("the sharing key does not decrypt");
    shareKeys = { publicKey, secretKey };
  }
  return ok({
    accountKey,
    vaultKey,
    library: { libraryId: id, libraryKeys: libraryKeys.value },
    shareKeys,
  });
}

/** The same bundle with the password wrapping replaced (a password change re-wraps only). */
export function rewrapAccountBundle(
  sodium: Sodium,
  bundle: Uint8Array,
  input: {
    readonly accountKey: Uint8Array;
    readonly passwordKey: Uint8Array;
    readonly random: Random;
  },
): Result<Uint8Array, BundleCorruptError> {
  const json = parseBundle(sodium, bundle);
  if (!json.ok) return json;
  const password = sodium.to_base64(
    seal(sodium, input.random, input.passwordKey, CONTEXT.password, input.accountKey),
    sodium.base64_variants.ORIGINAL,
  );
  return ok(sodium.from_string(JSON.stringify({ ...json.value, password })));
}

function seal(
  sodium: Sodium,
  random: Random,
  key: Uint8Array,
  context: string,
  secret: Uint8Array,
) {
  const nonce = random.bytes(24);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    secret,
    sodium.from_string(context),
    null,
    nonce,
    key,
  );
  const out = new Uint8Array(24 + ciphertext.length);
  out.set(nonce);
  out.set(ciphertext, 24);
  return out;
}

function unseal(
  sodium: Sodium,
  key: Uint8Array,
  context: string,
  text: string,
): Uint8Array | undefined {
  const bytes = fromBase64(sodium, text);
  if (!bytes || bytes.length < 24 + 16) return undefined;
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      bytes.subarray(24),
      sodium.from_string(context),
      bytes.subarray(0, 24),
      key,
    );
  } catch {
    return undefined;
  }
}

function fromBase64(sodium: Sodium, text: string): Uint8Array | undefined {
  try {
    return sodium.from_base64(text, sodium.base64_variants.ORIGINAL);
  } catch {
    return undefined;
  }
}

function corrupt(why: string): { ok: false; error: BundleCorruptError } {
  return err({
    code: "bundle-corrupt",
    message: `the account's key bundle is damaged (${why}): restore it from a device that is still signed in`,
  });
}

function parseBundle(sodium: Sodium, bytes: Uint8Array): Result<BundleJson, BundleCorruptError> {
  let value: unknown;
  try {
    value = JSON.parse(sodium.to_string(bytes));
  } catch {
    return corrupt("not JSON");
  }
  const v = value as Partial<BundleJson> | null;
  const library = v?.library as Partial<BundleJson["library"]> | undefined;
  const shareKey = v?.shareKey as Partial<NonNullable<BundleJson["shareKey"]>> | null | undefined;
  if (
    typeof v !== "object" ||
    v === null ||
    v.format !== FORMAT ||
    (v.version !== 1 && v.version !== 2) ||
    (v.version === 2 &&
      shareKey !== null &&
      (typeof shareKey?.publicKey !== "string" || typeof shareKey.secretKey !== "string")) ||
    typeof v.password !== "string" ||
    (v.recovery !== null && typeof v.recovery !== "string") ||
    typeof v.vaultKey !== "string" ||
    typeof library?.id !== "string" ||
    !Number.isSafeInteger(library.generation) ||
    typeof library.keys !== "string"
  )
    return corrupt("not a version 1 or 2 bundle");
  return ok({
    format: FORMAT,
    version: v.version,
    password: v.password,
    recovery: v.recovery ?? null,
    vaultKey: v.vaultKey,
    library: { id: library.id, generation: library.generation as number, keys: library.keys },
    ...(v.version === 2 && {
      shareKey: shareKey
        ? { publicKey: shareKey.publicKey as string, secretKey: shareKey.secretKey as string }
        : null,
    }),
  });
}
