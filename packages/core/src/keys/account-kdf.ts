/**
 * Password stretching for accounts (DESIGN.md §3): Argon2id (libsodium `crypto_pwhash`,
 * the `-sumo` build) turns the password and a random salt into a 32-byte master secret on
 * the device; keyed BLAKE2b splits it into a **login seed** (an Ed25519 key pair whose
 * public half the relay stores and whose signatures prove the password) and a
 * **wrapping key** (which encrypts the account key). The two are independent: the relay
 * can check a login without learning anything that unwraps keys.
 *
 * The relay hands out the salt and parameters at login, so a malicious relay could try to
 * weaken them; the device refuses anything below `MIN_KDF` (and absurdly large values,
 * which would only hang it). Tests may use tiny parameters, but only through the explicit
 * `unsafeTestKdf` option — the production check rejects them.
 */
import type { Sodium } from "../crypto/sodium.js";
import { err, ok, type Result } from "../result.js";

/** Argon2id parameters and salt, as the relay stores them. */
export interface AccountKdf {
  readonly algorithm: "argon2id13";
  /** 16 bytes. */
  readonly salt: Uint8Array;
  readonly opsLimit: number;
  /** Bytes. */
  readonly memLimit: number;
}

/** What new accounts use: 3 passes over 64 MiB (~0.7 s on 2 shared cores here; docs/accounts.md). */
export const DEFAULT_KDF = { opsLimit: 3, memLimit: 64 * 1024 * 1024 } as const;
/** The weakest parameters a device accepts: libsodium's "interactive" preset, 2 passes, 64 MiB. */
export const MIN_KDF = { opsLimit: 2, memLimit: 64 * 1024 * 1024 } as const;
/** The strongest a device accepts (libsodium's "sensitive" preset, plus headroom for passes). */
export const MAX_KDF = { opsLimit: 10, memLimit: 1024 * 1024 * 1024 } as const;
/** Tiny parameters for tests only; accepted only with `unsafeTestKdf`. */
export const TEST_KDF = { opsLimit: 1, memLimit: 8192 } as const;

/** The relay offered KDF parameters this device will not use. */
export interface KdfRejectedError {
  readonly code: "kdf-rejected";
  readonly message: string;
}

/** Keys derived from a password (or a recovery code). */
export interface DerivedAccountKeys {
  /** Ed25519 public key the relay checks login signatures with. */
  readonly loginPublicKey: Uint8Array;
  /** Ed25519 secret key (64 bytes, libsodium format): signs login challenges. */
  readonly loginSecretKey: Uint8Array;
  /** 32 bytes: wraps the account key. */
  readonly wrappingKey: Uint8Array;
}

/**
 * Accepts `kdf` if it is Argon2id with a 16-byte salt and parameters between `MIN_KDF` and
 * `MAX_KDF` — or, with `unsafeTestKdf`, at least libsodium's minimum.
 */
export function checkKdf(
  kdf: AccountKdf,
  options: { readonly unsafeTestKdf?: boolean } = {},
): Result<AccountKdf, KdfRejectedError> {
  const min = options.unsafeTestKdf ? TEST_KDF : MIN_KDF;
  const reject = (why: string) =>
    err<KdfRejectedError>({
      code: "kdf-rejected",
      message: `the relay asked for ${why}; this device refuses to derive keys that way (the relay may be misconfigured or hostile): do not enter your password there`,
    });
  if (kdf.algorithm !== "argon2id13") return reject(`the ${String(kdf.algorithm)} algorithm`);
  if (!(kdf.salt instanceof Uint8Array) || kdf.salt.length !== 16) return reject("a bad salt");
  if (!Number.isSafeInteger(kdf.opsLimit) || kdf.opsLimit < min.opsLimit)
    return reject(`${kdf.opsLimit} Argon2id passes (at least ${min.opsLimit} required)`);
  if (!Number.isSafeInteger(kdf.memLimit) || kdf.memLimit < min.memLimit)
    return reject(`${kdf.memLimit} bytes of Argon2id memory (at least ${min.memLimit} required)`);
  if (kdf.opsLimit > MAX_KDF.opsLimit || kdf.memLimit > MAX_KDF.memLimit)
    return reject("more Argon2id work than a device can afford");
  return ok(kdf);
}

/** The login key pair and wrapping key from a 32-byte master secret. */
export function splitMasterSecret(sodium: Sodium, master: Uint8Array): DerivedAccountKeys {
  const context = (name: string) => sodium.from_string(`ridevault/account/${name}/v1`);
  const loginSeed = sodium.crypto_generichash(32, context("login-seed"), master);
  const wrappingKey = sodium.crypto_generichash(32, context("wrapping-key"), master);
  const pair = sodium.crypto_sign_seed_keypair(loginSeed);
  sodium.memzero(loginSeed);
  return { loginPublicKey: pair.publicKey, loginSecretKey: pair.privateKey, wrappingKey };
}

/**
 * Derives the login key pair and wrapping key from `password` (Unicode-normalized to NFC)
 * with Argon2id. Call `checkKdf` first; this trusts its input. Slow on purpose.
 */
export function derivePasswordKeys(
  sodium: Sodium,
  password: string,
  kdf: AccountKdf,
): DerivedAccountKeys {
  const master = sodium.crypto_pwhash(
    32,
    sodium.from_string(password.normalize("NFC")),
    kdf.salt,
    kdf.opsLimit,
    kdf.memLimit,
    sodium.crypto_pwhash_ALG_ARGON2ID13,
  );
  const keys = splitMasterSecret(sodium, master);
  sodium.memzero(master);
  return keys;
}

/** A fresh salt and the parameters new accounts use (tiny ones with `unsafeTestKdf`). */
export function newKdf(
  sodium: Sodium,
  options: { readonly unsafeTestKdf?: boolean } = {},
): AccountKdf {
  const params = options.unsafeTestKdf ? TEST_KDF : DEFAULT_KDF;
  return { algorithm: "argon2id13", salt: sodium.randombytes_buf(16), ...params };
}

/** Signs the relay's login challenge (see the relay's `loginMessage`). */
export function signLoginChallenge(
  sodium: Sodium,
  secretKey: Uint8Array,
  challengeId: string,
  challenge: Uint8Array,
): Uint8Array {
  const prefix = sodium.from_string(`ridevault/login/v1\n${challengeId}\n`);
  const message = new Uint8Array(prefix.length + challenge.length);
  message.set(prefix);
  message.set(challenge, prefix.length);
  return sodium.crypto_sign_detached(message, secretKey);
}
