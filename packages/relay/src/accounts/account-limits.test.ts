/**
 * Per-account limits: rates trip and refill with the clock, quotas count what the store
 * holds plus what was admitted since, a snapshot is let through at the quota so an account
 * can compact, and usage is re-read after its time to live.
 */
import { describe, expect, it } from "vitest";
import { AccountLimits, type AccountUsage } from "./account-limits.js";

function limits(usage: Map<string, AccountUsage>, pushBurst = 3) {
  const clock = { now: 0, reads: 0 };
  const checker = new AccountLimits({
    quotaBytes: 1000,
    quotaDocuments: 2,
    push: { burst: pushBurst, perMinute: 6 },
    create: { burst: 2, perMinute: 1 },
    usage: async (owner) => {
      clock.reads++;
      return usage.get(owner) ?? { documents: 0, bytes: 0 };
    },
    usageTtlMs: 60_000,
    now: () => clock.now,
  });
  return { checker, clock };
}

const push = (bytes: number, snapshot = false) =>
  ({ kind: "push", owner: "acc", bytes, snapshot }) as const;

describe("account limits", () => {
  it("rate-limits pushes per account and recovers after the window", async () => {
    const { checker, clock } = limits(new Map());
    for (let i = 0; i < 3; i++) expect(await checker.admit("acc", push(1))).toBeNull();
    const refused = await checker.admit("acc", push(1));
    expect(refused).toEqual({
      code: "rate-limited",
      message: "too many pushes from this account: retry in 10 s",
    });
    expect(await checker.admit("other", push(1))).toBeNull();
    expect(await checker.admit("acc", { kind: "ephemeral" })).not.toBeNull();
    clock.now += 10_000;
    expect(await checker.admit("acc", push(1))).toBeNull();
    // Without an account nothing is limited here (the policy decides who may connect).
    for (let i = 0; i < 10; i++) expect(await checker.admit(null, { kind: "create" })).toBeNull();
  });

  it("refuses a document past the count quota, and creations past their rate", async () => {
    const usage = new Map([["acc", { documents: 1, bytes: 0 }]]);
    const { checker, clock } = limits(usage);
    expect(await checker.admit("acc", { kind: "create" })).toBeNull();
    const full = await checker.admit("acc", { kind: "create" });
    expect(full?.code).toBe("quota-exceeded");
    expect(full?.message).toMatch(/2 documents, its limit/);
    expect((await checker.admit("new", { kind: "create" }))?.code).toBeUndefined();
    expect(await checker.admit("new", { kind: "create" })).toBeNull();
    expect((await checker.admit("new", { kind: "create" }))?.code).toBe("rate-limited");
    clock.now += 60_000;
    expect(await checker.admit("new", { kind: "create" })).toBeNull();
  });

  it("counts bytes against the owner's quota, lets a snapshot compact, and re-reads usage", async () => {
    const usage = new Map([["acc", { documents: 1, bytes: 900 }]]);
    const { checker, clock } = limits(usage, 100);
    expect(await checker.admit("acc", push(100))).toBeNull();
    const over = await checker.admit("acc", push(1));
    expect(over?.code).toBe("quota-exceeded");
    expect(over?.message).toMatch(/quota on this relay/);
    // At the quota (not above it) a snapshot is still admitted.
    expect(await checker.admit("acc", push(400, true))).toBeNull();
    expect((await checker.admit("acc", push(400, true)))?.code).toBe("quota-exceeded");
    expect(clock.reads).toBe(1);
    // The snapshot pruned what it covers: after the TTL the store's figure counts again.
    usage.set("acc", { documents: 1, bytes: 400 });
    clock.now += 60_000;
    expect(await checker.admit("acc", push(100))).toBeNull();
    expect(clock.reads).toBe(2);
    // A document without an owner counts against no quota.
    expect(await checker.admit("acc", { ...push(10_000), owner: null })).toBeNull();
  });
});
