/**
 * Exporting a workout as a file download: FIT (for Strava, Garmin Connect, intervals.icu),
 * TCX, or GPX (rides with GPS only). The bytes come from `@ridevault/core`'s exporters; this
 * module only names the file and hands it to the browser.
 */
import { exportFit, exportGpx, exportTcx, type Workout } from "@ridevault/core/browser";

/** The formats offered. */
export const EXPORT_FORMATS = ["fit", "tcx", "gpx"] as const;

/** One export format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const MIME: Record<ExportFormat, string> = {
  fit: "application/vnd.ant.fit",
  tcx: "application/vnd.garmin.tcx+xml",
  gpx: "application/gpx+xml",
};

/** A file for `workout` in `format`, or why there is none. */
export function exportWorkout(
  workout: Workout,
  format: ExportFormat,
): { ok: true; file: File } | { ok: false; message: string } {
  const read = workout.samples();
  if (read.problems.length > 0) {
    return {
      ok: false,
      message: `${read.problems.length} damaged chunks; sync again before exporting`,
    };
  }
  const input = { metadata: workout.metadata(), columns: read.columns };
  let body: BlobPart;
  if (format === "fit") body = exportFit(input) as Uint8Array<ArrayBuffer>;
  else if (format === "tcx") body = exportTcx(input);
  else {
    const gpx = exportGpx(input);
    if (!gpx.ok) return { ok: false, message: gpx.error.message };
    body = gpx.value;
  }
  const stem = (input.metadata.title || "ride").replace(/[^\p{L}\p{N} _-]+/gu, "").trim();
  const name = `${stem || "ride"}-${workout.id.slice(0, 8)}.${format}`;
  return { ok: true, file: new File([body], name, { type: MIME[format] }) };
}

/** Saves `file` through the browser's download. */
export function downloadFile(file: File): void {
  const url = URL.createObjectURL(file);
  const link = document.createElement("a");
  link.href = url;
  link.download = file.name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
