/**
 * Statistics per lap. A lap is a wall-clock range (Unix ms, as stored in the workout's
 * metadata); it is mapped onto timer time (`timerMsAt`) and each statistic is taken from the
 * same 1 Hz series as the whole-ride analysis, so pauses inside a lap do not count and laps
 * that tile the ride add up to the ride. Lap boundaries fall on the nearest whole second of
 * timer time.
 */
import type { SampleColumns } from "../workout/columns.js";
import { normalizedPower } from "./power.js";
import { hasValues, resampleTo1Hz, type Timeline, timelineOf, timerMsAt } from "./resample.js";
import { seriesMax, seriesMean } from "./series.js";

/** A lap's range: from `start` to `end` (Unix ms); `end` null means "to the end of the ride". */
export interface LapRange {
  readonly start: number;
  readonly end: number | null;
}

/** One lap's statistics; null where the ride has no such data (or the lap has no time). */
export interface LapStats {
  readonly start: number;
  /** The end as given, or the end of the ride's last sample for a running lap. */
  readonly end: number;
  /** Timer time inside the lap, seconds. */
  readonly durationS: number;
  /** mm: distance readings at the end minus at the start, or integrated speed without any. */
  readonly distance: number | null;
  readonly avgPower: number | null;
  readonly maxPower: number | null;
  /** Null for laps shorter than 30 s (see `normalizedPower`). */
  readonly normalizedPower: number | null;
  readonly avgHeartRate: number | null;
  readonly maxHeartRate: number | null;
  /** Zeros (coasting) left out, as in the ride summary. */
  readonly avgCadence: number | null;
  readonly maxCadence: number | null;
  /** mm/s: distance over the lap's timer time, or the mean speed without a distance. */
  readonly avgSpeed: number | null;
  readonly maxSpeed: number | null;
}

/**
 * The statistics of each lap, in the order given. Laps may overlap or leave gaps; a lap that
 * ends before it starts, or lies outside the ride, has 0 s and nulls.
 */
export function lapStats(columns: SampleColumns, laps: readonly LapRange[]): LapStats[] {
  const timeline = timelineOf(columns);
  const power = resampleTo1Hz(columns, "power", timeline);
  const heartRate = resampleTo1Hz(columns, "heartRate", timeline);
  const cadence = resampleTo1Hz(columns, "cadence", timeline);
  const speed = resampleTo1Hz(columns, "speed", timeline);
  const rideEnd = endOfRide(columns, timeline);
  const hasPower = hasValues(power);

  return laps.map((lap) => {
    const end = lap.end ?? rideEnd;
    const from = secondAt(columns, timeline, lap.start);
    const to = Math.max(from, secondAt(columns, timeline, end));
    const lapPower = power.subarray(from, to);
    const lapSpeed = speed.subarray(from, to);
    const durationS = to - from;
    const distance = lapDistance(columns, lap.start, end, lapSpeed);
    return {
      start: lap.start,
      end,
      durationS,
      distance,
      avgPower: seriesMean(lapPower),
      maxPower: seriesMax(lapPower),
      normalizedPower: hasPower ? normalizedPower(lapPower) : null,
      avgHeartRate: seriesMean(heartRate.subarray(from, to)),
      maxHeartRate: seriesMax(heartRate.subarray(from, to)),
      avgCadence: seriesMean(cadence.subarray(from, to), true),
      maxCadence: seriesMax(cadence.subarray(from, to)),
      avgSpeed: distance !== null && durationS > 0 ? distance / durationS : seriesMean(lapSpeed),
      maxSpeed: seriesMax(lapSpeed),
    };
  });
}

function secondAt(columns: SampleColumns, timeline: Timeline, time: number): number {
  return Math.round(timerMsAt(columns, timeline, time) / 1000);
}

function endOfRide(columns: SampleColumns, timeline: Timeline): number {
  const last = columns.length - 1;
  if (last < 0) return 0;
  return (columns.time[last] as number) + (timeline.spans[last] as number);
}

/**
 * Distance covered in [start, end]: the last distance reading at or before `end` minus the
 * last one at or before `start` (or the first one in the lap when none precedes it), so laps
 * that share a boundary share the reading. Without a reading inside the lap: integrated speed.
 */
function lapDistance(
  columns: SampleColumns,
  start: number,
  end: number,
  lapSpeed: Float64Array,
): number | null {
  const { time, distance } = columns;
  let atStart: number | null = null;
  let atEnd: number | null = null;
  let inside = false;
  for (let i = 0; i < columns.length; i++) {
    const t = time[i] as number;
    if (t > end) break;
    const d = distance[i] as number;
    if (Number.isNaN(d)) continue;
    if (t <= start || atStart === null) atStart = d;
    if (t > start) inside = true;
    atEnd = d;
  }
  if (inside && atStart !== null && atEnd !== null) return atEnd - atStart;
  if (!hasValues(lapSpeed)) return null;
  let sum = 0;
  for (const s of lapSpeed) if (!Number.isNaN(s)) sum += s;
  return sum;
}
