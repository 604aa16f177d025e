/**
 * The plaintext form of one generation of a document's keys, as the key store encrypts it
 * (and as pairing and sharing will seal it to another device). Fixed layout, version 1:
 *
 * ```
 * version u8 (= 1) · flags u8 (bit 0: holds the write secret key) · generation u64 BE
 * · readKey 32 · writePublicKey 32 · [writeSecretKey 64, when bit 0 is set]
 * ```
 *
 * Decoding checks every length and that the secret key matches the public key, so damaged
 * or forged bytes never become keys that seal envelopes nobody can verify.
 */
import {
  checkDocumentKeys,
  type DocumentKeys,
  READ_KEY_BYTES,
  WRITE_SECRET_KEY_BYTES,
} from "../crypto/document-keys.js";
import { WRITE_PUBLIC_KEY_BYTES } from "../crypto/verify-envelope.js";

const VERSION = 1;
const HAS_WRITE_KEY = 1;
const FIXED_BYTES = 2 + 8 + READ_KEY_BYTES + WRITE_PUBLIC_KEY_BYTES;

/** The bytes of `keys`. Throws for keys of the wrong shape (a programming error). */
export function encodeDocumentKeys(keys: DocumentKeys): Uint8Array {
  const problem = checkDocumentKeys(keys);
  if (problem !== undefined) throw new RangeError(`cannot encode document keys: ${problem}`);
  const secretKey = keys.writeKey?.secretKey;
  const out = new Uint8Array(FIXED_BYTES + (secretKey?.length ?? 0));
  const view = new DataView(out.buffer);
  out[0] = VERSION;
  out[1] = secretKey === undefined ? 0 : HAS_WRITE_KEY;
  view.setBigUint64(2, BigInt(keys.generation));
  out.set(keys.readKey, 10);
  out.set(keys.writePublicKey, 10 + READ_KEY_BYTES);
  if (secretKey !== undefined) out.set(secretKey, FIXED_BYTES);
  return out;
}

/**
 * The keys encoded in `bytes` (copies, not views), or a sentence saying why they are not
 * valid keys. Never throws.
 */
export function decodeDocumentKeys(bytes: Uint8Array): DocumentKeys | string {
  if (bytes.length < FIXED_BYTES) return `${bytes.length} bytes is too short for keys`;
  if (bytes[0] !== VERSION) return `unknown key format version ${bytes[0]}`;
  const flags = bytes[1];
  if (flags !== 0 && flags !== HAS_WRITE_KEY) return `unknown key flags ${flags}`;
  const expected = FIXED_BYTES + (flags === HAS_WRITE_KEY ? WRITE_SECRET_KEY_BYTES : 0);
  if (bytes.length !== expected) return `${bytes.length} bytes of keys, expected ${expected}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const generation = view.getBigUint64(2);
  if (generation > BigInt(Number.MAX_SAFE_INTEGER)) return "the generation is out of range";
  const writePublicKey = bytes.slice(10 + READ_KEY_BYTES, FIXED_BYTES);
  const keys: DocumentKeys = {
    generation: Number(generation),
    readKey: bytes.slice(10, 10 + READ_KEY_BYTES),
    writePublicKey,
    writeKey:
      flags === HAS_WRITE_KEY
        ? { publicKey: writePublicKey, secretKey: bytes.slice(FIXED_BYTES) }
        : null,
  };
  return checkDocumentKeys(keys) ?? keys;
}
