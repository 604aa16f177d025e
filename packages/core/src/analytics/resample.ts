/**
 * Timer time and 1 Hz resampling: every analytics function works on one value per second of
 * riding, with pauses cut out. Sample timing follows `summarize` (workout/summary.ts): a
 * sample stands for the interval up to the next sample; an interval longer than `MAX_GAP_MS`
 * is a pause, of which only the first second is timer time. One difference: the last sample
 * stands for one sampling period (the interval before it, at most 1 s) instead of nothing, so
 * a 1 Hz recording of N samples gives N seconds and the last value is not lost; `timerMs` is
 * therefore up to 1 s longer than the summary's.
 *
 * Gaps: an interval of up to `MAX_GAP_MS` without samples holds the previous sample's values,
 * because recorders that save only on change ("smart recording") leave such intervals and the
 * summary already weights them that way. A sample that lacks power (NaN) is a dropout of the
 * power meter and counts as 0 W, as GoldenCheetah does when it computes mean-maximal power:
 * analytics never invent an effort the meter did not measure. (intervals.icu instead repairs
 * isolated dropouts with the previous value; we chose not to guess.) Every other field keeps
 * NaN: a lost heart-rate strap is not 0 bpm. A ride without any power reading resamples to
 * all NaN, so "no power meter" stays distinguishable from "coasting".
 */
import type { SampleColumns } from "../workout/columns.js";
import type { ScalarField } from "../workout/sample.js";
import { MAX_GAP_MS } from "../workout/summary.js";

const SECOND_MS = 1000;

/** Where each sample sits on the timer-time axis (ms since the start, pauses removed). */
export interface Timeline {
  /** Timer time at which each sample begins. */
  readonly offsets: Float64Array;
  /**
   * How long each sample stands for, ms: up to the next sample, 1 s before a pause, and one
   * sampling period (at most 1 s) for the last sample.
   */
  readonly spans: Float64Array;
  /** Timer time of the whole ride, ms. */
  readonly timerMs: number;
  /** Length of every 1 Hz series of this ride: `round(timerMs / 1000)`. */
  readonly seconds: number;
}

/** The timer-time axis of (merged) sample columns, as described at the top of this module. */
export function timelineOf(columns: SampleColumns): Timeline {
  const n = columns.length;
  const { time } = columns;
  const offsets = new Float64Array(n);
  const spans = new Float64Array(n);
  let timer = 0;
  for (let i = 0; i < n; i++) {
    let span = SECOND_MS;
    if (i + 1 < n) {
      const interval = (time[i + 1] as number) - (time[i] as number);
      if (interval <= MAX_GAP_MS) span = interval;
    } else if (i > 0) {
      span = Math.min(SECOND_MS, (time[i] as number) - (time[i - 1] as number));
    }
    offsets[i] = timer;
    spans[i] = span;
    timer += span;
  }
  return { offsets, spans, timerMs: timer, seconds: Math.round(timer / SECOND_MS) };
}

/**
 * One value per second of timer time for `field`: second k is the time-weighted mean of the
 * values held during [k, k + 1) s (samples at exactly 1 Hz come back unchanged; faster
 * recordings are averaged). Power dropouts count as 0 W; other fields give NaN for a second
 * without any value; a ride with no reading of `field` at all gives all NaN. Pass a
 * `timeline` already computed for these columns to avoid computing it again.
 */
export function resampleTo1Hz(
  columns: SampleColumns,
  field: ScalarField,
  timeline: Timeline = timelineOf(columns),
): Float64Array {
  const values = columns[field];
  const length = timeline.seconds;
  const out = new Float64Array(length).fill(Number.NaN);
  if (!values.some((v) => !Number.isNaN(v))) return out;

  const zeroFill = field === "power";
  const sums = new Float64Array(length);
  const covered = new Float64Array(length);
  const valued = new Float64Array(length);
  const limit = length * SECOND_MS;
  for (let i = 0; i < columns.length; i++) {
    const value = values[i] as number;
    let from = timeline.offsets[i] as number;
    const to = Math.min(from + (timeline.spans[i] as number), limit);
    while (from < to) {
      const bin = Math.floor(from / SECOND_MS);
      const until = Math.min(to, (bin + 1) * SECOND_MS);
      const weight = until - from;
      covered[bin] = (covered[bin] as number) + weight;
      if (!Number.isNaN(value)) {
        sums[bin] = (sums[bin] as number) + value * weight;
        valued[bin] = (valued[bin] as number) + weight;
      }
      from = until;
    }
  }
  for (let k = 0; k < length; k++) {
    const sum = sums[k] as number;
    if (zeroFill) {
      const time = covered[k] as number;
      out[k] = time > 0 ? sum / time : 0;
    } else {
      const time = valued[k] as number;
      if (time > 0) out[k] = sum / time;
    }
  }
  return out;
}

/**
 * The timer time (ms) of the Unix time `time`: 0 before the first sample, `timerMs` after
 * the ride, and inside a pause the end of the pause's first second. Use it to map laps and
 * other wall-clock ranges onto 1 Hz series (index = `Math.round(ms / 1000)`).
 */
export function timerMsAt(columns: SampleColumns, timeline: Timeline, time: number): number {
  const times = columns.time;
  let low = 0;
  let high = columns.length - 1;
  if (high < 0 || time < (times[0] as number)) return 0;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((times[mid] as number) <= time) low = mid;
    else high = mid - 1;
  }
  const into = Math.min(time - (times[low] as number), timeline.spans[low] as number);
  return (timeline.offsets[low] as number) + into;
}

/** True when `series` has at least one value (not NaN). */
export function hasValues(series: ArrayLike<number>): boolean {
  for (let i = 0; i < series.length; i++) {
    if (!Number.isNaN(series[i] as number)) return true;
  }
  return false;
}
