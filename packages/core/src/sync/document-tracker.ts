/**
 * Which documents the sync engine follows, and how each is started on a connection. The
 * source's list is read again whenever it changes: new documents are tracked (and their
 * outbox loaded), documents no longer listed (a share ended, a workout purged) are let go,
 * and documents whose keys changed are sealed again and subscribed anew. Starting a document
 * registers it (a writer's own document, once) and subscribes from its cursor. When the
 * relay refuses a registration (`forbidden`, `rate-limited`, `quota-exceeded`), the document
 * waits — 1 s, 2 s, 4 s … up to the reconnect maximum — before it is tried again, instead of
 * registering and subscribing in a loop.
 */
import { canWrite, deriveAccessSecret, hashAccessSecret } from "../crypto/document-keys.js";
import type { OutboxSender } from "./outbox-sender.js";
import { registerRetryDelay } from "./retry-delays.js";
import type { SyncContext } from "./sync-context.js";
import type { SyncedDocument } from "./sync-source.js";
import {
  keysChanged,
  loadTracked,
  newest,
  saveState,
  type Tracked,
  untracked,
} from "./tracked-document.js";

/** @internal The followed documents. */
export class DocumentTracker {
  /** Followed documents by id. */
  readonly docs = new Map<string, Tracked>();
  readonly #ctx: SyncContext;
  readonly #outbox: OutboxSender;
  #refreshing = 0;
  #refreshQueue: Promise<void> = Promise.resolve();

  constructor(ctx: SyncContext, outbox: OutboxSender) {
    this.#ctx = ctx;
    this.#outbox = outbox;
  }

  /** True while the source's list is being read again (so not everything is in step). */
  get refreshing(): boolean {
    return this.#refreshing > 0;
  }

  /** Envelopes of followed documents waiting for the relay's acknowledgement. */
  get pending(): number {
    let pending = 0;
    for (const tracked of this.docs.values()) pending += tracked.outbox.size;
    return pending;
  }

  /** Picks up new documents; refreshes run one after another, never interleaved. */
  refresh(): Promise<void> {
    // Not "synced" while documents the library just listed are still being picked up.
    this.#refreshing++;
    this.#refreshQueue = this.#refreshQueue
      .then(() => this.#trackNewDocuments())
      .catch((error: unknown) =>
        this.#ctx.error(
          "documents",
          `could not list documents to sync: ${(error as Error).message}`,
        ),
      )
      .finally(() => {
        this.#refreshing--;
        this.#ctx.updateStatus();
      });
    return this.#refreshQueue;
  }

  /** The relay welcomed a connection: start every document not waiting out a refusal. */
  startAll(): void {
    for (const tracked of this.docs.values())
      if (tracked.registerRetry === undefined) this.start(tracked);
  }

  /**
   * Registers `tracked` if this device created it and the relay has not acknowledged that
   * yet, then subscribes from its cursor — unless `resubscribe` is false and it is
   * subscribed already (or a subscription is on its way).
   */
  start(tracked: Tracked, resubscribe = true): void {
    const keys = newest(tracked.doc.keys);
    if (!keys) return;
    const { connection } = this.#ctx;
    const docId = tracked.doc.docId;
    const sodium = this.#ctx.sodium();
    const shared = tracked.doc.accessSecret;
    const accessSecret = shared ?? deriveAccessSecret(sodium, keys.readKey);
    if (shared === undefined && canWrite(keys) && !tracked.state.registered) {
      const accessHash = hashAccessSecret(sodium, accessSecret);
      connection.request(
        { type: "register", id: 0, docId, writePublicKey: keys.writePublicKey, accessHash },
        { kind: "register", docId },
      );
    }
    if (!resubscribe && (tracked.caughtUp || connection.awaiting("subscribe", docId))) return;
    connection.request(
      { type: "subscribe", id: 0, docId, afterSeq: tracked.state.cursor, accessSecret },
      { kind: "subscribe", docId },
    );
  }

  /** The relay acknowledged the registration of `tracked`. */
  registered(tracked: Tracked): void {
    tracked.registerRefusals = 0;
    tracked.state = { ...tracked.state, registered: true };
    saveState(this.#ctx, tracked);
  }

  /**
   * The relay refused to register `tracked`: it is started again after the returned delay
   * (ms), or at the first welcome after that if the connection is down then.
   */
  holdRegister(tracked: Tracked, retryAfterMs: number | null): number {
    if (tracked.registerRetry !== undefined) clearTimeout(tracked.registerRetry);
    const delay = registerRetryDelay(tracked.registerRefusals, this.#ctx.backoff, retryAfterMs);
    tracked.registerRefusals++;
    tracked.registerRetry = setTimeout(() => {
      tracked.registerRetry = undefined;
      if (this.#ctx.connection.welcomed && this.docs.get(tracked.doc.docId) === tracked)
        this.start(tracked, false);
    }, delay);
    (tracked.registerRetry as { unref?: () => void }).unref?.();
    return delay;
  }

  /** Stops following every document, once their writes are done. */
  async stop(): Promise<void> {
    for (const tracked of this.docs.values()) {
      untracked(tracked);
      await tracked.writes;
    }
    this.docs.clear();
  }

  async #trackNewDocuments(): Promise<void> {
    const { source, connection } = this.#ctx;
    const documents = await source.documents();
    const listed = new Set(documents.map((doc) => doc.docId));
    for (const [docId, tracked] of [...this.docs]) {
      // No longer the source's (a share ended, a workout purged): stop following it; its
      // outbox stays stored.
      if (listed.has(docId)) continue;
      untracked(tracked);
      this.docs.delete(docId);
      if (connection.welcomed)
        connection.request({ type: "unsubscribe", id: 0, docId }, { kind: "unsubscribe", docId });
    }
    for (const doc of documents) {
      if (this.#ctx.stopped) continue;
      const known = this.docs.get(doc.docId);
      if (known) {
        if (keysChanged(known.doc, doc)) await this.#rekeyed(known, doc);
        continue;
      }
      const tracked = await loadTracked(this.#ctx.store, doc, (t) => this.#outbox.local(t));
      this.docs.set(doc.docId, tracked);
      this.#outbox.local(tracked);
      if (connection.welcomed) this.start(tracked);
    }
    this.#ctx.updateStatus();
  }

  /**
   * New keys for a tracked document (a rotation, or a share's refreshed keyring): outbox
   * envelopes sealed with older keys are sealed again, and the document is subscribed anew
   * from its cursor, with the new access secret, picking up what could not be opened.
   */
  async #rekeyed(tracked: Tracked, doc: SyncedDocument): Promise<void> {
    tracked.doc = doc;
    tracked.blocked = false;
    await this.#outbox.reseal(tracked);
    if (this.#ctx.connection.welcomed) {
      tracked.caughtUp = false;
      tracked.buffered = [];
      this.start(tracked);
    }
  }
}
