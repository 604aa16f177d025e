import { describe, expect, it } from "vitest";
import { analyzeWorkout } from "../analytics/analyze-workout.js";
import { unwrap } from "../result.js";
import { MemoryCrashLog } from "../storage/crash-log.js";
import { MemoryStorageAdapter } from "../storage/storage-adapter.js";
import type { Sample } from "../workout/sample.js";
import { entryIsCurrent } from "./entry-analytics.js";
import { entryFromStored } from "./library.js";
import { openVault, type Vault } from "./vault.js";

const T0 = Date.UTC(2026, 4, 2, 7, 0, 0);

// Twenty minutes alternating 150 W and 300 W minutes, heart rate following.
const ride: Sample[] = Array.from({ length: 1200 }, (_, i) => ({
  time: T0 + i * 1000,
  power: Math.floor(i / 60) % 2 === 0 ? 150 : 300,
  heartRate: 120 + (Math.floor(i / 60) % 2) * 30,
}));

async function newVault(): Promise<Vault> {
  return unwrap(
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
  );
}

describe("analytics in the library entry", () => {
  it("are null while recording and kept once the ride is finished", async () => {
    const vault = await newVault();
    const { id } = unwrap(
      await vault.workouts.create({ title: "Intervals", startTime: T0, settings: { ftp: 250 } }),
    );
    const recording = unwrap(await vault.workouts.record(id, { chunkSamples: 60 }));
    for (const sample of ride.slice(0, 600)) unwrap(await recording.append(sample));
    await vault.workouts.settle();
    expect(vault.workouts.get(id)?.summary?.samples).toBe(600);
    expect(vault.workouts.get(id)?.analytics).toBeNull();

    for (const sample of ride.slice(600)) unwrap(await recording.append(sample));
    await recording.finish();
    const analytics = vault.workouts.get(id)?.analytics;
    const workout = unwrap(await vault.workouts.open(id));
    const expected = analyzeWorkout(workout.samples().columns, {
      ftp: 250,
      thresholdHeartRate: null,
    });
    expect(analytics?.normalizedPower).toBeCloseTo(expected.normalizedPower ?? Number.NaN, 1);
    expect(analytics?.trainingStress).toBeCloseTo(expected.trainingStress ?? Number.NaN, 1);
    expect(analytics?.intensityFactor).toBeCloseTo(expected.intensityFactor ?? Number.NaN, 3);
    expect(analytics?.powerCurve?.[0]).toEqual([1, 300]);
    expect(analytics?.ftp).toBe(250);
    // The hand-checked value: NP of 150/300 W minutes is (½·150⁴ + ½·300⁴)^¼ ≈ 256 W.
    expect(analytics?.normalizedPower).toBeGreaterThan(245);
    expect(analytics?.normalizedPower).toBeLessThan(260);
    await vault.close();
  });

  it("follow a change of FTP", async () => {
    const vault = await newVault();
    const { id } = unwrap(
      await vault.workouts.create({ title: "Intervals", startTime: T0, settings: { ftp: 250 } }),
    );
    const recording = unwrap(await vault.workouts.record(id));
    for (const sample of ride) unwrap(await recording.append(sample));
    await recording.finish();
    const before = vault.workouts.get(id)?.analytics?.intensityFactor ?? 0;
    unwrap(await vault.workouts.update(id, { settings: { ftp: 300 } }));
    const after = vault.workouts.get(id)?.analytics;
    expect(after?.ftp).toBe(300);
    expect(after?.intensityFactor).toBeCloseTo((before * 250) / 300, 2);
    await vault.close();
  });

  it("tell a current entry from one behind the samples or the settings", async () => {
    const vault = await newVault();
    const { id } = unwrap(
      await vault.workouts.create({ title: "Intervals", startTime: T0, settings: { ftp: 250 } }),
    );
    const recording = unwrap(await vault.workouts.record(id));
    for (const sample of ride) unwrap(await recording.append(sample));
    await recording.finish();
    const workout = unwrap(await vault.workouts.open(id));
    const entry = vault.workouts.get(id);
    if (!entry?.summary || !entry.analytics) throw new Error("no analytics");
    expect(entryIsCurrent(entry, workout)).toBe(true);
    const behind = { ...entry, summary: { ...entry.summary, samples: 600 } };
    expect(entryIsCurrent(behind, workout)).toBe(false);
    const otherFtp = { ...entry, analytics: { ...entry.analytics, ftp: 200 } };
    expect(entryIsCurrent(otherFtp, workout)).toBe(false);
    expect(entryIsCurrent({ ...entry, analytics: null }, workout)).toBe(false);
    expect(entryIsCurrent(undefined, workout)).toBe(false);
    await vault.close();
  });

  it("read as null from entries stored before they existed", () => {
    const stored = { id: "x", title: "Old", summary: null };
    expect(entryFromStored(stored).analytics).toBeNull();
  });
});
