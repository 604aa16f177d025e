/**
 * The whole analysis of one ride in one call: resample once, then power metrics, the power
 * curve and time in zones, with null wherever the ride lacks the data (no power meter, no
 * heart-rate strap) or the rider lacks the setting (no FTP, no threshold heart rate).
 *
 * Averages here come from the 1 Hz series (pauses cut, power dropouts counted as 0 W, the
 * last sample counted for one second; see resample.ts), so they can differ slightly from the
 * stored `WorkoutSummary`, which skips dropouts. Work agrees except for the last second.
 */
import type { SampleColumns } from "../workout/columns.js";
import type { AnalyticsSettings } from "../workout/metadata.js";
import {
  averagePower,
  efficiencyFactor,
  intensityFactor,
  normalizedPower,
  trainingStress,
  variabilityIndex,
  workKj,
} from "./power.js";
import { type MeanMaxPoint, meanMaxPower } from "./power-curve.js";
import { hasValues, resampleTo1Hz, timelineOf } from "./resample.js";
import { seriesMax, seriesMean } from "./series.js";
import { timeInHeartRateZones, timeInPowerZones, type ZoneTime } from "./zones.js";

/** The settings the analysis needs (a workout's `AnalyticsSettings` fits). */
export type AnalysisSettings = Pick<AnalyticsSettings, "ftp" | "thresholdHeartRate">;

/** Everything computed for one ride; null where data or settings are missing. */
export interface WorkoutAnalysis {
  /** Timer time, seconds: the length of every 1 Hz series of the ride. */
  readonly timerS: number;
  readonly avgPower: number | null;
  readonly maxPower: number | null;
  /** kJ. */
  readonly work: number | null;
  /** Null without power or for rides shorter than 30 s. */
  readonly normalizedPower: number | null;
  /** Needs normalized power and an FTP. */
  readonly intensityFactor: number | null;
  /** Needs normalized power and an FTP. */
  readonly trainingStress: number | null;
  /** Needs normalized power and an average power above 0. */
  readonly variabilityIndex: number | null;
  /** Needs normalized power and heart rate. */
  readonly efficiencyFactor: number | null;
  readonly avgHeartRate: number | null;
  readonly maxHeartRate: number | null;
  /** Mean-maximal power at the default durations; null without power. */
  readonly powerCurve: readonly MeanMaxPoint[] | null;
  /** Needs power and an FTP. */
  readonly powerZones: readonly ZoneTime[] | null;
  /** Needs heart rate and a threshold heart rate. */
  readonly heartRateZones: readonly ZoneTime[] | null;
}

/**
 * Analyzes one ride's (merged) sample columns with the rider's settings. Never throws for
 * valid columns; a setting that is not a positive number is treated as missing.
 */
export function analyzeWorkout(
  columns: SampleColumns,
  settings: AnalysisSettings,
): WorkoutAnalysis {
  const timeline = timelineOf(columns);
  const power = resampleTo1Hz(columns, "power", timeline);
  const heartRate = resampleTo1Hz(columns, "heartRate", timeline);
  const ftp = positive(settings.ftp);
  const lthr = positive(settings.thresholdHeartRate);
  const withPower = hasValues(power);
  const withHeartRate = hasValues(heartRate);

  const avgPower = withPower ? averagePower(power) : null;
  const np = withPower ? normalizedPower(power) : null;
  const avgHeartRate = seriesMean(heartRate);
  return {
    timerS: timeline.seconds,
    avgPower,
    maxPower: seriesMax(power),
    work: withPower ? workKj(power) : null,
    normalizedPower: np,
    intensityFactor: np !== null && ftp !== null ? intensityFactor(np, ftp) : null,
    trainingStress: np !== null && ftp !== null ? trainingStress(timeline.seconds, np, ftp) : null,
    variabilityIndex: np !== null && avgPower !== null ? variabilityIndex(np, avgPower) : null,
    efficiencyFactor:
      np !== null && avgHeartRate !== null ? efficiencyFactor(np, avgHeartRate) : null,
    avgHeartRate,
    maxHeartRate: seriesMax(heartRate),
    powerCurve: withPower ? meanMaxPower(power) : null,
    powerZones: withPower && ftp !== null ? timeInPowerZones(power, ftp) : null,
    heartRateZones: withHeartRate && lthr !== null ? timeInHeartRateZones(heartRate, lthr) : null,
  };
}

function positive(value: number | null): number | null {
  return value !== null && value > 0 && Number.isFinite(value) ? value : null;
}
