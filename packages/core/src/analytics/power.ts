/**
 * Power metrics of one ride, computed from a 1 Hz power series on timer time (see
 * `resampleTo1Hz`): average power, work, normalized power and the ratios built on it.
 *
 * "Normalized Power", "Intensity Factor" and "Training Stress Score" (NP, IF, TSS) are
 * trademarks of TrainingPeaks; the formulas are public (Allen & Coggan), but a user interface
 * should label them differently (e.g. "weighted power", "intensity", "training load"), as
 * other tools do. Results are unrounded; rounding is the caller's presentation choice.
 *
 * In every function here a NaN in a power series counts as 0 W, the same rule by which
 * `resampleTo1Hz` fills power dropouts, so the functions agree on any series they are given.
 */
import { wattsAt } from "./series.js";

/** The rolling window of normalized power, seconds. */
export const NP_WINDOW_S = 30;

/** Mean power, W, counting zeros (coasting is part of the effort); null for an empty series. */
export function averagePower(power1Hz: ArrayLike<number>): number | null {
  const n = power1Hz.length;
  if (n === 0) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += wattsAt(power1Hz, i);
  return sum / n;
}

/** Mechanical work, kJ: Σ P·Δt / 1000 with Δt = 1 s. 0 for an empty series. */
export function workKj(power1Hz: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < power1Hz.length; i++) sum += wattsAt(power1Hz, i);
  return sum / 1000;
}

/**
 * Normalized power, W: the 30 s rolling mean of power (windows ending at second 30, 31, …,
 * i.e. only full windows, as in Allen & Coggan), each raised to the 4th power, averaged, and
 * the 4th root taken. Null when the series is shorter than 30 s.
 *
 * NP is at least the mean of the rolling means (power-mean inequality) but NOT always at
 * least the average power: the first and last 29 s weigh less in the rolling means, so a
 * short series such as 1000 W then 30 s at 0 W has NP ≈ 28 W below its 32 W average. On
 * rides of more than a few minutes the difference vanishes.
 */
export function normalizedPower(power1Hz: ArrayLike<number>): number | null {
  const n = power1Hz.length;
  if (n < NP_WINDOW_S) return null;
  let windowSum = 0;
  for (let i = 0; i < NP_WINDOW_S; i++) windowSum += wattsAt(power1Hz, i);
  let fourthSum = (windowSum / NP_WINDOW_S) ** 4;
  for (let i = NP_WINDOW_S; i < n; i++) {
    windowSum += wattsAt(power1Hz, i) - wattsAt(power1Hz, i - NP_WINDOW_S);
    fourthSum += (windowSum / NP_WINDOW_S) ** 4;
  }
  // Two square roots are correctly rounded, so a constant series gives back its exact value.
  return Math.sqrt(Math.sqrt(fourthSum / (n - NP_WINDOW_S + 1)));
}

/** Intensity factor: NP / FTP. Throws a RangeError for an FTP that is not positive. */
export function intensityFactor(normalizedWatts: number, ftp: number): number {
  checkFtp(ftp);
  return normalizedWatts / ftp;
}

/**
 * Training stress: 100 · hours · IF², i.e. 100 for one hour at FTP. `seconds` is timer time
 * (the length of the 1 Hz series). Throws a RangeError for an FTP that is not positive.
 */
export function trainingStress(seconds: number, normalizedWatts: number, ftp: number): number {
  checkFtp(ftp);
  // Written as one fraction so whole-number inputs give exact results (200 W, 1 h, FTP 250 → 64).
  return (100 * seconds * normalizedWatts * normalizedWatts) / (3600 * ftp * ftp);
}

/** Variability index: NP / average power; null when the average power is 0. */
export function variabilityIndex(normalizedWatts: number, averageWatts: number): number | null {
  return averageWatts > 0 ? normalizedWatts / averageWatts : null;
}

/** Efficiency factor: NP / average heart rate (W per bpm); null when the heart rate is 0. */
export function efficiencyFactor(normalizedWatts: number, averageHeartRate: number): number | null {
  return averageHeartRate > 0 ? normalizedWatts / averageHeartRate : null;
}

function checkFtp(ftp: number): void {
  if (!(ftp > 0) || !Number.isFinite(ftp)) {
    throw new RangeError(`FTP must be a positive number of watts, got ${ftp}`);
  }
}
