import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultDurations, KEY_DURATIONS_S, meanMaxPower } from "./power-curve.js";

const powerSeries = (maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength });

const allDurations = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

/** Mean-maximal power the O(n²) way: every window, summed from scratch. */
function naiveMeanMax(power: readonly number[], d: number): { watts: number; startIndex: number } {
  let best = Number.NEGATIVE_INFINITY;
  let startIndex = 0;
  for (let start = 0; start + d <= power.length; start++) {
    let sum = 0;
    for (let i = start; i < start + d; i++) sum += power[i] as number;
    if (sum / d > best) {
      best = sum / d;
      startIndex = start;
    }
  }
  return { watts: best, startIndex };
}

describe("meanMaxPower", () => {
  it("finds the best window and where it starts", () => {
    const power = [100, 300, 500, 200, 0, 400];
    expect(meanMaxPower(power, [1, 2, 3, 6])).toEqual([
      { durationS: 1, watts: 500, startIndex: 2 },
      { durationS: 2, watts: 400, startIndex: 1 },
      { durationS: 3, watts: 1000 / 3, startIndex: 1 },
      { durationS: 6, watts: 250, startIndex: 0 },
    ]);
  });

  it("equals a naive O(n²) computation on any short series", () => {
    fc.assert(
      fc.property(powerSeries(80), (power) => {
        const curve = meanMaxPower(power, allDurations(power.length));
        expect(curve.length).toBe(power.length);
        for (const point of curve) {
          const naive = naiveMeanMax(power, point.durationS);
          expect(point.watts).toBe(naive.watts);
          expect(point.startIndex).toBe(naive.startIndex);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("has the maximum at 1 s, and no duration above it", () => {
    fc.assert(
      fc.property(powerSeries(200), (power) => {
        const curve = meanMaxPower(power, allDurations(power.length));
        const max = Math.max(...power);
        expect(curve[0]).toEqual({ durationS: 1, watts: max, startIndex: power.indexOf(max) });
        for (const point of curve) expect(point.watts).toBeLessThanOrEqual(max);
      }),
      { numRuns: 300 },
    );
  });

  it("never loses work with a longer duration, and MMP(d) ≥ MMP(k·d)", () => {
    fc.assert(
      fc.property(powerSeries(200), (power) => {
        const curve = meanMaxPower(power, allDurations(power.length));
        const watts = (d: number) => curve[d - 1]?.watts as number;
        for (let d = 1; d < power.length; d++) {
          // Whole-watt sums, recovered from the means up to rounding.
          expect(Math.round((d + 1) * watts(d + 1))).toBeGreaterThanOrEqual(
            Math.round(d * watts(d)),
          );
          for (let kd = 2 * d; kd <= power.length; kd += d) {
            expect(watts(d)).toBeGreaterThanOrEqual(watts(kd));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("can rise from one duration to the next: in 10, 0, 10 W the best 3 s beats the best 2 s", () => {
    const curve = meanMaxPower([10, 0, 10], [1, 2, 3]).map((p) => p.watts);
    expect(curve).toEqual([10, 5, 20 / 3]);
  });

  it("is non-increasing on series without dips between efforts (here: sorted descending)", () => {
    fc.assert(
      fc.property(powerSeries(200), (power) => {
        const sorted = [...power].sort((a, b) => b - a);
        const curve = meanMaxPower(sorted, allDurations(sorted.length));
        for (let i = 1; i < curve.length; i++) {
          expect(curve[i]?.watts).toBeLessThanOrEqual(curve[i - 1]?.watts as number);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("leaves out durations longer than the ride or not whole seconds, and counts NaN as 0 W", () => {
    expect(meanMaxPower([100, Number.NaN, 300], [0, 1.5, 2, 4])).toEqual([
      { durationS: 2, watts: 150, startIndex: 1 },
    ]);
    expect(meanMaxPower([])).toEqual([]);
  });

  it("computes the default curve of a 4 h ride well under 100 ms", () => {
    const power = Float64Array.from({ length: 14_400 }, (_, i) => 200 + 150 * Math.sin(i / 37));
    meanMaxPower(power);
    const started = performance.now();
    const curve = meanMaxPower(power);
    const elapsed = performance.now() - started;
    expect(curve.at(-1)?.durationS).toBe(14_400);
    expect(elapsed).toBeLessThan(100);
  });
});

describe("defaultDurations", () => {
  it("has every second up to 60, then log-spaced steps, key durations and the ride length", () => {
    const durations = defaultDurations(14_400);
    expect(durations.slice(0, 60)).toEqual(allDurations(60));
    for (const key of KEY_DURATIONS_S.filter((d) => d <= 14_400)) expect(durations).toContain(key);
    expect(durations.at(-1)).toBe(14_400);
    for (let i = 60; i < durations.length; i++) {
      const ratio = (durations[i] as number) / (durations[i - 1] as number);
      expect(ratio).toBeGreaterThan(1);
      // One log step (2^(1/12)), or up to 1.5 steps where a key duration replaced one.
      expect(ratio).toBeLessThanOrEqual(2 ** (1.5 / 12));
    }
    expect(durations.length).toBeLessThan(200);
  });

  it("stops at the ride length", () => {
    expect(defaultDurations(0)).toEqual([]);
    expect(defaultDurations(5)).toEqual([1, 2, 3, 4, 5]);
    expect(defaultDurations(61)).toEqual([...allDurations(61)]);
    expect(Math.max(...defaultDurations(4000))).toBe(4000);
  });
});
