/** Token buckets: a burst, then 429 with Retry-After, then recovery as the clock moves. */
import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limiter.js";

describe("rate limiter", () => {
  it("allows a burst, refuses with a retry time, and refills", () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 3, perMinute: 6 }, () => now);
    expect([1, 2, 3].map(() => limiter.take("ip").allowed)).toEqual([true, true, true]);
    expect(limiter.take("ip")).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(limiter.take("other").allowed).toBe(true);
    now += 9_000;
    expect(limiter.take("ip").allowed).toBe(false);
    now += 1_000;
    expect(limiter.take("ip").allowed).toBe(true);
    now += 60_000;
    expect([1, 2, 3, 4].map(() => limiter.take("ip").allowed)).toEqual([true, true, true, false]);
  });

  it("rejects nonsense limits", () => {
    expect(() => new RateLimiter({ burst: 0, perMinute: 1 })).toThrow(RangeError);
  });
});
