/**
 * The expected failures of reading and writing envelopes, as values (STYLE.md "Errors").
 * Each carries a `code` to branch on and a `message` that says what happened and what to do.
 * Format errors are all a relay can meet (it never decrypts); the others need keys.
 */

/** An envelope's bytes cannot be parsed; the relay rejects such a frame and never stores it. */
export type EnvelopeFormatError =
  | { readonly code: "truncated"; readonly message: string }
  | { readonly code: "malformed"; readonly message: string }
  | { readonly code: "unknown-version"; readonly message: string; readonly version: number }
  | { readonly code: "too-large"; readonly message: string; readonly bytes: number };

/** Any failure to seal or open an envelope. */
export type EnvelopeError =
  | EnvelopeFormatError
  | { readonly code: "tampered"; readonly message: string }
  | { readonly code: "wrong-key"; readonly message: string; readonly generation: number }
  | { readonly code: "unknown-generation"; readonly message: string; readonly generation: number }
  | { readonly code: "read-only"; readonly message: string };

/** Every `EnvelopeError` code, for exhaustive checks and tests. */
export const ENVELOPE_ERROR_CODES = [
  "truncated",
  "malformed",
  "unknown-version",
  "too-large",
  "tampered",
  "wrong-key",
  "unknown-generation",
  "read-only",
] as const satisfies readonly EnvelopeError["code"][];

/** The envelope ends early: its `what` needed `needed` bytes where `left` were left. */
export function truncated(what: string, needed: number, left: number): EnvelopeFormatError {
  return {
    code: "truncated",
    message:
      `the envelope ends inside its ${what} (needs ${needed} bytes, ${left} left): ` +
      "it was cut off in transit or in storage; fetch it again",
  };
}

/** The bytes break the envelope format in a way no ridevault client writes. */
export function malformed(detail: string): EnvelopeFormatError {
  return {
    code: "malformed",
    message: `the envelope is malformed (${detail}); it was not written by a ridevault client: discard it`,
  };
}

/** The envelope was written in a format version this build does not read. */
export function unknownVersion(version: number, supported: number): EnvelopeFormatError {
  return {
    code: "unknown-version",
    version,
    message:
      `the envelope has format version ${version}, but this build reads only version ` +
      `${supported}: update ridevault on this device`,
  };
}

/** The content is over the size limit. */
export function tooLarge(bytes: number, limit: number, what: string): EnvelopeFormatError {
  return {
    code: "too-large",
    bytes,
    message:
      `the envelope's ${what} is ${bytes} bytes, over the ${limit}-byte limit: split the ` +
      "content into smaller changes (or raise MAX_PLAINTEXT_BYTES on every client and relay)",
  };
}

/** The signature does not verify: altered bytes, a forger, or another document's keys. */
export function tampered(): EnvelopeError {
  return {
    code: "tampered",
    message:
      "the envelope's signature does not verify against the document's write key: it was " +
      "altered, signed by someone without write access, or checked with another document's " +
      "keys; discard it and fetch it again from the relay",
  };
}

/** The signature verified but the read key does not decrypt the content. */
export function wrongKey(generation: number): EnvelopeError {
  return {
    code: "wrong-key",
    generation,
    message:
      `the read key of generation ${generation} does not decrypt this envelope: this device's ` +
      "copy of the document's keys is damaged or out of date; fetch the document's keys again",
  };
}

/** The envelope names a key generation the caller does not hold. */
export function unknownGeneration(generation: number, held: readonly number[]): EnvelopeError {
  const holding = held.length === 0 ? "none" : held.join(", ");
  return {
    code: "unknown-generation",
    generation,
    message:
      `the envelope uses key generation ${generation}, but the keys given are generation ` +
      `${holding}: the document's keys were rotated; fetch its current keys and try again`,
  };
}

/** A read-only holder tried to seal. */
export function readOnlyError(): EnvelopeError {
  return {
    code: "read-only",
    message:
      "these keys can only read this document (no write secret key), so they cannot sign an " +
      "envelope: ask the document's owner for write access",
  };
}
