/**
 * The envelope's binary layout (version 2), parsed without any crypto: the unit on the wire
 * and in the relay's store (DESIGN.md §4). The relay imports this module and
 * `verify-envelope.ts`, never `envelope.ts`, which decrypts.
 *
 * ```
 * header     version u8 (= 2; 1 is still read)
 *            kind u8 (0 change, 1 snapshot, 2 ephemeral)
 *            docId: length u8 (1–64) · UTF-8 bytes
 *            generation varint       key generation that sealed it
 *            authorDevice 8 bytes    the author's device id, raw
 *            counter varint (≥ 1)    the author's per-document counter
 *            coversSeq varint        snapshots: relay sequence number covered; else 0
 * nonce      24 bytes                random, for XChaCha20-Poly1305-IETF
 * ciphertext length varint · bytes   AEAD(padded plaintext, additional data = header)
 * signature  64 bytes                Ed25519 (document write key) over all bytes before it
 * ```
 *
 * Varints are unsigned LEB128, minimally encoded, at most 2^53 − 1. The ciphertext is the
 * 16-byte tag plus a padded length (`padded-length.ts`); anything else, or trailing bytes,
 * is malformed. Decoding checks structure only and never throws; fields of a decoded
 * envelope are views into the input bytes, not copies.
 *
 * Size on the wire: ~150 bytes of framing (header 42 with a 28-character id, nonce 24, length
 * 2–3, tag 16, signature 64) plus padding: a 500 B change becomes a 660 B envelope (+32 %), a
 * 60,000 B snapshot 61,589 B (+2.6 %).
 */
import { bytesToHex, type DeviceId, isDeviceId } from "../ids.js";
import { err, ok, type Result } from "../result.js";
import {
  type EnvelopeFormatError,
  malformed,
  tooLarge,
  truncated,
  unknownVersion,
} from "./envelope-error.js";
import { isPaddedLength, paddedLength } from "./padded-length.js";

/**
 * The format version this build writes. Version 2 codes the content before padding
 * (`content-coding.ts`: identity or deflate, one byte ahead); version 1, still read, carried
 * the content as it was. The header layout is the same in both.
 */
export const ENVELOPE_VERSION = 2;
/** Every version this build reads. */
export const READABLE_ENVELOPE_VERSIONS: readonly number[] = [1, 2];
/** The largest plaintext an envelope may carry (1 MiB); bigger content must be split. */
export const MAX_PLAINTEXT_BYTES = 1024 * 1024;
/** Bytes of the random XChaCha20-Poly1305 nonce. */
export const NONCE_BYTES = 24;
/** Bytes of the Poly1305 tag at the end of the ciphertext. */
export const TAG_BYTES = 16;
/** Bytes of the Ed25519 signature at the end of the envelope. */
export const SIGNATURE_BYTES = 64;
/** The longest document id, in UTF-8 bytes. */
export const MAX_DOC_ID_BYTES = 64;
/** The largest ciphertext an envelope may carry: the padded limit plus the tag. */
export const MAX_CIPHERTEXT_BYTES = paddedLength(MAX_PLAINTEXT_BYTES + 1) + TAG_BYTES;

/** What an envelope carries: Automerge changes, a full snapshot, or a live message. */
export type EnvelopeKind = "change" | "snapshot" | "ephemeral";

const KINDS: readonly EnvelopeKind[] = ["change", "snapshot", "ephemeral"];

/** The fields every envelope header has, in plaintext (the relay reads them). */
export interface EnvelopeHeaderFields {
  readonly docId: string;
  /** The key generation the envelope is sealed with. */
  readonly generation: number;
  readonly authorDevice: DeviceId;
  /** The author's per-document counter, from 1; the relay dedupes on (device, counter). */
  readonly counter: number;
}

/** An envelope's plaintext header. Only snapshots say which sequence number they cover. */
export type EnvelopeHeader =
  | (EnvelopeHeaderFields & { readonly kind: "change" | "ephemeral" })
  | (EnvelopeHeaderFields & { readonly kind: "snapshot"; readonly coversSeq: number });

/** A parsed envelope: its header and views of each part of the input bytes. */
export interface DecodedEnvelope {
  /** The format version (one of `READABLE_ENVELOPE_VERSIONS`). */
  readonly version: number;
  readonly header: EnvelopeHeader;
  /** The encoded header: the AEAD's additional data. */
  readonly headerBytes: Uint8Array;
  readonly nonce: Uint8Array;
  /** Ciphertext and tag, without the length prefix. */
  readonly ciphertext: Uint8Array;
  readonly signature: Uint8Array;
  /** Exactly the bytes the signature covers: everything before it. */
  readonly signedBytes: Uint8Array;
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Encodes and validates a header: a document id of 1–64 UTF-8 bytes, a device id, safe
 * non-negative integers, a counter of at least 1. Fails with `malformed` otherwise.
 */
export function encodeEnvelopeHeader(
  header: EnvelopeHeader,
): Result<Uint8Array, EnvelopeFormatError> {
  const docId = utf8.encode(header.docId);
  const coversSeq = header.kind === "snapshot" ? header.coversSeq : 0;
  const kind = KINDS.indexOf(header.kind);
  if (kind < 0) return err(malformed(`unknown kind "${String(header.kind)}"`));
  if (decodeUtf8(docId) !== header.docId) {
    return err(malformed("the document id is not well-formed Unicode (a lone surrogate)"));
  }
  if (docId.length < 1 || docId.length > MAX_DOC_ID_BYTES) {
    return err(malformed(`document id of ${docId.length} bytes, not 1–${MAX_DOC_ID_BYTES}`));
  }
  if (!isDeviceId(header.authorDevice)) return err(malformed("author device is not a device id"));
  for (const [name, value, min] of [
    ["generation", header.generation, 0],
    ["counter", header.counter, 1],
    ["coversSeq", coversSeq, 0],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < min) {
      return err(malformed(`${name} ${value} is not an integer ≥ ${min}`));
    }
  }
  const out: number[] = [ENVELOPE_VERSION, kind, docId.length, ...docId];
  writeVarint(out, header.generation);
  for (let i = 0; i < 16; i += 2) {
    out.push(Number.parseInt(header.authorDevice.slice(i, i + 2), 16));
  }
  writeVarint(out, header.counter);
  writeVarint(out, coversSeq);
  return ok(Uint8Array.from(out));
}

/**
 * Lays out an envelope around an encoded header, a nonce and a ciphertext, leaving the
 * signature zeroed: the caller signs `signedBytes` and writes the result into `signature`
 * (both are views into `bytes`).
 */
export function layOutEnvelope(
  headerBytes: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
): { bytes: Uint8Array; signedBytes: Uint8Array; signature: Uint8Array } {
  const length: number[] = [];
  writeVarint(length, ciphertext.length);
  const signedLength = headerBytes.length + nonce.length + length.length + ciphertext.length;
  const bytes = new Uint8Array(signedLength + SIGNATURE_BYTES);
  let at = 0;
  for (const part of [headerBytes, nonce, length, ciphertext]) {
    bytes.set(part, at);
    at += part.length;
  }
  return {
    bytes,
    signedBytes: bytes.subarray(0, signedLength),
    signature: bytes.subarray(signedLength),
  };
}

/**
 * Parses an envelope without verifying or decrypting it. Fails with `truncated` when bytes
 * are missing, `unknown-version` for another format version, `too-large` for content over
 * the limit, and `malformed` for anything else out of format. Never throws, on any input.
 */
export function decodeEnvelope(bytes: Uint8Array): Result<DecodedEnvelope, EnvelopeFormatError> {
  if (!(bytes instanceof Uint8Array)) return err(malformed("the input is not bytes"));
  const at = { pos: 0 };
  const take = (what: string, length: number): Uint8Array | EnvelopeFormatError => {
    const available = bytes.length - at.pos;
    if (available < length) return truncated(what, length, available);
    at.pos += length;
    return bytes.subarray(at.pos - length, at.pos);
  };
  const version = bytes[0];
  if (version === undefined) return err(truncated("version", 1, 0));
  if (!READABLE_ENVELOPE_VERSIONS.includes(version)) {
    return err(unknownVersion(version, ENVELOPE_VERSION));
  }
  const fixed = take("version and kind", 2);
  if (!(fixed instanceof Uint8Array)) return err(fixed);
  const kind = KINDS[fixed[1] ?? -1];
  if (kind === undefined) return err(malformed(`unknown kind ${fixed[1]}`));
  const docIdLength = take("document id length", 1);
  if (!(docIdLength instanceof Uint8Array)) return err(docIdLength);
  const idLength = docIdLength[0] ?? 0;
  if (idLength < 1 || idLength > MAX_DOC_ID_BYTES) {
    return err(malformed(`document id length ${idLength}, not 1–${MAX_DOC_ID_BYTES}`));
  }
  const docIdBytes = take("document id", idLength);
  if (!(docIdBytes instanceof Uint8Array)) return err(docIdBytes);
  const docId = decodeUtf8(docIdBytes);
  if (docId === undefined) return err(malformed("the document id is not UTF-8"));
  const generation = readVarint(bytes, at, "generation");
  if (typeof generation !== "number") return err(generation);
  const device = take("author device", 8);
  if (!(device instanceof Uint8Array)) return err(device);
  const counter = readVarint(bytes, at, "counter");
  if (typeof counter !== "number") return err(counter);
  if (counter < 1) return err(malformed("counter 0 (counters start at 1)"));
  const coversSeq = readVarint(bytes, at, "coversSeq");
  if (typeof coversSeq !== "number") return err(coversSeq);
  if (kind !== "snapshot" && coversSeq !== 0) {
    return err(malformed(`a ${kind} with coversSeq ${coversSeq} (only snapshots cover)`));
  }
  const headerBytes = bytes.subarray(0, at.pos);
  const nonce = take("nonce", NONCE_BYTES);
  if (!(nonce instanceof Uint8Array)) return err(nonce);
  const ciphertextLength = readVarint(bytes, at, "ciphertext length");
  if (typeof ciphertextLength !== "number") return err(ciphertextLength);
  const ciphertext = take("ciphertext", ciphertextLength);
  if (!(ciphertext instanceof Uint8Array)) return err(ciphertext);
  if (ciphertextLength > MAX_CIPHERTEXT_BYTES) {
    return err(tooLarge(ciphertextLength, MAX_CIPHERTEXT_BYTES, "ciphertext"));
  }
  if (!isPaddedLength(ciphertextLength - TAG_BYTES)) {
    return err(malformed(`a ciphertext of ${ciphertextLength} bytes is not padded`));
  }
  const signedBytes = bytes.subarray(0, at.pos);
  const signature = take("signature", SIGNATURE_BYTES);
  if (!(signature instanceof Uint8Array)) return err(signature);
  if (at.pos !== bytes.length) return err(malformed(`${bytes.length - at.pos} trailing bytes`));
  const authorDevice = bytesToHex(device);
  if (!isDeviceId(authorDevice)) return err(malformed("the author device is not a device id"));
  const fields = { docId, generation, authorDevice, counter };
  const header: EnvelopeHeader =
    kind === "snapshot" ? { kind, ...fields, coversSeq } : { kind, ...fields };
  return ok({ version, header, headerBytes, nonce, ciphertext, signature, signedBytes });
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function writeVarint(out: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

/** Reads a minimal LEB128 varint of at most 2^53 − 1, advancing `at.pos`. */
function readVarint(
  bytes: Uint8Array,
  at: { pos: number },
  what: string,
): number | EnvelopeFormatError {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    const byte = bytes[at.pos + i];
    if (byte === undefined) return truncated(what, i + 1, i);
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (byte === 0 && i > 0) return malformed(`${what} is not minimally encoded`);
      if (value > Number.MAX_SAFE_INTEGER) return malformed(`${what} exceeds 2^53 − 1`);
      at.pos += i + 1;
      return value;
    }
    scale *= 0x80;
  }
  return malformed(`${what} is longer than 8 bytes`);
}
