/**
 * A grant's **keyring**: the keys of every document a share opens, sealed for its holder.
 * The relay keeps it opaque beside the grant and hands it to whoever presents the grant's
 * capability; only the link secret's keyring key opens it. When the owner rotates a
 * document's keys (a revocation), the keyrings of the shares that remain are sealed again
 * with the new generation, so their holders read on without a new link.
 *
 * Plaintext, version 1: `version u8 · mode u8 (0 read, 1 write) · count varint · per
 * document: id (length-prefixed UTF-8) · generations varint · per generation: the
 * `encodeDocumentKeys` bytes (length-prefixed)`. Sealed: `nonce 24 · XChaCha20-Poly1305`
 * with the grant id as additional data, so a keyring cannot be moved to another grant.
 *
 * A read share's keyring never holds a write secret key: `buildKeyring` strips them, and
 * `openKeyring` refuses a read keyring that has one.
 */
import { ByteReader, ByteWriter, DecodeError } from "../bytes.js";
import { type DocumentKeys, readOnly } from "../crypto/document-keys.js";
import type { Sodium } from "../crypto/sodium.js";
import { decodeDocumentKeys, encodeDocumentKeys } from "../keys/encode-document-keys.js";
import { err, ok, type Result } from "../result.js";
import type { Random } from "../runtime.js";

const VERSION = 1;
const NONCE_BYTES = 24;
/** The most documents one share may open. */
export const MAX_SHARED_DOCUMENTS = 500;

/** What a share lets its holder do. */
export type ShareMode = "read" | "write";

/** The keys a share carries, by document. */
export interface ShareKeyring {
  readonly mode: ShareMode;
  /** Every generation of each document's keys the holder may use. */
  readonly keysByDocId: ReadonlyMap<string, readonly DocumentKeys[]>;
}

/** A keyring that does not open or does not decode. */
export interface KeyringError {
  readonly code: "keyring-corrupt";
  readonly message: string;
}

/**
 * The keyring of a share in `mode` from the owner's keys: all generations of each document,
 * read-only for a read share; for a write share, the newest generation keeps its write key.
 */
export function buildKeyring(
  mode: ShareMode,
  keysByDocId: ReadonlyMap<string, ReadonlyMap<number, DocumentKeys>>,
): ShareKeyring {
  const out = new Map<string, DocumentKeys[]>();
  for (const [docId, keys] of keysByDocId) {
    const sorted = [...keys.values()].sort((a, b) => a.generation - b.generation);
    const newest = sorted[sorted.length - 1]?.generation;
    out.set(
      docId,
      sorted.map((k) => (mode === "write" && k.generation === newest ? k : readOnly(k))),
    );
  }
  return { mode, keysByDocId: out };
}

/** Seals `keyring` for the grant `grantId` under `keyringKey`. */
export function sealKeyring(
  sodium: Sodium,
  options: { keyring: ShareKeyring; keyringKey: Uint8Array; grantId: string; random: Random },
): Uint8Array {
  const { keyring } = options;
  if (keyring.keysByDocId.size === 0 || keyring.keysByDocId.size > MAX_SHARED_DOCUMENTS) {
    throw new RangeError(`a share opens 1–${MAX_SHARED_DOCUMENTS} documents`);
  }
  const w = new ByteWriter(256);
  w.byte(VERSION);
  w.byte(keyring.mode === "write" ? 1 : 0);
  w.uint(keyring.keysByDocId.size);
  for (const [docId, generations] of keyring.keysByDocId) {
    w.blob(new TextEncoder().encode(docId));
    w.uint(generations.length);
    for (const keys of generations) {
      if (keyring.mode === "read" && keys.writeKey !== null)
        throw new RangeError("a read share's keyring must not hold a write key");
      w.blob(encodeDocumentKeys(keys));
    }
  }
  const nonce = options.random.bytes(NONCE_BYTES);
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    w.finish(),
    additionalData(sodium, options.grantId),
    null,
    nonce,
    options.keyringKey,
  );
  const out = new Uint8Array(NONCE_BYTES + sealed.length);
  out.set(nonce);
  out.set(sealed, NONCE_BYTES);
  return out;
}

/** Opens a keyring sealed by `sealKeyring`. Never throws on any bytes. */
export function openKeyring(
  sodium: Sodium,
  options: { sealed: Uint8Array; keyringKey: Uint8Array; grantId: string },
): Result<ShareKeyring, KeyringError> {
  const corrupt = (why: string) =>
    err({
      code: "keyring-corrupt" as const,
      message: `the share's keys could not be read (${why}); ask its owner to share again`,
    });
  const { sealed } = options;
  if (sealed.length < NONCE_BYTES + 16) return corrupt("too short");
  let plain: Uint8Array;
  try {
    plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      sealed.subarray(NONCE_BYTES),
      additionalData(sodium, options.grantId),
      sealed.subarray(0, NONCE_BYTES),
      options.keyringKey,
    );
  } catch {
    return corrupt("they do not open with this link");
  }
  try {
    const r = new ByteReader(plain);
    if (r.byte() !== VERSION) return corrupt("unknown keyring version");
    const modeByte = r.byte();
    if (modeByte > 1) throw new DecodeError("unknown mode");
    const mode: ShareMode = modeByte === 1 ? "write" : "read";
    const count = r.uint();
    if (count === 0 || count > MAX_SHARED_DOCUMENTS) throw new DecodeError("document count");
    const keysByDocId = new Map<string, DocumentKeys[]>();
    for (let i = 0; i < count; i++) {
      const docId = new TextDecoder("utf-8", { fatal: true }).decode(r.blob());
      const generations: DocumentKeys[] = [];
      const n = r.uint();
      if (n === 0 || n > 1000) throw new DecodeError("generation count");
      for (let g = 0; g < n; g++) {
        const keys = decodeDocumentKeys(r.blob());
        if (typeof keys === "string") throw new DecodeError(keys);
        if (mode === "read" && keys.writeKey !== null)
          throw new DecodeError("a read share holds a write key");
        generations.push(keys);
      }
      keysByDocId.set(docId, generations);
    }
    if (!r.done) throw new DecodeError("trailing bytes");
    return ok({ mode, keysByDocId });
  } catch (error) {
    return corrupt(error instanceof Error ? error.message : String(error));
  }
}

function additionalData(sodium: Sodium, grantId: string): Uint8Array {
  return sodium.from_string(`ridevault/share/keyring/v1:${grantId}`);
}
