import { MemoryCrashLog, MemoryStorageAdapter, openVault, unwrap } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { type ActiveRecording, createSimulatedRecorder } from "../src/recording/recorder-port.js";

/** Resolves once the recording's timer has reached `ms`. */
function timerReaches(recording: ActiveRecording, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (recording.state.timerMs >= ms) return resolve();
    const stop = recording.subscribe((state) => {
      if (state.timerMs < ms) return;
      stop();
      resolve();
    });
  });
}

describe("createSimulatedRecorder", () => {
  it("records the ride model into the vault, with pause, laps and a summary", async () => {
    const vault = unwrap(
      await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
    );
    const recorder = createSimulatedRecorder({
      speed: 500,
      profile: { type: "steady", power: 200, cadence: 90 },
    });
    const recording = unwrap(await recorder.start({ vault, title: "Sim" }));
    await timerReaches(recording, 20_000);
    recording.lap();
    recording.pause();
    expect(recording.state.status).toBe("paused");
    recording.resume();
    await timerReaches(recording, 40_000);
    await recording.stop();
    expect(recording.state.status).toBe("stopped");
    expect(recording.state.error).toBeNull();

    const workout = unwrap(await vault.workouts.open(recording.workoutId));
    const times = Array.from(workout.samples().columns.time);
    expect(times.length).toBeGreaterThanOrEqual(40);
    expect(times.every((t, i) => i === 0 || t > (times[i - 1] as number))).toBe(true);
    expect(workout.metadata().laps).toHaveLength(2);
    const entry = vault.workouts.get(recording.workoutId);
    expect(entry?.title).toBe("Sim");
    expect(entry?.summary?.avgPower).toBe(200);
    expect(entry?.summary?.samples).toBe(times.length);
    await vault.close();
  });
});
