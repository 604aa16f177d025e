/**
 * Best power curve over many rides (a season, a year, all time): for each duration, the
 * highest mean-maximal power of any ride and which ride it came from. It combines curves
 * already computed per ride (`meanMaxPower`), so a library never re-reads old samples; the
 * caller chooses which rides count (e.g. by date) and keeps the curves with the rides.
 */
import type { MeanMaxPoint } from "./power-curve.js";

/** One ride's power curve, tagged with the ride it belongs to. */
export interface WorkoutCurve<Id> {
  readonly workoutId: Id;
  readonly curve: readonly MeanMaxPoint[];
}

/** The best point for one duration, and the ride that holds it. */
export interface SeasonBestPoint<Id> extends MeanMaxPoint {
  readonly workoutId: Id;
}

/**
 * For every duration that appears in any curve, the point with the highest watts, sorted by
 * duration. A tie goes to the curve that comes first in `curves`, so pass them oldest first
 * to credit the first time a record was set. Curves may have different durations (a short
 * ride has no 1 h point); a duration missing from a curve does not count for it.
 */
export function seasonBest<Id>(curves: readonly WorkoutCurve<Id>[]): SeasonBestPoint<Id>[] {
  const bestByDuration = new Map<number, SeasonBestPoint<Id>>();
  for (const { workoutId, curve } of curves) {
    for (const point of curve) {
      const best = bestByDuration.get(point.durationS);
      if (best === undefined || point.watts > best.watts) {
        bestByDuration.set(point.durationS, {
          durationS: point.durationS,
          watts: point.watts,
          startIndex: point.startIndex,
          workoutId,
        });
      }
    }
  }
  return [...bestByDuration.values()].sort((a, b) => a.durationS - b.durationS);
}
