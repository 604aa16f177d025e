/**
 * Fan-out across relay instances that share a store with a change feed. Per document this
 * instance follows, it keeps the highest sequence number it has delivered and delivers
 * every later one exactly once, ascending: a local commit that is next in line goes out at
 * once (the single-instance fast path, no read); anything else — a hint from the feed, a
 * local commit after a gap, a (re)connect of the feed — makes it read the log's tail from
 * the store and deliver what it finds. So hints may be lost, repeated or reordered without
 * a subscriber missing or repeating an envelope.
 */
import type { ChangeFeed } from "./store/change-feed.js";

/** Where the fan-out delivers one envelope: every subscriber of the document but `except`. */
export type Deliver<C> = (docId: string, seq: number, envelope: Uint8Array, except?: C) => void;

interface Followed<C> {
  /** The highest sequence number delivered to this instance's subscribers. */
  delivered: number;
  reading: boolean;
  /** A hint or commit came in while reading: read again when done. */
  again: boolean;
  /** Local senders of commits waiting for the tail read, so they don't get theirs back. */
  readonly senders: Map<number, C>;
}

/** Options of `FeedFanOut`. */
export interface FeedFanOutOptions<C> {
  readonly feed: Pick<ChangeFeed, "readLog">;
  readonly deliver: Deliver<C>;
  /** Envelopes per tail read (default 500). */
  readonly page?: number;
  /** Called when a tail read fails; it is retried after `retryMs` (default 500). */
  readonly onError?: (error: unknown) => void;
  readonly retryMs?: number;
}

/** Delivers every sequence number of the followed documents once, in order. */
export class FeedFanOut<C> {
  readonly #options: FeedFanOutOptions<C>;
  readonly #followed = new Map<string, Followed<C>>();

  constructor(options: FeedFanOutOptions<C>) {
    this.#options = options;
  }

  /** Documents followed now. */
  get size(): number {
    return this.#followed.size;
  }

  /**
   * Starts following `docId`, whose subscribers have (or are reading) everything up to
   * `lastSeq`. Following it already: nothing changes.
   */
  follow(docId: string, lastSeq: number): void {
    if (this.#followed.has(docId)) return;
    this.#followed.set(docId, {
      delivered: lastSeq,
      reading: false,
      again: false,
      senders: new Map(),
    });
  }

  /** Stops following `docId` (its last subscriber here left). */
  forget(docId: string): void {
    this.#followed.delete(docId);
  }

  /** This instance committed `seq`, sent by `from`. */
  committed(docId: string, seq: number, envelope: Uint8Array, from: C): void {
    const state = this.#followed.get(docId);
    if (!state || seq <= state.delivered) return;
    if (seq === state.delivered + 1 && !state.reading) {
      state.delivered = seq;
      this.#options.deliver(docId, seq, envelope, from);
      return;
    }
    state.senders.set(seq, from);
    void this.#catchUp(docId, state);
  }

  /** The feed says `docId` reached `seq` somewhere. */
  hint(docId: string, seq: number): void {
    const state = this.#followed.get(docId);
    if (state && seq > state.delivered) void this.#catchUp(docId, state);
  }

  /** The feed (re)connected: hints may be lost, so read every followed document's tail. */
  resync(): void {
    for (const [docId, state] of this.#followed) void this.#catchUp(docId, state);
  }

  async #catchUp(docId: string, state: Followed<C>): Promise<void> {
    if (state.reading) {
      state.again = true;
      return;
    }
    state.reading = true;
    const page = this.#options.page ?? 500;
    try {
      for (;;) {
        state.again = false;
        const items = await this.#options.feed.readLog({
          docId,
          afterSeq: state.delivered,
          limit: page,
        });
        if (this.#followed.get(docId) !== state) return;
        for (const item of items) {
          if (item.seq <= state.delivered) continue;
          state.delivered = item.seq;
          const sender = state.senders.get(item.seq);
          this.#options.deliver(docId, item.seq, item.envelope, sender);
        }
        for (const seq of state.senders.keys()) {
          if (seq <= state.delivered) state.senders.delete(seq);
        }
        if (items.length < page && !state.again) return;
      }
    } catch (error) {
      this.#options.onError?.(error);
      setTimeout(() => {
        if (this.#followed.get(docId) === state) void this.#catchUp(docId, state);
      }, this.#options.retryMs ?? 500).unref();
    } finally {
      state.reading = false;
    }
  }
}
