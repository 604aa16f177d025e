import { describe, expect, it } from "vitest";
import {
  DEFAULT_DRAIN_BYTES_PER_SECOND,
  DEFAULT_MAX_BUFFERED_BYTES,
  SendBudget,
  sendBudgetOptions,
} from "./send-budget.js";

describe("SendBudget", () => {
  it("refuses the frame that would pass the limit, and counts nothing for it", () => {
    const budget = new SendBudget({ maxBytes: 100, drainBytesPerSecond: 10, now: () => 0 });
    expect(budget.spend(60)).toBe(true);
    expect(budget.spend(40)).toBe(true);
    expect(budget.spend(1)).toBe(false);
    expect(budget.spend(1)).toBe(false);
  });

  it("drains at the assumed reading rate, never below empty", () => {
    let now = 0;
    const budget = new SendBudget({ maxBytes: 100, drainBytesPerSecond: 10, now: () => now });
    expect(budget.spend(100)).toBe(true);
    now = 2_000; // 20 bytes read
    expect(budget.spend(21)).toBe(false);
    expect(budget.spend(20)).toBe(true);
    now = 1_000_000; // long idle: empty, not negative
    expect(budget.spend(100)).toBe(true);
    expect(budget.spend(1)).toBe(false);
  });
});

describe("sendBudgetOptions", () => {
  it("uses the defaults for unset or empty variables and reads whole numbers", () => {
    expect(sendBudgetOptions({})).toEqual({
      ok: true,
      value: {
        maxBytes: DEFAULT_MAX_BUFFERED_BYTES,
        drainBytesPerSecond: DEFAULT_DRAIN_BYTES_PER_SECOND,
      },
    });
    expect(sendBudgetOptions({ MAX_BUFFERED_BYTES: "65536", DRAIN_BYTES_PER_SECOND: " " })).toEqual(
      {
        ok: true,
        value: { maxBytes: 65536, drainBytesPerSecond: DEFAULT_DRAIN_BYTES_PER_SECOND },
      },
    );
  });

  it("refuses anything but a positive whole number, naming the variable", () => {
    for (const value of ["8 MiB", "-1", "0", "1.5"]) {
      const result = sendBudgetOptions({ DRAIN_BYTES_PER_SECOND: value });
      expect(result).toMatchObject({ ok: false, error: { code: "bad-config" } });
      expect(!result.ok && result.error.message).toContain(`DRAIN_BYTES_PER_SECOND`);
    }
  });
});
