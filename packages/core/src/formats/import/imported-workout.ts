/**
 * What the FIT, TCX and GPX importers produce: one ride's metadata, its samples in core's
 * units (see workout/sample.ts), laps and timer pauses, plus the typed error every importer
 * fails with. `finishImport` is the shared last step: it sorts the raw samples, merges
 * samples that share a timestamp (devices write several records in one second), validates
 * each one with `validateSample` — a bad value drops that field, never the ride — and
 * refuses a file with no usable sample at all.
 */
import { err, ok, type Result } from "../../result.js";
import type { LapTrigger, Sport, SubSport } from "../../workout/metadata.js";
import {
  MAX_RR_PER_SAMPLE,
  type Sample,
  SCALAR_FIELDS,
  validateSample,
} from "../../workout/sample.js";

/** The file formats the importers read. */
export type ImportFormat = "fit" | "tcx" | "gpx";

/** A lap found in an imported file (Unix ms). */
export interface ImportedLap {
  readonly start: number;
  readonly end: number;
  readonly trigger: LapTrigger;
}

/** A stretch where the recording device's timer was stopped (Unix ms). */
export interface ImportedPause {
  readonly start: number;
  readonly end: number;
}

/** One ride read from a file, validated and ready to become a workout. */
export interface ImportedWorkout {
  readonly format: ImportFormat;
  /** The ride's start: the file's own start time, else the first sample's time. */
  readonly startTime: number;
  /** The last sample's time. */
  readonly endTime: number;
  readonly sport: Sport;
  readonly subSport: SubSport | null;
  /** The title the file carries (GPX `name`), if any. */
  readonly title: string | null;
  /** Notes the file carries (TCX `Notes`, GPX `desc`), if any. */
  readonly notes: string | null;
  /** The recording device or application, if the file names one. */
  readonly device: string | null;
  /** Functional threshold power the file records (FIT session), if any. */
  readonly ftp: number | null;
  /** Samples in increasing time, each valid for `validateSample`. */
  readonly samples: readonly Sample[];
  readonly laps: readonly ImportedLap[];
  readonly pauses: readonly ImportedPause[];
  /** Values dropped as invalid (out of range, duplicate times…); the rest was kept. */
  readonly dropped: number;
}

/** Why a file could not be imported. Nothing is created when an import fails. */
export interface ImportError {
  readonly code:
    | "unknown-format"
    | "bad-header"
    | "bad-crc"
    | "truncated"
    | "corrupt"
    | "xml-malformed"
    | "xml-forbidden"
    | "wrong-document"
    | "no-samples";
  readonly message: string;
}

/** Shorthand for a failed import. */
export function importError(
  code: ImportError["code"],
  message: string,
): { readonly ok: false; readonly error: ImportError } {
  return err({ code, message });
}

/** A sample as an importer reads it: any field may be missing, fractional or out of range. */
export interface RawSample {
  time: number;
  power?: number;
  heartRate?: number;
  cadence?: number;
  speed?: number;
  distance?: number;
  lat?: number;
  lon?: number;
  altitude?: number;
  rr?: number[];
}

/** Everything an importer found, before validation: no end time or drop count yet. */
export interface RawImport
  extends Omit<ImportedWorkout, "startTime" | "endTime" | "samples" | "dropped"> {
  /** The file's own start time, if it has one. */
  readonly startTime: number | null;
  readonly samples: RawSample[];
}

/**
 * Validates what an importer found (its raw samples are reused, not copied); fails with
 * `no-samples` when nothing usable is left.
 */
export function finishImport(raw: RawImport): Result<ImportedWorkout, ImportError> {
  const sorted = raw.samples.filter((s) => Number.isFinite(s.time));
  let dropped = raw.samples.length - sorted.length;
  let inOrder = true;
  for (let i = 0; i < sorted.length; i++) {
    const sample = sorted[i] as RawSample;
    sample.time = Math.round(sample.time);
    if (i > 0 && sample.time < (sorted[i - 1] as RawSample).time) inOrder = false;
  }
  if (!inOrder) sorted.sort((a, b) => a.time - b.time);
  const merged: RawSample[] = [];
  for (const sample of sorted) {
    const last = merged[merged.length - 1];
    if (last?.time !== sample.time) {
      merged.push(sample);
      continue;
    }
    for (const field of SCALAR_FIELDS) {
      if (last[field] === undefined && sample[field] !== undefined) last[field] = sample[field];
    }
    if (sample.rr) last.rr = [...(last.rr ?? []), ...sample.rr];
  }
  const samples: Sample[] = [];
  // One context, updated in place: a 24-hour ride has 86,400 samples to check.
  const context: { lastTime?: number; lastDistance?: number } = {};
  for (const sample of merged) {
    if (sample.rr && sample.rr.length > MAX_RR_PER_SAMPLE) {
      dropped += sample.rr.length - MAX_RR_PER_SAMPLE;
      sample.rr = sample.rr.slice(0, MAX_RR_PER_SAMPLE);
    }
    const checked = validateSample(sample, context);
    if (!checked.ok) {
      // A record with a timestamp alone is common (a device marking time) and not a loss.
      if (checked.error.code !== "empty-sample" || Object.keys(sample).length > 1) dropped++;
      continue;
    }
    dropped += checked.value.dropped.length;
    samples.push(checked.value.sample);
    context.lastTime = checked.value.sample.time;
    if (checked.value.sample.distance !== undefined) {
      context.lastDistance = checked.value.sample.distance;
    }
  }
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last) {
    return importError(
      "no-samples",
      `this ${raw.format.toUpperCase()} file has no valid samples (no record with a time and a value); there is nothing to import`,
    );
  }
  const startTime =
    raw.startTime !== null && raw.startTime <= first.time && first.time - raw.startTime < 86_400_000
      ? raw.startTime
      : first.time;
  const laps = raw.laps
    .filter((lap) => Number.isSafeInteger(lap.start) && Number.isSafeInteger(lap.end))
    .filter((lap) => lap.end >= lap.start)
    .sort((a, b) => a.start - b.start);
  const pauses = raw.pauses.filter((p) => p.end > p.start).sort((a, b) => a.start - b.start);
  return ok({
    format: raw.format,
    startTime,
    endTime: last.time,
    sport: raw.sport,
    subSport: raw.subSport,
    title: raw.title,
    notes: raw.notes,
    device: raw.device,
    ftp:
      raw.ftp !== null && Number.isInteger(raw.ftp) && raw.ftp >= 1 && raw.ftp <= 2000
        ? raw.ftp
        : null,
    samples,
    laps,
    pauses,
    dropped,
  });
}
