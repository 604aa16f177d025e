/**
 * Encrypts one key-store value under the vault key. A value is
 * `version u8 (= 1) · keyId 8 · nonce 24 · XChaCha20-Poly1305 ciphertext` of
 * `encodeDocumentKeys`, with additional data = the context "ridevault/key-store/v1", the
 * length-prefixed document id and the generation, so a value moved to another document or
 * generation fails to open. The key id (keyed BLAKE2b-64 of the context
 * "ridevault/key-store/key-id/v1" under the vault key; it reveals nothing a 256-bit key
 * could be guessed from) tells a wrong vault key (`key-store-locked`) from a damaged value
 * (`key-store-corrupt`); damage inside those 8 bytes reads as a wrong key.
 */
import type { DocumentKeys } from "../crypto/document-keys.js";
import type { Sodium } from "../crypto/sodium.js";
import { err, ok, type Result } from "../result.js";
import type { Random } from "../runtime.js";
import { decodeDocumentKeys, encodeDocumentKeys } from "./encode-document-keys.js";
import { type KeyStoreError, keyStoreCorrupt, keyStoreLocked } from "./key-store-error.js";

/** Bytes of a vault key. */
export const VAULT_KEY_BYTES = 32;

const VERSION = 1;
const KEY_ID_BYTES = 8;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES;
const KEY_ID_CONTEXT = "ridevault/key-store/key-id/v1";
const VALUE_CONTEXT = "ridevault/key-store/v1";

/** Seals and opens key-store values under one vault key. */
export interface VaultLock {
  /** The encrypted value for `keys` of document `docId`. */
  seal(docId: string, keys: DocumentKeys): Uint8Array;
  /**
   * The keys in `value`, stored for `docId` and `generation`. Never throws: a wrong vault
   * key gives `key-store-locked`; anything damaged or moved `key-store-corrupt`.
   */
  open(docId: string, generation: number, value: Uint8Array): Result<DocumentKeys, KeyStoreError>;
}

/** A lock over `vaultKey` (copied). Throws if it is not 32 bytes. */
export function createVaultLock(sodium: Sodium, vaultKey: Uint8Array, random: Random): VaultLock {
  if (!(vaultKey instanceof Uint8Array) || vaultKey.length !== VAULT_KEY_BYTES) {
    throw new RangeError(`a vault key has ${VAULT_KEY_BYTES} bytes`);
  }
  const key = vaultKey.slice();
  const keyId = sodium.crypto_generichash(KEY_ID_BYTES, sodium.from_string(KEY_ID_CONTEXT), key);

  return {
    seal(docId, keys) {
      const nonce = random.bytes(NONCE_BYTES);
      const plaintext = encodeDocumentKeys(keys);
      const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        plaintext,
        additionalData(docId, keys.generation),
        null,
        nonce,
        key,
      );
      sodium.memzero(plaintext);
      const out = new Uint8Array(HEADER_BYTES + ciphertext.length);
      out[0] = VERSION;
      out.set(keyId, 1);
      out.set(nonce, 1 + KEY_ID_BYTES);
      out.set(ciphertext, HEADER_BYTES);
      return out;
    },

    open(docId, generation, value) {
      const corrupt = (why: string) => err(keyStoreCorrupt(docId, generation, why));
      if (value.length < HEADER_BYTES + TAG_BYTES || value[0] !== VERSION) {
        return corrupt(`it is not a key-store value (${value.length} bytes)`);
      }
      if (!sodium.memcmp(value.subarray(1, 1 + KEY_ID_BYTES), keyId)) {
        return err(keyStoreLocked(docId));
      }
      const plaintext = decrypt(sodium, key, value, additionalData(docId, generation));
      if (plaintext === undefined) {
        return corrupt("it does not decrypt for this document and generation (damaged or moved)");
      }
      const keys = decodeDocumentKeys(plaintext);
      sodium.memzero(plaintext);
      if (typeof keys === "string") return corrupt(keys);
      if (keys.generation !== generation) return corrupt(`it holds generation ${keys.generation}`);
      return ok(keys);
    },
  };
}

// libsodium.js throws when authentication fails; here that is an expected outcome.
function decrypt(
  sodium: Sodium,
  key: Uint8Array,
  value: Uint8Array,
  additional: Uint8Array,
): Uint8Array | undefined {
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      value.subarray(HEADER_BYTES),
      additional,
      value.subarray(1 + KEY_ID_BYTES, HEADER_BYTES),
      key,
    );
  } catch {
    return undefined;
  }
}

const utf8 = new TextEncoder();

// Length-prefixed, so no (docId, generation) pair encodes like another.
function additionalData(docId: string, generation: number): Uint8Array {
  const context = utf8.encode(VALUE_CONTEXT);
  const id = utf8.encode(docId);
  const out = new Uint8Array(context.length + 4 + id.length + 8);
  const view = new DataView(out.buffer);
  out.set(context, 0);
  view.setUint32(context.length, id.length);
  out.set(id, context.length + 4);
  view.setBigUint64(context.length + 4 + id.length, BigInt(generation));
  return out;
}
