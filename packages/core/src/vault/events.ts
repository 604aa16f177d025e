/**
 * Change events of a vault, derived by comparing library snapshots, so edits made here and
 * edits merged from other devices produce the same events.
 */
import type { WorkoutId } from "../ids.js";
import type { LibraryEntry } from "./library.js";

/** Something happened to a workout. `purged` workouts have no entry any more. */
export type VaultEvent =
  | {
      readonly type: "created" | "updated" | "removed" | "restored";
      readonly id: WorkoutId;
      readonly entry: LibraryEntry;
    }
  | { readonly type: "purged"; readonly id: WorkoutId };

/** Receives vault events. */
export type VaultListener = (event: VaultEvent) => void;

/** The events that turn library snapshot `before` into `after`. */
export function diffLibrary(
  before: ReadonlyMap<string, LibraryEntry>,
  after: ReadonlyMap<string, LibraryEntry>,
): VaultEvent[] {
  const events: VaultEvent[] = [];
  for (const [id, entry] of after) {
    const old = before.get(id);
    const wid = id as WorkoutId;
    if (!old) events.push({ type: "created", id: wid, entry });
    else if (old.deletedAt === null && entry.deletedAt !== null)
      events.push({ type: "removed", id: wid, entry });
    else if (old.deletedAt !== null && entry.deletedAt === null)
      events.push({ type: "restored", id: wid, entry });
    else if (JSON.stringify(old) !== JSON.stringify(entry))
      events.push({ type: "updated", id: wid, entry });
  }
  for (const id of before.keys()) {
    if (!after.has(id)) events.push({ type: "purged", id: id as WorkoutId });
  }
  return events;
}
