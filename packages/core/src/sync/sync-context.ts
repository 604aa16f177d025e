/**
 * What the parts of the sync engine share: the vault's side (`SyncSource`), the engine's
 * store of cursors and outbox, randomness, libsodium, the connection, and the two ways to
 * speak to the app (an error for `status.lastError`, and a nudge to recompute the status).
 * The engine builds one; its parts (document tracking, the outbox, the receiving side) take
 * it instead of reaching into each other.
 */
import type { Sodium } from "../crypto/sodium.js";
import type { Random } from "../runtime.js";
import type { Backoff } from "./retry-delays.js";
import type { SnapshotPolicy } from "./snapshot-policy.js";
import type { SyncConnection } from "./sync-connection.js";
import type { SyncSource } from "./sync-source.js";
import type { SyncStore } from "./sync-store.js";

/** @internal The engine's shared parts. */
export interface SyncContext {
  readonly source: SyncSource;
  readonly store: SyncStore;
  readonly random: Random;
  readonly connection: SyncConnection;
  readonly snapshots: SnapshotPolicy;
  readonly backoff: Backoff;
  /** True once the engine is stopped (and before it starts). */
  readonly stopped: boolean;
  /** Libsodium; throws when the engine has not started. */
  sodium(): Sodium;
  /** Reports a problem in `status.lastError`. */
  error(code: string, message: string): void;
  /** Recomputes the status after a change. */
  updateStatus(): void;
}
