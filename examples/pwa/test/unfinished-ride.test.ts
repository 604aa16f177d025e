import {
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  unwrap,
  type Vault,
} from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { anchorAt } from "../src/recording/ride-clock.js";
import {
  DEFAULT_RIDE_SETTINGS,
  loadRideMarker,
  saveRideMarker,
} from "../src/recording/ride-marker.js";
import {
  continuationTarget,
  findUnfinishedRide,
  finishRide,
} from "../src/recording/unfinished-ride.js";
import { MemoryStorage } from "./memory-storage.js";

const T0 = Date.UTC(2026, 5, 1, 6, 0, 0);

/** A vault in which a ride of `seconds` samples (lap closed at 5 s) was cut off by a crash. */
async function crashedRide(seconds: number) {
  const storage = new MemoryStorageAdapter();
  const crashLog = new MemoryCrashLog();
  const open = async () =>
    unwrap(await openVault({ storage, crashLog, recording: { chunkSamples: 5 } }));
  const before = await open();
  const workout = unwrap(await before.workouts.create({ title: "Cut off", startTime: T0 }));
  const recording = unwrap(await before.workouts.record(workout.id));
  for (let i = 0; i < seconds; i++) {
    const sample = { time: T0 + i * 1000, power: 200, speed: 10_000, distance: (i + 1) * 10_000 };
    unwrap(await recording.append(sample));
  }
  recording.workout.addLap({ start: T0, end: T0 + 5000, trigger: "manual" });
  await recording.whenPersisted();
  const markers = new MemoryStorage();
  saveRideMarker(markers, {
    workoutId: workout.id,
    title: "Cut off",
    anchor: anchorAt(1, T0),
    settings: DEFAULT_RIDE_SETTINGS,
    sources: {},
  });
  // The tab dies: nothing is finished; the next start opens the vault again.
  await before.close();
  return { vault: await open(), markers, workoutId: workout.id };
}

async function samplesOf(vault: Vault, id: string) {
  return unwrap(await vault.workouts.open(id)).samples().columns;
}

describe("an unfinished ride", () => {
  it("is found after a crash with every appended second, its distance and laps", async () => {
    const { vault, markers, workoutId } = await crashedRide(12);
    // 10 samples were sealed in two chunks; the last 2 only in the crash log.
    expect(vault.recovery.recovered).toEqual([{ workoutId, samples: 2 }]);
    const ride = await findUnfinishedRide(vault, markers);
    expect(ride).toMatchObject({
      timerMs: 12_000,
      distanceMm: 120_000,
      laps: 1,
      lapStart: T0 + 5000,
      lastTime: T0 + 11_000,
      recovered: 2,
    });
    await vault.close();
  });

  it("continues: distances and timer time carry on, the first new lap joins the old ones", async () => {
    const { vault, markers, workoutId } = await crashedRide(12);
    const ride = await findUnfinishedRide(vault, markers);
    if (!ride) throw new Error("no unfinished ride");
    const target = continuationTarget(unwrap(await vault.workouts.record(workoutId)), ride);
    const resumedAt = T0 + 30_000;
    for (let i = 0; i < 3; i++) {
      const appended = await target.append({
        time: resumedAt + i * 1000,
        distance: (i + 1) * 5000,
      });
      expect(appended.ok).toBe(true);
    }
    unwrap(
      target.workout.addLap({ start: resumedAt, end: resumedAt + 3000, trigger: "session-end" }),
    );
    unwrap(target.workout.update({ timerTime: 3000 }));
    await target.finish({ endTime: resumedAt + 3000 });

    const columns = await samplesOf(vault, workoutId);
    expect(columns.time.length).toBe(15);
    expect(Array.from(columns.distance).slice(-3)).toEqual([125_000, 130_000, 135_000]);
    const metadata = unwrap(await vault.workouts.open(workoutId)).metadata();
    expect(metadata.timerTime).toBe(15_000);
    expect(metadata.laps.map((lap) => [lap.start - T0, (lap.end ?? 0) - T0])).toEqual([
      [0, 5000],
      [5000, 33_000],
    ]);
    await vault.close();
  });

  it("finishes as it stands: last lap, timer time, end time; then it is no longer unfinished", async () => {
    const { vault, markers, workoutId } = await crashedRide(8);
    const ride = await findUnfinishedRide(vault, markers);
    if (!ride) throw new Error("no unfinished ride");
    await finishRide(unwrap(await vault.workouts.record(workoutId)), ride);
    const metadata = unwrap(await vault.workouts.open(workoutId)).metadata();
    expect(metadata.endTime).toBe(T0 + 8000);
    expect(metadata.timerTime).toBe(8000);
    expect(metadata.laps.at(-1)).toMatchObject({ start: T0 + 5000, end: T0 + 8000 });
    expect(vault.workouts.get(workoutId)?.summary?.samples).toBe(8);
    expect(await findUnfinishedRide(vault, markers)).toBeUndefined();
    // A stale bookmark (the ride has an end time) is dropped.
    expect(loadRideMarker(markers)).toBeUndefined();
    await vault.close();
  });

  it("is found without a bookmark from core's recovery report", async () => {
    const { vault, workoutId } = await crashedRide(7);
    const ride = await findUnfinishedRide(vault, new MemoryStorage());
    expect(ride?.marker.workoutId).toBe(workoutId);
    expect(ride?.marker.title).toBe("Cut off");
    expect(ride?.timerMs).toBe(7000);
    await vault.close();
  });
});
