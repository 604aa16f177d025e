import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SampleColumns, samplesToColumns } from "../workout/columns.js";
import type { Sample } from "../workout/sample.js";
import { lapStats } from "./laps.js";
import { normalizedPower } from "./power.js";
import { resampleTo1Hz } from "./resample.js";

const t0 = 1_700_000_000_000;

/** A 1 Hz ride: `seconds` samples from t0, values from `at(i)`. */
function ride(seconds: number, at: (i: number) => Omit<Sample, "time">): SampleColumns {
  return samplesToColumns(
    Array.from({ length: seconds }, (_, i) => ({ time: t0 + i * 1000, ...at(i) })),
  );
}

describe("lapStats", () => {
  // 120 s: 60 s at 100 W then 60 s at 300 W; 8 m/s with distance in mm; HR and cadence.
  const columns = ride(120, (i) => ({
    power: i < 60 ? 100 : 300,
    heartRate: i < 60 ? 120 : 160,
    cadence: i % 10 === 0 ? 0 : 90,
    speed: 8000,
    distance: i * 8000,
  }));

  it("splits a ride into laps with their own averages, maxima, NP and distance", () => {
    const [first, second] = lapStats(columns, [
      { start: t0, end: t0 + 60_000 },
      { start: t0 + 60_000, end: null },
    ]);
    expect(first).toEqual({
      start: t0,
      end: t0 + 60_000,
      durationS: 60,
      distance: 60 * 8000,
      avgPower: 100,
      maxPower: 100,
      normalizedPower: 100,
      avgHeartRate: 120,
      maxHeartRate: 120,
      avgCadence: 90,
      maxCadence: 90,
      avgSpeed: 8000,
      maxSpeed: 8000,
    });
    expect(second).toMatchObject({
      end: t0 + 120_000,
      durationS: 60,
      distance: 59 * 8000,
      avgPower: 300,
      normalizedPower: 300,
      avgHeartRate: 160,
    });
  });

  it("gives NP only to laps of at least 30 s, and nulls to a lap outside the ride", () => {
    const [short, outside] = lapStats(columns, [
      { start: t0, end: t0 + 29_000 },
      { start: t0 + 500_000, end: t0 + 600_000 },
    ]);
    expect(short?.durationS).toBe(29);
    expect(short?.normalizedPower).toBeNull();
    expect(outside).toMatchObject({ durationS: 0, avgPower: null, maxPower: null });
  });

  it("leaves a pause inside a lap out of its duration", () => {
    const paused = samplesToColumns([
      ...Array.from({ length: 40 }, (_, i) => ({ time: t0 + i * 1000, power: 200 })),
      ...Array.from({ length: 40 }, (_, i) => ({ time: t0 + 600_000 + i * 1000, power: 200 })),
    ]);
    const [lap] = lapStats(paused, [{ start: t0, end: null }]);
    expect(lap?.durationS).toBe(80);
    expect(lap?.avgPower).toBe(200);
  });

  it("integrates speed when the ride has no distance readings, and gives null power without power", () => {
    const noDistance = ride(10, () => ({ speed: 5000, heartRate: 100 }));
    const [lap] = lapStats(noDistance, [{ start: t0, end: null }]);
    expect(lap?.distance).toBe(50_000);
    expect(lap?.avgSpeed).toBe(5000);
    expect(lap?.avgPower).toBeNull();
    expect(lap?.normalizedPower).toBeNull();
  });

  it("tiles: laps that share boundaries add up to the whole ride", () => {
    const power = fc.array(fc.integer({ min: 0, max: 1500 }), { minLength: 2, maxLength: 200 });
    fc.assert(
      fc.property(power, fc.array(fc.nat(), { maxLength: 5 }), (watts, cuts) => {
        const columns = ride(watts.length, (i) => ({
          power: watts[i] as number,
          distance: i * 10,
        }));
        const bounds = [...new Set(cuts.map((c) => c % watts.length))].sort((a, b) => a - b);
        const starts = [0, ...bounds.filter((b) => b > 0)];
        const laps = starts.map((s, i) => ({
          start: t0 + s * 1000,
          end: i + 1 < starts.length ? t0 + (starts[i + 1] as number) * 1000 : null,
        }));
        const stats = lapStats(columns, laps);
        expect(stats.reduce((sum, lap) => sum + lap.durationS, 0)).toBe(watts.length);
        const work = stats.reduce((sum, lap) => sum + (lap.avgPower ?? 0) * lap.durationS, 0);
        expect(work).toBeCloseTo(
          watts.reduce((a, b) => a + b, 0),
          6,
        );
        expect(stats.reduce((sum, lap) => sum + (lap.distance ?? 0), 0)).toBe(
          (watts.length - 1) * 10,
        );
        const whole = lapStats(columns, [{ start: t0, end: null }])[0];
        expect(whole?.normalizedPower).toBe(normalizedPower(resampleTo1Hz(columns, "power")));
      }),
      { numRuns: 200 },
    );
  });
});
