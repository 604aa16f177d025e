/** The errors of vault operations: each has a `code` to branch on and a message to show. */
import type { WorkoutId } from "../ids.js";

/** The workout is not in this vault. */
export interface NotFoundError {
  readonly code: "not-found";
  readonly workoutId: string;
  readonly message: string;
}

/** The workout's stored data is damaged; other workouts are unaffected. */
export interface WorkoutCorruptError {
  readonly code: "workout-corrupt";
  readonly workoutId: WorkoutId;
  readonly title: string | null;
  readonly message: string;
}

/** The workout is in the library, but its content has not arrived through sync yet. */
export interface NotSyncedError {
  readonly code: "not-synced";
  readonly workoutId: string;
  readonly message: string;
}

/** Errors of opening a workout. */
export type OpenError = NotFoundError | WorkoutCorruptError | NotSyncedError;

/** The vault itself cannot be opened. */
export interface VaultError {
  readonly code: "library-corrupt" | "vault-version" | "invalid-invite";
  readonly message: string;
}

export function notFound(id: string): NotFoundError {
  return {
    code: "not-found",
    workoutId: id,
    message: `workout ${id} is not in this vault (it may have been purged, or not synced yet)`,
  };
}

export function notSynced(id: string, title: string): NotSyncedError {
  return {
    code: "not-synced",
    workoutId: id,
    message: `workout "${title}" (${id}) has not arrived from your other devices yet; it opens once sync has fetched it`,
  };
}

export function workoutCorrupt(
  id: WorkoutId,
  title: string | null,
  cause: string,
): WorkoutCorruptError {
  const name = title ? `"${title}" (${id})` : id;
  return {
    code: "workout-corrupt",
    workoutId: id,
    title,
    message: `workout ${name} could not be loaded: its stored data is damaged (${cause}). Other workouts are not affected; restore it from another device or a backup, or purge it.`,
  };
}

/** This device is already recording into the workout; finish that recording first. */
export interface AlreadyRecordingError {
  readonly code: "already-recording";
  readonly workoutId: string;
  readonly message: string;
}

export function alreadyRecording(id: string): AlreadyRecordingError {
  return {
    code: "already-recording",
    workoutId: id,
    message: `workout ${id} is already being recorded on this device; finish that recording before starting another`,
  };
}
