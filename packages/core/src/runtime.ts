/**
 * The seams for time and randomness. Everything that reads the clock or draws random bytes
 * takes these, so tests can be deterministic and replayable.
 */

/** Wall-clock time in Unix milliseconds. */
export interface Clock {
  now(): number;
}

/** A source of random bytes. */
export interface Random {
  bytes(length: number): Uint8Array;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Cryptographically strong randomness from `crypto.getRandomValues` (browser and Node). */
export const systemRandom: Random = {
  bytes(length) {
    const out = new Uint8Array(length);
    globalThis.crypto.getRandomValues(out);
    return out;
  },
};

/** A deterministic clock for tests: starts at `start` and moves only when told. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start: number) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** Deterministic pseudo-randomness from a seed (xorshift32), for replayable tests only. */
export function createSeededRandom(seed: number): Random {
  let state = seed >>> 0 || 0x9e3779b9;
  return {
    bytes(length) {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        state ^= state << 13;
        state >>>= 0;
        state ^= state >>> 17;
        state ^= state << 5;
        state >>>= 0;
        out[i] = state & 0xff;
      }
      return out;
    },
  };
}
