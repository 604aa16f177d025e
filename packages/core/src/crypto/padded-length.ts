/**
 * How far envelope plaintexts are padded, so ciphertext sizes leak less (DESIGN.md §4).
 *
 * The scheme: the plaintext plus at least one byte of ISO/IEC 7816-4 padding (`sodium.pad`)
 * is rounded up to a multiple of 64 bytes below 1 KiB, to a multiple of 256 bytes below
 * 4 KiB, and above that to the next "Padmé" length (Nikitin et al., "Reducing Metadata
 * Leakage from Encrypted Files and Communication with PURBs", PETS 2019): a length L with
 * 2^E ≤ L < 2^(E+1) is rounded up to a multiple of 2^(E − ⌊log2 E⌋ − 1), i.e. it keeps only
 * its top ⌊log2 E⌋ + 1 bits.
 *
 * Why this: small envelopes are what an observer sees most often, so they get a fixed grid
 * (28 sizes below 4 KiB) that hides the exact length of an edit — a renamed title, a note.
 * The grid below 1 KiB is 64 bytes, not coarser, because a live ride sends one sealed chunk
 * a minute (a deflated minute of samples is a ~430-byte change): a 256-byte grid cost those
 * ~45 % in padding (+1.3× the whole ride's sync bytes against ~+8 % now), while the sizes
 * of a ride's chunks would still vary across buckets with its content — the grid never hid
 * riding from coasting, only the relay's clock could (it sees a push a minute either way).
 * Large envelopes (snapshots) leak little from their size but would cost up to 100 % with
 * power-of-two buckets; Padmé costs at most 6.25 % (4–8 KiB, less above) and still leaves
 * only 221 possible sizes in all up to the 1 MiB limit. Measured: a 430 B change pads to 448 B
 * (+4 %), a 60,000 B snapshot to 61,440 B (+2.4 %; power of two: 65,536 B, +9.2 %), 1 MiB
 * to 1,081,344 B (+3.1 %).
 *
 * Pure arithmetic, no crypto: the relay uses `isPaddedLength` to refuse envelopes whose
 * ciphertext was not padded this way.
 */

/** Below this many bytes (plaintext plus padding marker), sizes round up to `TINY_BLOCK`. */
export const TINY_PADDING_LIMIT = 1024;
/** The grid for the smallest envelopes (single edits, sealed sample chunks). */
export const TINY_BLOCK = 64;
/** Below this many bytes (and from `TINY_PADDING_LIMIT`), sizes round up to `SMALL_BLOCK`. */
export const SMALL_PADDING_LIMIT = 4096;
/** The grid for small envelopes. */
export const SMALL_BLOCK = 256;

/**
 * The length of `plaintextLength` bytes once padded: always greater than `plaintextLength`
 * (the padding marker takes at least one byte), and the same for every length in a bucket.
 * `plaintextLength` must be a non-negative safe integer below 2^31.
 */
export function paddedLength(plaintextLength: number): number {
  return roundUp(plaintextLength + 1, paddingBlockSize(plaintextLength));
}

/**
 * The block size to give `sodium.pad` for a plaintext of `plaintextLength` bytes: padding
 * to the next multiple of it gives exactly `paddedLength(plaintextLength)`. For a padded
 * length P, `paddingBlockSize(P - 1)` bounds the padding of every plaintext in that bucket,
 * so it is the block size for `sodium.unpad`. (Small blocks matter: libsodium.js copies in
 * and scans padding in constant time, so its cost grows with the block size; a 60 KB
 * snapshot pads 2.6× and unpads 12× faster with a 2 KiB block than with one of 60 KiB.)
 */
export function paddingBlockSize(plaintextLength: number): number {
  if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0 || plaintextLength >= 2 ** 31) {
    throw new RangeError(`cannot pad ${plaintextLength} bytes`);
  }
  const needed = plaintextLength + 1;
  if (needed <= TINY_PADDING_LIMIT) return TINY_BLOCK;
  if (needed <= SMALL_PADDING_LIMIT) return SMALL_BLOCK;
  // Padmé: keep the top ⌊log2 E⌋ + 1 bits of a length with E = ⌊log2 length⌋.
  const exponent = 31 - Math.clz32(needed);
  const exponentBits = 32 - Math.clz32(exponent);
  return 2 ** (exponent - exponentBits);
}

/**
 * True when `length` is one of the sizes `paddedLength` produces, i.e. a ciphertext of
 * `length + 16` bytes was padded by this scheme. Never throws.
 */
export function isPaddedLength(length: number): boolean {
  if (!Number.isSafeInteger(length) || length < 1 || length > 2 ** 31) return false;
  // Rounding up to a bucket is monotone and idempotent, so a length is a bucket exactly when
  // the smallest plaintext that could fill it rounds to it.
  return paddedLength(length - 1) === length;
}

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}
