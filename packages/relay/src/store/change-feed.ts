/**
 * The change feed: the seam that lets several relay instances share one store. A store
 * shared by instances (PostgreSQL) tells every instance when any of them commits, with a
 * hint — a document id and a sequence number, nothing more — and lets it read the log's
 * tail. Hints may be lost, repeated or arrive out of order; the relay treats them as "look
 * at the table": it reads every envelope after the last one it delivered, so a lost hint
 * loses nothing as long as a later hint or a `resync` comes. A store used by one instance
 * (SQLite, memory) has no feed, and the relay fans out in-process only.
 */
import type { ReadInput, ReadItem } from "./relay-store.js";

/** What a change feed reports to the relay. */
export interface ChangeFeedHandlers {
  /** Some instance (this one included) committed `docId` up to at least `seq`. */
  hint(docId: string, seq: number): void;
  /**
   * The feed has just (re)connected: hints sent while it was away are lost, so the relay
   * catches up every document it follows from the table.
   */
  resync(): void;
}

/** Cross-instance commit notifications and the reads that make them lossless. */
export interface ChangeFeed {
  /**
   * Starts listening. Resolves after the first attempt: when it succeeded, `listening` is
   * true and `handlers.resync` has been called once; when it failed, the feed keeps trying.
   * Either way it reconnects by itself whenever the connection breaks, calling `resync`
   * after each success.
   */
  start(handlers: ChangeFeedHandlers): Promise<void>;
  /**
   * Every stored envelope of the document after `afterSeq` — changes and snapshots alike —
   * ascending, at most `limit`. Envelopes removed by prune are missing: the snapshot that
   * covers them comes later in the same tail.
   */
  readLog(input: ReadInput): Promise<ReadItem[]>;
  /** True while the feed is listening; false while it reconnects (hints may be lost). */
  readonly listening: boolean;
  /** Stops listening and closes the feed's connection. */
  stop(): Promise<void>;
}
