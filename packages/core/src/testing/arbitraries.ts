/**
 * fast-check generators for samples, shared by the property tests of every package: any
 * valid ride, with gaps in any field, RR intervals, positions, pauses and irregular times.
 */
import fc from "fast-check";
import { MIN_TIME, type Sample } from "../workout/sample.js";

const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arb, { nil: undefined, freq: 4 });

/** One sample's values (no time), each field independently present or a gap. */
export const sampleValuesArbitrary = fc.record(
  {
    power: optional(fc.integer({ min: 0, max: 5000 })),
    heartRate: optional(fc.integer({ min: 1, max: 250 })),
    cadence: optional(fc.integer({ min: 0, max: 254 })),
    speed: optional(fc.integer({ min: 0, max: 50_000 })),
    position: optional(
      fc.record({
        lat: fc.integer({ min: -900_000_000, max: 900_000_000 }),
        lon: fc.integer({ min: -1_800_000_000, max: 1_800_000_000 }),
      }),
    ),
    altitude: optional(fc.integer({ min: -500_000, max: 9_000_000 })),
    rr: optional(fc.array(fc.integer({ min: 100, max: 4000 }), { minLength: 1, maxLength: 4 })),
    distanceStep: optional(fc.integer({ min: 0, max: 60_000 })),
  },
  { requiredKeys: [] },
);

/**
 * A valid ride: strictly increasing times (mostly 1 s apart, sometimes pauses of minutes),
 * distance never falling, every sample with at least one value.
 */
export const rideArbitrary = (options: { maxLength?: number } = {}): fc.Arbitrary<Sample[]> =>
  fc
    .record({
      start: fc.integer({ min: MIN_TIME, max: MIN_TIME + 30 * 365 * 86_400_000 }),
      steps: fc.array(
        fc.record({
          gap: fc.oneof(
            { weight: 8, arbitrary: fc.constant(1000) },
            { weight: 1, arbitrary: fc.integer({ min: 1, max: 600_000 }) },
          ),
          values: sampleValuesArbitrary,
        }),
        { minLength: 1, maxLength: options.maxLength ?? 300 },
      ),
    })
    .map(({ start, steps }) => {
      let time = start;
      let distance = 0;
      return steps.map(({ gap, values }, i) => {
        if (i > 0) time += gap;
        const sample: Record<string, unknown> = { time };
        if (values.power !== undefined) sample.power = values.power;
        if (values.heartRate !== undefined) sample.heartRate = values.heartRate;
        if (values.cadence !== undefined) sample.cadence = values.cadence;
        if (values.speed !== undefined) sample.speed = values.speed;
        if (values.altitude !== undefined) sample.altitude = values.altitude;
        if (values.position) {
          sample.lat = values.position.lat;
          sample.lon = values.position.lon;
        }
        if (values.rr) sample.rr = values.rr;
        if (values.distanceStep !== undefined) {
          distance += values.distanceStep;
          sample.distance = distance;
        }
        if (Object.keys(sample).length === 1) sample.power = 0;
        return sample as unknown as Sample;
      });
    });

/** Splits `items` into consecutive non-empty pieces at the given cut points. */
export function splitAt<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.map((c) => c % Math.max(items.length, 1)))]
    .filter((c) => c > 0)
    .sort((a, b) => a - b);
  const out: T[][] = [];
  let from = 0;
  for (const cut of points) {
    out.push(items.slice(from, cut));
    from = cut;
  }
  out.push(items.slice(from));
  return out.filter((piece) => piece.length > 0);
}
