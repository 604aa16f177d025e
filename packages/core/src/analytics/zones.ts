/**
 * Time in training zones: Coggan's 7 power zones (% of FTP) and 5 heart-rate zones (% of
 * lactate threshold heart rate), counted over a 1 Hz series so each value is one second.
 *
 * The published tables use whole percentages with gaps between zones ("<55, 56–75, …",
 * "<68, 69–83, …"), which leaves 55.5 % nowhere. Here every zone includes its upper bound
 * and starts just above the previous zone's upper bound:
 *
 * | power zone | % FTP          | heart-rate zone | % LTHR         |
 * |------------|----------------|-----------------|----------------|
 * | 1          | ≤ 55           | 1               | ≤ 68           |
 * | 2          | > 55 and ≤ 75  | 2               | > 68 and ≤ 83  |
 * | 3          | > 75 and ≤ 90  | 3               | > 83 and ≤ 94  |
 * | 4          | > 90 and ≤ 105 | 4               | > 94 and ≤ 105 |
 * | 5          | > 105 and ≤ 120| 5               | > 105          |
 * | 6          | > 120 and ≤ 150|                 |                |
 * | 7          | > 150          |                 |                |
 *
 * So at whole percentages the tables hold exactly (55 % is zone 1, 56 % zone 2, 105 % zone 4,
 * 106 % zone 5), and a value between them goes to the higher zone. Comparisons are exact
 * (value · 100 against percent · threshold), so 137.5 W at FTP 250 is exactly 55 %: zone 1.
 */
import { wattsAt } from "./series.js";

/** One zone's definition: its upper bound in percent of the threshold (null: no bound). */
export interface ZoneDefinition {
  readonly zone: number;
  readonly name: string;
  readonly maxPercent: number | null;
}

/** Coggan's power zones, % of FTP. */
export const POWER_ZONES: readonly ZoneDefinition[] = [
  { zone: 1, name: "Active recovery", maxPercent: 55 },
  { zone: 2, name: "Endurance", maxPercent: 75 },
  { zone: 3, name: "Tempo", maxPercent: 90 },
  { zone: 4, name: "Lactate threshold", maxPercent: 105 },
  { zone: 5, name: "VO2max", maxPercent: 120 },
  { zone: 6, name: "Anaerobic capacity", maxPercent: 150 },
  { zone: 7, name: "Neuromuscular power", maxPercent: null },
];

/** Coggan's heart-rate zones, % of lactate threshold heart rate. */
export const HEART_RATE_ZONES: readonly ZoneDefinition[] = [
  { zone: 1, name: "Active recovery", maxPercent: 68 },
  { zone: 2, name: "Endurance", maxPercent: 83 },
  { zone: 3, name: "Tempo", maxPercent: 94 },
  { zone: 4, name: "Lactate threshold", maxPercent: 105 },
  { zone: 5, name: "VO2max", maxPercent: null },
];

/** Seconds spent in one zone, with the zone's bounds in the series' unit (W or bpm). */
export interface ZoneTime {
  readonly zone: number;
  readonly name: string;
  /** Values above this are in the zone (zone 1: 0, and 0 itself belongs to zone 1). */
  readonly above: number;
  /** Values up to and including this are in the zone; null for the top zone. */
  readonly upTo: number | null;
  readonly seconds: number;
}

/**
 * Seconds of a 1 Hz power series in each of the 7 power zones (NaN counts as 0 W, so the
 * seconds add up to the length of the series). Throws a RangeError for an FTP that is not
 * positive.
 */
export function timeInPowerZones(power1Hz: ArrayLike<number>, ftp: number): ZoneTime[] {
  checkThreshold(ftp, "FTP");
  const watts = Float64Array.from({ length: power1Hz.length }, (_, i) => wattsAt(power1Hz, i));
  return timeInZones(watts, ftp, POWER_ZONES);
}

/**
 * Seconds of a 1 Hz heart-rate series in each of the 5 heart-rate zones. Seconds without a
 * reading (NaN) are in no zone, so the seconds add up to the number of readings. Throws a
 * RangeError for a threshold that is not positive.
 */
export function timeInHeartRateZones(
  heartRate1Hz: ArrayLike<number>,
  thresholdHeartRate: number,
): ZoneTime[] {
  checkThreshold(thresholdHeartRate, "threshold heart rate");
  return timeInZones(heartRate1Hz, thresholdHeartRate, HEART_RATE_ZONES);
}

/** The zone (1-based) of one value, or null for NaN. Same bounds as the table above. */
export function zoneOf(
  value: number,
  threshold: number,
  zones: readonly ZoneDefinition[],
): number | null {
  if (Number.isNaN(value)) return null;
  for (const { zone, maxPercent } of zones) {
    if (maxPercent === null || value * 100 <= maxPercent * threshold) return zone;
  }
  return zones.length;
}

function timeInZones(
  series: ArrayLike<number>,
  threshold: number,
  zones: readonly ZoneDefinition[],
): ZoneTime[] {
  const seconds = new Array<number>(zones.length).fill(0);
  for (let i = 0; i < series.length; i++) {
    const zone = zoneOf(series[i] as number, threshold, zones);
    if (zone !== null) seconds[zone - 1] = (seconds[zone - 1] as number) + 1;
  }
  let above = 0;
  return zones.map((definition, i) => {
    const upTo = definition.maxPercent === null ? null : (definition.maxPercent * threshold) / 100;
    const time: ZoneTime = {
      zone: definition.zone,
      name: definition.name,
      above,
      upTo,
      seconds: seconds[i] as number,
    };
    if (upTo !== null) above = upTo;
    return time;
  });
}

function checkThreshold(threshold: number, what: string): void {
  if (!(threshold > 0) || !Number.isFinite(threshold)) {
    throw new RangeError(`${what} must be a positive number, got ${threshold}`);
  }
}
