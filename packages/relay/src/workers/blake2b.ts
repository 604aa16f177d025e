/**
 * BLAKE2b (RFC 7693, unkeyed) in plain TypeScript: how the Workers relay hashes an access
 * secret the way documents register it (`crypto_generichash`, 32 bytes). libsodium cannot
 * run in workerd — it compiles its WebAssembly at run time, which Workers forbid — and
 * WebCrypto has no BLAKE2. Written for clarity over speed (BigInt words): the relay hashes
 * one 32-byte secret per subscription.
 */

const MASK = (1n << 64n) - 1n;

const IV = [
  0x6a09e667f3bcc908n,
  0xbb67ae8584caa73bn,
  0x3c6ef372fe94f82bn,
  0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n,
  0x9b05688c2b3e6c1fn,
  0x1f83d9abfb41bd6bn,
  0x5be0cd19137e2179n,
] as const;

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
] as const;

/** The (a, b, c, d) word indices of the eight mixes of one round. */
const MIXES = [
  [0, 4, 8, 12],
  [1, 5, 9, 13],
  [2, 6, 10, 14],
  [3, 7, 11, 15],
  [0, 5, 10, 15],
  [1, 6, 11, 12],
  [2, 7, 8, 13],
  [3, 4, 9, 14],
] as const;

const BLOCK = 128;

/** The unkeyed BLAKE2b hash of `input`, `outputLength` (1–64) bytes long. */
export function blake2b(input: Uint8Array, outputLength = 32): Uint8Array {
  if (!Number.isInteger(outputLength) || outputLength < 1 || outputLength > 64) {
    throw new RangeError(`a BLAKE2b hash has 1–64 bytes, not ${outputLength}`);
  }
  const h: bigint[] = [...IV];
  h[0] = (h[0] as bigint) ^ 0x01010000n ^ BigInt(outputLength);
  const blocks = Math.max(1, Math.ceil(input.length / BLOCK));
  for (let i = 0; i < blocks; i++) {
    const block = new Uint8Array(BLOCK);
    block.set(input.subarray(i * BLOCK, (i + 1) * BLOCK));
    const last = i === blocks - 1;
    compress(h, block, BigInt(last ? input.length : (i + 1) * BLOCK), last);
  }
  const out = new Uint8Array(64);
  const view = new DataView(out.buffer);
  h.forEach((word, i) => {
    view.setBigUint64(i * 8, word, true);
  });
  return out.slice(0, outputLength);
}

function compress(h: bigint[], block: Uint8Array, bytes: bigint, last: boolean): void {
  const view = new DataView(block.buffer, block.byteOffset, BLOCK);
  const m = Array.from({ length: 16 }, (_, i) => view.getBigUint64(i * 8, true));
  const v = [...h, ...IV];
  v[12] = (v[12] as bigint) ^ (bytes & MASK);
  v[13] = (v[13] as bigint) ^ (bytes >> 64n);
  if (last) v[14] = (v[14] as bigint) ^ MASK;
  for (let round = 0; round < 12; round++) {
    const s = SIGMA[round % 10] as readonly number[];
    MIXES.forEach(([a, b, c, d], i) => {
      mix(v, a, b, c, d, m[s[2 * i] as number] as bigint, m[s[2 * i + 1] as number] as bigint);
    });
  }
  for (let i = 0; i < 8; i++) h[i] = (h[i] as bigint) ^ (v[i] as bigint) ^ (v[i + 8] as bigint);
}

function mix(v: bigint[], a: number, b: number, c: number, d: number, x: bigint, y: bigint) {
  let va = v[a] as bigint;
  let vb = v[b] as bigint;
  let vc = v[c] as bigint;
  let vd = v[d] as bigint;
  va = (va + vb + x) & MASK;
  vd = rotr(vd ^ va, 32n);
  vc = (vc + vd) & MASK;
  vb = rotr(vb ^ vc, 24n);
  va = (va + vb + y) & MASK;
  vd = rotr(vd ^ va, 16n);
  vc = (vc + vd) & MASK;
  vb = rotr(vb ^ vc, 63n);
  v[a] = va;
  v[b] = vb;
  v[c] = vc;
  v[d] = vd;
}

function rotr(word: bigint, bits: bigint): bigint {
  return ((word >> bits) | (word << (64n - bits))) & MASK;
}
