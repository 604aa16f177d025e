/**
 * The layout of the "all my data" archive: file names, the library file's shape, and the
 * README.md written at its root so a rider (or another program) can use the archive without
 * ridevault. docs/export-format.md documents the same layout in more detail.
 */
import type { LibraryEntry } from "../../vault/library.js";

/** The `format` marker and version of library.json. */
export const LIBRARY_JSON_FORMAT = "ridevault-library";
export const LIBRARY_JSON_VERSION = 1;

export const README_PATH = "README.md";
export const LIBRARY_PATH = "library.json";

/** The JSON file of a workout in the archive. */
export function workoutJsonPath(id: string): string {
  return `workouts/${id}.json`;
}

/** The FIT file of a workout in the archive. */
export function workoutFitPath(id: string): string {
  return `workouts/${id}.fit`;
}

/** A workout that could not be exported, and why (listed in library.json). */
export interface ArchiveProblem {
  readonly id: string;
  readonly title: string;
  readonly message: string;
}

/** library.json: every workout's library entry (with its summary) and any problems. */
export interface LibraryJson {
  readonly format: typeof LIBRARY_JSON_FORMAT;
  readonly version: typeof LIBRARY_JSON_VERSION;
  /** Unix ms. */
  readonly exportedAt: number;
  readonly workouts: readonly LibraryEntry[];
  readonly problems: readonly ArchiveProblem[];
}

/** The README.md of an archive. */
export function archiveReadme(exportedAt: number, count: number): string {
  return `# Your ridevault data

Exported ${new Date(exportedAt).toISOString()}: ${count} workout${count === 1 ? "" : "s"}.

## Layout

- \`library.json\` — the list of your workouts: id, title, sport, start and end time, tags,
  the bin (\`deletedAt\`), and each ride's summary (distance, time, averages, work).
  Workouts that could not be exported are listed under \`problems\`.
- \`workouts/<id>.json\` — one workout, complete and lossless: metadata, laps and every
  sample as columns (\`time\` is Unix milliseconds; \`null\` is a gap).
- \`workouts/<id>.fit\` — the same ride as a FIT activity file, for Strava, Garmin Connect,
  TrainingPeaks or intervals.icu (rides without samples have none).

## Units in the JSON files

| column | unit |
|---|---|
| time | Unix time, milliseconds |
| power | watts |
| heartRate | beats per minute |
| cadence | revolutions per minute |
| speed | millimetres per second |
| distance | millimetres since the start |
| lat, lon | degrees × 10^7 |
| altitude | millimetres above sea level |
| rr | RR intervals per sample, milliseconds |

## Restoring

Import this zip into ridevault (\`vault.importArchive\`, or \`ridevault import <file.zip>\`):
each workout is recreated from its JSON file with identical samples. Rides already in the
vault (same start time and samples) are skipped.
`;
}
