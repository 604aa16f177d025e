/**
 * A workout's metadata: what the rider sees and edits, and the settings its analytics use.
 * The shape stored in the Automerge document (`WorkoutDoc`), the plain shape the API returns
 * (`WorkoutMetadata`), and validation of untrusted patches.
 */
import { err, ok, type Result } from "../result.js";
import { MAX_TIME, MIN_TIME } from "./sample.js";

export const SPORTS = ["cycling", "running", "walking", "hiking", "rowing", "other"] as const;
export type Sport = (typeof SPORTS)[number];

export const SUB_SPORTS = [
  "road",
  "mountain",
  "gravel",
  "indoor",
  "virtual",
  "track",
  "commute",
  "e-bike",
] as const;
export type SubSport = (typeof SUB_SPORTS)[number];

export const LAP_TRIGGERS = ["manual", "distance", "time", "position", "session-end"] as const;
export type LapTrigger = (typeof LAP_TRIGGERS)[number];

/** A lap: from `start` to `end` (Unix ms; `end` null while the lap is running). */
export interface Lap {
  readonly id: string;
  readonly start: number;
  readonly end: number | null;
  readonly trigger: LapTrigger;
}

/** The rider's settings at the time of the ride, for power and heart-rate analytics. */
export interface AnalyticsSettings {
  /** Functional threshold power, W. */
  readonly ftp: number | null;
  readonly maxHeartRate: number | null;
  /** Lactate threshold heart rate, bpm. */
  readonly thresholdHeartRate: number | null;
}

/** A device that recorded samples into this workout. */
export interface RecordingDevice {
  readonly name: string;
}

/** The document as stored in Automerge. Change it only through `Workout` and the vault. */
export interface WorkoutDoc {
  type: "ridevault/workout";
  schema: 1;
  title: string;
  notes: string;
  sport: Sport;
  subSport: SubSport | null;
  startTime: number;
  endTime: number | null;
  /** Timer time in ms when the recorder knows it (pauses); otherwise derived from samples. */
  timerTime: number | null;
  settings: { ftp: number | null; maxHeartRate: number | null; thresholdHeartRate: number | null };
  devices: Record<string, { name: string }>;
  laps: Record<string, { start: number; end: number | null; trigger: LapTrigger }>;
  tags: Record<string, true>;
  /**
   * Sealed sample chunks, `chunks[deviceId.bucket][seq]` with bucket = ⌊seq / 64⌋: a union
   * over devices, never duplicated.
   */
  chunks: Record<string, Record<string, Uint8Array>>;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

/** The metadata of a workout, as the API returns it. */
export interface WorkoutMetadata {
  readonly title: string;
  readonly notes: string;
  readonly sport: Sport;
  readonly subSport: SubSport | null;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly timerTime: number | null;
  readonly settings: AnalyticsSettings;
  readonly devices: Readonly<Record<string, RecordingDevice>>;
  readonly laps: readonly Lap[];
  readonly tags: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deletedAt: number | null;
}

/** The fields of the metadata the rider sets, which every copy of a workout carries over. */
export type MetadataFields = Pick<
  WorkoutMetadata,
  | "title"
  | "notes"
  | "sport"
  | "subSport"
  | "startTime"
  | "endTime"
  | "timerTime"
  | "settings"
  | "tags"
>;

/** The `MetadataFields` of `metadata` alone, in that order (a shallow copy). */
export function metadataFields(metadata: MetadataFields): MetadataFields {
  return {
    title: metadata.title,
    notes: metadata.notes,
    sport: metadata.sport,
    subSport: metadata.subSport,
    startTime: metadata.startTime,
    endTime: metadata.endTime,
    timerTime: metadata.timerTime,
    settings: metadata.settings,
    tags: metadata.tags,
  };
}

/** The editable part of the metadata. `null` clears an optional value. */
export interface MetadataPatch {
  readonly title?: string;
  readonly notes?: string;
  readonly sport?: Sport;
  readonly subSport?: SubSport | null;
  readonly startTime?: number;
  readonly endTime?: number | null;
  readonly timerTime?: number | null;
  readonly settings?: Partial<AnalyticsSettings>;
  readonly tags?: readonly string[];
}

/** Why a metadata patch was refused. */
export interface MetadataError {
  /** `read-only`: the workout was shared with this rider read-only. */
  readonly code: "invalid-metadata" | "read-only";
  readonly field: string;
  readonly message: string;
}

const MAX_TITLE = 200;
const MAX_NOTES = 20_000;

/** Checks an untrusted patch; returns it unchanged when every field is valid. */
export function validateMetadataPatch(input: unknown): Result<MetadataPatch, MetadataError> {
  if (typeof input !== "object" || input === null) {
    return bad("patch", "metadata must be an object");
  }
  const patch = input as Record<string, unknown>;
  const known = new Set([
    "title",
    "notes",
    "sport",
    "subSport",
    "startTime",
    "endTime",
    "timerTime",
    "settings",
    "tags",
  ]);
  for (const key of Object.keys(patch)) {
    if (!known.has(key)) return bad(key, `unknown metadata field "${key}"`);
  }
  const { title, notes, sport, subSport, startTime, endTime, timerTime, settings, tags } = patch;
  if (title !== undefined && (typeof title !== "string" || title.length > MAX_TITLE)) {
    return bad("title", `title must be a string of at most ${MAX_TITLE} characters`);
  }
  if (notes !== undefined && (typeof notes !== "string" || notes.length > MAX_NOTES)) {
    return bad("notes", `notes must be a string of at most ${MAX_NOTES} characters`);
  }
  if (sport !== undefined && !(SPORTS as readonly unknown[]).includes(sport)) {
    return bad("sport", `sport must be one of ${SPORTS.join(", ")}`);
  }
  if (
    subSport !== undefined &&
    subSport !== null &&
    !(SUB_SPORTS as readonly unknown[]).includes(subSport)
  ) {
    return bad("subSport", `subSport must be null or one of ${SUB_SPORTS.join(", ")}`);
  }
  if (startTime !== undefined && !isTime(startTime)) {
    return bad("startTime", "startTime must be a Unix time in integer milliseconds (2000–2200)");
  }
  if (endTime !== undefined && endTime !== null && !isTime(endTime)) {
    return bad("endTime", "endTime must be null or a Unix time in integer milliseconds");
  }
  if (
    timerTime !== undefined &&
    timerTime !== null &&
    !(Number.isSafeInteger(timerTime) && (timerTime as number) >= 0)
  ) {
    return bad("timerTime", "timerTime must be null or a non-negative integer of milliseconds");
  }
  if (settings !== undefined) {
    const problem = checkSettings(settings);
    if (problem) return problem;
  }
  if (
    tags !== undefined &&
    !(
      Array.isArray(tags) &&
      tags.length <= 50 &&
      tags.every((t) => typeof t === "string" && t.length > 0 && t.length <= 50)
    )
  ) {
    return bad("tags", "tags must be at most 50 non-empty strings of at most 50 characters");
  }
  return ok(patch as MetadataPatch);
}

function checkSettings(settings: unknown): { ok: false; error: MetadataError } | undefined {
  if (typeof settings !== "object" || settings === null) {
    return bad("settings", "settings must be an object");
  }
  const limits: Record<string, [number, number, string]> = {
    ftp: [1, 2000, "W"],
    maxHeartRate: [60, 250, "bpm"],
    thresholdHeartRate: [60, 250, "bpm"],
  };
  for (const [key, value] of Object.entries(settings)) {
    const limit = limits[key];
    if (!limit) return bad(`settings.${key}`, `unknown setting "${key}"`);
    const [min, max, unit] = limit;
    if (value !== null && !(Number.isInteger(value) && value >= min && value <= max)) {
      return bad(
        `settings.${key}`,
        `${key} must be null or an integer from ${min} to ${max} ${unit}`,
      );
    }
  }
  return undefined;
}

function isTime(value: unknown): boolean {
  return (
    Number.isSafeInteger(value) && (value as number) >= MIN_TIME && (value as number) <= MAX_TIME
  );
}

function bad(field: string, message: string): { ok: false; error: MetadataError } {
  return err({ code: "invalid-metadata", field, message });
}

/** The plain metadata of a stored document. */
export function metadataOf(doc: WorkoutDoc): WorkoutMetadata {
  return {
    title: String(doc.title),
    notes: String(doc.notes),
    sport: doc.sport,
    subSport: doc.subSport,
    startTime: doc.startTime,
    endTime: doc.endTime,
    timerTime: doc.timerTime,
    settings: { ...doc.settings },
    devices: Object.fromEntries(
      Object.entries(doc.devices).map(([id, d]) => [id, { name: String(d.name) }]),
    ),
    laps: Object.entries(doc.laps)
      .map(([id, lap]) => ({ id, start: lap.start, end: lap.end, trigger: lap.trigger }))
      .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1)),
    tags: Object.keys(doc.tags).sort(),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    deletedAt: doc.deletedAt,
  };
}
