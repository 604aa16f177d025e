/** The engine's retry schedules, and reading the relay's "retry in N s". */
import { describe, expect, it } from "vitest";
import { reconnectDelay, registerRetryDelay, retryAfterMs } from "./retry-delays.js";

const constant = (byte: number) => ({ bytes: (n: number) => new Uint8Array(n).fill(byte) });

describe("retry delays", () => {
  it("reads the relay's 'retry in N s' (packages/relay account-limits wording)", () => {
    expect(retryAfterMs("too many pushes from this account: retry in 12 s")).toBe(12_000);
    expect(retryAfterMs("too many new documents from this account: retry in 1 s")).toBe(1000);
    expect(
      retryAfterMs("this account stores 3.0 MiB, and its quota on this relay is 2.0 MiB: delete"),
    ).toBeNull();
  });

  it("doubles a refused registration's wait from 1 s up to the reconnect maximum", () => {
    const waits = [0, 1, 2, 3, 4, 5, 6].map((n) => registerRetryDelay(n, {}, null));
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(registerRetryDelay(3, { maxMs: 5000 }, null)).toBe(5000);
    expect(registerRetryDelay(0, {}, 9000)).toBe(9000);
    expect(registerRetryDelay(4, {}, 9000)).toBe(16_000);
  });

  it("jitters reconnects by ±50 % around a doubling delay", () => {
    expect(reconnectDelay(0, {}, constant(0))).toBe(250);
    expect(reconnectDelay(2, {}, constant(255))).toBe(3000);
    expect(reconnectDelay(20, { maxMs: 1000 }, constant(0))).toBe(500);
  });
});
