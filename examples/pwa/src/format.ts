/** Display formatting of the project's units (ms, W, bpm, rpm, mm/s, mm) for the UI. */

/** `h:mm:ss` (or `m:ss` under an hour). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** Kilometres from millimetres, one decimal. */
export function formatKm(mm: number | null | undefined): string {
  return mm == null ? "–" : `${(mm / 1e6).toFixed(1)} km`;
}

/** km/h from mm/s, one decimal. */
export function formatKmh(mmPerS: number | null | undefined): string {
  return mmPerS == null ? "–" : `${((mmPerS * 3.6) / 1000).toFixed(1)} km/h`;
}

/** A number with its unit, or a dash. */
export function formatValue(value: number | null | undefined, unit: string, digits = 0): string {
  return value == null ? "–" : `${value.toFixed(digits)}${unit ? ` ${unit}` : ""}`;
}

/** A date and time in the rider's locale. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  });
}

/** A short label for a power-curve duration in seconds: `5 s`, `1 min`, `1 h`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(seconds % 3600 === 0 ? 0 : 1)} h`;
}
