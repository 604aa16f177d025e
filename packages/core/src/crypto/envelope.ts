/**
 * Sealing and opening envelopes: the only code that encrypts or decrypts document content
 * (DESIGN.md §4; the layout is in `envelope-format.ts`). The relay must never import this.
 *
 * Sealing codes the plaintext (`content-coding.ts`: deflated when that is smaller), pads it
 * (`padded-length.ts`), encrypts it with XChaCha20-Poly1305-IETF
 * under the document's read key with the encoded header as additional data (so a header
 * cannot be moved onto other content), and signs everything with the write secret key.
 * Opening checks in the order a reader must: format, key generation, signature (anyone with
 * the read key could forge a ciphertext, so the AEAD alone does not prove who wrote it), then
 * decryption and padding. Both are pure apart from the random nonce, which comes from
 * `crypto.getRandomValues` through the injected `Random` (libsodium's `randombytes_buf` makes
 * ~18k nonces/s in this build, `crypto.getRandomValues` ~550k; REFERENCE.md, bench/crypto).
 */
import { err, ok, type Result } from "../result.js";
import { type Random, systemRandom } from "../runtime.js";
import { decodeContent, encodeContent } from "./content-coding.js";
import { assertDocumentKeys, type DocumentKeys } from "./document-keys.js";
import {
  type EnvelopeError,
  malformed,
  readOnlyError,
  tampered,
  tooLarge,
  unknownGeneration,
  wrongKey,
} from "./envelope-error.js";
import {
  decodeEnvelope,
  type EnvelopeHeader,
  encodeEnvelopeHeader,
  layOutEnvelope,
  MAX_PLAINTEXT_BYTES,
  NONCE_BYTES,
} from "./envelope-format.js";
import { paddedLength, paddingBlockSize } from "./padded-length.js";
import type { Sodium } from "./sodium.js";
import { verifyEnvelope } from "./verify-envelope.js";

/** What to seal: a header, the content, and keys that can write. */
export interface SealOptions {
  /** Its `generation` must be `keys.generation`. */
  readonly header: EnvelopeHeader;
  /** At most `MAX_PLAINTEXT_BYTES`. */
  readonly plaintext: Uint8Array;
  readonly keys: DocumentKeys;
  /** Where the nonce comes from; `crypto.getRandomValues` unless a test injects another. */
  readonly random?: Random;
}

/** An opened envelope: its (authenticated) header and its content. */
export interface OpenedEnvelope {
  readonly header: EnvelopeHeader;
  readonly plaintext: Uint8Array;
}

/**
 * Seals `plaintext` into a signed, encrypted envelope. Fails with `read-only` when the keys
 * have no write secret key (a read-only holder can never produce an envelope others
 * accept), `too-large` over `MAX_PLAINTEXT_BYTES`, `unknown-generation` when the header's
 * generation is not the keys', and `malformed` for an invalid header. Throws only for keys
 * of the wrong shape (a programming error).
 */
export function sealEnvelope(
  sodium: Sodium,
  { header, plaintext, keys, random = systemRandom }: SealOptions,
): Result<Uint8Array, EnvelopeError> {
  assertDocumentKeys(keys);
  if (keys.writeKey === null) return err(readOnlyError());
  if (plaintext.length > MAX_PLAINTEXT_BYTES) {
    return err(tooLarge(plaintext.length, MAX_PLAINTEXT_BYTES, "plaintext"));
  }
  if (header.generation !== keys.generation) {
    return err(unknownGeneration(header.generation, [keys.generation]));
  }
  const headerBytes = encodeEnvelopeHeader(header);
  if (!headerBytes.ok) return headerBytes;
  const content = encodeContent(plaintext);
  const padded = sodium.pad(content, paddingBlockSize(content.length));
  if (padded.length !== paddedLength(content.length)) {
    throw new Error(`padding broke its invariant: ${content.length} → ${padded.length} bytes`);
  }
  const nonce = random.bytes(NONCE_BYTES);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    padded,
    headerBytes.value,
    null,
    nonce,
    keys.readKey,
  );
  const envelope = layOutEnvelope(headerBytes.value, nonce, ciphertext);
  envelope.signature.set(
    sodium.crypto_sign_detached(envelope.signedBytes, keys.writeKey.secretKey),
  );
  return ok(envelope.bytes);
}

/**
 * Opens an envelope with a document's keys: one generation, or every generation the caller
 * holds (`keysByGeneration`). Fails, in this order, with a format error (`truncated`,
 * `malformed`, `unknown-version`, `too-large`), `unknown-generation` when no keys of the
 * envelope's generation are given, `tampered` when the signature does not verify against
 * that generation's write public key, and `wrong-key` when the read key does not decrypt
 * it. Never throws on any bytes; throws only for keys of the wrong shape.
 */
export function openEnvelope(
  sodium: Sodium,
  bytes: Uint8Array,
  keys: DocumentKeys | ReadonlyMap<number, DocumentKeys>,
): Result<OpenedEnvelope, EnvelopeError> {
  const decoded = decodeEnvelope(bytes);
  if (!decoded.ok) return decoded;
  const { header, headerBytes, nonce, ciphertext } = decoded.value;
  const generationKeys = keysFor(keys, header.generation);
  if (generationKeys === undefined) {
    const held = "readKey" in keys ? [keys.generation] : [...keys.keys()];
    return err(unknownGeneration(header.generation, held));
  }
  assertDocumentKeys(generationKeys);
  if (!verifyEnvelope(sodium, decoded.value, generationKeys.writePublicKey)) {
    return err(tampered());
  }
  const padded = decrypt(sodium, ciphertext, headerBytes, nonce, generationKeys.readKey);
  if (padded === undefined) return err(wrongKey(header.generation));
  const content = unpad(sodium, padded);
  if (content === undefined) return err(malformed("the decrypted content is not padded"));
  let plaintext = content;
  if (decoded.value.version >= 2) {
    const decodedContent = decodeContent(content, MAX_PLAINTEXT_BYTES);
    if (!decodedContent.ok) return err(malformed(decodedContent.message));
    plaintext = decodedContent.value;
  }
  if (plaintext.length > MAX_PLAINTEXT_BYTES) {
    return err(tooLarge(plaintext.length, MAX_PLAINTEXT_BYTES, "plaintext"));
  }
  return ok({ header, plaintext });
}

function keysFor(
  keys: DocumentKeys | ReadonlyMap<number, DocumentKeys>,
  generation: number,
): DocumentKeys | undefined {
  const found = "readKey" in keys ? keys : keys.get(generation);
  return found?.generation === generation ? found : undefined;
}

// libsodium.js reports failed decryption and bad padding by throwing; here they are expected.
function decrypt(
  sodium: Sodium,
  ciphertext: Uint8Array,
  additionalData: Uint8Array,
  nonce: Uint8Array,
  readKey: Uint8Array,
): Uint8Array | undefined {
  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      ciphertext,
      additionalData,
      nonce,
      readKey,
    );
  } catch {
    return undefined;
  }
}

function unpad(sodium: Sodium, padded: Uint8Array): Uint8Array | undefined {
  try {
    return sodium.unpad(padded, paddingBlockSize(padded.length - 1));
  } catch {
    return undefined;
  }
}
