/** Tests of `SegmentGaps`: which gaps between segments become pauses. */
import { describe, expect, test } from "vitest";
import type { RawSample } from "./imported-workout.js";
import { SegmentGaps } from "./segment-gaps.js";

/** Feeds segments of sample times (in seconds) through `SegmentGaps`; "restart" restarts. */
function pausesOf(segments: readonly (readonly number[] | "restart")[]) {
  const samples: RawSample[] = [];
  const gaps = new SegmentGaps(samples);
  for (const segment of segments) {
    if (segment === "restart") {
      gaps.restart();
      continue;
    }
    for (const s of segment) samples.push({ time: s * 1000 });
    gaps.close();
  }
  return gaps.pauses;
}

describe("SegmentGaps", () => {
  test("the time between one segment's last sample and the next one's first is a pause", () => {
    expect(pausesOf([[0, 1, 2], [10, 11], [11, 12], [20]])).toEqual([
      { start: 2000, end: 10_000 },
      { start: 12_000, end: 20_000 },
    ]);
  });

  test("an empty segment neither makes nor breaks a pause", () => {
    expect(pausesOf([[0, 1], [], [5]])).toEqual([{ start: 1000, end: 5000 }]);
  });

  test("after a restart the next segment starts no pause", () => {
    expect(pausesOf([[0, 1], "restart", [60, 61], [90]])).toEqual([{ start: 61_000, end: 90_000 }]);
  });
});
