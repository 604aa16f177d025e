/**
 * The training metrics a library entry keeps for a finished ride (`LibraryAnalytics`), from
 * `analyzeWorkout` over the ride's merged samples with the settings in its metadata. Computing
 * them reads every sample, so results are cached per workout until its chunks or settings
 * change, and rides still being recorded get none (the live library refresh stays small: it
 * syncs to every device while the ride goes on).
 */
import { analyzeWorkout } from "../analytics/analyze-workout.js";
import { KEY_DURATIONS_S } from "../analytics/power-curve.js";
import type { Workout } from "../workout/workout.js";
import type { LibraryAnalytics, LibraryEntry } from "./library.js";

/**
 * The power-curve durations an entry keeps (with the whole ride): enough for season bests
 * and charts across rides, few enough that a finished ride's entry stays small — it syncs to
 * every device (the full curve is a ride's own, computed when it is opened).
 */
const LIBRARY_CURVE_DURATIONS = new Set([1, 5, 10, 15, 30, 60, ...KEY_DURATIONS_S]);

const cache = new WeakMap<Workout, { key: string; value: LibraryAnalytics | null }>();

/** The analytics of `workout` for its library entry, or null when it has not ended or has no samples. */
export function entryAnalytics(workout: Workout): LibraryAnalytics | null {
  const meta = workout.metadata();
  if (meta.endTime === null || workout.chunkCount === 0) return null;
  const { ftp, thresholdHeartRate } = meta.settings;
  const key = `${workout.chunkCount}|${workout.storedSampleCount}|${ftp}|${thresholdHeartRate}`;
  const cached = cache.get(workout);
  if (cached?.key === key) return cached.value;
  const analysis = analyzeWorkout(workout.samples().columns, meta.settings);
  const value: LibraryAnalytics = {
    normalizedPower: round(analysis.normalizedPower, 1),
    intensityFactor: round(analysis.intensityFactor, 3),
    trainingStress: round(analysis.trainingStress, 1),
    variabilityIndex: round(analysis.variabilityIndex, 3),
    efficiencyFactor: round(analysis.efficiencyFactor, 3),
    work: round(analysis.work, 1),
    powerCurve:
      analysis.powerCurve
        ?.filter((p) => LIBRARY_CURVE_DURATIONS.has(p.durationS) || p.durationS === analysis.timerS)
        .map((p) => [p.durationS, Math.round(p.watts)] as const) ?? null,
    ftp,
    thresholdHeartRate,
  };
  cache.set(workout, { key, value });
  return value;
}

/**
 * True when `entry` already reflects every stored sample of `workout`, with analytics for a
 * finished ride under its current settings — as when the device that recorded the ride
 * wrote it and the entry arrived through sync with the samples. Then a device catching up
 * need not read every sample of every ride again.
 */
export function entryIsCurrent(entry: LibraryEntry | undefined, workout: Workout): boolean {
  if (!entry?.summary || entry.summary.samples !== workout.storedSampleCount) return false;
  const meta = workout.metadata();
  if (meta.endTime === null) return true;
  return (
    entry.analytics !== null &&
    entry.analytics.ftp === meta.settings.ftp &&
    entry.analytics.thresholdHeartRate === meta.settings.thresholdHeartRate
  );
}

// Rounded, so an entry does not change (and sync) over floating-point noise.
function round(value: number | null, decimals: number): number | null {
  if (value === null) return null;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
