/** Seeded randomness for simulated-network tests: one `Dice` per independent stream. */
import { createSeededRandom, type Random } from "@ridevault/core";

/** Seeded choices (xorshift32 under a mixed seed); one instance per independent stream. */
export class Dice {
  readonly #random: Random;

  constructor(seed: number, stream = 0) {
    this.#random = seededRandom(seed, stream);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    const bytes = this.#random.bytes(4);
    return new DataView(bytes.buffer).getUint32(0) % n;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.int(0x1_0000_0000) / 0x1_0000_0000 < p;
  }

  /** One of `items` (not empty). */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Dice.pick needs at least one item");
    return items[this.int(items.length)] as T;
  }
}

/** A `Random` for stream `stream` of `seed`: different streams do not repeat each other. */
export function seededRandom(seed: number, stream: number): Random {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return createSeededRandom((h ^ (h >>> 16)) >>> 0);
}
