/**
 * `vault.workouts`: the workout API of a vault — create, open, list, update, remove (to the
 * bin), restore, purge, record, import. Keeps each workout's library entry in step with its
 * document.
 */
import * as Automerge from "@automerge/automerge";
import { type DeviceId, isWorkoutId } from "../ids.js";
import { err, ok, type Result } from "../result.js";
import type { Clock, Random } from "../runtime.js";
import type { CrashLog } from "../storage/crash-log.js";
import type { DocHandle, DocStore } from "../storage/doc-store.js";
import {
  type MetadataError,
  type MetadataPatch,
  validateMetadataPatch,
  type WorkoutDoc,
  type WorkoutMetadata,
} from "../workout/metadata.js";
import { Recording, type RecordingOptions } from "../workout/recording.js";
import { type ChangesError, readOnlyWorkout, Workout } from "../workout/workout.js";
import { entryAnalytics, entryIsCurrent } from "./entry-analytics.js";
import {
  type AlreadyRecordingError,
  alreadyRecording,
  type NotFoundError,
  notFound,
  notSynced,
  type OpenError,
  workoutCorrupt,
} from "./errors.js";
import {
  entryOf,
  filterEntries,
  type LibraryDoc,
  type LibraryEntry,
  type ListOptions,
} from "./library.js";

/** @internal What the workout API needs from its vault. */
export interface WorkoutsContext {
  readonly docs: DocStore;
  readonly library: DocHandle<LibraryDoc>;
  readonly crashLog: CrashLog;
  readonly deviceId: DeviceId;
  readonly deviceName: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly recording: RecordingOptions;
  readonly summaryDelayMs: number;
  readonly summaryIntervalMs: number;
  readonly entries: () => ReadonlyMap<string, LibraryEntry>;
  /**
   * For a workout shared with this rider, how (and its entry, kept apart from the rider's
   * own in `sharedEntries`); undefined for the rider's own workouts.
   */
  readonly shared?: (
    id: string,
  ) => { mode: "read" | "write"; entry: LibraryEntry | undefined } | undefined;
}

/** Create, open, list, edit, delete and record workouts. */
export class Workouts {
  readonly #ctx: WorkoutsContext;
  readonly #open = new Map<string, Promise<Result<Workout, OpenError>>>();
  readonly #staleSummaries = new Set<Workout>();
  /** Workouts with a recording open on this device. */
  readonly #recording = new Set<string>();
  #summaryTimer: ReturnType<typeof setTimeout> | undefined;
  #lastSummaryAt = Number.NEGATIVE_INFINITY;
  readonly #errors: Error[] = [];

  /** @internal */
  constructor(context: WorkoutsContext) {
    this.#ctx = context;
  }

  /**
   * Creates a workout (title, sport, start time… all optional; start defaults to now).
   * Resolves once the workout and its library entry are in storage.
   */
  async create(input: MetadataPatch = {}): Promise<Result<Workout, MetadataError>> {
    const checked = validateMetadataPatch(input);
    if (!checked.ok) return checked;
    if (this.#ctx.library.doc().type !== "ridevault/library") {
      return err({
        code: "invalid-metadata",
        field: "library",
        message:
          "this vault joined another device's library and has not received it yet; wait for sync before creating workouts",
      });
    }
    const meta = checked.value;
    const now = this.#ctx.clock.now();
    const doc: WorkoutDoc = {
      type: "ridevault/workout",
      schema: 1,
      title: meta.title ?? "",
      notes: meta.notes ?? "",
      sport: meta.sport ?? "cycling",
      subSport: meta.subSport ?? null,
      startTime: meta.startTime ?? now,
      endTime: meta.endTime ?? null,
      timerTime: meta.timerTime ?? null,
      settings: {
        ftp: meta.settings?.ftp ?? null,
        maxHeartRate: meta.settings?.maxHeartRate ?? null,
        thresholdHeartRate: meta.settings?.thresholdHeartRate ?? null,
      },
      devices: {},
      laps: {},
      tags: Object.fromEntries((meta.tags ?? []).map((t) => [t, true as const])),
      chunks: {},
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    const workout = this.#wrap(this.#ctx.docs.create<WorkoutDoc>(doc));
    this.#open.set(workout.id, Promise.resolve(ok(workout)));
    this.#writeEntry(workout, null);
    await this.persist(workout.id);
    return ok(workout);
  }

  /** Opens a workout by id; a damaged one gives `workout-corrupt`, naming it. */
  open(id: string): Promise<Result<Workout, OpenError>> {
    let pending = this.#open.get(id);
    if (!pending) {
      pending = this.#load(id);
      this.#open.set(id, pending);
      void pending.then((result) => {
        if (!result.ok) this.#open.delete(id);
      });
    }
    return pending;
  }

  async #load(id: string): Promise<Result<Workout, OpenError>> {
    const entry = this.get(id);
    if (!isWorkoutId(id)) return err(notFound(id));
    try {
      const handle = await this.#ctx.docs.find<WorkoutDoc>(id);
      if (!handle) return err(notFound(id));
      const doc = handle.doc();
      if (doc?.type !== "ridevault/workout") {
        if (!entry) return err(notFound(id));
        if (Automerge.getHeads(doc).length === 0) return err(notSynced(id, entry.title));
        return err(workoutCorrupt(id, entry.title, "it is not a workout document"));
      }
      return ok(this.#wrap(handle));
    } catch (error) {
      // Without a library entry there is nothing to name: deleted, purged or never here.
      if (!entry) return err(notFound(id));
      return err(workoutCorrupt(id, entry?.title ?? null, (error as Error).message));
    }
  }

  /** The library entry of a workout (also of one shared with this rider), without opening it. */
  get(id: string): LibraryEntry | undefined {
    return this.#ctx.entries().get(id) ?? this.#ctx.shared?.(id)?.entry;
  }

  /** Workouts from the library, newest first; the bin is left out unless asked for. */
  list(options: ListOptions = {}): LibraryEntry[] {
    return filterEntries(this.#ctx.entries().values(), options);
  }

  /** Edits a workout's metadata (see `Workout.update`); resolves once stored. */
  async update(
    id: string,
    patch: MetadataPatch,
  ): Promise<Result<WorkoutMetadata, OpenError | MetadataError>> {
    const opened = await this.open(id);
    if (!opened.ok) return opened;
    const updated = opened.value.update(patch);
    await this.persist(id);
    return updated;
  }

  /** Moves a workout to the bin (a tombstone that merges like any edit); `restore` undoes it. */
  async remove(id: string): Promise<Result<LibraryEntry, OpenError | MetadataError>> {
    return this.#setDeleted(id, this.#ctx.clock.now());
  }

  /** Takes a workout out of the bin. */
  async restore(id: string): Promise<Result<LibraryEntry, OpenError | MetadataError>> {
    return this.#setDeleted(id, null);
  }

  async #setDeleted(
    id: string,
    at: number | null,
  ): Promise<Result<LibraryEntry, OpenError | MetadataError>> {
    if (this.#ctx.shared?.(id)?.mode === "read") return err(readOnlyWorkout(id));
    const opened = await this.open(id);
    if (!opened.ok) return opened;
    opened.value.setDeleted(at);
    await this.persist(id);
    return ok(this.get(id) as LibraryEntry);
  }

  /**
   * Deletes a workout and its samples from this device for good: its document, its library
   * entry and any crash log. Works on damaged workouts too.
   */
  async purge(id: string): Promise<Result<void, NotFoundError>> {
    const known = this.get(id) !== undefined;
    if (!known && !isWorkoutId(id)) return err(notFound(id));
    this.#open.delete(id);
    for (const workout of this.#staleSummaries)
      if (workout.id === id) this.#staleSummaries.delete(workout);
    if (isWorkoutId(id)) await this.#ctx.docs.remove(id);
    for (const key of await this.#ctx.crashLog.keys()) {
      if (key.workoutId === id) await this.#ctx.crashLog.remove(key);
    }
    if (!known) return err(notFound(id));
    this.#ctx.library.change((d) => {
      delete d.workouts[id];
    });
    await this.#ctx.docs.flush([this.#ctx.library.documentId]);
    return ok(undefined);
  }

  /** Starts recording samples from this device into a workout (see `Recording`). */
  async record(
    id: string,
    options: RecordingOptions = {},
  ): Promise<Result<Recording, OpenError | AlreadyRecordingError | MetadataError>> {
    if (this.#ctx.shared?.(id)?.mode === "read") return err(readOnlyWorkout(id));
    // Two recordings from one device would seal chunks under the same sequence numbers.
    if (this.#recording.has(id)) return err(alreadyRecording(id));
    const opened = await this.open(id);
    if (!opened.ok) return opened;
    if (this.#recording.has(id)) return err(alreadyRecording(id));
    this.#recording.add(id);
    const workout = opened.value;
    // The document must be in storage before samples are: recovery needs it.
    await this.persist(workout.id);
    return ok(
      new Recording(
        {
          workout,
          deviceId: this.#ctx.deviceId,
          deviceName: this.#ctx.deviceName,
          crashLog: this.#ctx.crashLog,
          persist: () => this.persist(workout.id),
          finished: async () => {
            this.#recording.delete(workout.id);
            this.#staleSummaries.delete(workout);
            this.#writeEntry(workout, workout.chunkCount > 0 ? workout.summary() : null);
            await this.persist(workout.id);
          },
          onError: (error) => this.#errors.push(error),
        },
        { ...this.#ctx.recording, ...options },
      ),
    );
  }

  /**
   * Adds a workout made on another device (its `save()` bytes) under its own id. Importing
   * a workout this vault already has merges the two.
   */
  async import(id: string, bytes: Uint8Array): Promise<Result<Workout, ChangesError | OpenError>> {
    if (this.get(id) || this.#open.has(id)) {
      const opened = await this.open(id);
      if (!opened.ok) return opened;
      const applied = opened.value.applyChanges(bytes);
      return applied.ok ? opened : applied;
    }
    let type: unknown;
    try {
      type = (Automerge.load(bytes) as { type?: unknown }).type;
    } catch (error) {
      return err({
        code: "changes-invalid",
        message: `not an Automerge document: ${(error as Error).message}`,
      });
    }
    if (type !== "ridevault/workout" || !isWorkoutId(id)) {
      return err({ code: "changes-invalid", message: "these bytes are not a ridevault workout" });
    }
    const workout = this.#wrap(await this.#ctx.docs.import<WorkoutDoc>(id, bytes));
    this.#open.set(id, Promise.resolve(ok(workout)));
    this.#writeEntry(workout, workout.chunkCount > 0 ? workout.summary() : null);
    await this.persist(workout.id);
    return ok(workout);
  }

  /**
   * @internal Merges changes that arrived through sync into a workout, loading it — or
   * starting it empty, when another device made it — first. `apply` wraps the synchronous
   * moment the changes go in, so the caller can tell merged changes from local ones.
   */
  async mergeRemote(
    id: string,
    changes: Uint8Array,
    apply: <T>(merge: () => T) => T = (merge) => merge(),
  ): Promise<Result<void, ChangesError>> {
    const opened = this.#open.has(id) ? await this.open(id) : undefined;
    if (opened?.ok) {
      const applied = apply(() => opened.value.applyChanges(changes));
      return applied.ok ? ok(undefined) : applied;
    }
    const handle = await this.#ctx.docs.ensure<WorkoutDoc>(id);
    try {
      apply(() => handle.merge(changes));
    } catch (error) {
      return err({
        code: "changes-invalid",
        message: `changes for workout ${id} could not be applied: ${(error as Error).message}`,
      });
    }
    if (handle.doc().type === "ridevault/workout" && !this.#open.has(id)) {
      const workout = this.#wrap(handle);
      this.#open.set(id, Promise.resolve(ok(workout)));
      this.#scheduleSummary(workout);
    }
    return ok(undefined);
  }

  /** Resolves once the workout's current state is in storage. */
  async persist(id: string): Promise<void> {
    await this.#ctx.docs.flush([id, this.#ctx.library.documentId]);
  }

  /** Refreshes stale summaries now and writes everything to storage. */
  async settle(): Promise<void> {
    if (this.#summaryTimer !== undefined) clearTimeout(this.#summaryTimer);
    this.#summaryTimer = undefined;
    this.#refreshSummaries();
    await this.#ctx.docs.flush();
  }

  /** Errors from background work (persisting sealed chunks), oldest first; clears the list. */
  takeErrors(): Error[] {
    return this.#errors.splice(0);
  }

  #wrap(handle: DocHandle<WorkoutDoc>): Workout {
    const id = handle.documentId;
    return new Workout(handle, {
      clock: this.#ctx.clock,
      random: this.#ctx.random,
      readOnly: () => this.#ctx.shared?.(id)?.mode === "read",
      onChanged: (workout, change) => {
        if (change.samplesChanged) this.#scheduleSummary(workout);
        else this.#writeEntry(workout, this.get(workout.id)?.summary ?? null);
      },
    });
  }

  /**
   * Refreshes summaries `summaryDelayMs` after the last new samples, but no more often than
   * every `summaryIntervalMs`: each refresh is a library change that syncs to every device,
   * and a live ride seals a chunk a minute (`finish` and `settle` refresh at once).
   */
  #scheduleSummary(workout: Workout): void {
    this.#staleSummaries.add(workout);
    if (this.#summaryTimer !== undefined) clearTimeout(this.#summaryTimer);
    const now = this.#ctx.clock.now();
    const delay = Math.max(
      this.#ctx.summaryDelayMs,
      this.#lastSummaryAt + this.#ctx.summaryIntervalMs - now,
    );
    this.#summaryTimer = setTimeout(() => {
      this.#summaryTimer = undefined;
      this.#lastSummaryAt = this.#ctx.clock.now();
      this.#refreshSummaries();
    }, delay);
    // A pending refresh must not keep a Node process alive; `settle` runs it anyway.
    (this.#summaryTimer as { unref?: () => void }).unref?.();
  }

  #refreshSummaries(): void {
    for (const workout of this.#staleSummaries) {
      if (!entryIsCurrent(this.get(workout.id), workout)) {
        this.#writeEntry(workout, workout.summary());
      }
    }
    this.#staleSummaries.clear();
  }

  /** Writes the entry of `workout`, setting only the fields that differ. */
  #writeEntry(workout: Workout, summary: LibraryEntry["summary"]): void {
    if (!this.#open.has(workout.id)) return;
    const analytics =
      summary === null || this.#recording.has(workout.id) ? null : entryAnalytics(workout);
    const entry = entryOf(workout.id, workout.metadata(), summary, analytics);
    const current = this.get(workout.id);
    if (current && JSON.stringify(current) === JSON.stringify(entry)) return;
    const shared = this.#ctx.shared?.(workout.id) !== undefined;
    this.#ctx.library.change((d) => {
      // A workout shared with this rider is listed apart: the rider's own entries are the
      // ones whose keys this vault makes and whose documents it registers.
      if (shared) d.sharedEntries ??= {};
      const entries = shared
        ? (d.sharedEntries as Record<string, Record<string, unknown>>)
        : d.workouts;
      const stored = entries[workout.id];
      if (!stored) {
        entries[workout.id] = JSON.parse(JSON.stringify(entry)) as Record<string, unknown>;
        return;
      }
      for (const [key, value] of Object.entries(entry)) {
        if (JSON.stringify(stored[key]) !== JSON.stringify(value)) {
          stored[key] = JSON.parse(JSON.stringify(value)) as unknown;
        }
      }
    });
  }
}
