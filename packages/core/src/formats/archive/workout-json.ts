/**
 * The lossless JSON form of a workout used in the "all my data" archive (documented in
 * docs/export-format.md): metadata, laps and every sample, in core's integer units, as
 * columns (`null` for a gap). Reading it back validates everything and gives exactly the
 * samples that were written — unlike FIT, which rounds times to seconds and altitude to
 * 0.2 m — so re-importing an archive prefers this file.
 */
import { err, ok, type Result } from "../../result.js";
import type { SampleColumns } from "../../workout/columns.js";
import {
  LAP_TRIGGERS,
  type Lap,
  type LapTrigger,
  metadataFields,
  validateMetadataPatch,
  type WorkoutMetadata,
} from "../../workout/metadata.js";
import { type Sample, SCALAR_FIELDS, validateSample } from "../../workout/sample.js";
import type { WorkoutSummary } from "../../workout/summary.js";

/** The `format` marker and version of a workout JSON file. */
export const WORKOUT_JSON_FORMAT = "ridevault-workout";
export const WORKOUT_JSON_VERSION = 1;

/** A workout JSON file's content (see docs/export-format.md). */
export interface WorkoutJson {
  readonly format: typeof WORKOUT_JSON_FORMAT;
  readonly version: typeof WORKOUT_JSON_VERSION;
  readonly id: string;
  readonly metadata: {
    readonly title: string;
    readonly notes: string;
    readonly sport: WorkoutMetadata["sport"];
    readonly subSport: WorkoutMetadata["subSport"];
    readonly startTime: number;
    readonly endTime: number | null;
    readonly timerTime: number | null;
    readonly settings: WorkoutMetadata["settings"];
    readonly tags: readonly string[];
    readonly devices: readonly string[];
    readonly createdAt: number;
    readonly updatedAt: number;
    readonly deletedAt: number | null;
  };
  readonly laps: readonly { start: number; end: number | null; trigger: LapTrigger }[];
  /** Informative: recomputed from the samples on import. */
  readonly summary: WorkoutSummary | null;
  readonly samples: {
    readonly count: number;
    readonly time: readonly number[];
    /** Only the fields with at least one value are present; `null` is a gap. */
    readonly [field: string]: number | readonly (number | null)[] | readonly number[][];
  };
}

/** A workout read back from JSON: what the vault needs to recreate it. */
export interface DecodedWorkoutJson {
  readonly id: string;
  readonly metadata: WorkoutJson["metadata"];
  readonly laps: readonly Omit<Lap, "id">[];
  readonly samples: readonly Sample[];
}

/** Encodes a workout as its JSON object (stringify it to write the file). */
export function workoutToJson(input: {
  readonly id: string;
  readonly metadata: WorkoutMetadata;
  readonly columns: SampleColumns;
  readonly summary: WorkoutSummary | null;
}): WorkoutJson {
  const { metadata: m, columns } = input;
  const samples: Record<string, unknown> = {
    count: columns.length,
    time: Array.from(columns.time),
  };
  for (const field of SCALAR_FIELDS) {
    const values = columns[field];
    if (values.some((v) => !Number.isNaN(v))) {
      samples[field] = Array.from(values, (v) => (Number.isNaN(v) ? null : v));
    }
  }
  if (columns.rr.length > 0) {
    samples.rr = Array.from({ length: columns.length }, (_, i) =>
      Array.from(columns.rr.subarray(columns.rrOffsets[i], columns.rrOffsets[i + 1])),
    );
  }
  return {
    format: WORKOUT_JSON_FORMAT,
    version: WORKOUT_JSON_VERSION,
    id: input.id,
    metadata: {
      ...metadataFields(m),
      devices: Object.values(m.devices).map((d) => d.name),
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
      deletedAt: m.deletedAt,
    },
    laps: m.laps.map((lap) => ({ start: lap.start, end: lap.end, trigger: lap.trigger })),
    summary: input.summary,
    samples: samples as WorkoutJson["samples"],
  };
}

/** Why a workout JSON file was refused. */
export interface WorkoutJsonError {
  readonly code: "corrupt";
  readonly message: string;
}

const bad = (message: string) =>
  err<WorkoutJsonError>({ code: "corrupt", message: `workout JSON: ${message}` });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Validates a parsed workout JSON file strictly: any invalid value refuses the file. */
export function workoutFromJson(input: unknown): Result<DecodedWorkoutJson, WorkoutJsonError> {
  if (!isObject(input) || input.format !== WORKOUT_JSON_FORMAT)
    return bad("not a ridevault workout");
  if (input.version !== WORKOUT_JSON_VERSION) {
    return bad(
      `version ${String(input.version)} is not supported (this library reads ${WORKOUT_JSON_VERSION})`,
    );
  }
  const { id, metadata, laps, samples } = input;
  if (typeof id !== "string" || !isObject(metadata) || !Array.isArray(laps) || !isObject(samples)) {
    return bad("id, metadata, laps or samples is missing");
  }
  const { devices, createdAt, updatedAt, deletedAt, ...editable } = metadata;
  const checked = validateMetadataPatch(editable);
  if (!checked.ok) return bad(checked.error.message);
  const m = checked.value;
  if (typeof m.title !== "string" || typeof m.notes !== "string" || m.sport === undefined) {
    return bad("metadata needs a title, notes and a sport");
  }
  if (m.startTime === undefined || !Array.isArray(m.tags))
    return bad("metadata needs a startTime and tags");
  if (!Array.isArray(devices) || !devices.every((d) => typeof d === "string")) {
    return bad("metadata.devices must be a list of names");
  }
  for (const [name, value] of [
    ["createdAt", createdAt],
    ["updatedAt", updatedAt],
  ] as const) {
    if (!Number.isSafeInteger(value)) return bad(`metadata.${name} must be an integer time`);
  }
  if (deletedAt !== null && !Number.isSafeInteger(deletedAt))
    return bad("metadata.deletedAt must be null or a time");
  const decodedLaps: Omit<Lap, "id">[] = [];
  for (const lap of laps) {
    if (
      !isObject(lap) ||
      !Number.isSafeInteger(lap.start) ||
      !(
        lap.end === null ||
        (Number.isSafeInteger(lap.end) && (lap.end as number) >= (lap.start as number))
      ) ||
      !(LAP_TRIGGERS as readonly unknown[]).includes(lap.trigger)
    ) {
      return bad(
        "a lap needs an integer start, an end at or after it (or null) and a known trigger",
      );
    }
    decodedLaps.push({
      start: lap.start as number,
      end: lap.end as number | null,
      trigger: lap.trigger as LapTrigger,
    });
  }
  const decodedSamples = samplesFromJson(samples);
  if (!decodedSamples.ok) return decodedSamples;
  return ok({
    id,
    metadata: {
      title: m.title,
      notes: m.notes,
      sport: m.sport,
      subSport: m.subSport ?? null,
      startTime: m.startTime,
      endTime: m.endTime ?? null,
      timerTime: m.timerTime ?? null,
      settings: {
        ftp: m.settings?.ftp ?? null,
        maxHeartRate: m.settings?.maxHeartRate ?? null,
        thresholdHeartRate: m.settings?.thresholdHeartRate ?? null,
      },
      tags: m.tags,
      devices: devices as string[],
      createdAt: createdAt as number,
      updatedAt: updatedAt as number,
      deletedAt: deletedAt as number | null,
    },
    laps: decodedLaps,
    samples: decodedSamples.value,
  });
}

function samplesFromJson(samples: Record<string, unknown>): Result<Sample[], WorkoutJsonError> {
  const { count, time, rr } = samples;
  if (!Number.isSafeInteger(count) || !Array.isArray(time) || time.length !== count) {
    return bad("samples.count must match the length of samples.time");
  }
  const n = count as number;
  const known = new Set(["count", "time", "rr", ...SCALAR_FIELDS]);
  for (const key of Object.keys(samples)) {
    if (!known.has(key)) return bad(`unknown sample column "${key}"`);
    if (key !== "count" && (samples[key] as unknown[]).length !== n) {
      return bad(`samples.${key} must have ${n} entries`);
    }
  }
  if (rr !== undefined && !Array.isArray(rr)) return bad("samples.rr must be a list");
  const out: Sample[] = [];
  let lastTime: number | undefined;
  let lastDistance: number | undefined;
  for (let i = 0; i < n; i++) {
    const raw: Record<string, unknown> = { time: time[i] };
    for (const field of SCALAR_FIELDS) {
      const column = samples[field] as unknown[] | undefined;
      const value = column?.[i];
      if (value !== undefined && value !== null) raw[field] = value;
    }
    const intervals = (rr as unknown[] | undefined)?.[i];
    if (Array.isArray(intervals) && intervals.length > 0) raw.rr = intervals;
    const checked = validateSample(raw, {
      ...(lastTime !== undefined && { lastTime }),
      ...(lastDistance !== undefined && { lastDistance }),
    });
    if (!checked.ok) return bad(`sample ${i}: ${checked.error.message}`);
    const dropped = checked.value.dropped[0];
    if (dropped) return bad(`sample ${i}: ${dropped.reason}`);
    out.push(checked.value.sample);
    lastTime = checked.value.sample.time;
    if (checked.value.sample.distance !== undefined) lastDistance = checked.value.sample.distance;
  }
  return ok(out);
}
