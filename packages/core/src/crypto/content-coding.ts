/**
 * How an envelope's content is coded before padding and encryption (envelope format v2):
 *
 *     identity   0x00 · bytes
 *     deflate    0x01 · original length varint · raw DEFLATE (RFC 1951) of the bytes
 *
 * Why compress here and not inside the document: a live ride sends one small Automerge change
 * a minute, and each is compressed on its own on the wire (a sealed minute: ~537 → ~436
 * bytes), while storage keeps Automerge's own whole-document compression, which a chunk
 * compressed inside the document would defeat (saved rides grew from 4.3 to 5.3 bytes per
 * sample that way). Content that does not shrink (a snapshot, already compressed by
 * `Automerge.save`) goes as is. Compression happens before encryption, per envelope, under
 * the same size padding; a change's compressed size says no more than its size did.
 *
 * Decoding never trusts the stated length beyond `maxBytes` and refuses a stream that
 * inflates to anything but it, so a forged or damaged envelope cannot make a reader allocate
 * or inflate more than the limit.
 */
import { deflateSync, inflateSync } from "fflate";
import { ByteReader, ByteWriter, DecodeError } from "../bytes.js";

const IDENTITY = 0;
const DEFLATE = 1;
/** Below this, DEFLATE's framing eats what it saves. */
const MIN_DEFLATE_BYTES = 64;

/** Codes `plaintext`: deflated when that is smaller, as it is otherwise. */
export function encodeContent(plaintext: Uint8Array): Uint8Array {
  if (plaintext.length >= MIN_DEFLATE_BYTES) {
    const packed = deflateSync(plaintext, { level: 6 });
    const out = new ByteWriter(packed.length + 8);
    out.byte(DEFLATE);
    out.uint(plaintext.length);
    out.bytes(packed);
    const coded = out.finish();
    if (coded.length <= plaintext.length) return coded;
  }
  const coded = new Uint8Array(plaintext.length + 1);
  coded[0] = IDENTITY;
  coded.set(plaintext, 1);
  return coded;
}

/**
 * The plaintext of coded content of at most `maxBytes` once decoded, or a message saying why
 * it cannot be decoded. Never throws.
 */
export function decodeContent(
  content: Uint8Array,
  maxBytes: number,
): { ok: true; value: Uint8Array } | { ok: false; message: string } {
  try {
    const reader = new ByteReader(content);
    const coding = reader.byte();
    if (coding === IDENTITY) return { ok: true, value: content.subarray(1) };
    if (coding !== DEFLATE) return { ok: false, message: `unknown content coding ${coding}` };
    const length = reader.uint();
    if (length > maxBytes) {
      return { ok: false, message: `content states ${length} bytes, over the ${maxBytes} limit` };
    }
    // One spare byte: fflate stops silently when `out` is full, so a longer stream shows.
    const out = new Uint8Array(length + 1);
    const inflated = inflateSync(content.subarray(reader.position), { out });
    if (inflated.length !== length) {
      return { ok: false, message: `content inflates to other than its stated ${length} bytes` };
    }
    return { ok: true, value: inflated };
  } catch (error) {
    const reason = error instanceof DecodeError ? error.message : (error as Error).message;
    return { ok: false, message: `content does not decode: ${reason}` };
  }
}
