import { describe, expect, it } from "vitest";
import { decodeLiveSample, encodeLiveSample } from "./live-sample-codec.js";
import { liveValuesToSample, type RecorderLiveValues } from "./live-values-to-sample.js";

const T0 = Date.UTC(2026, 6, 4, 5, 0, 0);
const values: RecorderLiveValues = {
  state: "recording",
  time: T0 + 61_000,
  power: 240,
  heartRate: undefined,
  cadence: 0,
  speed: 9100,
  timerMs: 61_000,
  distanceMm: 500_000,
  lap: 2,
};

describe("liveValuesToSample", () => {
  it("keeps every reading, leaves a missing one absent, and encodes", () => {
    const sample = liveValuesToSample(values);
    expect(sample).toEqual({
      time: T0 + 61_000,
      timerMs: 61_000,
      lap: 2,
      state: "recording",
      power: 240,
      cadence: 0,
      speed: 9100,
      distance: 500_000,
    });
    const encoded = sample && encodeLiveSample(sample);
    expect(encoded?.ok && decodeLiveSample(encoded.value)).toEqual({ ok: true, value: sample });
  });

  it("counts auto-paused as paused and has nothing to show before the first second or after the end", () => {
    expect(liveValuesToSample({ ...values, state: "auto-paused" })?.state).toBe("paused");
    expect(liveValuesToSample({ ...values, state: "paused" })?.state).toBe("paused");
    expect(liveValuesToSample({ ...values, time: undefined })).toBeUndefined();
    expect(liveValuesToSample({ ...values, state: "ready" })).toBeUndefined();
    expect(liveValuesToSample({ ...values, state: "stopped" })).toBeUndefined();
  });
});
