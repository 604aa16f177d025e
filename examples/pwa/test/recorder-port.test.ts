import {
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  unwrap,
  type Vault,
} from "@ridevault/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ActiveRecording,
  createRecorder,
  type LiveState,
} from "../src/recording/recorder-port.js";
import { DEFAULT_RIDE_SETTINGS, loadRideMarker } from "../src/recording/ride-marker.js";
import { SensorRack } from "../src/recording/sensor-rack.js";
import { MemoryStorage } from "./memory-storage.js";

const NO_BLUETOOTH = { available: false, reason: "tests have no radio" } as const;

/** Resolves once the recording's state satisfies `done`. */
function until(recording: ActiveRecording, done: (state: LiveState) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (done(recording.state)) return resolve();
    const stop = recording.subscribe((state) => {
      if (!done(state)) return;
      stop();
      resolve();
    });
  });
}

const vaults: Vault[] = [];
afterEach(async () => {
  for (const vault of vaults.splice(0)) await vault.close();
});

async function memoryVault(): Promise<Vault> {
  const vault = unwrap(
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
  );
  vaults.push(vault);
  return vault;
}

describe("createRecorder", () => {
  it("records the simulator through the recording session: whole seconds, pause, laps, summary", async () => {
    const vault = await memoryVault();
    const storage = new MemoryStorage();
    const sensors = new SensorRack({
      bluetooth: NO_BLUETOOTH,
      profile: { type: "steady", power: 200, cadence: 90 },
    });
    sensors.chooseSimulator(true);
    const recorder = createRecorder({ sensors, speed: 100, storage });
    const recording = unwrap(
      await recorder.start({ vault, title: "Sim", settings: DEFAULT_RIDE_SETTINGS }),
    );
    expect(recorder.active).not.toBeNull();
    expect(loadRideMarker(storage)?.workoutId).toBe(recording.workoutId);
    await until(recording, (state) => state.timerMs >= 20_000 && state.power === 200);
    recording.lap();
    expect(recording.state.lap).toBe(2);
    recording.pause();
    expect(recording.state.status).toBe("paused");
    recording.resume();
    await until(recording, (state) => state.timerMs >= 40_000);
    expect(recording.providers("power")).toEqual(["sim:2a63", "sim:2ad2"]);
    expect(recording.state.sources.heartRate).toBe("sim:2a37");
    await recording.stop();

    expect(recorder.active).toBeNull();
    expect(loadRideMarker(storage)).toBeUndefined();
    expect(sensors.sensors.map((s) => s.status.type)).toEqual(["ready"]);
    const workout = unwrap(await vault.workouts.open(recording.workoutId));
    const times = Array.from(workout.samples().columns.time);
    expect(times.length).toBeGreaterThanOrEqual(39);
    expect(times.every((t) => t % 1000 === 0)).toBe(true);
    expect(times.every((t, i) => i === 0 || t > (times[i - 1] as number))).toBe(true);
    const metadata = workout.metadata();
    expect(metadata.laps.map((lap) => lap.trigger)).toEqual(["manual", "session-end"]);
    expect(metadata.timerTime).toBeGreaterThanOrEqual(40_000);
    const entry = vault.workouts.get(recording.workoutId);
    expect(entry?.title).toBe("Sim");
    expect(entry?.summary?.avgPower).toBe(200);
  });

  it("keeps a metric's chosen source in the bookmark, and switches back to automatic", async () => {
    const vault = await memoryVault();
    const storage = new MemoryStorage();
    const sensors = new SensorRack({ bluetooth: NO_BLUETOOTH });
    sensors.chooseSimulator(true);
    const recorder = createRecorder({ sensors, speed: 100, storage });
    const settings = { autoPause: false, lapEveryKm: null, lapEveryMin: 0.1 };
    const recording = unwrap(await recorder.start({ vault, title: "Choice", settings }));
    await until(recording, (state) => state.sources.power === "sim:2a63");
    recording.choose("power", "sim:2ad2");
    expect(loadRideMarker(storage)?.sources).toEqual({ power: "sim:2ad2" });
    await until(recording, (state) => state.sources.power === "sim:2ad2");
    recording.choose("power", undefined);
    expect(recording.chosen("power")).toBeUndefined();
    await until(recording, (state) => state.sources.power === "sim:2a63");
    // Automatic laps every 6 s of timer time.
    await until(recording, (state) => state.lap >= 3);
    await recording.stop();
    const laps = unwrap(await vault.workouts.open(recording.workoutId)).metadata().laps;
    expect(laps.filter((lap) => lap.trigger === "time").length).toBeGreaterThanOrEqual(2);
  });

  it("auto-pauses when the rider stops, if the rider asked for it", async () => {
    const vault = await memoryVault();
    const sensors = new SensorRack({
      bluetooth: NO_BLUETOOTH,
      profile: { type: "coasting", initialSpeedKmh: 10 },
    });
    sensors.chooseSimulator(true);
    const recorder = createRecorder({ sensors, speed: 100, storage: new MemoryStorage() });
    const settings = { ...DEFAULT_RIDE_SETTINGS, autoPause: true };
    const recording = unwrap(await recorder.start({ vault, title: "Coast", settings }));
    await until(recording, (state) => state.status === "auto-paused");
    // Coasting from 10 km/h falls below 3.6 km/h after about 31 s, then 5 s more.
    expect(recording.state.timerMs).toBeGreaterThanOrEqual(30_000);
    expect(recording.state.timerMs).toBeLessThanOrEqual(40_000);
    expect(recording.state.speed ?? 0).toBeLessThan(1000);
    await recording.stop();
  });

  it("refuses a second ride while one is recording", async () => {
    const vault = await memoryVault();
    const sensors = new SensorRack({ bluetooth: NO_BLUETOOTH });
    sensors.chooseSimulator(true);
    const recorder = createRecorder({ sensors, speed: 100, storage: new MemoryStorage() });
    const first = unwrap(
      await recorder.start({ vault, title: "A", settings: DEFAULT_RIDE_SETTINGS }),
    );
    const second = await recorder.start({ vault, title: "B", settings: DEFAULT_RIDE_SETTINGS });
    expect(second.ok ? null : second.error.code).toBe("recorder-start-failed");
    await first.stop();
  });
});
