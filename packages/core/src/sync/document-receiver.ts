/**
 * The receiving side of the sync engine. Each document is subscribed from its cursor; what
 * arrives is verified, decrypted and merged — buffered during catch-up and merged in one go
 * at `caught-up`, merged one by one after that. The cursor moves only on `caught-up` and on
 * live envelopes, and never past an envelope sealed with keys this device does not hold yet.
 */
import { concatBytes } from "../bytes.js";
import { openEnvelope } from "../crypto/envelope.js";
import type { LiveLinks } from "./live-links.js";
import type { OutboxSender } from "./outbox-sender.js";
import type { SyncContext } from "./sync-context.js";
import { advanceCursor, newest, type Tracked } from "./tracked-document.js";

/** @internal Merges what the relay sends and moves cursors. */
export class DocumentReceiver {
  readonly #ctx: SyncContext;
  readonly #outbox: OutboxSender;
  readonly #live: LiveLinks;

  constructor(ctx: SyncContext, outbox: OutboxSender, live: LiveLinks) {
    this.#ctx = ctx;
    this.#outbox = outbox;
    this.#live = live;
  }

  /** An envelope of `tracked` at relay sequence number `seq`. */
  async envelope(
    tracked: Tracked,
    seq: number,
    envelope: Uint8Array,
    epoch: number,
  ): Promise<void> {
    const docId = tracked.doc.docId;
    const opened = openEnvelope(this.#ctx.sodium(), envelope, tracked.doc.keys);
    if (!opened.ok && opened.error.code === "unknown-generation") {
      const held = newest(tracked.doc.keys)?.generation ?? -1;
      if (opened.error.generation > held) {
        // Sealed with keys rotated after ours: hold the cursor and fetch the new keys.
        tracked.blocked = true;
        void this.#ctx.source.refreshKeys?.(docId);
      }
    }
    if (!opened.ok) {
      this.#ctx.error(
        opened.error.code,
        `an envelope of document ${docId} (seq ${seq}) was rejected and not applied: ${opened.error.message}`,
      );
      return;
    }
    if (opened.value.header.kind === "snapshot") {
      tracked.state = {
        ...tracked.state,
        snapshotSeq: Math.max(tracked.state.snapshotSeq, opened.value.header.coversSeq),
      };
    }
    if (!tracked.caughtUp) {
      tracked.buffered.push(opened.value.plaintext);
      return;
    }
    await this.#merge(tracked, [opened.value.plaintext]);
    if (epoch === this.#ctx.connection.epoch) advanceCursor(this.#ctx, tracked, seq);
  }

  /** The subscription of `tracked` delivered everything up to `seq`. */
  async caughtUp(tracked: Tracked, seq: number, epoch: number): Promise<void> {
    const { connection } = this.#ctx;
    const docId = tracked.doc.docId;
    const buffered = tracked.buffered.splice(0);
    if (buffered.length > 0) await this.#merge(tracked, buffered);
    // Closed while merging: what was merged stays merged, but the cursor stays put.
    if (epoch !== connection.epoch) return;
    tracked.caughtUp = true;
    advanceCursor(this.#ctx, tracked, seq);
    if (this.#live.watching.has(docId))
      connection.request({ type: "watch", id: 0, docId, on: true }, { kind: "watch", docId });
    await this.#outbox.pushPending(tracked, epoch);
    if (epoch !== connection.epoch) return;
    this.#outbox.maybeSnapshot(tracked);
    this.#ctx.updateStatus();
  }

  async #merge(tracked: Tracked, plaintexts: readonly Uint8Array[]): Promise<void> {
    const merged = await this.#ctx.source.merge(tracked.doc.docId, concatBytes(plaintexts));
    if (!merged.ok) {
      this.#ctx.error("merge-failed", merged.message);
      return;
    }
    // Every local change was turned into an envelope when it was made, so the merged state
    // holds nothing unsent: later envelopes start from here.
    tracked.state = { ...tracked.state, sentHeads: tracked.doc.heads() };
    if (newest(tracked.doc.keys)?.writeKey) this.#outbox.armIdle(tracked);
  }
}
