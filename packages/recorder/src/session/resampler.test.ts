import { describe, expect, it } from "vitest";
import { encodeHeartRateMeasurement, encodeIndoorBikeData } from "../sources/gatt-encoders.js";
import { Resampler } from "./resampler.js";

const hr = (time: number, heartRate: number, rr: number[] = []) => ({
  characteristic: "2a37",
  time,
  bytes: encodeHeartRateMeasurement({ heartRate, wide: false, rrIntervals1024: rr }),
});
const bike = (time: number, power: number, heartRate?: number) => {
  const base = encodeIndoorBikeData({ speedKmhX100: 0, cadenceRpmX2: 0, power });
  if (heartRate === undefined) return { characteristic: "2ad2", time, bytes: base };
  // Set flag bit 9 (heart rate) and append it.
  const bytes = new Uint8Array([...base, heartRate]);
  bytes[1] = (bytes[1] ?? 0) | 0x02;
  return { characteristic: "2ad2", time, bytes };
};

describe("Resampler", () => {
  it("averages a second's readings and holds a value at most holdMs old", () => {
    const r = new Resampler({ holdMs: 1500 });
    r.notify("t", bike(100, 200));
    r.notify("t", bike(600, 301));
    expect(r.close(1000).values.power).toBe(251);
    expect(r.close(2000).values.power).toBe(301);
    expect(r.close(3000).values.power).toBeUndefined();
  });

  it("prefers the strap over the trainer for heart rate, falling back while it is silent", () => {
    const r = new Resampler();
    r.notify("trainer", bike(100, 200, 130));
    r.notify("strap", hr(200, 140, [1024]));
    expect(r.close(1000)).toMatchObject({
      values: { heartRate: 140 },
      rr: [1000],
      chosen: { heartRate: "strap:2a37", power: "trainer:2ad2" },
    });
    r.connection("strap", {
      type: "disconnected",
      sensor: "strap",
      characteristics: ["2a37"],
      time: 1100,
      reason: "signal-lost",
    });
    r.notify("trainer", bike(1200, 200, 131));
    expect(r.close(2000)).toMatchObject({ values: { heartRate: 131 }, rr: [] });
  });

  it("uses only the listed providers once a preference is set, until it is cleared", () => {
    const r = new Resampler();
    r.notify("trainer", bike(100, 200, 130));
    r.notify("strap", hr(200, 140));
    r.setPreference("heartRate", ["trainer:2ad2"]);
    expect(r.close(1000).values.heartRate).toBe(130);
    r.setPreference("heartRate", ["other:2a37"]);
    r.notify("strap", hr(1200, 141));
    expect(r.close(2000).values.heartRate).toBeUndefined();
    r.clearPreference("heartRate");
    r.notify("strap", hr(2200, 142));
    expect(r.close(3000).values.heartRate).toBe(142);
    expect(r.providers).toEqual(["trainer:2ad2", "strap:2a37"]);
  });

  it("discards a window's readings but keeps the last value for holding", () => {
    const r = new Resampler();
    r.notify("strap", hr(100, 150));
    r.notify("strap", hr(300, 90));
    r.discard();
    r.notify("strap", hr(800, 100));
    expect(r.close(1000).values.heartRate).toBe(100);
  });
});
