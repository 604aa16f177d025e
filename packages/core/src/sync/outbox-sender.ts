/**
 * The sending side of the sync engine. A local change becomes an envelope (the Automerge
 * changes since the last envelope, encrypted and signed) that is written to the outbox
 * before it is sent, and leaves it only when the relay acknowledges it. Writers also
 * compact: a snapshot envelope when `snapshot-policy.ts` says so. After a key rotation the
 * outbox is sealed again (`reseal-outbox.ts`). A push the relay refuses for a while
 * (`rate-limited`, `quota-exceeded`) is pushed again on the same connection after the wait
 * the relay named, or after the reconnect backoff when it named none.
 */
import { canWrite, type DocumentKeys } from "../crypto/document-keys.js";
import { sealEnvelope } from "../crypto/envelope.js";
import { MAX_PLAINTEXT_BYTES } from "../crypto/envelope-format.js";
import { resealOutbox } from "./reseal-outbox.js";
import { reconnectDelay } from "./retry-delays.js";
import { snapshotDecision } from "./snapshot-policy.js";
import type { SyncContext } from "./sync-context.js";
import { advanceCursor, newest, saveState, type Tracked } from "./tracked-document.js";

/** @internal Turns local changes into outbox envelopes and pushes them. */
export class OutboxSender {
  readonly #ctx: SyncContext;

  constructor(ctx: SyncContext) {
    this.#ctx = ctx;
  }

  /** Turns unsent local changes into an envelope in the outbox (synchronously decided). */
  local(tracked: Tracked): void {
    const keys = newest(tracked.doc.keys);
    if (!keys || !canWrite(keys) || this.#ctx.stopped) return;
    const changes = tracked.doc.changesSince(tracked.state.sentHeads);
    if (changes.length === 0) return;
    this.armIdle(tracked);
    const heads = tracked.doc.heads();
    // Too big for one envelope (a first upload of a long history): send the whole document,
    // which Automerge compresses, as a change.
    const plaintext = changes.length > MAX_PLAINTEXT_BYTES ? tracked.doc.save() : changes;
    this.#enqueue(tracked, { keys, plaintext, coversSeq: null, heads });
  }

  /** Pushes what the outbox holds for `tracked`, unless the connection changed meanwhile. */
  async pushPending(tracked: Tracked, epoch: number): Promise<void> {
    const pending = await this.#ctx.store.pending(tracked.doc.docId);
    if (epoch !== this.#ctx.connection.epoch) return;
    // An entry acknowledged while the outbox was being read is gone: not pushed again.
    for (const entry of pending)
      if (tracked.outbox.has(entry.counter))
        this.#push(tracked, entry.counter, entry.envelope, null);
  }

  /**
   * The relay stored the push of `counter` as `seq`. False when that push was not in flight
   * on this connection (an answer to an earlier one): nothing changed.
   */
  async acked(
    tracked: Tracked,
    push: { readonly counter: number; readonly coversSeq: number | null },
    seq: number,
  ): Promise<boolean> {
    if (!tracked.inFlight.delete(push.counter)) return false;
    tracked.pushRefusals = 0;
    await this.#ctx.store.remove(tracked.doc.docId, push.counter);
    tracked.outbox.delete(push.counter);
    // Our own envelope is in our document: the cursor may pass it when nothing from
    // another device lies between (a lone writer's cursor then keeps up, and compacts).
    if (seq > tracked.state.cursor) tracked.ownAhead.add(seq);
    advanceCursor(this.#ctx, tracked, tracked.state.cursor);
    if (push.coversSeq !== null) {
      tracked.state = {
        ...tracked.state,
        snapshotSeq: Math.max(tracked.state.snapshotSeq, push.coversSeq),
      };
      saveState(this.#ctx, tracked);
    }
    this.maybeSnapshot(tracked);
    return true;
  }

  /** The relay refused the push of `counter`: it is not in flight any more. */
  refused(tracked: Tracked, counter: number): void {
    tracked.inFlight.delete(counter);
  }

  /** The push of `counter` can never be accepted (a bad signature): drop it from the outbox. */
  async drop(tracked: Tracked, counter: number): Promise<void> {
    await this.#ctx.store.remove(tracked.doc.docId, counter);
    tracked.outbox.delete(counter);
  }

  /**
   * Pushes the outbox again after `retryAfterMs` (the relay's "retry in N s"), or after the
   * reconnect backoff for this many refusals in a row — on this connection only (a reconnect
   * pushes everything anyway). Returns the delay, or null when a retry is already due.
   */
  retryLater(tracked: Tracked, retryAfterMs: number | null): number | null {
    if (tracked.pushRetry !== undefined) return null;
    const { connection } = this.#ctx;
    const delay =
      retryAfterMs ?? reconnectDelay(tracked.pushRefusals, this.#ctx.backoff, this.#ctx.random);
    tracked.pushRefusals++;
    const epoch = connection.epoch;
    tracked.pushRetry = setTimeout(() => {
      tracked.pushRetry = undefined;
      if (epoch === connection.epoch && connection.welcomed && tracked.caughtUp)
        void this.pushPending(tracked, epoch);
    }, delay);
    (tracked.pushRetry as { unref?: () => void }).unref?.();
    return delay;
  }

  /**
   * New keys arrived: outbox envelopes sealed with older keys are sealed again; those that
   * cannot be are dropped (and reported).
   */
  async reseal(tracked: Tracked): Promise<void> {
    const { doc } = tracked;
    const keys = newest(doc.keys);
    if (!keys) return;
    await tracked.writes;
    const pending = await this.#ctx.store.pending(doc.docId);
    const outcome = resealOutbox(this.#ctx.sodium(), {
      pending,
      keys: doc.keys,
      newest: keys,
      random: this.#ctx.random,
    });
    for (const entry of outcome.resealed) await this.#ctx.store.put(entry);
    for (const { entry, reason } of outcome.dropped) {
      await this.#ctx.store.remove(entry.docId, entry.counter);
      tracked.outbox.delete(entry.counter);
      this.#ctx.error(
        "reseal-failed",
        `a change of ${doc.docId} could not be sealed again: ${reason}`,
      );
    }
    for (const entry of outcome.resealed) tracked.inFlight.delete(entry.counter);
  }

  /** (Re)starts the quiet-document timer that may compact `tracked`. */
  armIdle(tracked: Tracked): void {
    if (tracked.idleTimer !== undefined) clearTimeout(tracked.idleTimer);
    tracked.idleTimer = setTimeout(() => {
      tracked.idleTimer = undefined;
      this.maybeSnapshot(tracked, true);
    }, this.#ctx.snapshots.idleMs);
    (tracked.idleTimer as { unref?: () => void }).unref?.();
  }

  /** Uploads a snapshot of `tracked` if the policy says it is due. */
  maybeSnapshot(tracked: Tracked, idle = false): void {
    if (this.#ctx.stopped) return;
    const keys = newest(tracked.doc.keys);
    const { cursor, snapshotSeq } = tracked.state;
    const decision = snapshotDecision(this.#ctx.snapshots, {
      idle,
      canWrite: keys !== undefined && canWrite(keys),
      busy: !tracked.caughtUp || tracked.outbox.size > 0 || tracked.inFlight.size > 0,
      cursor,
      snapshotSeq,
    });
    // Busy (offline, catching up, or pushes unacknowledged — the cursor still lags behind
    // them): try again when quiet.
    if (decision === "wait-until-quiet") this.armIdle(tracked);
    if (decision !== "snapshot" || !keys) return;
    tracked.state = { ...tracked.state, snapshotSeq: cursor };
    this.#enqueue(tracked, {
      keys,
      plaintext: tracked.doc.save(),
      coversSeq: cursor,
      heads: tracked.state.sentHeads,
    });
  }

  #enqueue(
    tracked: Tracked,
    envelope: {
      readonly keys: DocumentKeys;
      readonly plaintext: Uint8Array;
      readonly coversSeq: number | null;
      readonly heads: readonly string[];
    },
  ): void {
    const { keys, plaintext, coversSeq, heads } = envelope;
    const counter = tracked.state.counter + 1;
    const base = {
      docId: tracked.doc.docId,
      generation: keys.generation,
      authorDevice: this.#ctx.source.deviceId,
      counter,
    };
    const sealed = sealEnvelope(this.#ctx.sodium(), {
      header:
        coversSeq === null ? { ...base, kind: "change" } : { ...base, kind: "snapshot", coversSeq },
      plaintext,
      keys,
      random: this.#ctx.random,
    });
    if (!sealed.ok) {
      this.#ctx.error(
        sealed.error.code,
        `could not seal a change of ${tracked.doc.docId}: ${sealed.error.message}`,
      );
      return;
    }
    tracked.state = { ...tracked.state, counter, sentHeads: [...heads] };
    tracked.outbox.add(counter);
    const state = tracked.state;
    const entry = { docId: tracked.doc.docId, counter, envelope: sealed.value };
    tracked.writes = tracked.writes.then(async () => {
      await this.#ctx.store.put(entry);
      await this.#ctx.store.saveState(entry.docId, state);
      if (this.#ctx.connection.welcomed && tracked.caughtUp)
        this.#push(tracked, counter, entry.envelope, coversSeq);
    });
    this.#ctx.updateStatus();
  }

  #push(tracked: Tracked, counter: number, envelope: Uint8Array, coversSeq: number | null): void {
    if (tracked.inFlight.has(counter)) return;
    tracked.inFlight.add(counter);
    const docId = tracked.doc.docId;
    this.#ctx.connection.request(
      { type: "push", id: 0, docId, envelope },
      { kind: "push", docId, counter, coversSeq },
    );
  }
}
