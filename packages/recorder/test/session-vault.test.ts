/**
 * The recorder end to end: the simulator's GATT bytes through a recording session into a
 * real (in-memory) vault. A two-hour ride's summary matches its profile, a crash loses at
 * most the second in progress, an ERG target set through the simulated trainer's control
 * point shows in the recorded power, and laps land in the workout document.
 */
import {
  columnsToSamples,
  ManualClock,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  unwrap,
  type Vault,
} from "@ridevault/core";
import { describe, expect, it } from "vitest";
import {
  createRecordingSession,
  createSimulator,
  type RideProfile,
  rideStateAt,
  type SessionOptions,
  type Simulator,
} from "../src/index.js";

const T0 = Date.UTC(2026, 5, 1, 6, 0, 0);

async function newVault(
  parts: { storage?: MemoryStorageAdapter; crashLog?: MemoryCrashLog; deviceName?: string } = {},
): Promise<Vault> {
  return unwrap(
    await openVault({
      storage: parts.storage ?? new MemoryStorageAdapter(),
      crashLog: parts.crashLog ?? new MemoryCrashLog(),
      deviceName: parts.deviceName ?? "phone",
      clock: new ManualClock(T0),
    }),
  );
}

/** A simulator and a session on one manual clock, ridden in one-second steps. */
async function ride(
  vault: Vault,
  profile: RideProfile,
  options: Partial<SessionOptions> = {},
  seed = 1,
) {
  const workout = unwrap(await vault.workouts.create({ title: "Ride", startTime: T0 }));
  const recording = unwrap(await vault.workouts.record(workout.id));
  const clock = new ManualClock(T0);
  const sim: Simulator = createSimulator({ profile, clock, seed });
  const session = createRecordingSession({
    target: recording,
    sources: { sim },
    clock,
    timers: "manual",
    ...options,
  });
  await sim.start();
  session.start();
  const go = (seconds: number) => {
    for (let s = 0; s < seconds; s++) {
      clock.advance(1000);
      sim.tick(1000);
      session.tick();
    }
  };
  return { workout, recording, clock, sim, session, go };
}

describe("simulator → session → vault", () => {
  it("records a 2-hour interval ride whose summary matches the profile", async () => {
    const profile: RideProfile = {
      type: "intervals",
      intervals: [
        { seconds: 600, watts: 180 },
        { seconds: 300, watts: 285, cadence: 95 },
      ],
    };
    const vault = await newVault();
    const { workout, session, go } = await ride(vault, profile);
    go(7200);
    await session.stop();
    const summary = workout.summary();
    let expectedWork = 0;
    for (let s = 0; s < 7200; s++) expectedWork += rideStateAt(profile, s).power;
    expect(summary.samples).toBe(7200);
    // The core's summary lets each sample last until the next and the last one end the ride.
    expect(summary.timerMs).toBe(7_199_000);
    expect(summary.elapsedMs).toBe(7_199_000);
    expect(Math.abs((summary.avgPower ?? 0) - expectedWork / 7200)).toBeLessThanOrEqual(1);
    expect(workout.metadata()).toMatchObject({ timerTime: 7_200_000, endTime: T0 + 7_200_000 });
    expect(workout.metadata().laps).toEqual([
      expect.objectContaining({ start: T0, end: T0 + 7_200_000, trigger: "session-end" }),
    ]);
    await vault.close();
  });

  it("loses at most the second in progress when the process dies", async () => {
    const storage = new MemoryStorageAdapter();
    const crashLog = new MemoryCrashLog();
    const vault = await newVault({ storage, crashLog });
    const { workout, clock, session, go } = await ride(vault, {
      type: "steady",
      power: 210,
      cadence: 88,
    });
    go(95);
    clock.advance(700);
    session.tick();
    await session.whenAppended();
    // The process dies here: nothing is finished or closed. Another opens the same storage.
    const reopened = await newVault({ storage, crashLog });
    const recovered = unwrap(await reopened.workouts.open(workout.id));
    const samples = columnsToSamples(recovered.samples().columns);
    expect(samples).toHaveLength(95);
    expect(samples.at(-1)?.time).toBe(T0 + 94_000);
    expect(new Set(samples.map((s) => s.power))).toEqual(new Set([210]));
    await reopened.close();
  });

  it("follows an ERG target set through the simulated trainer, and stores laps", async () => {
    const vault = await newVault();
    const { workout, sim, session, go } = await ride(
      vault,
      { type: "steady", power: 150, cadence: 90 },
      { autoLap: { everyMs: 60_000 }, preferences: { power: ["sim:2ad2"] } },
    );
    go(30);
    expect(unwrap(await sim.trainer.requestControl())).toBeUndefined();
    expect(unwrap(await sim.trainer.setTargetPower(275))).toBeUndefined();
    go(90);
    await session.stop();
    const power = columnsToSamples(workout.samples().columns).map((s) => s.power);
    expect(power.slice(0, 30)).toEqual(Array(30).fill(150));
    expect(power.slice(31)).toEqual(Array(89).fill(275));
    const laps = workout.metadata().laps.map((l) => [l.start - T0, (l.end ?? 0) - T0, l.trigger]);
    expect(laps).toEqual([
      [0, 60_000, "time"],
      [60_000, 120_000, "time"],
    ]);
    await vault.close();
  });
});
