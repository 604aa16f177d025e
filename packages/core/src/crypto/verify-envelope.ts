/**
 * Checks an envelope's signature against its document's write public key (DESIGN.md §3–4):
 * what the relay runs before it stores anything, and what every reader runs before it
 * decrypts. It needs only libsodium's Ed25519 verification, and imports nothing that can
 * decrypt, so the relay may import it.
 */
import type { DecodedEnvelope } from "./envelope-format.js";
import type { Sodium } from "./sodium.js";

/** The one libsodium function verification needs; `loadSodium()`'s result is one. */
export type SignatureVerifier = Pick<Sodium, "crypto_sign_verify_detached">;

/** Bytes of an Ed25519 public key. */
export const WRITE_PUBLIC_KEY_BYTES = 32;

/**
 * True when `decoded`'s signature is a valid Ed25519 signature by `writePublicKey` over
 * exactly its signed bytes (header, nonce, ciphertext length and ciphertext). False for any
 * altered byte or any other key. Throws only when `writePublicKey` is not 32 bytes, which is
 * a programming error.
 */
export function verifyEnvelope(
  sodium: SignatureVerifier,
  decoded: DecodedEnvelope,
  writePublicKey: Uint8Array,
): boolean {
  if (writePublicKey.length !== WRITE_PUBLIC_KEY_BYTES) {
    throw new RangeError(
      `a write public key has ${WRITE_PUBLIC_KEY_BYTES} bytes, not ${writePublicKey.length}`,
    );
  }
  return sodium.crypto_sign_verify_detached(decoded.signature, decoded.signedBytes, writePublicKey);
}
