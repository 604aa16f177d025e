/**
 * "Download all my data": every workout of the vault (the bin included) in one zip archive —
 * a lossless JSON file and a FIT file per workout, library.json and a README.md explaining
 * the layout (see formats/archive/archive-layout.ts and docs/export-format.md).
 *
 * The zip is written as a stream: one workout is opened, encoded and compressed at a time,
 * so memory holds one ride plus the output. Pass `onData` to receive the output in pieces
 * (to write a file as it grows) instead of as one array.
 */
import { Zip, ZipDeflate } from "fflate";
import { concatBytes } from "../bytes.js";
import {
  type ArchiveProblem,
  archiveReadme,
  LIBRARY_JSON_FORMAT,
  LIBRARY_JSON_VERSION,
  LIBRARY_PATH,
  type LibraryJson,
  README_PATH,
  workoutFitPath,
  workoutJsonPath,
} from "../formats/archive/archive-layout.js";
import { workoutToJson } from "../formats/archive/workout-json.js";
import { exportFit } from "../formats/fit/export-fit.js";
import type { Clock } from "../runtime.js";
import type { ImportProgress } from "./bulk-import.js";
import type { Workouts } from "./workouts.js";

/** Options of `vault.exportAll`. */
export interface ExportAllOptions {
  /** Called before each workout (`current` is its title) and once at the end. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /**
   * Receives the archive in pieces as it is written; the returned bytes are then empty.
   * Without it, the whole archive is returned.
   */
  readonly onData?: (chunk: Uint8Array) => void;
  /** Local time minus UTC in minutes for the FIT files (default: this runtime's zone). */
  readonly utcOffsetMinutes?: number;
}

const encoder = new TextEncoder();

/** Writes the archive of every workout in `workouts`. */
export async function exportAll(
  workouts: Workouts,
  clock: Clock,
  options: ExportAllOptions = {},
): Promise<Uint8Array> {
  const collected: Uint8Array[] = [];
  let failure: Error | undefined;
  const zip = new Zip((error, data) => {
    if (error) failure ??= error;
    else if (options.onData) options.onData(data);
    else collected.push(data);
  });
  const add = (name: string, bytes: Uint8Array): void => {
    const entry = new ZipDeflate(name, { level: 6 });
    zip.add(entry);
    entry.push(bytes, true);
  };
  const entries = workouts.list({ deleted: true }).reverse();
  const exportedAt = clock.now();
  const problems: ArchiveProblem[] = [];
  const total = entries.length;
  add(README_PATH, encoder.encode(archiveReadme(exportedAt, total)));
  for (const [done, entry] of entries.entries()) {
    options.onProgress?.({ done, total, current: entry.title || entry.id });
    const opened = await workouts.open(entry.id);
    if (!opened.ok) {
      problems.push({ id: entry.id, title: entry.title, message: opened.error.message });
      continue;
    }
    const workout = opened.value;
    const metadata = workout.metadata();
    const read = workout.samples();
    for (const problem of read.problems) {
      problems.push({
        id: entry.id,
        title: entry.title,
        message: `chunk ${problem.key}: ${problem.message}`,
      });
    }
    const json = workoutToJson({
      id: entry.id,
      metadata,
      columns: read.columns,
      summary: entry.summary,
    });
    add(workoutJsonPath(entry.id), encoder.encode(JSON.stringify(json)));
    if (read.columns.length > 0) {
      const fit = exportFit({
        metadata,
        columns: read.columns,
        ...(options.utcOffsetMinutes !== undefined && {
          utcOffsetMinutes: options.utcOffsetMinutes,
        }),
      });
      add(workoutFitPath(entry.id), fit);
    }
    // Let other work run between rides: a large vault takes a while.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const library: LibraryJson = {
    format: LIBRARY_JSON_FORMAT,
    version: LIBRARY_JSON_VERSION,
    exportedAt,
    workouts: entries,
    problems,
  };
  add(LIBRARY_PATH, encoder.encode(JSON.stringify(library, null, 2)));
  zip.end();
  if (failure) throw failure;
  options.onProgress?.({ done: total, total, current: null });
  return options.onData ? new Uint8Array(0) : concatBytes(collected);
}
