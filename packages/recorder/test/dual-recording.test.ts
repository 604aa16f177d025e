/**
 * Dual recording: a phone and a laptop (two vaults of one rider) record the same ride into
 * the same workout, each from its own sensors, and exchange changes. The workout merges as
 * the core's chunk union: one row per second, never two, with each metric from the device
 * configured to record it — heart rate and power from the phone's strap and power meter,
 * cadence, speed and distance from the laptop's trainer.
 */
import {
  columnsToSamples,
  ManualClock,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  type Sample,
  unwrap,
  type Vault,
  type Workout,
} from "@ridevault/core";
import { describe, expect, it } from "vitest";
import {
  createRecordingSession,
  createSimulator,
  type Metric,
  type RecordingSession,
  type SimulatedSensor,
  type Simulator,
} from "../src/index.js";

const T0 = Date.UTC(2026, 5, 1, 6, 0, 0);

async function newVault(deviceName: string): Promise<Vault> {
  return unwrap(
    await openVault({
      storage: new MemoryStorageAdapter(),
      crashLog: new MemoryCrashLog(),
      deviceName,
      clock: new ManualClock(T0),
    }),
  );
}

interface Device {
  readonly sim: Simulator;
  readonly session: RecordingSession;
}

async function device(
  vault: Vault,
  workout: Workout,
  clock: ManualClock,
  setup: { sensors: SimulatedSensor[]; power: number; metrics: Metric[] },
): Promise<Device> {
  const recording = unwrap(await vault.workouts.record(workout.id, { chunkSamples: 20 }));
  const sim = createSimulator({
    profile: { type: "steady", power: setup.power, cadence: 90, heartRate: 145 },
    clock,
    sensors: setup.sensors,
  });
  const session = createRecordingSession({
    target: recording,
    sources: { sim },
    clock,
    timers: "manual",
    metrics: setup.metrics,
  });
  await sim.start();
  session.start();
  return { sim, session };
}

/** Runs both devices on one clock; each is recording during its own span of seconds. */
async function rideTogether(metrics: { phone: Metric[]; laptop: Metric[] }) {
  const phoneVault = await newVault("phone");
  const laptopVault = await newVault("laptop");
  const onPhone = unwrap(await phoneVault.workouts.create({ title: "Together", startTime: T0 }));
  const onLaptop = unwrap(await laptopVault.workouts.import(onPhone.id, onPhone.save()));
  const base = onPhone.heads();
  const clock = new ManualClock(T0);
  const phone = await device(phoneVault, onPhone, clock, {
    sensors: ["heart-rate", "power"],
    power: 200,
    metrics: metrics.phone,
  });
  let laptop: Device | undefined;
  for (let s = 0; s < 90; s++) {
    if (s === 4) {
      clock.advance(500);
      phone.sim.tick(500);
      laptop = await device(laptopVault, onLaptop, clock, {
        sensors: ["trainer"],
        power: 210,
        metrics: metrics.laptop,
      });
      clock.advance(500);
      phone.sim.tick(500);
      laptop.sim.tick(500);
    } else {
      clock.advance(1000);
      if (s < 80) phone.sim.tick(1000);
      laptop?.sim.tick(1000);
    }
    if (s < 80) phone.session.tick();
    laptop?.session.tick();
    if (s === 79) await phone.session.stop();
  }
  await laptop?.session.stop();
  unwrap(onLaptop.applyChanges(onPhone.changesSince(base)));
  unwrap(onPhone.applyChanges(onLaptop.changesSince(base)));
  const merged = columnsToSamples(onPhone.samples().columns);
  expect(columnsToSamples(onLaptop.samples().columns)).toEqual(merged);
  await phoneVault.close();
  await laptopVault.close();
  return merged;
}

const secondsOf = (samples: readonly Sample[]) => samples.map((s) => (s.time - T0) / 1000);

describe("dual recording", () => {
  it("merges two devices' recordings of one ride into one row per second", async () => {
    const merged = await rideTogether({
      phone: ["heartRate", "power"],
      laptop: ["cadence", "speed"],
    });
    // Phone: seconds 0–79. Laptop: from the second it started in (4) to 89.
    expect(secondsOf(merged)).toEqual(Array.from({ length: 90 }, (_, i) => i));
    const phoneSpan = merged.slice(0, 80);
    expect(new Set(phoneSpan.map((s) => s.power))).toEqual(new Set([200]));
    expect(new Set(phoneSpan.map((s) => s.heartRate))).toEqual(new Set([145]));
    expect(merged.slice(80).every((s) => s.power === undefined && s.heartRate === undefined)).toBe(
      true,
    );
    const laptopSpan = merged.slice(4);
    expect(new Set(laptopSpan.map((s) => s.cadence))).toEqual(new Set([90]));
    const distances = laptopSpan.map((s) => s.distance ?? 0);
    expect(distances.every((d, i) => i === 0 || d > (distances[i - 1] ?? 0))).toBe(true);
    expect(merged.slice(0, 4).every((s) => s.cadence === undefined)).toBe(true);
  });

  it("never duplicates a second even when both devices record the same metric", async () => {
    const all: Metric[] = ["power", "heartRate", "cadence", "speed"];
    const merged = await rideTogether({ phone: all, laptop: all });
    expect(secondsOf(merged)).toEqual(Array.from({ length: 90 }, (_, i) => i));
    expect(new Set(merged.map((s) => s.power))).toEqual(new Set([200, 210]));
  });
});
