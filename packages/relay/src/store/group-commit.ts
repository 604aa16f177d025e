/**
 * Group commit: work submitted during one event-loop turn is committed together, in one
 * transaction, at the end of that turn (`setImmediate`), and each submitter's promise settles
 * only after that commit. With a durable commit costing an fsync, this turns N fsyncs into
 * one for everything that arrived together (REFERENCE.md "Measured": 19–37k appends/s
 * against 8–9k/s with one transaction per append). Database-agnostic: the commit function
 * is given.
 */

/** The outcome of one item of a batch: a value, or an error for that item alone. */
export type Outcome<R> =
  | { readonly ok: true; readonly value: R }
  | { readonly ok: false; readonly error: Error };

/**
 * Commits a whole batch, in order, atomically, and returns one outcome per item. Throwing
 * means nothing was committed: every item of the batch is rejected with that error.
 */
export type CommitBatch<T, R> = (items: readonly T[]) => Outcome<R>[];

/** An item waiting for its batch's commit, with its promise's settle functions. */
export interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: Error) => void;
}

/** Rejects every item of `batch` with what its commit threw. */
export function rejectBatch<T, R>(batch: readonly Waiting<T, R>[], thrown: unknown): void {
  const failure = thrown instanceof Error ? thrown : new Error(String(thrown));
  for (const waiting of batch) waiting.reject(failure);
}

/** Settles each item of `batch` with its outcome (the one at the same index). */
export function settleBatch<T, R>(batch: readonly Waiting<T, R>[], outcomes: Outcome<R>[]): void {
  batch.forEach((waiting, i) => {
    const outcome = outcomes[i];
    if (!outcome) waiting.reject(new Error(`group commit: no outcome for item ${i}`));
    else if (outcome.ok) waiting.resolve(outcome.value);
    else waiting.reject(outcome.error);
  });
}

/** Queues items and commits them a turn at a time. */
export class GroupCommit<T, R> {
  readonly #commit: CommitBatch<T, R>;
  #queue: Waiting<T, R>[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(commit: CommitBatch<T, R>) {
    this.#commit = commit;
  }

  /** Items waiting for the next commit. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Queues `item`; resolves with its outcome once the batch holding it has committed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /**
   * Commits everything queued now, synchronously (promises settle in the next microtasks).
   * Other writes call this first so that writes take effect in call order.
   */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    let outcomes: Outcome<R>[];
    try {
      outcomes = this.#commit(batch.map((waiting) => waiting.item));
    } catch (error) {
      rejectBatch(batch, error);
      return;
    }
    settleBatch(batch, outcomes);
  }
}
