/**
 * One entry point for any workout file: recognizes FIT by its header signature and TCX or
 * GPX by their root element (the file name's extension only breaks ties), un-gzips
 * `.gz` files first (Strava's bulk export compresses each activity), and runs the matching
 * importer. Text must be UTF-8.
 */
import { gunzipSync } from "fflate";
import type { Result } from "../../result.js";
import { importFit } from "../fit/import-fit.js";
import { importGpx } from "../gpx/import-gpx.js";
import { importTcx } from "../tcx/import-tcx.js";
import {
  type ImportError,
  type ImportedWorkout,
  type ImportFormat,
  importError,
} from "./imported-workout.js";

/** A file to import: its name (for messages and the format hint) and its bytes. */
export interface ImportFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The file names bulk import picks up (anything else in a folder or zip is skipped). */
export const IMPORTABLE_EXTENSION = /\.(fit|tcx|gpx)(\.gz)?$/i;

/** The format of a file from its content, else its extension; null when it is none of them. */
export function detectFormat(file: ImportFile): ImportFormat | null {
  const { bytes } = file;
  if (bytes.length >= 12 && String.fromCharCode(...bytes.subarray(8, 12)) === ".FIT") return "fit";
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  if (/<([\w-]+:)?TrainingCenterDatabase[\s>]/.test(head)) return "tcx";
  if (/<([\w-]+:)?gpx[\s>]/.test(head)) return "gpx";
  const extension = /\.(fit|tcx|gpx)(\.gz)?$/i.exec(file.name)?.[1]?.toLowerCase();
  return (extension as ImportFormat | undefined) ?? null;
}

/** Reads any supported workout file; fails with a typed error, never half-way. */
export function importWorkoutFile(file: ImportFile): Result<ImportedWorkout, ImportError> {
  let bytes = file.bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      return importError(
        "corrupt",
        `${file.name} is a damaged gzip file: ${(error as Error).message}`,
      );
    }
  }
  const format = detectFormat({ name: file.name.replace(/\.gz$/i, ""), bytes });
  if (format === null) {
    return importError(
      "unknown-format",
      `${file.name} is not a FIT, TCX or GPX file; export the ride from its app in one of those formats`,
    );
  }
  if (format === "fit") return importFit(bytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return importError("xml-malformed", `${file.name} is not valid UTF-8 text; save it as UTF-8`);
  }
  return format === "tcx" ? importTcx(text) : importGpx(text);
}
