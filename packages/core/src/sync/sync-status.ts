/**
 * The sync status an app shows: state, pending envelopes, last synced time, last error —
 * and the listeners that hear every change of it.
 */

/** Where sync stands. */
export interface SyncStatus {
  readonly state: "offline" | "connecting" | "syncing" | "synced";
  /** Envelopes written here and not yet acknowledged by the relay. */
  readonly pending: number;
  /** When every document was last fully in step with the relay (Unix ms). */
  readonly lastSyncedAt: number | null;
  readonly lastError: { readonly code: string; readonly message: string } | null;
}

/** Holds the current status and tells listeners when it changes. */
export class StatusBoard {
  #status: SyncStatus = { state: "offline", pending: 0, lastSyncedAt: null, lastError: null };
  readonly #listeners = new Set<(status: SyncStatus) => void>();

  get current(): SyncStatus {
    return this.#status;
  }

  /** Calls `listener` on every change; returns an unsubscribe. */
  listen(listener: (status: SyncStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Applies `change`; listeners hear it only when something differs. */
  set(change: Partial<SyncStatus>): void {
    const next = { ...this.#status, ...change };
    const same = (Object.keys(next) as (keyof SyncStatus)[]).every(
      (k) => next[k] === this.#status[k],
    );
    if (same) return;
    this.#status = next;
    for (const listener of this.#listeners) listener(next);
  }

  /** Resolves when the state is `synced`; rejects after `timeoutMs`. */
  whenSynced(timeoutMs: number): Promise<SyncStatus> {
    if (this.#status.state === "synced") return Promise.resolve(this.#status);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        const { state, pending } = this.#status;
        reject(new Error(`not synced after ${timeoutMs} ms (state ${state}, ${pending} pending)`));
      }, timeoutMs);
      const stop = this.listen((status) => {
        if (status.state !== "synced") return;
        clearTimeout(timer);
        stop();
        resolve(status);
      });
    });
  }
}
