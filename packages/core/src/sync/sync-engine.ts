/**
 * The sync engine (DESIGN.md §5): one connection per vault, multiplexing all documents.
 * This module is the public face and the switchboard; the work is done by its parts:
 *
 * - `sync-connection.ts` opens the connection, reconnects with exponential backoff and
 *   jitter, and hands over the relay's frames one after another;
 * - `document-tracker.ts` follows the source's documents and starts each on a connection
 *   (register, subscribe), backing off a document whose registration the relay refused;
 * - `outbox-sender.ts` turns local changes into outbox envelopes, pushes them, compacts
 *   (`snapshot-policy.ts`) and retries pushes the relay refused for a while;
 * - `document-receiver.ts` verifies, decrypts and merges what arrives and moves cursors;
 * - `relay-error.ts` decides what an `error` frame calls for; `live-links.ts` is the live
 *   side (watching, watcher counts, live messages).
 *
 * `status` says where things stand, and listeners hear every change of it.
 */

import { canWrite } from "../crypto/document-keys.js";
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import { type Clock, type Random, systemClock, systemRandom } from "../runtime.js";
import { DocumentReceiver } from "./document-receiver.js";
import { DocumentTracker } from "./document-tracker.js";
import { LiveLinks, openLiveMessage, sealLiveMessage } from "./live-links.js";
import { OutboxSender } from "./outbox-sender.js";
import type { RelayMessage } from "./protocol.js";
import { type RelayErrorAction, relayErrorActions } from "./relay-error.js";
import { seconds } from "./retry-delays.js";
import { snapshotPolicy } from "./snapshot-policy.js";
import { SyncConnection, type SyncRequest } from "./sync-connection.js";
import type { SyncContext } from "./sync-context.js";
import type { SyncSource } from "./sync-source.js";
import { StatusBoard, type SyncStatus } from "./sync-status.js";
import { SyncStore } from "./sync-store.js";
import { disconnected, neverOnRelay, newest, startOver, type Tracked } from "./tracked-document.js";
import type { Transport } from "./transport.js";

/** Options of a sync engine. */
export interface SyncOptions {
  readonly source: SyncSource;
  /** The relay's sync URL, e.g. `wss://relay.example/sync`. */
  readonly url: string;
  readonly transport: Transport;
  /** An access token for the relay's `hello` (accounts); none by default. */
  readonly token?: () => Promise<string | null>;
  /** Reconnect delays: doubling from `minMs` to `maxMs`, with ±50 % jitter. */
  readonly backoff?: { readonly minMs?: number; readonly maxMs?: number };
  /**
   * Upload a snapshot after this many relay changes since the last (default 1000: a long
   * ride in progress; finished rides are compacted when quiet, see `snapshotIdleMs`).
   */
  readonly snapshotEvery?: number;
  /** …or after this many ms without changes to a document (default 120 000)… */
  readonly snapshotIdleMs?: number;
  /** …that has at least this many changes since its last snapshot (default 16). */
  readonly snapshotMinChanges?: number;
  readonly clock?: Clock;
  readonly random?: Random;
}

type ErrorFrame = Extract<RelayMessage, { type: "error" }>;

/** Keeps a vault's documents in step with a relay. */
export class SyncEngine {
  readonly #options: SyncOptions;
  readonly #clock: Clock;
  readonly #ctx: SyncContext;
  readonly #connection: SyncConnection;
  readonly #outbox: OutboxSender;
  readonly #receiver: DocumentReceiver;
  readonly #documents: DocumentTracker;
  #sodium: Sodium | undefined;
  #stopped = true;
  readonly #status = new StatusBoard();
  readonly #live = new LiveLinks();
  #stopDocumentsListener: (() => void) | undefined;

  constructor(options: SyncOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    const random = options.random ?? systemRandom;
    this.#connection = new SyncConnection({
      url: options.url,
      transport: options.transport,
      deviceId: options.source.deviceId,
      ...(options.token !== undefined && { token: options.token }),
      ...(options.backoff !== undefined && { backoff: options.backoff }),
      random,
      events: {
        welcomed: () => {
          this.#documents.startAll();
          this.#updateStatus();
        },
        message: (message, request, epoch) => this.#handle(message, request, epoch),
        closed: () => {
          this.#live.disconnected();
          for (const tracked of this.#documents.docs.values()) disconnected(tracked);
        },
        error: (code, message) => this.#error(code, message),
        state: (state) => this.#setStatus({ state }),
      },
    });
    const engine = this;
    this.#ctx = {
      source: options.source,
      store: new SyncStore(options.source.storage),
      random,
      connection: this.#connection,
      snapshots: snapshotPolicy(options),
      backoff: options.backoff ?? {},
      get stopped() {
        return engine.#stopped;
      },
      sodium: () => this.#sodiumOrThrow(),
      error: (code, message) => this.#error(code, message),
      updateStatus: () => this.#updateStatus(),
    };
    this.#outbox = new OutboxSender(this.#ctx);
    this.#receiver = new DocumentReceiver(this.#ctx, this.#outbox, this.#live);
    this.#documents = new DocumentTracker(this.#ctx, this.#outbox);
  }

  /** The current status. */
  get status(): SyncStatus {
    return this.#status.current;
  }

  /** Calls `listener` on every status change; returns an unsubscribe. */
  onStatus(listener: (status: SyncStatus) => void): () => void {
    return this.#status.listen(listener);
  }

  /** Starts syncing: loads the outbox, connects, and keeps reconnecting until `stop`. */
  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#sodium = await loadSodium();
    this.#stopDocumentsListener = this.#options.source.onDocumentsChanged(() => {
      void this.#documents.refresh();
    });
    await this.#documents.refresh();
    this.#connection.start();
  }

  /** Disconnects and stops reconnecting; the outbox keeps what was not acknowledged. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopDocumentsListener?.();
    await this.#connection.stop();
    const pending = this.#documents.pending;
    await this.#documents.stop();
    this.#setStatus({ state: "offline", pending });
  }

  /** Resolves when everything is in step (state `synced`); rejects after `timeoutMs`. */
  whenSynced(timeoutMs = 30_000): Promise<SyncStatus> {
    return this.#status.whenSynced(timeoutMs);
  }

  /**
   * Watches `docId`'s live messages (on) or stops (off); remembered across reconnects. The
   * relay tells the document's writers how many watch, so they send only while watched.
   */
  watch(docId: string, on: boolean): void {
    if (on === this.#live.watching.has(docId)) return;
    if (on) this.#live.watching.add(docId);
    else this.#live.watching.delete(docId);
    const tracked = this.#documents.docs.get(docId);
    if (this.#connection.welcomed && tracked?.caughtUp)
      this.#connection.request({ type: "watch", id: 0, docId, on }, { kind: "watch", docId });
  }

  /** How many devices the relay last said watch `docId` (0 while offline). */
  watchers(docId: string): number {
    return this.#live.watchers(docId);
  }

  /** Calls `listener` when a document's watcher count changes; returns an unsubscribe. */
  onWatchers(listener: (docId: string, count: number) => void): () => void {
    return this.#live.onWatchers(listener);
  }

  /** Calls `listener` with each live message that arrives (decrypted); returns an unsubscribe. */
  onLive(listener: (docId: string, plaintext: Uint8Array) => void): () => void {
    return this.#live.onLive(listener);
  }

  /**
   * Seals `plaintext` as a live (ephemeral) message of `docId` and sends it — only when
   * connected, this device can write the document, and somebody watches. Returns whether it
   * was sent. Live messages are never stored or retried: the next one supersedes it.
   */
  sendLive(docId: string, plaintext: Uint8Array): boolean {
    const tracked = this.#documents.docs.get(docId);
    const keys = tracked && newest(tracked.doc.keys);
    if (!keys || !canWrite(keys) || !this.#connection.welcomed || this.#live.watchers(docId) === 0)
      return false;
    const sealed = sealLiveMessage(this.#sodiumOrThrow(), {
      docId,
      keys,
      authorDevice: this.#options.source.deviceId,
      counter: this.#live.nextCounter(),
      plaintext,
      random: this.#ctx.random,
    });
    if (!sealed.ok) {
      this.#error(sealed.error.code, `could not seal a live message: ${sealed.error.message}`);
      return false;
    }
    const id = this.#connection.nextId();
    this.#connection.send({ type: "ephemeral", id, docId, envelope: sealed.value });
    return true;
  }

  async #handle(
    message: RelayMessage,
    request: SyncRequest | undefined,
    epoch: number,
  ): Promise<void> {
    switch (message.type) {
      case "welcome":
        return;
      case "ack":
        await this.#acked(message, request);
        return;
      case "envelope": {
        const tracked = this.#documents.docs.get(message.docId);
        if (tracked) await this.#receiver.envelope(tracked, message.seq, message.envelope, epoch);
        return;
      }
      case "caught-up": {
        const tracked = this.#documents.docs.get(message.docId);
        if (tracked) await this.#receiver.caughtUp(tracked, message.seq, epoch);
        return;
      }
      case "ephemeral": {
        const tracked = this.#documents.docs.get(message.docId);
        if (!tracked) return;
        const opened = openLiveMessage(this.#sodiumOrThrow(), message.envelope, tracked.doc.keys);
        if (!opened.ok)
          this.#error(opened.error.code, `a live message was rejected: ${opened.error.message}`);
        else if (opened.value !== null) this.#live.received(message.docId, opened.value);
        return;
      }
      case "watchers":
        this.#live.setWatchers(message.docId, message.count);
        return;
      case "error":
        await this.#relayError(message, request);
        return;
    }
  }

  async #acked(
    message: Extract<RelayMessage, { type: "ack" }>,
    request: SyncRequest | undefined,
  ): Promise<void> {
    const tracked = this.#documents.docs.get(message.docId);
    if (!request || !tracked) return;
    if (request.kind === "register") this.#documents.registered(tracked);
    else if (request.kind === "push" && !(await this.#outbox.acked(tracked, request, message.seq)))
      return;
    this.#updateStatus();
  }

  async #relayError(message: ErrorFrame, request: SyncRequest | undefined): Promise<void> {
    const docId = request?.docId ?? message.docId;
    const tracked = docId === null ? undefined : this.#documents.docs.get(docId);
    const actions = relayErrorActions({
      request,
      code: message.code,
      message: message.message,
      tracked: tracked !== undefined,
      registerHeld: tracked?.registerRetry !== undefined,
      shared: tracked?.doc.accessSecret !== undefined,
    });
    for (const action of actions) await this.#apply(action, message, request, tracked);
    this.#updateStatus();
  }

  async #apply(
    action: RelayErrorAction,
    message: ErrorFrame,
    request: SyncRequest | undefined,
    tracked: Tracked | undefined,
  ): Promise<void> {
    const { code } = message;
    const counter = request?.kind === "push" ? request.counter : undefined;
    switch (action.kind) {
      case "report":
        this.#error(code, message.message);
        return;
      case "forget-push":
        if (tracked && counter !== undefined) this.#outbox.refused(tracked, counter);
        return;
      case "drop-push":
        if (request?.kind !== "push") return;
        if (tracked) await this.#outbox.drop(tracked, request.counter);
        else await this.#ctx.store.remove(request.docId, request.counter);
        return;
      case "reconnect":
        this.#connection.close(4000, "relay error; retrying");
        return;
    }
    if (!tracked) return;
    const docId = tracked.doc.docId;
    switch (action.kind) {
      case "unsubscribed":
        tracked.caughtUp = false;
        return;
      case "refresh-keys":
        void this.#options.source.refreshKeys?.(docId);
        return;
      case "start-over":
        // A document waiting out a refused registration is refused a subscription each time
        // it is tried; sealing it whole again each time would only pile up the outbox.
        if (action.resend && !action.restart && neverOnRelay(tracked)) return;
        startOver(tracked);
        if (action.resend) this.#outbox.local(tracked);
        if (action.restart) this.#documents.start(tracked);
        return;
      case "hold-register": {
        const delay = this.#documents.holdRegister(tracked, action.retryAfterMs);
        this.#error(
          code,
          `${message.message} (document ${docId} is registered again in ${seconds(delay)})`,
        );
        return;
      }
      case "retry-pushes": {
        const delay = this.#outbox.retryLater(tracked, action.retryAfterMs);
        const retry = delay === null ? "" : ` (pushing ${docId} again in ${seconds(delay)})`;
        this.#error(code, `${message.message}${retry}`);
        return;
      }
    }
  }

  #sodiumOrThrow(): Sodium {
    if (!this.#sodium) throw new Error("the sync engine is not started");
    return this.#sodium;
  }

  #error(code: string, message: string): void {
    this.#setStatus({ lastError: { code, message } });
  }

  #updateStatus(): void {
    if (!this.#connection.open) return;
    if (!this.#connection.welcomed) {
      this.#setStatus({ state: "connecting" });
      return;
    }
    const inStep =
      this.#documents.pending === 0 &&
      !this.#documents.refreshing &&
      [...this.#documents.docs.values()].every((t) => t.caughtUp);
    this.#setStatus(
      inStep ? { state: "synced", lastSyncedAt: this.#clock.now() } : { state: "syncing" },
    );
  }

  #setStatus(change: Partial<SyncStatus>): void {
    this.#status.set({ pending: this.#documents.pending, ...change });
  }
}
