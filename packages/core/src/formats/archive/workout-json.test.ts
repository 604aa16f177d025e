/** Tests of the archive's workout JSON: lossless for any ride, strict about damage. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { rideArbitrary } from "../../testing/arbitraries.js";
import { samplesToColumns } from "../../workout/columns.js";
import type { WorkoutMetadata } from "../../workout/metadata.js";
import { workoutFromJson, workoutToJson } from "./workout-json.js";

const T0 = Date.UTC(2024, 2, 3, 9);

function metadata(): WorkoutMetadata {
  return {
    title: "Tempo",
    notes: "Windy",
    sport: "cycling",
    subSport: "gravel",
    startTime: T0,
    endTime: T0 + 3_600_000,
    timerTime: 3_500_000,
    settings: { ftp: 260, maxHeartRate: 188, thresholdHeartRate: null },
    devices: { a1: { name: "Edge 530" } },
    laps: [{ id: "x", start: T0, end: T0 + 600_000, trigger: "manual" }],
    tags: ["gravel", "race"],
    createdAt: T0,
    updatedAt: T0 + 5,
    deletedAt: null,
  };
}

describe("workout JSON", () => {
  test("decode ∘ encode ∘ stringify gives back every sample and the metadata", () => {
    fc.assert(
      fc.property(rideArbitrary({ maxLength: 150 }), (samples) => {
        const json = workoutToJson({
          id: "w1",
          metadata: metadata(),
          columns: samplesToColumns(samples),
          summary: null,
        });
        const decoded = workoutFromJson(JSON.parse(JSON.stringify(json)));
        if (!decoded.ok) throw new Error(decoded.error.message);
        expect(decoded.value.samples).toEqual(samples);
        const { devices, laps, ...rest } = metadata();
        expect(decoded.value.metadata).toEqual({ ...rest, devices: ["Edge 530"] });
        expect(decoded.value.laps).toEqual([{ start: T0, end: T0 + 600_000, trigger: "manual" }]);
      }),
      { numRuns: 80 },
    );
  });

  /** A parsed file, with the parts the cases below damage. */
  type Json = Record<string, unknown> & {
    samples: Record<string, unknown>;
    metadata: Record<string, unknown>;
  };
  const valid = (): Json =>
    JSON.parse(
      JSON.stringify(
        workoutToJson({
          id: "w1",
          metadata: metadata(),
          columns: samplesToColumns([
            { time: T0, power: 100, rr: [800] },
            { time: T0 + 1000, power: 110 },
          ]),
          summary: null,
        }),
      ),
    );

  test.each([
    ["another format", (j: Json) => Object.assign(j, { format: "gpx" })],
    ["a newer version", (j: Json) => Object.assign(j, { version: 2 })],
    ["a count that does not match", (j: Json) => Object.assign(j.samples, { count: 3 })],
    ["a column of the wrong length", (j: Json) => Object.assign(j.samples, { power: [1] })],
    ["an unknown column", (j: Json) => Object.assign(j.samples, { torque: [1, 2] })],
    ["an out-of-range value", (j: Json) => Object.assign(j.samples, { power: [100, 9999] })],
    ["times going backwards", (j: Json) => Object.assign(j.samples, { time: [T0, T0 - 1] })],
    ["a bad sport", (j: Json) => Object.assign(j.metadata, { sport: "curling" })],
    [
      "a bad lap",
      (j: Json) => Object.assign(j, { laps: [{ start: 5, end: 1, trigger: "manual" }] }),
    ],
  ])("refuses %s", (_, damage) => {
    const json = valid();
    expect(workoutFromJson(json).ok).toBe(true);
    damage(json);
    const result = workoutFromJson(json);
    expect(result.ok ? "accepted" : result.error.code).toBe("corrupt");
  });
});
