/**
 * Asynchronous group commit: one write at a time in call order, appends that arrive during
 * a commit form the next batch, a failing batch rejects only its own items.
 */
import { describe, expect, it } from "vitest";
import { AsyncGroupCommit } from "./async-group-commit.js";
import type { Outcome } from "./group-commit.js";

/** A group commit whose commits take `ms`, recording batches and exclusive writes in order. */
function recorder(ms = 5, failOn?: number) {
  const log: string[] = [];
  const group = new AsyncGroupCommit<number, number>(async (items) => {
    log.push(`start ${items.join(",")}`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (failOn !== undefined && items.includes(failOn)) throw new Error("connection lost");
    log.push(`end ${items.join(",")}`);
    return items.map(
      (n): Outcome<number> =>
        n < 0 ? { ok: false, error: new Error(`negative ${n}`) } : { ok: true, value: n * 2 },
    );
  });
  return { group, log };
}

describe("async group commit", () => {
  it("batches one turn's appends, and everything that arrives during a commit as the next batch", async () => {
    const { group, log } = recorder();
    const first = [1, 2, 3].map((n) => group.submit(n));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const second = [4, 5].map((n) => group.submit(n));
    expect(group.pending).toBe(5);
    expect(await Promise.all([...first, ...second])).toEqual([2, 4, 6, 8, 10]);
    expect(log).toEqual(["start 1,2,3", "end 1,2,3", "start 4,5", "end 4,5"]);
    expect(group.pending).toBe(0);
  });

  it("runs exclusive writes in call order between batches", async () => {
    const { group, log } = recorder();
    const calls = [
      group.submit(1),
      group.exclusive(async () => {
        log.push("prune");
        return "pruned";
      }),
      group.submit(2),
    ];
    expect(await Promise.all(calls)).toEqual([2, "pruned", 4]);
    expect(log).toEqual(["start 1", "end 1", "prune", "start 2", "end 2"]);
  });

  it("rejects a failing batch's items with its error, a refused item alone, and carries on", async () => {
    const { group } = recorder(1, 7);
    const results = await Promise.allSettled([group.submit(7), group.submit(8)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe("connection lost");
    const next = await Promise.allSettled([group.submit(-1), group.submit(9)]);
    expect((next[0] as PromiseRejectedResult).reason.message).toBe("negative -1");
    expect(next[1]).toEqual({ status: "fulfilled", value: 18 });
    await group.drain();
  });
});
