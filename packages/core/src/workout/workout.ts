/**
 * An open workout: one Automerge document holding metadata, laps and sealed sample chunks.
 * Reads (metadata, samples, summary) come from the current document; every change is one
 * Automerge change, after which the vault refreshes the workout's library entry.
 */
import * as Automerge from "@automerge/automerge";
import type { DeviceId, WorkoutId } from "../ids.js";
import { err, ok, type Result } from "../result.js";
import type { Clock, Random } from "../runtime.js";
import type { DocHandle } from "../storage/doc-store.js";
import { decodeChunk, readChunkHeader } from "./chunk.js";
import { createColumns, type DeviceColumns, mergeColumns, type SampleColumns } from "./columns.js";
import {
  LAP_TRIGGERS,
  type Lap,
  type LapTrigger,
  type MetadataError,
  type MetadataPatch,
  metadataOf,
  validateMetadataPatch,
  type WorkoutDoc,
  type WorkoutMetadata,
} from "./metadata.js";
import { summarize, type WorkoutSummary } from "./summary.js";

/** A chunk that could not be read, and why; its samples are missing from a read. */
export interface ChunkProblem {
  readonly key: string;
  readonly message: string;
}

/** The result of reading samples: the columns, and any damaged chunks they lack. */
export interface SamplesRead {
  readonly columns: SampleColumns;
  readonly problems: readonly ChunkProblem[];
}

/** A time range `from ≤ time < to` in Unix ms; either end may be left open. */
export interface TimeRange {
  readonly from?: number;
  readonly to?: number;
}

/** Where a device's recording into this workout stands. */
export interface DeviceProgress {
  /** The sequence number its next chunk takes. */
  readonly nextSeq: number;
  readonly lastTime: number | undefined;
  readonly lastDistance: number | undefined;
}

/** Changes from another copy could not be applied. */
export interface ChangesError {
  readonly code: "changes-invalid";
  readonly message: string;
}

/** What happened to a workout, for the vault to refresh its library entry. */
export interface WorkoutChange {
  readonly samplesChanged: boolean;
}

/** Parts a workout needs from its vault. */
export interface WorkoutContext {
  readonly clock: Clock;
  readonly random: Random;
  readonly onChanged: (workout: Workout, change: WorkoutChange) => void;
  /** True when this rider may only read it (a read-only share). */
  readonly readOnly?: () => boolean;
}

/** The refusal to edit a workout shared read-only. */
export function readOnlyWorkout(id: string): MetadataError {
  return {
    code: "read-only",
    field: "*",
    message: `workout ${id} was shared with you read-only: ask its owner for a read-write share to edit it`,
  };
}

/** Chunks are grouped in buckets of this many sequence numbers per device. */
const BUCKET = 64;

/** The name of a device's chunk (`deviceId.seq`), as problems report it. */
export function chunkKey(deviceId: string, seq: number): string {
  return `${deviceId}.${seq}`;
}

/**
 * Where a chunk lives: `chunks[deviceId.bucket][seq]`. Buckets keep each sealing change
 * cheap: Automerge's JS document copies a map on every change to it, so one flat map of
 * 1440 chunks (a 24-hour ride) made the last commits twice as slow as the first.
 */
function chunkPath(deviceId: string, seq: number): [string, string] {
  return [`${deviceId}.${Math.floor(seq / BUCKET)}`, String(seq)];
}

/** Every stored chunk with its device and sequence number. */
function* storedChunks(
  doc: WorkoutDoc,
): Generator<{ deviceId: string; seq: number; bytes: Uint8Array }> {
  for (const [bucketKey, bucket] of Object.entries(doc.chunks)) {
    const deviceId = bucketKey.slice(0, bucketKey.lastIndexOf("."));
    for (const [seq, bytes] of Object.entries(bucket)) yield { deviceId, seq: Number(seq), bytes };
  }
}

/** A workout document, opened from a vault. */
export class Workout {
  readonly id: WorkoutId;
  readonly #handle: DocHandle<WorkoutDoc>;
  readonly #context: WorkoutContext;
  #summaryCache: { chunkCount: number; summary: WorkoutSummary } | undefined;

  /** @internal Workouts are opened through `vault.workouts`. */
  constructor(handle: DocHandle<WorkoutDoc>, context: WorkoutContext) {
    this.id = handle.documentId as unknown as WorkoutId;
    this.#handle = handle;
    this.#context = context;
  }

  #doc(): WorkoutDoc {
    return this.#handle.doc() as WorkoutDoc;
  }

  /** The current metadata. */
  metadata(): WorkoutMetadata {
    return metadataOf(this.#doc());
  }

  /** True when this rider may only read the workout (it was shared with them read-only). */
  get readOnly(): boolean {
    return this.#context.readOnly?.() ?? false;
  }

  /** True when the workout is in the bin (soft-deleted). */
  get deleted(): boolean {
    return this.#doc().deletedAt !== null;
  }

  /** Edits metadata as one change; text fields merge character by character. */
  update(input: MetadataPatch): Result<WorkoutMetadata, MetadataError> {
    if (this.readOnly) return err(readOnlyWorkout(this.id));
    const checked = validateMetadataPatch(input);
    if (!checked.ok) return checked;
    const patch = checked.value;
    const now = this.#context.clock.now();
    this.#handle.change((d) => {
      if (patch.title !== undefined) Automerge.updateText(d, ["title"], patch.title);
      if (patch.notes !== undefined) Automerge.updateText(d, ["notes"], patch.notes);
      if (patch.sport !== undefined) d.sport = patch.sport;
      if (patch.subSport !== undefined) d.subSport = patch.subSport;
      if (patch.startTime !== undefined) d.startTime = patch.startTime;
      if (patch.endTime !== undefined) d.endTime = patch.endTime;
      if (patch.timerTime !== undefined) d.timerTime = patch.timerTime;
      for (const [key, value] of Object.entries(patch.settings ?? {})) {
        d.settings[key as keyof WorkoutDoc["settings"]] = value as number | null;
      }
      if (patch.tags !== undefined) {
        const wanted = new Set(patch.tags);
        for (const tag of Object.keys(d.tags)) if (!wanted.has(tag)) delete d.tags[tag];
        for (const tag of wanted) if (!d.tags[tag]) d.tags[tag] = true;
      }
      d.updatedAt = now;
    });
    this.#changed(false);
    return ok(this.metadata());
  }

  /** Adds a lap. `end` may be null for a lap still running. */
  addLap(lap: {
    readonly start: number;
    readonly end?: number | null;
    readonly trigger?: LapTrigger;
  }): Result<Lap, MetadataError> {
    if (this.readOnly) return err(readOnlyWorkout(this.id));
    const end = lap.end ?? null;
    const trigger = lap.trigger ?? "manual";
    if (
      !Number.isSafeInteger(lap.start) ||
      (end !== null && !(Number.isSafeInteger(end) && end >= lap.start))
    ) {
      return err({
        code: "invalid-metadata",
        field: "laps",
        message: "a lap needs an integer start and an end at or after it",
      });
    }
    if (!LAP_TRIGGERS.includes(trigger)) {
      return err({
        code: "invalid-metadata",
        field: "laps",
        message: `lap trigger must be one of ${LAP_TRIGGERS.join(", ")}`,
      });
    }
    const id = Array.from(this.#context.random.bytes(6), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
    this.#handle.change((d) => {
      d.laps[id] = { start: lap.start, end, trigger };
      d.updatedAt = this.#context.clock.now();
    });
    this.#changed(false);
    return ok({ id, start: lap.start, end, trigger });
  }

  /**
   * The samples of a time range (all of them by default) as typed columns, merged across
   * the devices that recorded them. A damaged chunk is reported in `problems`, never skipped
   * silently.
   */
  samples(range: TimeRange = {}): SamplesRead {
    const parts: DeviceColumns[] = [];
    const problems: ChunkProblem[] = [];
    for (const { deviceId, seq, bytes } of storedChunks(this.#doc())) {
      const key = chunkKey(deviceId, seq);
      const header = readChunkHeader(bytes);
      if (!header.ok) {
        problems.push({ key, message: header.error.message });
        continue;
      }
      if (range.from !== undefined && header.value.lastTime < range.from) continue;
      if (range.to !== undefined && header.value.firstTime >= range.to) continue;
      const decoded = decodeChunk(bytes);
      if (decoded.ok) parts.push({ deviceId, columns: decoded.value });
      else problems.push({ key, message: decoded.error.message });
    }
    const columns = parts.length > 0 ? mergeColumns(parts, range) : createColumns(0);
    return { columns, problems };
  }

  /**
   * The samples in all sealed chunks, read from their headers alone (cheap; samples that two
   * devices both recorded count twice, unlike `summary().samples`).
   */
  get storedSampleCount(): number {
    let count = 0;
    for (const { bytes } of storedChunks(this.#doc())) {
      const header = readChunkHeader(bytes);
      if (header.ok) count += header.value.count;
    }
    return count;
  }

  /** The number of sealed chunks, over all devices. */
  get chunkCount(): number {
    let count = 0;
    for (const bucket of Object.values(this.#doc().chunks)) count += Object.keys(bucket).length;
    return count;
  }

  /** The summary of all samples (cached until new chunks arrive). */
  summary(): WorkoutSummary {
    const chunkCount = this.chunkCount;
    if (this.#summaryCache?.chunkCount !== chunkCount) {
      this.#summaryCache = { chunkCount, summary: summarize(this.samples().columns) };
    }
    return this.#summaryCache.summary;
  }

  /** Where `deviceId`'s recording into this workout stands (for resuming a recording). */
  progressOf(deviceId: DeviceId): DeviceProgress {
    let nextSeq = 0;
    let lastBytes: Uint8Array | undefined;
    let lastTime: number | undefined;
    for (const chunk of storedChunks(this.#doc())) {
      if (chunk.deviceId !== deviceId) continue;
      nextSeq = Math.max(nextSeq, chunk.seq + 1);
      const header = readChunkHeader(chunk.bytes);
      if (header.ok && (lastTime === undefined || header.value.lastTime > lastTime)) {
        lastTime = header.value.lastTime;
        lastBytes = chunk.bytes;
      }
    }
    let lastDistance: number | undefined;
    const decoded = lastBytes ? decodeChunk(lastBytes) : undefined;
    if (decoded?.ok) {
      const distances = decoded.value.distance;
      for (let i = distances.length - 1; i >= 0 && lastDistance === undefined; i--) {
        if (!Number.isNaN(distances[i] as number)) lastDistance = distances[i];
      }
    }
    return { nextSeq, lastTime, lastDistance };
  }

  /** True when the chunk `seq` of `deviceId` is sealed into the document. */
  hasChunk(deviceId: string, seq: number): boolean {
    const [bucket, key] = chunkPath(deviceId, seq);
    return this.#doc().chunks[bucket]?.[key] !== undefined;
  }

  /**
   * @internal Seals a chunk as one Automerge change (the recorder's path). Also records the
   * device in `devices`.
   */
  sealChunk(options: {
    deviceId: DeviceId;
    deviceName: string;
    seq: number;
    bytes: Uint8Array;
  }): void {
    const [bucket, key] = chunkPath(options.deviceId, options.seq);
    this.#handle.change((d) => {
      d.chunks[bucket] ??= {};
      (d.chunks[bucket] as Record<string, Uint8Array>)[key] = options.bytes;
      if (!d.devices[options.deviceId]) d.devices[options.deviceId] = { name: options.deviceName };
    });
    this.#changed(true);
  }

  /** @internal Sets or clears the tombstone. */
  setDeleted(deletedAt: number | null): void {
    this.#handle.change((d) => {
      d.deletedAt = deletedAt;
      d.updatedAt = this.#context.clock.now();
    });
    this.#changed(false);
  }

  /** The document's current heads (hex change hashes). */
  heads(): string[] {
    return Automerge.getHeads(this.#doc());
  }

  /** The whole document as Automerge bytes. */
  save(): Uint8Array {
    return Automerge.save(this.#doc());
  }

  /** The Automerge changes made since `heads` (all of them without heads). */
  changesSince(heads: readonly string[] = []): Uint8Array {
    return Automerge.saveSince(this.#doc(), [...heads]);
  }

  /**
   * Applies changes from another copy of this workout (Automerge bytes from `save` or
   * `changesSince`), in any order; applying the same changes twice changes nothing.
   */
  applyChanges(bytes: Uint8Array): Result<WorkoutMetadata, ChangesError> {
    const before = this.chunkCount;
    try {
      // Clone first: a failed load must leave the current document untouched.
      const next = Automerge.loadIncremental(Automerge.clone(this.#doc()), bytes);
      this.#handle.update(() => next);
    } catch (error) {
      return err({
        code: "changes-invalid",
        message: `changes for workout ${this.id} could not be applied: ${(error as Error).message}`,
      });
    }
    this.#changed(this.chunkCount !== before);
    return ok(this.metadata());
  }

  /** Calls `listener` after every change to this workout, local or merged. */
  onChange(listener: () => void): () => void {
    return this.#handle.onChange(listener);
  }

  #changed(samplesChanged: boolean): void {
    this.#context.onChanged(this, { samplesChanged });
  }
}
