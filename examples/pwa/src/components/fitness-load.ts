/**
 * Each day's fitness, fatigue and form from the library: core's `trainingLoad` (42- and
 * 7-day exponentially weighted stress) over each day's training stress. The library keeps
 * each ride's average power, not its normalized power, so a ride's stress here is core's
 * `trainingStress` with the average in place of NP — an estimate that reads a little low for
 * uneven rides, and needs no ride to be opened.
 */
import {
  dateOf,
  type LibraryEntry,
  type LoadDay,
  trainingLoad,
  trainingStress,
} from "@ridevault/core/browser";

const DAY_MS = 86_400_000;

/**
 * Each day's load up to `today` (Unix ms); empty without an FTP or without rides with power.
 */
export function loadOf(
  entries: readonly LibraryEntry[],
  ftp: number | null,
  today: number = Date.now(),
): LoadDay[] {
  if (ftp === null) return [];
  const byDate = new Map<string, number>();
  for (const entry of entries) {
    const s = entry.summary;
    if (!s || s.avgPower === null || s.timerMs <= 0) continue;
    const date = dateOf(Math.floor(entry.startTime / DAY_MS));
    const stress = trainingStress(s.timerMs / 1000, s.avgPower, ftp);
    byDate.set(date, (byDate.get(date) ?? 0) + stress);
  }
  if (byDate.size === 0) return [];
  const stresses = [...byDate].map(([date, stress]) => ({ date, stress }));
  return trainingLoad(stresses, { end: dateOf(Math.floor(today / DAY_MS)) });
}
