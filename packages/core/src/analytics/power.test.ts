import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  averagePower,
  efficiencyFactor,
  intensityFactor,
  normalizedPower,
  trainingStress,
  variabilityIndex,
  workKj,
} from "./power.js";

const constant = (watts: number, seconds: number): number[] => Array(seconds).fill(watts);
const powerSeries = (minLength: number, maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 2000 }), { minLength, maxLength });

/** The 30 s rolling means over full windows, computed the slow way. */
function rollingMeans(power: readonly number[]): number[] {
  const out: number[] = [];
  for (let end = 29; end < power.length; end++) {
    let sum = 0;
    for (let i = end - 29; i <= end; i++) sum += power[i] as number;
    out.push(sum / 30);
  }
  return out;
}

describe("one hour at a constant 200 W, FTP 250", () => {
  const hour = constant(200, 3600);

  it("has NP 200, IF 0.8 and training stress 64, exactly", () => {
    const np = normalizedPower(hour);
    expect(np).toBe(200);
    expect(intensityFactor(200, 250)).toBe(0.8);
    expect(trainingStress(3600, 200, 250)).toBe(64);
  });

  it("has average 200 W, VI 1, 720 kJ, and EF 200/140 at 140 bpm", () => {
    expect(averagePower(hour)).toBe(200);
    expect(variabilityIndex(200, 200)).toBe(1);
    expect(workKj(hour)).toBe(720);
    expect(efficiencyFactor(200, 140)).toBe(200 / 140);
  });
});

describe("normalizedPower", () => {
  it("is null below 30 s and the plain mean at exactly 30 s (one full window)", () => {
    expect(normalizedPower(constant(300, 29))).toBeNull();
    expect(normalizedPower([...constant(0, 15), ...constant(300, 15)])).toBe(150);
  });

  it("follows the 30 s rolling window across a step from 0 W to 300 W", () => {
    // 30 s at 0 W then 30 s at 300 W: the 31 full windows have means 10·k W, k = 0…30, so
    // NP⁴ = 10⁴ · Σk⁴ / 31 = 10⁴ · 5 273 999 / 31 = 10⁴ · 170 129.
    const np = normalizedPower([...constant(0, 30), ...constant(300, 30)]);
    expect(np).toBeCloseTo(10 * 170_129 ** 0.25, 9);
    expect(np).toBeCloseTo(203.0928, 3);
  });

  it("counts a one-second spike in each of the 30 windows that contain it", () => {
    // 3000 W at second 29 of 60 s: windows ending at 29…58 hold it (mean 100 W), the one
    // ending at 59 does not, so NP = (30 · 100⁴ / 31)^¼.
    const power = constant(0, 60);
    power[29] = 3000;
    expect(normalizedPower(power)).toBeCloseTo(100 * (30 / 31) ** 0.25, 9);
  });

  it("counts NaN as 0 W", () => {
    const power = constant(200, 40);
    power[35] = Number.NaN;
    const zeroed = constant(200, 40);
    zeroed[35] = 0;
    expect(normalizedPower(power)).toBe(normalizedPower(zeroed));
  });

  it("is at least the mean of the 30 s rolling means, and at most the maximum", () => {
    fc.assert(
      fc.property(powerSeries(30, 400), (power) => {
        const np = normalizedPower(power) as number;
        const means = rollingMeans(power);
        const meanOfMeans = means.reduce((a, b) => a + b, 0) / means.length;
        expect(np).toBeGreaterThanOrEqual(meanOfMeans * (1 - 1e-12));
        expect(np).toBeLessThanOrEqual(Math.max(...power) * (1 + 1e-12));
      }),
      { numRuns: 300 },
    );
  });

  it("is at least the average power when the ride starts and ends with 29 s at 0 W", () => {
    // Then every watt enters exactly 30 windows and there are fewer windows than seconds, so
    // the mean of the rolling means is at least the average, and NP at least that.
    fc.assert(
      fc.property(powerSeries(1, 300), (middle) => {
        const power = [...constant(0, 29), ...middle, ...constant(0, 29)];
        const np = normalizedPower(power) as number;
        expect(np).toBeGreaterThanOrEqual((averagePower(power) as number) * (1 - 1e-12));
      }),
      { numRuns: 300 },
    );
  });

  it("can be below the average power when the effort sits at the very start", () => {
    // The counterexample to "NP ≥ average for every series": 1000 W then 30 s at 0 W.
    // Windows: 1000/30 W and 0 W, so NP = (1000/30)·(1/2)^¼ ≈ 28.0 W < 1000/31 ≈ 32.3 W.
    const power = [1000, ...constant(0, 30)];
    expect(normalizedPower(power)).toBeCloseTo((1000 / 30) * 0.5 ** 0.25, 9);
    expect(normalizedPower(power) as number).toBeLessThan(averagePower(power) as number);
  });

  it("equals the constant for any constant series", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 30, max: 500 }), (w, n) => {
        expect(normalizedPower(constant(w, n))).toBe(w);
      }),
    );
  });
});

describe("ratios and work", () => {
  it("computes training stress as 100 · hours · IF²", () => {
    expect(trainingStress(3600, 250, 250)).toBe(100);
    expect(trainingStress(7200, 125, 250)).toBe(50);
    expect(trainingStress(1800, 300, 200)).toBeCloseTo(100 * 0.5 * 1.5 ** 2, 12);
  });

  it("refuses an FTP that is not positive", () => {
    expect(() => intensityFactor(200, 0)).toThrow(RangeError);
    expect(() => trainingStress(3600, 200, -1)).toThrow(/FTP must be a positive/);
  });

  it("gives null ratios when the denominator is 0, and null average for no data", () => {
    expect(variabilityIndex(0, 0)).toBeNull();
    expect(efficiencyFactor(200, 0)).toBeNull();
    expect(averagePower([])).toBeNull();
    expect(workKj([])).toBe(0);
  });

  it("counts zeros in the average and NaN as 0 W", () => {
    expect(averagePower([300, 0, Number.NaN, 100])).toBe(100);
    expect(workKj([300, 0, Number.NaN, 100])).toBe(0.4);
  });
});
