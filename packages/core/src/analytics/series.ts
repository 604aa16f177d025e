/**
 * Plain statistics of a 1 Hz series (one value per second of timer time), shared by the
 * whole-ride analysis and the lap statistics so both count the same way: NaN is "no value"
 * and is skipped, and zeros are skipped only where the REFERENCE says so (cadence).
 */

/**
 * The mean of the values that are not NaN (and, with `skipZeros`, not 0), or null when no
 * value counts. With `skipZeros`, a series that has values but only zeros averages to 0.
 */
export function seriesMean(series: ArrayLike<number>, skipZeros = false): number | null {
  let sum = 0;
  let count = 0;
  let any = false;
  for (let i = 0; i < series.length; i++) {
    const value = series[i] as number;
    if (Number.isNaN(value)) continue;
    any = true;
    if (skipZeros && value === 0) continue;
    sum += value;
    count++;
  }
  if (count > 0) return sum / count;
  return any ? 0 : null;
}

/** The largest value that is not NaN, or null when the series has none. */
export function seriesMax(series: ArrayLike<number>): number | null {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < series.length; i++) {
    const value = series[i] as number;
    if (value > max) max = value;
  }
  return max === Number.NEGATIVE_INFINITY ? null : max;
}

/** Power value `i` of a series, with NaN read as 0 W (see resample.ts on dropouts). */
export function wattsAt(series: ArrayLike<number>, i: number): number {
  const value = series[i] as number;
  return Number.isNaN(value) ? 0 : value;
}
