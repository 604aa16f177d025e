/**
 * Token-bucket rate limits keyed by a string (e.g. "login:203.0.113.9"). Each key's bucket
 * holds up to `burst` tokens and refills at `perMinute` per minute; a request takes one.
 * When the bucket is empty the caller learns how many seconds until the next token (for
 * `Retry-After`). The clock is injected so tests can step through a window. Buckets that
 * have refilled completely are forgotten, so memory stays bounded by active keys.
 */

/** One limit. */
export interface RateLimit {
  /** Requests allowed at once. */
  readonly burst: number;
  /** Sustained requests per minute. */
  readonly perMinute: number;
}

/** The outcome of `take`. */
export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Rate limits per key. */
export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit, now: () => number = Date.now) {
    if (!(limit.burst >= 1 && limit.perMinute > 0))
      throw new RangeError("a rate limit needs burst ≥ 1 and perMinute > 0");
    this.#limit = limit;
    this.#now = now;
  }

  /** Takes one token from `key`'s bucket, or says when to come back. */
  take(key: string): RateDecision {
    const now = this.#now();
    const perMs = this.#limit.perMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: this.#limit.burst, at: now };
    // A clock that steps back adds nothing (and takes nothing).
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.#limit.burst, bucket.tokens + elapsed * perMs);
    bucket.at = Math.max(bucket.at, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.#buckets.set(key, bucket);
      this.#forgetFull(now, perMs);
      return { allowed: true };
    }
    this.#buckets.set(key, bucket);
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)),
    };
  }

  /** How many keys are tracked (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  #forgetFull(now: number, perMs: number): void {
    if (this.#buckets.size < 10_000) return;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * perMs >= this.#limit.burst) this.#buckets.delete(key);
    }
  }
}
