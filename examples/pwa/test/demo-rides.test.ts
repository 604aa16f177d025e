import { MemoryCrashLog, MemoryStorageAdapter, openVault, unwrap } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { addDemoRides } from "../src/recording/demo-rides.js";

describe("addDemoRides", () => {
  it("adds one analysable ride a day, going back from yesterday", async () => {
    const vault = unwrap(
      await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
    );
    const progress: number[] = [];
    expect(unwrap(await addDemoRides(vault, 3, (done) => progress.push(done)))).toBe(3);
    expect(progress).toEqual([1, 2, 3]);
    const entries = vault.workouts.list();
    expect(entries.map((e) => e.title)).toEqual([
      "Demo ride 1: endurance",
      "Demo ride 2: intervals",
      "Demo ride 3: endurance",
    ]);
    const [first, second] = entries;
    expect((first?.startTime ?? 0) - (second?.startTime ?? 0)).toBe(86_400_000);
    expect(first?.startTime).toBeLessThan(Date.now());
    for (const entry of entries) {
      expect(entry.tags).toEqual(["demo"]);
      expect(entry.summary?.timerMs).toBeGreaterThanOrEqual(30 * 60_000);
      expect(entry.summary?.avgPower).toBeGreaterThan(100);
    }
    await vault.close();
  });
});
