import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rideArbitrary } from "../testing/arbitraries.js";
import { createColumns, type SampleColumns, samplesToColumns } from "../workout/columns.js";
import { MAX_GAP_MS, summarize } from "../workout/summary.js";
import { hasValues, resampleTo1Hz, timelineOf, timerMsAt } from "./resample.js";

const t0 = 1_700_000_000_000;

/** Samples at the given offsets (ms from t0) with the given power (null: no power). */
function powerAt(points: readonly [number, number | null][]): SampleColumns {
  return samplesToColumns(
    points.map(([at, power]) => (power === null ? { time: t0 + at } : { time: t0 + at, power })),
  );
}

describe("resampleTo1Hz", () => {
  it("returns a 1 Hz recording unchanged, the last sample counting for one period", () => {
    const columns = powerAt([
      [0, 100],
      [1000, 200],
      [2000, 300],
    ]);
    expect(Array.from(resampleTo1Hz(columns, "power"))).toEqual([100, 200, 300]);
    expect(timelineOf(columns).timerMs).toBe(3000);
  });

  it("cuts a pause longer than MAX_GAP_MS down to the one second of its first sample", () => {
    const columns = powerAt([
      [0, 100],
      [1000, 200],
      [1000 + MAX_GAP_MS + 1, 300],
      [2000 + MAX_GAP_MS + 1, 400],
    ]);
    expect(Array.from(resampleTo1Hz(columns, "power"))).toEqual([100, 200, 300, 400]);
  });

  it("holds the previous sample through an interval of exactly MAX_GAP_MS", () => {
    const columns = powerAt([
      [0, 150],
      [MAX_GAP_MS, 250],
    ]);
    const series = resampleTo1Hz(columns, "power");
    expect(series.length).toBe(MAX_GAP_MS / 1000 + 1);
    expect(Array.from(series)).toEqual([...Array(MAX_GAP_MS / 1000).fill(150), 250]);
  });

  it("counts a power dropout (a sample without power) as 0 W", () => {
    const columns = samplesToColumns([
      { time: t0, power: 200, heartRate: 140 },
      { time: t0 + 1000, heartRate: 141 },
      { time: t0 + 2000, power: 220, heartRate: 142 },
    ]);
    expect(Array.from(resampleTo1Hz(columns, "power"))).toEqual([200, 0, 220]);
  });

  it("keeps NaN for a heart-rate dropout, and all NaN for a ride without any power", () => {
    const columns = samplesToColumns([
      { time: t0, heartRate: 140 },
      { time: t0 + 1000, cadence: 90 },
      { time: t0 + 2000, heartRate: 142 },
    ]);
    expect(Array.from(resampleTo1Hz(columns, "heartRate"))).toEqual([140, Number.NaN, 142]);
    const power = resampleTo1Hz(columns, "power");
    expect(power.length).toBe(3);
    expect(hasValues(power)).toBe(false);
  });

  it("averages a 2 Hz recording into whole seconds, weighted by time", () => {
    const columns = powerAt([
      [0, 100],
      [500, 300],
      [1000, 400],
      [1500, 600],
    ]);
    // The last sample stands for one sampling period (500 ms), so the ride is 2 s long.
    expect(Array.from(resampleTo1Hz(columns, "power"))).toEqual([200, 500]);
  });

  it("weights a half-covered second by the time each value was held", () => {
    const columns = powerAt([
      [0, 100],
      [1500, 300],
    ]);
    // Timer time 2.5 s rounds to 3 s: [100, (100 + 300) / 2, 300].
    expect(Array.from(resampleTo1Hz(columns, "power"))).toEqual([100, 200, 300]);
  });

  it("gives an empty series for empty columns", () => {
    expect(resampleTo1Hz(createColumns(0), "power").length).toBe(0);
  });

  it("keeps the work of a whole-second ride: Σ series = summary work + the last second", () => {
    const step = fc.record({
      gapS: fc.integer({ min: 1, max: 15 }),
      power: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 2, maxLength: 60 }), (steps) => {
        let time = t0;
        const samples = steps.map(({ gapS, power }) => {
          time += gapS * 1000;
          return power === undefined ? { time, heartRate: 120 } : { time, power };
        });
        const columns = samplesToColumns(samples);
        const series = resampleTo1Hz(columns, "power");
        const work = summarize(columns).work;
        if (work === null) {
          expect(hasValues(series)).toBe(false);
          return;
        }
        const last = steps[steps.length - 1]?.power ?? 0;
        const joules = series.reduce((sum, p) => sum + p, 0);
        // The summary rounds its work to whole joules.
        expect(Math.abs(joules - (work + last))).toBeLessThanOrEqual(0.5);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps every value of any ride between the smallest and largest reading", () => {
    fc.assert(
      fc.property(rideArbitrary({ maxLength: 80 }), (samples) => {
        const columns = samplesToColumns(samples);
        const series = resampleTo1Hz(columns, "heartRate");
        expect(series.length).toBe(timelineOf(columns).seconds);
        const readings = samples.flatMap((s) => (s.heartRate === undefined ? [] : [s.heartRate]));
        for (const value of series) {
          if (Number.isNaN(value)) continue;
          expect(value).toBeGreaterThanOrEqual(Math.min(...readings) - 1e-9);
          expect(value).toBeLessThanOrEqual(Math.max(...readings) + 1e-9);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("timerMsAt", () => {
  it("maps wall-clock times onto timer time, skipping pauses", () => {
    const columns = powerAt([
      [0, 100],
      [1000, 100],
      [61_000, 100],
      [62_000, 100],
    ]);
    const timeline = timelineOf(columns);
    expect(timerMsAt(columns, timeline, t0 - 5000)).toBe(0);
    expect(timerMsAt(columns, timeline, t0 + 500)).toBe(500);
    expect(timerMsAt(columns, timeline, t0 + 30_000)).toBe(2000);
    expect(timerMsAt(columns, timeline, t0 + 61_000)).toBe(2000);
    expect(timerMsAt(columns, timeline, t0 + 62_000)).toBe(3000);
    expect(timerMsAt(columns, timeline, t0 + 99_000)).toBe(4000);
  });
});
