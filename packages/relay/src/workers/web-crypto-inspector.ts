/**
 * The Workers relay's view of an envelope: the same header facts as the Node relay's
 * inspector (`inspectEnvelope`, the core library's format parser), with the signature checked by WebCrypto's
 * Ed25519 — libsodium cannot start in workerd, which forbids compiling WebAssembly at run
 * time — and access secrets hashed with the BLAKE2b of `blake2b.ts`.
 */
import { decodeEnvelope } from "@ridevault/core/protocol";
import { inspectEnvelope } from "../envelope-inspector.js";
import type { EnvelopeInspector } from "../relay-types.js";
import { blake2b } from "./blake2b.js";

/** Bytes of an Ed25519 public key. */
const PUBLIC_KEY_BYTES = 32;

/** An inspector whose `verify` uses `crypto.subtle` (Ed25519). */
export function createWebCryptoInspector(subtle: SubtleCrypto = crypto.subtle): EnvelopeInspector {
  return {
    inspect: inspectEnvelope,
    async verify(envelope, writePublicKey) {
      const decoded = decodeEnvelope(envelope);
      if (!decoded.ok || writePublicKey.length !== PUBLIC_KEY_BYTES) return false;
      try {
        const key = await subtle.importKey("raw", copy(writePublicKey), "Ed25519", false, [
          "verify",
        ]);
        return await subtle.verify(
          "Ed25519",
          key,
          copy(decoded.value.signature),
          copy(decoded.value.signedBytes),
        );
      } catch {
        return false; // a key WebCrypto refuses (not a curve point) verifies nothing
      }
    },
  };
}

/** Hashes an access secret as documents register it (BLAKE2b-256, as libsodium's default). */
export function hashAccessSecretBlake2b(secret: Uint8Array): Uint8Array {
  if (secret.length !== 32) {
    throw new RangeError(`an access secret has 32 bytes, not ${secret.length}`);
  }
  return blake2b(secret, 32);
}

function copy(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}
