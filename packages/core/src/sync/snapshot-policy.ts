/**
 * When a writer compacts a document (DESIGN.md §5): it uploads an encrypted snapshot once
 * `every` relay changes have accumulated since the last one (a long ride in progress), or
 * once a document with at least `minChanges` new changes has been quiet for `idleMs` (a
 * finished ride). The relay then prunes what the snapshot covers, and a new device
 * downloads one snapshot instead of every change. Pure: the engine asks, then acts.
 */

/** The snapshot thresholds, defaults filled in. */
export interface SnapshotPolicy {
  readonly every: number;
  readonly idleMs: number;
  readonly minChanges: number;
}

/** The thresholds from `SyncOptions` (defaults 1000 changes, 120 000 ms, 16 changes). */
export function snapshotPolicy(options: {
  readonly snapshotEvery?: number;
  readonly snapshotIdleMs?: number;
  readonly snapshotMinChanges?: number;
}): SnapshotPolicy {
  return {
    every: options.snapshotEvery ?? 1000,
    idleMs: options.snapshotIdleMs ?? 120_000,
    minChanges: options.snapshotMinChanges ?? 16,
  };
}

/** Where a document stands, as far as compacting it goes. */
export interface SnapshotCandidate {
  /** Asked because the document has been quiet for `idleMs` (else after a change). */
  readonly idle: boolean;
  /** This device holds the document's write key. */
  readonly canWrite: boolean;
  /** Offline, catching up, or with pushes unacknowledged: the cursor still lags. */
  readonly busy: boolean;
  readonly cursor: number;
  readonly snapshotSeq: number;
}

/**
 * `snapshot` now (covering up to the cursor), `wait-until-quiet` (ask again after another
 * quiet period), or `none`.
 */
export function snapshotDecision(
  policy: SnapshotPolicy,
  candidate: SnapshotCandidate,
): "snapshot" | "wait-until-quiet" | "none" {
  if (!candidate.canWrite) return "none";
  if (candidate.busy) return candidate.idle ? "wait-until-quiet" : "none";
  const threshold = candidate.idle ? policy.minChanges : policy.every;
  return candidate.cursor - candidate.snapshotSeq < threshold ? "none" : "snapshot";
}
