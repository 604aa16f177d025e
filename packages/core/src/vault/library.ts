/**
 * The library document: one rider's index of workouts, with each workout's summary, so
 * listing never opens a workout. Entries are derived from the workout documents (the truth)
 * and refreshed whenever a workout changes; the library is itself an Automerge document, so
 * another device's library merges like any document.
 */
import type { WorkoutId } from "../ids.js";
import type { Sport, SubSport, WorkoutMetadata } from "../workout/metadata.js";
import type { WorkoutSummary } from "../workout/summary.js";

/** One workout in the library. */
export interface LibraryEntry {
  readonly id: WorkoutId;
  readonly title: string;
  readonly sport: Sport;
  readonly subSport: SubSport | null;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly tags: readonly string[];
  /** Null until the workout has samples. */
  readonly summary: WorkoutSummary | null;
  /**
   * Training metrics of a finished ride (one with an end time and samples), so lists and
   * charts across rides never open every ride; null before (and while recording).
   */
  readonly analytics: LibraryAnalytics | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** When it was moved to the bin; null when it is not deleted. */
  readonly deletedAt: number | null;
}

/** A ride's training metrics as the library keeps them (see `analyzeWorkout`). */
export interface LibraryAnalytics {
  /** W; null without power or for rides shorter than 30 s. */
  readonly normalizedPower: number | null;
  /** Needs an FTP. */
  readonly intensityFactor: number | null;
  /** TSS; needs an FTP. */
  readonly trainingStress: number | null;
  readonly variabilityIndex: number | null;
  /** Needs heart rate. */
  readonly efficiencyFactor: number | null;
  /** kJ from the 1 Hz series. */
  readonly work: number | null;
  /**
   * Mean-maximal power as [seconds, whole watts] pairs at 1, 5, 10, 15, 30 s, 1 min, the key
   * durations (2, 3, 5, 10, 20 min…) and the whole ride; null without power.
   */
  readonly powerCurve: readonly (readonly [number, number])[] | null;
  /** The settings they were computed with. */
  readonly ftp: number | null;
  readonly thresholdHeartRate: number | null;
}

/** The library as stored in Automerge. */
export interface LibraryDoc {
  type: "ridevault/library";
  schema: 1;
  workouts: Record<string, Record<string, unknown>>;
  /**
   * Each workout's keys by generation (`encodeDocumentKeys` bytes), added when sync starts.
   * The library is end-to-end encrypted like every document, so a rider's other devices
   * learn the keys from it.
   */
  keys?: Record<string, Record<string, Uint8Array>>;
  /**
   * Keys made for a rotation the relay has not confirmed yet, by workout and generation;
   * moved into `keys` once it has (docs/sharing.md).
   */
  pendingKeys?: Record<string, Record<string, Uint8Array>>;
  /** Shares this rider made, by grant id (`vault.shares`). */
  shares?: Record<string, StoredShare>;
  /** Shares other riders (or links) gave this rider, by grant id (`vault.sharedWithMe`). */
  sharedWithMe?: Record<string, StoredIncomingShare>;
  /** Library entries of the workouts shared with this rider, by workout id. */
  sharedEntries?: Record<string, Record<string, unknown>>;
}

/**
 * A share this rider made. The link secret is kept (inside the end-to-end encrypted library)
 * so the share's keyring can be sealed again when a document's keys rotate.
 */
export interface StoredShare {
  secret: Uint8Array;
  docIds: string[];
  mode: "read" | "write";
  expiresAt: number | null;
  createdAt: number;
  /** The rider it was made for (sharing with a known rider); null for a link. */
  recipient: string | null;
  recipientEmail: string | null;
}

/** A share this rider holds. */
export interface StoredIncomingShare {
  secret: Uint8Array;
  docIds: string[];
  mode: "read" | "write";
  expiresAt: number | null;
  /** The account that shared it, if the relay knows one. */
  owner: string | null;
  ownerEmail: string | null;
  addedAt: number;
  /** The keys from the share's keyring: by workout, then generation. */
  keys: Record<string, Record<string, Uint8Array>>;
  /** Set when the relay stopped serving it (revoked or expired): when, and why. */
  endedAt: number | null;
  endedReason: string | null;
}

/** The library entry of a workout, from its metadata and summary. */
export function entryOf(
  id: WorkoutId,
  meta: WorkoutMetadata,
  summary: WorkoutSummary | null,
  analytics: LibraryAnalytics | null = null,
): LibraryEntry {
  return {
    id,
    title: meta.title,
    sport: meta.sport,
    subSport: meta.subSport,
    startTime: meta.startTime,
    endTime: meta.endTime,
    tags: meta.tags,
    summary,
    analytics,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    deletedAt: meta.deletedAt,
  };
}

/** Reads an entry back from the stored library (copying out of the Automerge proxy). */
export function entryFromStored(stored: Record<string, unknown>): LibraryEntry {
  const entry = JSON.parse(JSON.stringify(stored)) as LibraryEntry;
  // Entries written before analytics were kept have none.
  return entry.analytics === undefined ? { ...entry, analytics: null } : entry;
}

/** Filters for `vault.workouts.list`. */
export interface ListOptions {
  /** Include workouts in the bin (default false); `"only"` lists just the bin. */
  readonly deleted?: boolean | "only";
  readonly sport?: Sport;
  readonly tag?: string;
  /** Start time range, Unix ms: `from ≤ startTime < to`. */
  readonly from?: number;
  readonly to?: number;
}

/** Entries that pass the filters, newest first. */
export function filterEntries(
  entries: Iterable<LibraryEntry>,
  options: ListOptions,
): LibraryEntry[] {
  const deleted = options.deleted ?? false;
  const out: LibraryEntry[] = [];
  for (const entry of entries) {
    const isDeleted = entry.deletedAt !== null;
    if (deleted === false && isDeleted) continue;
    if (deleted === "only" && !isDeleted) continue;
    if (options.sport !== undefined && entry.sport !== options.sport) continue;
    if (options.tag !== undefined && !entry.tags.includes(options.tag)) continue;
    if (options.from !== undefined && entry.startTime < options.from) continue;
    if (options.to !== undefined && entry.startTime >= options.to) continue;
    out.push(entry);
  }
  return out.sort((a, b) => b.startTime - a.startTime || (a.id < b.id ? -1 : 1));
}
