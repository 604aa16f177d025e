/**
 * Proofs for the relay's share endpoints (docs/sharing.md): a request that creates a grant,
 * lists a document's grants or rotates its keys is signed with the document's current write
 * key, so only a writer of the document can manage who reads it — on a relay without
 * accounts too (where the relay knows no owner). The signed message is a canonical JSON
 * array naming the format, the action and every field the request depends on, so a
 * signature can be used for nothing else. The relay imports this module (through
 * `@ridevault/core/protocol`); it holds no decrypting code.
 */
import type { Sodium } from "../crypto/sodium.js";

/** The actions a proof can authorize. */
export type ShareProofAction = "create-grant" | "list-grants" | "rotate";

/**
 * The bytes a proof signs: `["ridevault/share-proof/v1", action, docId, ...fields]` as UTF-8
 * JSON. Fields are strings, numbers or null, in the order the endpoint documents.
 */
export function shareProofMessage(
  action: ShareProofAction,
  docId: string,
  fields: readonly (string | number | null)[],
): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(["ridevault/share-proof/v1", action, docId, ...fields]),
  );
}

/** Signs a proof with a document's write secret key (64 bytes). */
export function signShareProof(
  sodium: Sodium,
  message: Uint8Array,
  writeSecretKey: Uint8Array,
): Uint8Array {
  return sodium.crypto_sign_detached(message, writeSecretKey);
}

/** True when `signature` is a valid proof of `message` by `writePublicKey`. Never throws. */
export function verifyShareProof(
  sodium: Sodium,
  message: Uint8Array,
  signature: Uint8Array,
  writePublicKey: Uint8Array,
): boolean {
  if (signature.length !== 64 || writePublicKey.length !== 32) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, message, writePublicKey);
  } catch {
    return false;
  }
}
