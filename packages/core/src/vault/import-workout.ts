/**
 * Turning an imported ride into a workout of the vault, all or nothing. The whole document
 * — metadata, laps, the device and every sample chunk — is built in memory first, from
 * samples the importer already validated, and only then added to the vault in one step
 * (`workouts.import`), which writes the document and its library entry with the summary
 * before it resolves. A file that fails to parse creates nothing.
 *
 * Duplicates: a ride is already in the vault when a workout (including one in the bin) has
 * the same start time and exactly the same samples. Only workouts starting at that moment
 * are opened to compare, so the check costs nothing for a new ride. Comparing the samples
 * rather than a hash of the file bytes also catches the same ride under another name or
 * compression (a `.fit` and its `.fit.gz`, an archive restored twice), and needs no extra
 * field in the workout document. The same ride in two formats (FIT rounds times to seconds)
 * has different samples and is imported twice.
 */
import * as Automerge from "@automerge/automerge";
import { type ImportFile, importWorkoutFile } from "../formats/import/import-file.js";
import type { ImportError, ImportedWorkout } from "../formats/import/imported-workout.js";
import type { DeviceId, WorkoutId } from "../ids.js";
import { err, ok, type Result } from "../result.js";
import type { Clock, Random } from "../runtime.js";
import { base58 } from "../storage/doc-store.js";
import { encodeChunk } from "../workout/chunk.js";
import { type SampleColumns, samplesToColumns } from "../workout/columns.js";
import type { LapTrigger, MetadataFields, WorkoutDoc } from "../workout/metadata.js";
import { type Sample, SCALAR_FIELDS } from "../workout/sample.js";
import type { LibraryEntry } from "./library.js";
import type { Workouts } from "./workouts.js";

/** What importing needs from the vault. */
export interface ImportContext {
  readonly workouts: Workouts;
  readonly deviceId: DeviceId;
  readonly clock: Clock;
  readonly random: Random;
}

/** The outcome of importing one file. */
export type ImportOutcome =
  | { readonly status: "imported"; readonly workoutId: WorkoutId; readonly entry: LibraryEntry }
  | { readonly status: "duplicate"; readonly workoutId: WorkoutId; readonly entry: LibraryEntry };

/** The vault could not store the workout (storage failed); nothing was added to the library. */
export interface ImportStoreError {
  readonly code: "store-failed";
  readonly message: string;
}

/** Samples per sealed chunk of an imported ride (a recording seals one a minute). */
export const IMPORT_CHUNK_SAMPLES = 600;
/** Chunks per Automerge change, so no change outgrows a sync envelope. */
const CHUNKS_PER_CHANGE = 8;
/** As in workout.ts: chunks live in `chunks["deviceId.bucket"][seq]`, 64 per bucket. */
const BUCKET = 64;

/** Parses a file and adds it to the vault, unless the same ride is already there. */
export async function importFileIntoVault(
  ctx: ImportContext,
  file: ImportFile,
): Promise<Result<ImportOutcome, ImportError | ImportStoreError>> {
  const parsed = importWorkoutFile(file);
  if (!parsed.ok) return parsed;
  return addDraft(ctx, draftOf(parsed.value, defaultTitle(file.name)));
}

/** Everything a new workout is made of, validated: the vault stores it in one step. */
export interface WorkoutDraft extends MetadataFields {
  readonly laps: readonly { start: number; end: number | null; trigger: LapTrigger }[];
  /** The name of the device the samples came from. */
  readonly deviceName: string;
  readonly samples: readonly Sample[];
  readonly deletedAt: number | null;
}

/** The draft of an imported ride, titled `title` when the file carries none. */
export function draftOf(imported: ImportedWorkout, title: string): WorkoutDraft {
  const pausedMs = imported.pauses.reduce((sum, p) => sum + (p.end - p.start), 0);
  return {
    title: (imported.title ?? title).slice(0, 200),
    notes: (imported.notes ?? "").slice(0, 20_000),
    sport: imported.sport,
    subSport: imported.subSport,
    startTime: imported.startTime,
    endTime: imported.endTime,
    timerTime: pausedMs > 0 ? Math.max(0, imported.endTime - imported.startTime - pausedMs) : null,
    settings: { ftp: imported.ftp, maxHeartRate: null, thresholdHeartRate: null },
    tags: [],
    laps: imported.laps,
    deviceName: (imported.device ?? `${imported.format} import`).slice(0, 100),
    samples: imported.samples,
    deletedAt: null,
  };
}

/** The imports running in each vault, so concurrent imports of one ride cannot both add it. */
const queues = new WeakMap<Workouts, Promise<unknown>>();

/**
 * Adds a draft to the vault as a new workout, unless the same ride is already there.
 * Imports into one vault run one at a time, so the duplicate check never races.
 */
export function addDraft(
  ctx: ImportContext,
  draft: WorkoutDraft,
): Promise<Result<ImportOutcome, ImportStoreError>> {
  const previous = queues.get(ctx.workouts) ?? Promise.resolve();
  const next = previous.then(() => addNow(ctx, draft));
  queues.set(
    ctx.workouts,
    next.catch(() => undefined),
  );
  return next;
}

async function addNow(
  ctx: ImportContext,
  draft: WorkoutDraft,
): Promise<Result<ImportOutcome, ImportStoreError>> {
  const columns = samplesToColumns(draft.samples);
  const duplicate = await findDuplicate(ctx.workouts, draft.startTime, columns);
  if (duplicate) return ok({ status: "duplicate", workoutId: duplicate.id, entry: duplicate });
  const id = base58(ctx.random.bytes(16)) as WorkoutId;
  const bytes = buildWorkoutBytes(ctx, draft);
  try {
    const added = await ctx.workouts.import(id, bytes);
    if (!added.ok) throw new Error(added.error.message);
  } catch (error) {
    return err({
      code: "store-failed",
      message: `the ride was read but could not be stored: ${(error as Error).message}`,
    });
  }
  return ok({ status: "imported", workoutId: id, entry: ctx.workouts.get(id) as LibraryEntry });
}

/** A workout with this start time and exactly these samples, if the vault has one. */
export async function findDuplicate(
  workouts: Workouts,
  startTime: number,
  columns: SampleColumns,
): Promise<LibraryEntry | undefined> {
  const candidates = workouts
    .list({ deleted: true, from: startTime, to: startTime + 1 })
    .filter((entry) => entry.summary === null || entry.summary.samples === columns.length);
  for (const entry of candidates) {
    const opened = await workouts.open(entry.id);
    if (opened.ok && sameColumns(opened.value.samples().columns, columns)) return entry;
  }
  return undefined;
}

function sameColumns(a: SampleColumns, b: SampleColumns): boolean {
  if (a.length !== b.length || !sameArray(a.time, b.time)) return false;
  if (!sameArray(a.rrOffsets, b.rrOffsets) || !sameArray(a.rr, b.rr)) return false;
  return SCALAR_FIELDS.every((field) => sameArray(a[field], b[field]));
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) return false;
  }
  return true;
}

/** The file name without folders and extensions, as a title for files that carry none. */
export function defaultTitle(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const stem = base.replace(/(\.(fit|tcx|gpx|json))?(\.gz)?$/i, "").trim();
  return (stem === "" ? "Imported ride" : stem).slice(0, 200);
}

/** The complete Automerge document of a draft, as bytes. */
function buildWorkoutBytes(ctx: ImportContext, draft: WorkoutDraft): Uint8Array {
  const now = ctx.clock.now();
  const laps: WorkoutDoc["laps"] = {};
  for (const lap of draft.laps) {
    const lapId = Array.from(ctx.random.bytes(6), (b) => b.toString(16).padStart(2, "0")).join("");
    laps[lapId] = { start: lap.start, end: lap.end, trigger: lap.trigger };
  }
  const initial: WorkoutDoc = {
    type: "ridevault/workout",
    schema: 1,
    title: draft.title,
    notes: draft.notes,
    sport: draft.sport,
    subSport: draft.subSport,
    startTime: draft.startTime,
    endTime: draft.endTime,
    timerTime: draft.timerTime,
    settings: { ...draft.settings },
    devices: draft.samples.length > 0 ? { [ctx.deviceId]: { name: draft.deviceName } } : {},
    laps,
    tags: Object.fromEntries(draft.tags.map((t) => [t, true as const])),
    chunks: {},
    createdAt: now,
    updatedAt: now,
    deletedAt: draft.deletedAt,
  };
  let doc = Automerge.from(
    initial as unknown as Record<string, unknown>,
  ) as Automerge.Doc<WorkoutDoc>;
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < draft.samples.length; i += IMPORT_CHUNK_SAMPLES) {
    chunks.push(encodeChunk(draft.samples.slice(i, i + IMPORT_CHUNK_SAMPLES)));
  }
  for (let first = 0; first < chunks.length; first += CHUNKS_PER_CHANGE) {
    doc = Automerge.change(doc, (d) => {
      for (let seq = first; seq < Math.min(chunks.length, first + CHUNKS_PER_CHANGE); seq++) {
        const bucket = `${ctx.deviceId}.${Math.floor(seq / BUCKET)}`;
        d.chunks[bucket] ??= {};
        (d.chunks[bucket] as Record<string, Uint8Array>)[String(seq)] = chunks[seq] as Uint8Array;
      }
    });
  }
  return Automerge.save(doc);
}
