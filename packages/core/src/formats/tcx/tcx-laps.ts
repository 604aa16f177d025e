/**
 * The laps of a TCX activity: which samples each lap's track holds and the totals its
 * summary elements show. Laps come from the metadata (sorted by start); without any, the
 * whole ride is one lap. Every sample lands in exactly one track — the last lap starting at
 * or before it, or the first lap for samples recorded before any lap started — so no sample
 * is lost or written twice. Totals, like the FIT export's, cover the lap's time range with
 * both ends included, and a lap's distance is the distance covered inside it.
 */
import { mergeColumns, type SampleColumns } from "../../workout/columns.js";
import type { LapTrigger, WorkoutMetadata } from "../../workout/metadata.js";
import { summarize, summarizeLap, type WorkoutSummary } from "../../workout/summary.js";

/** One lap ready to write: its start, trigger, totals and the sample rows of its track. */
export interface TcxLap {
  readonly start: number;
  readonly trigger: LapTrigger;
  readonly summary: WorkoutSummary;
  /** Rows `from` (included) to `to` (excluded) of the ride's columns. */
  readonly from: number;
  readonly to: number;
}

/** Splits the ride into laps; always returns at least one lap. */
export function planLaps(metadata: WorkoutMetadata, columns: SampleColumns): TcxLap[] {
  const n = columns.length;
  const first = n > 0 ? (columns.time[0] as number) : metadata.startTime;
  const last = n > 0 ? (columns.time[n - 1] as number) : (metadata.endTime ?? first);
  const laps = [...metadata.laps].sort((a, b) => a.start - b.start);
  if (laps.length === 0) {
    return [{ start: first, trigger: "manual", summary: summarize(columns), from: 0, to: n }];
  }
  return laps.map((lap, k) => {
    const next = laps[k + 1];
    const from = k === 0 ? 0 : lowerBound(columns.time, lap.start);
    const to = next === undefined ? n : lowerBound(columns.time, next.start);
    const end = lap.end ?? next?.start ?? last;
    const inside = mergeColumns([{ deviceId: "", columns }], { from: lap.start, to: end + 1 });
    return { start: lap.start, trigger: lap.trigger, summary: summarizeLap(inside), from, to };
  });
}

/** The first index whose time is ≥ `time`. */
function lowerBound(times: Float64Array, time: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
