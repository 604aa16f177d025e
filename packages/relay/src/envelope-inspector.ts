/**
 * The relay's view of an envelope: the plaintext header (document, kind, author, counter)
 * and a signature check against the document's write public key. Built on the core
 * library's format parser and verifier, which hold no decrypting code.
 */
import { decodeEnvelope, type Sodium, verifyEnvelope } from "@ridevault/core/protocol";
import type { EnvelopeInspector } from "./relay-types.js";

/**
 * The header facts of an envelope, read with the core library's format parser; no signature
 * check. Both the Node and the Workers inspectors use it.
 */
export const inspectEnvelope: EnvelopeInspector["inspect"] = (envelope) => {
  const decoded = decodeEnvelope(envelope);
  if (!decoded.ok) return { ok: false, message: decoded.error.message };
  const { header } = decoded.value;
  return {
    ok: true,
    value: {
      docId: header.docId,
      kind: header.kind,
      author: header.authorDevice,
      counter: header.counter,
      coversSeq: header.kind === "snapshot" ? header.coversSeq : null,
      generation: header.generation,
    },
  };
};

/** An inspector using libsodium's Ed25519 verification. */
export function createEnvelopeInspector(sodium: Sodium): EnvelopeInspector {
  return {
    inspect: inspectEnvelope,
    verify(envelope, writePublicKey) {
      const decoded = decodeEnvelope(envelope);
      return decoded.ok && verifyEnvelope(sodium, decoded.value, writePublicKey);
    },
  };
}
