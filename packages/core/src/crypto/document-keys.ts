/**
 * A document's keys (DESIGN.md §3): a random 32-byte read key (XChaCha20-Poly1305) that
 * everyone who may read holds, and an Ed25519 write key pair whose secret half only writers
 * hold. Keys come in generations: rotating (after revoking a share) makes generation g + 1,
 * and older envelopes stay readable with older generations.
 *
 * Readers must verify signatures too — otherwise anyone holding the read key could forge
 * content — so the write *public* key is part of every holder's keys (`writePublicKey`),
 * including read-only holders whose `writeKey` is null.
 *
 * The access secret is what a reader shows the relay to prove it may fetch a document
 * without the relay learning the read key: BLAKE2b-256 keyed by the read key over the fixed
 * context "ridevault/access-secret/v1". The relay stores only its BLAKE2b-256 hash. Both
 * change when the keys rotate, so revoked readers lose access.
 */
import { type Random, systemRandom } from "../runtime.js";
import type { Sodium } from "./sodium.js";
import { WRITE_PUBLIC_KEY_BYTES } from "./verify-envelope.js";

/** Bytes of a read key. */
export const READ_KEY_BYTES = 32;
/** Bytes of an Ed25519 secret key as libsodium stores it (seed ‖ public key). */
export const WRITE_SECRET_KEY_BYTES = 64;
/** Bytes of an access secret and of its hash. */
export const ACCESS_SECRET_BYTES = 32;
/** The BLAKE2b message that turns a read key into an access secret (domain separation). */
export const ACCESS_SECRET_CONTEXT = "ridevault/access-secret/v1";

/** An Ed25519 key pair: whoever holds `secretKey` may write the document. */
export interface WriteKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** One generation of a document's keys, as one holder holds them. */
export interface DocumentKeys {
  /** 0 for a new document, + 1 at every rotation. */
  readonly generation: number;
  /** Decrypts and encrypts content (32 bytes). */
  readonly readKey: Uint8Array;
  /** Verifies envelopes (32 bytes); every holder has it. */
  readonly writePublicKey: Uint8Array;
  /** Signs envelopes; null for a read-only holder. Its public key is `writePublicKey`. */
  readonly writeKey: WriteKeyPair | null;
}

/**
 * New random keys for a document (or a new generation of them): a read key and an Ed25519
 * key pair from a seed, both drawn from `random` (by default `crypto.getRandomValues`,
 * which is far faster than libsodium's `randombytes_buf` in this build; REFERENCE.md).
 */
export function createDocumentKeys(
  sodium: Sodium,
  generation = 0,
  random: Random = systemRandom,
): DocumentKeys {
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw new RangeError(`a key generation is an integer ≥ 0, not ${generation}`);
  }
  const readKey = random.bytes(READ_KEY_BYTES);
  const pair = sodium.crypto_sign_seed_keypair(random.bytes(sodium.crypto_sign_SEEDBYTES));
  const writeKey = { publicKey: pair.publicKey, secretKey: pair.privateKey };
  return { generation, readKey, writePublicKey: pair.publicKey, writeKey };
}

/** The same keys without the write secret: what a read-only share hands out. */
export function readOnly(keys: DocumentKeys): DocumentKeys {
  return { ...keys, writeKey: null };
}

/** True when `keys` can sign envelopes. */
export function canWrite(keys: DocumentKeys): keys is DocumentKeys & { writeKey: WriteKeyPair } {
  return keys.writeKey !== null;
}

/**
 * The capability a reader presents to the relay for a document: BLAKE2b-256 keyed by the
 * read key over `ACCESS_SECRET_CONTEXT`. Deterministic, and it reveals nothing about the
 * read key. Throws if `readKey` is not 32 bytes (a programming error).
 */
export function deriveAccessSecret(sodium: Sodium, readKey: Uint8Array): Uint8Array {
  if (readKey.length !== READ_KEY_BYTES) {
    throw new RangeError(`a read key has ${READ_KEY_BYTES} bytes, not ${readKey.length}`);
  }
  return sodium.crypto_generichash(
    ACCESS_SECRET_BYTES,
    sodium.from_string(ACCESS_SECRET_CONTEXT),
    readKey,
  );
}

/**
 * What the relay stores for an access secret: its unkeyed BLAKE2b-256. The secret has 256
 * bits of entropy, so a fast hash is enough; a leaked relay database reveals no secret.
 */
export function hashAccessSecret(sodium: Sodium, secret: Uint8Array): Uint8Array {
  if (secret.length !== ACCESS_SECRET_BYTES) {
    throw new RangeError(`an access secret has ${ACCESS_SECRET_BYTES} bytes, not ${secret.length}`);
  }
  return sodium.crypto_generichash(ACCESS_SECRET_BYTES, secret, null);
}

/**
 * Why `keys` are not usable, or undefined when they are: lengths, a safe generation, and a
 * write key pair that matches `writePublicKey` (libsodium's secret key ends with its
 * public key). Used on keys that come from storage or from other devices.
 */
export function checkDocumentKeys(keys: DocumentKeys): string | undefined {
  if (!Number.isSafeInteger(keys.generation) || keys.generation < 0) {
    return `generation ${keys.generation} is not an integer ≥ 0`;
  }
  if (!(keys.readKey instanceof Uint8Array) || keys.readKey.length !== READ_KEY_BYTES) {
    return `the read key is not ${READ_KEY_BYTES} bytes`;
  }
  if (
    !(keys.writePublicKey instanceof Uint8Array) ||
    keys.writePublicKey.length !== WRITE_PUBLIC_KEY_BYTES
  ) {
    return `the write public key is not ${WRITE_PUBLIC_KEY_BYTES} bytes`;
  }
  if (keys.writeKey === null) return undefined;
  const { publicKey, secretKey } = keys.writeKey;
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== WRITE_SECRET_KEY_BYTES) {
    return `the write secret key is not ${WRITE_SECRET_KEY_BYTES} bytes`;
  }
  const embedded = secretKey.subarray(WRITE_SECRET_KEY_BYTES - WRITE_PUBLIC_KEY_BYTES);
  if (!equalBytes(publicKey, keys.writePublicKey) || !equalBytes(embedded, publicKey)) {
    return "the write key pair does not match the write public key";
  }
  return undefined;
}

/** Throws a `RangeError` naming the problem when `keys` are not usable (a programming error). */
export function assertDocumentKeys(keys: DocumentKeys): void {
  const problem = checkDocumentKeys(keys);
  if (problem !== undefined) throw new RangeError(`unusable document keys: ${problem}`);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
