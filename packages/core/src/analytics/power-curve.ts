/**
 * Mean-maximal power (the "power curve") of one ride: for each duration d, the best mean
 * power over any d consecutive seconds of a 1 Hz power series on timer time. Prefix sums make
 * each duration one pass over the ride, so a 4 h ride and its ~155 default durations take a few
 * milliseconds.
 *
 * The curve is exact, not smoothed, and therefore not always non-increasing: in 10, 0, 10 W
 * the best 3 s (6.7 W) beats the best 2 s (5 W). What always holds for non-negative power:
 * the 1 s value is the maximum, the best work d · MMP(d) never decreases with d, and
 * MMP(d) ≥ MMP(k · d) for every whole k (a window of k · d seconds splits into k windows of
 * d seconds, one of which is at least as strong).
 */
import { wattsAt } from "./series.js";

/** The best mean power over one duration and where it starts. */
export interface MeanMaxPoint {
  readonly durationS: number;
  /** Mean power, W, over [startIndex, startIndex + durationS) of the 1 Hz series. */
  readonly watts: number;
  /** Index in the 1 Hz series (seconds of timer time) where the best window starts. */
  readonly startIndex: number;
}

/** Durations that always appear in the default curve when the ride is long enough, seconds. */
export const KEY_DURATIONS_S: readonly number[] = [
  120, 180, 300, 600, 1200, 1800, 2700, 3600, 5400, 7200, 10_800, 14_400, 21_600, 28_800,
];

/** Steps per doubling of the log-spaced part of the default durations. */
const STEPS_PER_DOUBLING = 12;

/**
 * The default durations for a ride of `seconds` seconds: every second from 1 to 60, then
 * log-spaced (12 per doubling, about 6 % apart, rounded to whole seconds) up to the ride's
 * length, with the `KEY_DURATIONS_S` below it (5, 20, 60 min…) replacing the log steps
 * closest to them, and the whole ride. Sorted, without repeats; empty for a ride of 0 s.
 */
export function defaultDurations(seconds: number): number[] {
  const length = Math.floor(seconds);
  const out = new Set<number>();
  for (let d = 1; d <= Math.min(60, length); d++) out.add(d);
  const halfStep = 2 ** (1 / (2 * STEPS_PER_DOUBLING));
  for (let step = 1; ; step++) {
    const d = Math.round(60 * 2 ** (step / STEPS_PER_DOUBLING));
    if (d > length) break;
    // A key duration nearby (300 next to 302) stands in for the log step.
    if (!KEY_DURATIONS_S.some((key) => key / halfStep < d && d < key * halfStep)) out.add(d);
  }
  for (const d of KEY_DURATIONS_S) if (d <= length) out.add(d);
  if (length > 0) out.add(length);
  return [...out].sort((a, b) => a - b);
}

/**
 * The mean-maximal power of a 1 Hz power series (NaN counts as 0 W) for each duration, in the
 * order given (default: `defaultDurations(power1Hz.length)`). Durations that are not whole
 * positive numbers of seconds, or are longer than the series, are left out. When several
 * windows tie, the earliest wins.
 */
export function meanMaxPower(
  power1Hz: ArrayLike<number>,
  durations: readonly number[] = defaultDurations(power1Hz.length),
): MeanMaxPoint[] {
  const n = power1Hz.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + wattsAt(power1Hz, i);

  const out: MeanMaxPoint[] = [];
  for (const d of durations) {
    if (!Number.isInteger(d) || d < 1 || d > n) continue;
    let best = Number.NEGATIVE_INFINITY;
    let bestStart = 0;
    for (let start = 0; start + d <= n; start++) {
      const windowSum = (prefix[start + d] as number) - (prefix[start] as number);
      if (windowSum > best) {
        best = windowSum;
        bestStart = start;
      }
    }
    // Summing the chosen window again avoids the rounding of prefix differences on
    // fractional watts, so e.g. the 1 s value is exactly the maximum.
    let sum = 0;
    for (let i = bestStart; i < bestStart + d; i++) sum += wattsAt(power1Hz, i);
    out.push({ durationS: d, watts: sum / d, startIndex: bestStart });
  }
  return out;
}
