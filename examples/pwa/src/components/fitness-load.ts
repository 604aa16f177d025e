/**
 * Each day's fitness, fatigue and form from the library: core's `trainingLoad` (42- and
 * 7-day exponentially weighted stress) over each day's training stress. A finished ride's
 * library entry keeps its analytics (normalized power, so its stress) — when they were
 * computed with the app's FTP they are used as they are; otherwise (another FTP, or an entry
 * without analytics) the stress comes from the stored normalized power, or failing that the
 * average power, with the app's FTP. No ride is opened.
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
    const a = entry.analytics;
    const stress =
      a?.trainingStress != null && a.ftp === ftp
        ? a.trainingStress
        : trainingStress(s.timerMs / 1000, a?.normalizedPower ?? s.avgPower, ftp);
    byDate.set(date, (byDate.get(date) ?? 0) + stress);
  }
  if (byDate.size === 0) return [];
  const stresses = [...byDate].map(([date, stress]) => ({ date, stress }));
  return trainingLoad(stresses, { end: dateOf(Math.floor(today / DAY_MS)) });
}
