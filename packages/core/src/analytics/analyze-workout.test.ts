import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rideArbitrary } from "../testing/arbitraries.js";
import { createColumns, samplesToColumns } from "../workout/columns.js";
import { analyzeWorkout } from "./analyze-workout.js";

const t0 = 1_700_000_000_000;

/** One hour at 1 Hz and 200 W, heart rate 140 bpm, with a 20 min pause in the middle. */
const hour = samplesToColumns(
  Array.from({ length: 3600 }, (_, i) => ({
    time: t0 + i * 1000 + (i >= 1800 ? 1_200_000 : 0),
    power: 200,
    heartRate: 140,
  })),
);

describe("analyzeWorkout", () => {
  it("computes every metric of a steady hour (the pause cut out)", () => {
    const analysis = analyzeWorkout(hour, { ftp: 250, thresholdHeartRate: 160 });
    expect(analysis).toMatchObject({
      timerS: 3600,
      avgPower: 200,
      maxPower: 200,
      work: 720,
      normalizedPower: 200,
      intensityFactor: 0.8,
      trainingStress: 64,
      variabilityIndex: 1,
      efficiencyFactor: 200 / 140,
      avgHeartRate: 140,
      maxHeartRate: 140,
    });
    // 200 W is 80 % of FTP (zone 3); 140 bpm is 87.5 % of LTHR (zone 3).
    expect(analysis.powerZones?.map((z) => z.seconds)).toEqual([0, 0, 3600, 0, 0, 0, 0]);
    expect(analysis.heartRateZones?.map((z) => z.seconds)).toEqual([0, 0, 3600, 0, 0]);
    expect(analysis.powerCurve?.[0]).toEqual({ durationS: 1, watts: 200, startIndex: 0 });
    expect(analysis.powerCurve?.at(-1)?.durationS).toBe(3600);
  });

  it("gives null for what needs a missing setting", () => {
    const analysis = analyzeWorkout(hour, { ftp: null, thresholdHeartRate: null });
    expect(analysis.normalizedPower).toBe(200);
    expect(analysis.intensityFactor).toBeNull();
    expect(analysis.trainingStress).toBeNull();
    expect(analysis.powerZones).toBeNull();
    expect(analysis.heartRateZones).toBeNull();
    expect(analyzeWorkout(hour, { ftp: 0, thresholdHeartRate: -5 }).trainingStress).toBeNull();
  });

  it("gives null for what needs missing data: a ride with heart rate only", () => {
    const heartOnly = samplesToColumns(
      Array.from({ length: 60 }, (_, i) => ({ time: t0 + i * 1000, heartRate: 130 })),
    );
    const analysis = analyzeWorkout(heartOnly, { ftp: 250, thresholdHeartRate: 160 });
    expect(analysis).toMatchObject({
      timerS: 60,
      avgPower: null,
      maxPower: null,
      work: null,
      normalizedPower: null,
      intensityFactor: null,
      trainingStress: null,
      variabilityIndex: null,
      efficiencyFactor: null,
      powerCurve: null,
      powerZones: null,
      avgHeartRate: 130,
    });
    expect(analysis.heartRateZones?.map((z) => z.seconds)).toEqual([0, 60, 0, 0, 0]);
  });

  it("has no normalized power for a ride under 30 s, but still a curve and zones", () => {
    const short = samplesToColumns(
      Array.from({ length: 20 }, (_, i) => ({ time: t0 + i * 1000, power: 100 + i })),
    );
    const analysis = analyzeWorkout(short, { ftp: 200, thresholdHeartRate: null });
    expect(analysis.normalizedPower).toBeNull();
    expect(analysis.trainingStress).toBeNull();
    expect(analysis.powerCurve?.length).toBe(20);
    expect(analysis.powerZones?.reduce((s, z) => s + z.seconds, 0)).toBe(20);
  });

  it("handles empty columns", () => {
    const analysis = analyzeWorkout(createColumns(0), { ftp: 250, thresholdHeartRate: 160 });
    expect(analysis.timerS).toBe(0);
    expect(analysis.powerCurve).toBeNull();
    expect(analysis.avgHeartRate).toBeNull();
  });

  it("never throws on any valid ride, and its zone times add up", () => {
    fc.assert(
      fc.property(rideArbitrary({ maxLength: 150 }), (samples) => {
        const analysis = analyzeWorkout(samplesToColumns(samples), {
          ftp: 230,
          thresholdHeartRate: 165,
        });
        if (analysis.powerZones) {
          expect(analysis.powerZones.reduce((s, z) => s + z.seconds, 0)).toBe(analysis.timerS);
        }
        if (analysis.normalizedPower !== null && analysis.maxPower !== null) {
          expect(analysis.normalizedPower).toBeLessThanOrEqual(analysis.maxPower + 1e-9);
        }
        if (analysis.powerCurve && analysis.maxPower !== null) {
          expect(analysis.powerCurve[0]?.watts).toBe(analysis.maxPower);
        }
      }),
      { numRuns: 200 },
    );
  });
});
