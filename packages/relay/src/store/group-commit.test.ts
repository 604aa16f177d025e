/** Group commit batches by event-loop turn, settles each item after its batch, isolates failures. */
import { describe, expect, it } from "vitest";
import { GroupCommit, type Outcome } from "./group-commit.js";

/** A group commit that records its batches and doubles numbers (odd ones fail alone). */
function recorder(options: { throwOn?: number } = {}) {
  const batches: number[][] = [];
  const group = new GroupCommit<number, number>((items) => {
    if (items.includes(options.throwOn ?? Number.NaN)) throw new Error("disk full");
    batches.push([...items]);
    return items.map(
      (n): Outcome<number> =>
        n % 2 ? { ok: false, error: new Error(`odd ${n}`) } : { ok: true, value: n * 2 },
    );
  });
  return { group, batches };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("group commit", () => {
  it("commits everything submitted in one turn as one batch, in order, and only then settles", async () => {
    const { group, batches } = recorder();
    let settled = 0;
    const all = [2, 4, 6].map(async (n) => {
      const doubled = await group.submit(n);
      settled++;
      return doubled;
    });
    expect(group.pending).toBe(3);
    await Promise.resolve();
    expect(settled).toBe(0);
    expect(batches).toEqual([]);
    expect(await Promise.all(all)).toEqual([4, 8, 12]);
    expect(batches).toEqual([[2, 4, 6]]);
    await group.submit(8);
    await Promise.all([group.submit(10), group.submit(12)]);
    expect(batches).toEqual([[2, 4, 6], [8], [10, 12]]);
  });

  it("rejects a failed item alone, and the whole batch when the commit throws", async () => {
    const { group, batches } = recorder({ throwOn: 100 });
    const mixed = await Promise.allSettled([group.submit(2), group.submit(3), group.submit(4)]);
    expect(mixed.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const failed = await Promise.allSettled([group.submit(2), group.submit(100)]);
    expect(failed.map((s) => (s.status === "rejected" ? String(s.reason) : s.value))).toEqual([
      "Error: disk full",
      "Error: disk full",
    ]);
    expect(batches).toEqual([[2, 3, 4]]);
    expect(await group.submit(6)).toBe(12);
  });

  it("flush commits the queue at once, and the scheduled turn then finds nothing", async () => {
    const { group, batches } = recorder();
    const first = group.submit(2);
    group.flush();
    expect(batches).toEqual([[2]]);
    expect(group.pending).toBe(0);
    await nextTurn();
    expect(batches).toEqual([[2]]);
    expect(await first).toBe(4);
    group.flush();
    expect(batches).toEqual([[2]]);
  });
});
