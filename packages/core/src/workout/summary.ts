/**
 * The summary of a workout, computed from its sample columns and kept in the library so a
 * list of rides never opens every workout.
 *
 * Time weighting: each sample stands for the interval up to the next sample; an interval
 * longer than `MAX_GAP_MS` is a pause (the sample counts for one second, the rest is not
 * timer time); the last sample ends the ride. Average power counts zeros (coasting is part
 * of the effort); average cadence does not (coasting is not pedalling at 0 rpm).
 */
import type { SampleColumns } from "./columns.js";

/** Intervals longer than this (ms) are pauses, not riding time. */
export const MAX_GAP_MS = 10_000;
/** Speeds at or above this (mm/s, 1.8 km/h) count as moving. */
export const MOVING_SPEED = 500;

/** A workout's totals and averages; `null` where the ride has no such data. */
export interface WorkoutSummary {
  readonly samples: number;
  /** First to last sample, ms. */
  readonly elapsedMs: number;
  /** Recorded time without pauses, ms. */
  readonly timerMs: number;
  /** Timer time while moving (speed ≥ 1.8 km/h; power or cadence > 0 without speed), ms. */
  readonly movingMs: number;
  /** mm: the last distance reading, or integrated speed without distance readings. */
  readonly distance: number | null;
  readonly avgPower: number | null;
  readonly maxPower: number | null;
  readonly avgHeartRate: number | null;
  readonly maxHeartRate: number | null;
  readonly avgCadence: number | null;
  readonly maxCadence: number | null;
  /** mm/s over moving time. */
  readonly avgSpeed: number | null;
  readonly maxSpeed: number | null;
  /** Mechanical work, joules (kJ = work / 1000). */
  readonly work: number | null;
}

/** Computes the summary of (merged) sample columns. */
export function summarize(columns: SampleColumns): WorkoutSummary {
  const n = columns.length;
  const { time, power, heartRate, cadence, speed, distance } = columns;
  const weights = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) {
    const interval = (time[i + 1] as number) - (time[i] as number);
    weights[i] = interval <= MAX_GAP_MS ? interval : 1000;
  }
  if (n === 1) weights[0] = 1000;

  let timer = 0;
  let moving = 0;
  let integrated = 0;
  let anySpeed = false;
  for (let i = 0; i < n; i++) {
    const w = weights[i] as number;
    timer += w;
    const s = speed[i] as number;
    if (!Number.isNaN(s)) {
      anySpeed = true;
      integrated += (s * w) / 1000;
    }
    const isMoving = Number.isNaN(s)
      ? (power[i] as number) > 0 || (cadence[i] as number) > 0
      : s >= MOVING_SPEED;
    if (isMoving) moving += w;
  }

  const powerStats = weightedStats(power, weights, false);
  const speedStats = weightedStats(speed, weights, true);
  let lastDistance: number | null = null;
  for (let i = n - 1; i >= 0; i--) {
    if (!Number.isNaN(distance[i] as number)) {
      lastDistance = distance[i] as number;
      break;
    }
  }
  const distanceMm = lastDistance ?? (anySpeed ? Math.round(integrated) : null);
  const avgSpeed =
    distanceMm !== null && moving > 0 ? Math.round((distanceMm * 1000) / moving) : speedStats.avg;

  return {
    samples: n,
    elapsedMs: n > 0 ? (time[n - 1] as number) - (time[0] as number) : 0,
    timerMs: timer,
    movingMs: moving,
    distance: distanceMm,
    avgPower: powerStats.avg,
    maxPower: powerStats.max,
    avgHeartRate: weightedStats(heartRate, weights, false).avg,
    maxHeartRate: weightedStats(heartRate, weights, false).max,
    avgCadence: weightedStats(cadence, weights, true).avg,
    maxCadence: weightedStats(cadence, weights, true).max,
    avgSpeed,
    maxSpeed: speedStats.max,
    work: powerStats.count > 0 ? Math.round(powerStats.weighted / 1000) : null,
  };
}

interface Stats {
  readonly avg: number | null;
  readonly max: number | null;
  readonly count: number;
  /** Σ value × weight (ms). */
  readonly weighted: number;
}

function weightedStats(values: Float64Array, weights: Float64Array, skipZeros: boolean): Stats {
  let sum = 0;
  let weightSum = 0;
  let plainSum = 0;
  let count = 0;
  let max = Number.NEGATIVE_INFINITY;
  let counted = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    count++;
    if (v > max) max = v;
    if (skipZeros && v === 0) continue;
    const w = weights[i] as number;
    sum += v * w;
    weightSum += w;
    plainSum += v;
    counted++;
  }
  if (count === 0) return { avg: null, max: null, count: 0, weighted: 0 };
  let avg: number | null = null;
  if (weightSum > 0) avg = Math.round(sum / weightSum);
  else if (counted > 0) avg = Math.round(plainSum / counted);
  else if (skipZeros) avg = 0;
  return { avg, max, count, weighted: sum };
}

/**
 * `summarize` for one lap's columns: the distance is what was ridden inside the lap (last
 * reading minus first), not the odometer reading at its end, and the average speed follows.
 */
export function summarizeLap(columns: SampleColumns): WorkoutSummary {
  const summary = summarize(columns);
  let first = Number.NaN;
  let last = Number.NaN;
  for (const d of columns.distance) {
    if (Number.isNaN(d)) continue;
    if (Number.isNaN(first)) first = d;
    last = d;
  }
  if (Number.isNaN(first)) return summary;
  const distance = last - first;
  const avgSpeed =
    summary.movingMs > 0 ? Math.round((distance * 1000) / summary.movingMs) : summary.avgSpeed;
  return { ...summary, distance, avgSpeed };
}
