import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meanMaxPower } from "./power-curve.js";
import { seasonBest } from "./season-best.js";

describe("seasonBest", () => {
  it("keeps the highest watts per duration and the ride that holds it", () => {
    const best = seasonBest([
      { workoutId: "a", curve: meanMaxPower([900, 100, 100, 100], [1, 4]) },
      { workoutId: "b", curve: meanMaxPower([500, 400, 400, 400, 400, 400], [1, 4, 6]) },
    ]);
    expect(best).toEqual([
      { durationS: 1, watts: 900, startIndex: 0, workoutId: "a" },
      { durationS: 4, watts: 425, startIndex: 0, workoutId: "b" },
      { durationS: 6, watts: 2500 / 6, startIndex: 0, workoutId: "b" },
    ]);
  });

  it("credits a tie to the curve given first", () => {
    const curve = meanMaxPower([300, 300], [1, 2]);
    const best = seasonBest([
      { workoutId: 1, curve },
      { workoutId: 2, curve },
    ]);
    expect(best.map((p) => p.workoutId)).toEqual([1, 1]);
  });

  it("is empty for no curves", () => {
    expect(seasonBest([])).toEqual([]);
  });

  it("is the best of the rides joined: at least every curve, and equal to one of them", () => {
    const ride = fc.array(fc.integer({ min: 0, max: 1500 }), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(fc.array(ride, { minLength: 1, maxLength: 6 }), (rides) => {
        const curves = rides.map((power, i) => ({ workoutId: i, curve: meanMaxPower(power) }));
        const best = seasonBest(curves);
        const longest = Math.max(...rides.map((r) => r.length));
        expect(best.at(-1)?.durationS).toBe(longest);
        for (const point of best) {
          const own = curves[point.workoutId]?.curve.find((p) => p.durationS === point.durationS);
          expect(own?.watts).toBe(point.watts);
          for (const { curve } of curves) {
            const other = curve.find((p) => p.durationS === point.durationS);
            if (other) expect(other.watts).toBeLessThanOrEqual(point.watts);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
