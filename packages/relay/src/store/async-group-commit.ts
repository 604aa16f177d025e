/**
 * Group commit for a store whose commits are asynchronous (a database over the network):
 * writes run one at a time, in call order, and the appends that arrive while a commit is in
 * flight — or during the current event-loop turn — wait together and commit as the next
 * batch, in one transaction. Under load, batches grow to whatever arrived during one commit,
 * so N round trips and fsyncs become one (like `GroupCommit`, which does this for SQLite's
 * synchronous commits). Other writes (`exclusive`) take their turn in the same line, so
 * every write takes effect in call order.
 */
import { type Outcome, rejectBatch, settleBatch, type Waiting } from "./group-commit.js";

/**
 * Commits a whole batch, in order, atomically, and resolves one outcome per item. Rejecting
 * means nothing was committed: every item of the batch is rejected with that error.
 */
export type CommitBatchAsync<T, R> = (items: readonly T[]) => Promise<Outcome<R>[]>;

/** Queues items and other writes; runs them one at a time, appends batched. */
export class AsyncGroupCommit<T, R> {
  readonly #commit: CommitBatchAsync<T, R>;
  /** The end of the line: settles when every write queued so far has run. */
  #tail: Promise<void> = Promise.resolve();
  /** The batch still taking items: it has not started committing. */
  #open: Waiting<T, R>[] | undefined;
  #pending = 0;

  constructor(commit: CommitBatchAsync<T, R>) {
    this.#commit = commit;
  }

  /** Items submitted and not yet settled. */
  get pending(): number {
    return this.#pending;
  }

  /** Queues `item`; resolves with its outcome once the batch holding it has committed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#pending++;
      const waiting: Waiting<T, R> = {
        item,
        resolve: (value) => {
          this.#pending--;
          resolve(value);
        },
        reject: (error) => {
          this.#pending--;
          reject(error);
        },
      };
      if (this.#open) {
        this.#open.push(waiting);
        return;
      }
      const batch = [waiting];
      this.#open = batch;
      this.#tail = this.#tail
        .then(endOfTurn)
        .then(() => this.#run(batch))
        .catch(() => undefined);
    });
  }

  /**
   * Runs `write` after everything queued before it (appends included) and before anything
   * queued after it; resolves or rejects with it.
   */
  exclusive<V>(write: () => Promise<V>): Promise<V> {
    this.#open = undefined;
    const result = this.#tail.then(write);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves when every write queued so far has settled. */
  async drain(): Promise<void> {
    await this.#tail;
  }

  async #run(batch: Waiting<T, R>[]): Promise<void> {
    if (this.#open === batch) this.#open = undefined;
    let outcomes: Outcome<R>[];
    try {
      outcomes = await this.#commit(batch.map((waiting) => waiting.item));
    } catch (error) {
      rejectBatch(batch, error);
      return;
    }
    settleBatch(batch, outcomes);
  }
}

function endOfTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
