/**
 * Recording samples into a workout the way a live recorder does: one sample per tick.
 *
 * Each sample is validated, written to the crash log (so a killed process loses nothing
 * that `append` acknowledged) and buffered. When the buffer holds `chunkSamples` samples or
 * spans `chunkMs`, it is sealed into the document as one binary chunk in one Automerge
 * change; the chunk's crash log is deleted once storage has the sealed chunk. The cost per
 * sample stays flat however long the ride (DESIGN.md §2).
 */
import type { DeviceId } from "../ids.js";
import { err, ok, type Result } from "../result.js";
import type { CrashLog, CrashLogKey } from "../storage/crash-log.js";
import { encodeChunk } from "./chunk.js";
import type { DroppedField, Sample, SampleError } from "./sample.js";
import { validateSample } from "./sample.js";
import type { Workout } from "./workout.js";

/** Options of a recording. */
export interface RecordingOptions {
  /** Seal a chunk after this many samples (default 60). */
  readonly chunkSamples?: number;
  /** …or once the buffered samples span this many ms (default 60 000). */
  readonly chunkMs?: number;
}

/** What `append` did with a sample. */
export interface AppendReport {
  /** Fields of the sample that were invalid and left out, with reasons. */
  readonly dropped: readonly DroppedField[];
  /** True when this append sealed a chunk. */
  readonly sealed: boolean;
}

/** A recording that can no longer take samples. */
export interface RecordingClosedError {
  readonly code: "recording-closed";
  readonly message: string;
  readonly time: unknown;
}

/** Parts a recording needs from its vault. */
export interface RecordingContext {
  readonly workout: Workout;
  readonly deviceId: DeviceId;
  readonly deviceName: string;
  readonly crashLog: CrashLog;
  /** Resolves once the workout's sealed chunks are in storage. */
  readonly persist: () => Promise<void>;
  /** Refreshes the workout's summary in the library and persists everything. */
  readonly finished: () => Promise<void>;
  /** Called with errors of background work (persisting a chunk, deleting a log). */
  readonly onError: (error: Error) => void;
}

/** Appends samples to one workout from one device. Get one from `vault.workouts.record`. */
export class Recording {
  readonly #context: RecordingContext;
  readonly #chunkSamples: number;
  readonly #chunkMs: number;
  #seq: number;
  #lastTime: number | undefined;
  #lastDistance: number | undefined;
  #tail: Sample[] = [];
  #background: Promise<void> = Promise.resolve();
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  /** @internal */
  constructor(context: RecordingContext, options: RecordingOptions = {}) {
    this.#context = context;
    this.#chunkSamples = options.chunkSamples ?? 60;
    this.#chunkMs = options.chunkMs ?? 60_000;
    const progress = context.workout.progressOf(context.deviceId);
    this.#seq = progress.nextSeq;
    this.#lastTime = progress.lastTime;
    this.#lastDistance = progress.lastDistance;
  }

  /** The workout being recorded. */
  get workout(): Workout {
    return this.#context.workout;
  }

  /** Samples appended but not yet sealed into the document (they are in the crash log). */
  get pending(): number {
    return this.#tail.length;
  }

  /**
   * Validates and records one sample. Resolves once the sample is in the crash log. Samples
   * must come in increasing time; appends are processed in call order.
   */
  append(input: unknown): Promise<Result<AppendReport, SampleError | RecordingClosedError>> {
    const next = this.#queue.then(() => this.#append(input));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #append(input: unknown): Promise<Result<AppendReport, SampleError | RecordingClosedError>> {
    if (this.#closed) {
      return err({
        code: "recording-closed",
        time: (input as { time?: unknown } | null)?.time,
        message: "this recording is finished; start a new one with vault.workouts.record()",
      });
    }
    const checked = validateSample(input, {
      ...(this.#lastTime !== undefined && { lastTime: this.#lastTime }),
      ...(this.#lastDistance !== undefined && { lastDistance: this.#lastDistance }),
    });
    if (!checked.ok) return checked;
    const { sample, dropped } = checked.value;
    await this.#context.crashLog.append(this.#logKey(), encodeChunk([sample]));
    this.#tail.push(sample);
    this.#lastTime = sample.time;
    if (sample.distance !== undefined) this.#lastDistance = sample.distance;
    const first = this.#tail[0] as Sample;
    const full =
      this.#tail.length >= this.#chunkSamples || sample.time - first.time >= this.#chunkMs;
    if (full) this.#seal();
    return ok({ dropped, sealed: full });
  }

  /** Resolves once every chunk sealed so far is in storage (does not seal the buffer). */
  async whenPersisted(): Promise<void> {
    await this.#queue;
    await this.#background;
  }

  /** Seals the buffered samples now (e.g. on pause) and waits until storage has them. */
  async flush(): Promise<void> {
    await this.#queue;
    this.#seal();
    await this.#background;
  }

  /**
   * Seals what is buffered, sets the end time (default: the last sample's time) and ends
   * the recording. The workout's summary in the library is refreshed.
   */
  async finish(options: { readonly endTime?: number } = {}): Promise<void> {
    await this.flush();
    this.#closed = true;
    const endTime = options.endTime ?? this.#lastTime;
    if (endTime !== undefined) {
      const updated = this.#context.workout.update({ endTime });
      if (!updated.ok) throw new RangeError(updated.error.message);
    }
    await this.#context.finished();
  }

  #logKey(): CrashLogKey {
    return {
      workoutId: this.#context.workout.id,
      deviceId: this.#context.deviceId,
      seq: this.#seq,
    };
  }

  #seal(): void {
    if (this.#tail.length === 0) return;
    const key = this.#logKey();
    this.#context.workout.sealChunk({
      deviceId: this.#context.deviceId,
      deviceName: this.#context.deviceName,
      seq: this.#seq,
      bytes: encodeChunk(this.#tail),
    });
    this.#tail = [];
    this.#seq++;
    this.#background = this.#background
      .then(() => this.#context.persist())
      .then(() => this.#context.crashLog.remove(key))
      .catch((error: unknown) => this.#context.onError(error as Error));
  }
}
