/**
 * The sync engine (DESIGN.md §5): one connection per vault, multiplexing all documents.
 *
 * - A local change becomes an envelope (the Automerge changes since the last envelope,
 *   encrypted and signed) that is written to the outbox before it is sent and leaves it only
 *   when the relay acknowledges it.
 * - Each document is subscribed from its cursor; what arrives is verified, decrypted and
 *   merged. The cursor moves only on `caught-up` and on live envelopes.
 * - A writer uploads an encrypted snapshot once `snapshotEvery` changes have accumulated
 *   since the last one, or once a document with at least `snapshotMinChanges` new changes
 *   has been quiet for `snapshotIdleMs` (a finished ride); the relay then prunes what it
 *   covers, and a new device downloads one snapshot instead of every change.
 * - Connections are retried with exponential backoff and jitter; `status` says where
 *   things stand, and listeners hear every change of it.
 */

import { concatBytes } from "../bytes.js";
import {
  canWrite,
  type DocumentKeys,
  deriveAccessSecret,
  hashAccessSecret,
} from "../crypto/document-keys.js";
import { openEnvelope, sealEnvelope } from "../crypto/envelope.js";
import { MAX_PLAINTEXT_BYTES } from "../crypto/envelope-format.js";
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import { type Clock, type Random, systemClock, systemRandom } from "../runtime.js";
import { LiveLinks } from "./live-links.js";
import {
  type ClientMessage,
  decodeRelayMessage,
  encodeClientMessage,
  type RelayMessage,
} from "./protocol.js";
import { resealOutbox } from "./reseal-outbox.js";
import type { SyncedDocument, SyncSource } from "./sync-source.js";
import { StatusBoard, type SyncStatus } from "./sync-status.js";
import { type DocumentSyncState, SyncStore } from "./sync-store.js";
import type { Connection, Transport } from "./transport.js";

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

type Request =
  | { readonly kind: "register" | "subscribe" | "unsubscribe" | "watch"; readonly docId: string }
  | {
      readonly kind: "push";
      readonly docId: string;
      readonly counter: number;
      readonly coversSeq: number | null;
    };

interface Tracked {
  /** Replaced when its keys change (a rotation). */
  doc: SyncedDocument;
  /**
   * An envelope arrived sealed with keys this device lacks: the cursor stays put until the
   * keys come and the document is subscribed again from it.
   */
  blocked: boolean;
  state: DocumentSyncState;
  caughtUp: boolean;
  /** Plaintexts received during catch-up, merged at `caught-up` in one go. */
  buffered: Uint8Array[];
  /** Writes to the outbox and state, in order. */
  writes: Promise<void>;
  /** Sequence numbers of this device's acknowledged envelopes above the cursor. */
  readonly ownAhead: Set<number>;
  /** Fires when the document has been quiet for `snapshotIdleMs`. */
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** This document's envelopes in the outbox. */
  unacked: number;
  readonly stopListening: () => void;
}

/** Keeps a vault's documents in step with a relay. */
export class SyncEngine {
  readonly #options: SyncOptions;
  readonly #store: SyncStore;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #docs = new Map<string, Tracked>();
  readonly #requests = new Map<number, Request>();
  /** Outbox entries sent on this connection and not yet acknowledged, `docId/counter`. */
  readonly #inFlight = new Set<string>();
  #sodium: Sodium | undefined;
  #connection: Connection | undefined;
  #welcomed = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextId = 1;
  #pending = 0;
  #refreshing = 0;
  #refreshQueue: Promise<void> = Promise.resolve();
  #inbox: Promise<void> = Promise.resolve();
  /** Which connection is current; frames and awaits of an older one change nothing. */
  #epoch = 0;
  #stopped = true;
  readonly #status = new StatusBoard();
  readonly #live = new LiveLinks();
  #stopDocumentsListener: (() => void) | undefined;

  constructor(options: SyncOptions) {
    this.#options = options;
    this.#store = new SyncStore(options.source.storage);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? systemRandom;
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
      void this.#refreshDocuments();
    });
    await this.#refreshDocuments();
    this.#connect();
  }

  /** Disconnects and stops reconnecting; the outbox keeps what was not acknowledged. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#stopDocumentsListener?.();
    this.#connection?.close(1000, "stopped");
    this.#connection = undefined;
    await this.#inbox;
    for (const tracked of this.#docs.values()) {
      tracked.stopListening();
      if (tracked.idleTimer !== undefined) clearTimeout(tracked.idleTimer);
      await tracked.writes;
    }
    this.#docs.clear();
    this.#setStatus({ state: "offline" });
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
    const tracked = this.#docs.get(docId);
    if (this.#welcomed && tracked?.caughtUp) this.#sendWatch(docId, on);
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
    const tracked = this.#docs.get(docId);
    const keys = tracked && newest(tracked.doc.keys);
    if (!keys || !canWrite(keys) || !this.#welcomed || this.#live.watchers(docId) === 0)
      return false;
    const sealed = sealEnvelope(this.#sodiumOrThrow(), {
      header: {
        kind: "ephemeral",
        docId,
        generation: keys.generation,
        authorDevice: this.#options.source.deviceId,
        counter: this.#live.nextCounter(),
      },
      plaintext,
      keys,
      random: this.#random,
    });
    if (!sealed.ok) {
      this.#error(sealed.error.code, `could not seal a live message: ${sealed.error.message}`);
      return false;
    }
    this.#send({ type: "ephemeral", id: this.#id(), docId, envelope: sealed.value });
    return true;
  }

  #sendWatch(docId: string, on: boolean): void {
    this.#request({ type: "watch", id: 0, docId, on }, { kind: "watch", docId });
  }

  /** Picks up new documents; refreshes run one after another, never interleaved. */
  #refreshDocuments(): Promise<void> {
    // Not "synced" while documents the library just listed are still being picked up.
    this.#refreshing++;
    this.#refreshQueue = this.#refreshQueue
      .then(() => this.#trackNewDocuments())
      .catch((error: unknown) =>
        this.#error("documents", `could not list documents to sync: ${(error as Error).message}`),
      )
      .finally(() => {
        this.#refreshing--;
        this.#updateStatus();
      });
    return this.#refreshQueue;
  }

  async #trackNewDocuments(): Promise<void> {
    const documents = await this.#options.source.documents();
    const listed = new Set(documents.map((doc) => doc.docId));
    for (const [docId, tracked] of [...this.#docs]) {
      // No longer the source's (a share ended, a workout purged): stop following it; its
      // outbox stays stored.
      if (listed.has(docId)) continue;
      tracked.stopListening();
      if (tracked.idleTimer !== undefined) clearTimeout(tracked.idleTimer);
      this.#pending -= tracked.unacked;
      this.#docs.delete(docId);
      if (this.#welcomed)
        this.#request({ type: "unsubscribe", id: 0, docId }, { kind: "unsubscribe", docId });
    }
    for (const doc of documents) {
      if (this.#stopped) continue;
      const known = this.#docs.get(doc.docId);
      if (known) {
        if (keysChanged(known.doc, doc)) await this.#rekeyed(known, doc);
        continue;
      }
      const state = await this.#store.state(doc.docId);
      const outbox = await this.#store.pending(doc.docId);
      const last = outbox[outbox.length - 1];
      const tracked: Tracked = {
        doc,
        blocked: false,
        state: last && last.counter > state.counter ? { ...state, counter: last.counter } : state,
        caughtUp: false,
        buffered: [],
        writes: Promise.resolve(),
        ownAhead: new Set(),
        idleTimer: undefined,
        unacked: outbox.length,
        stopListening: doc.onLocalChange(() => this.#local(tracked)),
      };
      this.#docs.set(doc.docId, tracked);
      this.#pending += outbox.length;
      this.#local(tracked);
      if (this.#welcomed) this.#startDocument(tracked);
    }
    this.#updateStatus();
  }

  /**
   * New keys for a tracked document (a rotation, or a share's refreshed keyring): outbox
   * envelopes sealed with older keys are sealed again, and the document is subscribed anew
   * from its cursor, with the new access secret, picking up what could not be opened.
   */
  async #rekeyed(tracked: Tracked, doc: SyncedDocument): Promise<void> {
    tracked.doc = doc;
    tracked.blocked = false;
    const keys = newest(doc.keys);
    if (keys) {
      await tracked.writes;
      const pending = await this.#store.pending(doc.docId);
      const outcome = resealOutbox(this.#sodiumOrThrow(), {
        pending,
        keys: doc.keys,
        newest: keys,
        random: this.#random,
      });
      for (const entry of outcome.resealed) await this.#store.put(entry);
      for (const { entry, reason } of outcome.dropped) {
        await this.#store.remove(entry.docId, entry.counter);
        this.#pending--;
        tracked.unacked--;
        this.#error(
          "reseal-failed",
          `a change of ${doc.docId} could not be sealed again: ${reason}`,
        );
      }
      for (const entry of outcome.resealed)
        this.#inFlight.delete(`${entry.docId}/${entry.counter}`);
    }
    if (this.#welcomed) {
      tracked.caughtUp = false;
      tracked.buffered = [];
      this.#startDocument(tracked);
    }
  }

  /** Turns unsent local changes into an envelope in the outbox (synchronously decided). */
  #local(tracked: Tracked): void {
    const keys = newest(tracked.doc.keys);
    if (!keys || !canWrite(keys) || this.#stopped) return;
    const changes = tracked.doc.changesSince(tracked.state.sentHeads);
    if (changes.length === 0) return;
    this.#armIdle(tracked);
    const heads = tracked.doc.heads();
    // Too big for one envelope (a first upload of a long history): send the whole document,
    // which Automerge compresses, as a change.
    const plaintext = changes.length > MAX_PLAINTEXT_BYTES ? tracked.doc.save() : changes;
    this.#enqueue(tracked, keys, plaintext, null, heads);
  }

  #enqueue(
    tracked: Tracked,
    keys: DocumentKeys,
    plaintext: Uint8Array,
    coversSeq: number | null,
    heads: readonly string[],
  ): void {
    const counter = tracked.state.counter + 1;
    const base = {
      docId: tracked.doc.docId,
      generation: keys.generation,
      authorDevice: this.#options.source.deviceId,
      counter,
    };
    const sealed = sealEnvelope(this.#sodiumOrThrow(), {
      header:
        coversSeq === null ? { ...base, kind: "change" } : { ...base, kind: "snapshot", coversSeq },
      plaintext,
      keys,
      random: this.#random,
    });
    if (!sealed.ok) {
      this.#error(
        sealed.error.code,
        `could not seal a change of ${tracked.doc.docId}: ${sealed.error.message}`,
      );
      return;
    }
    tracked.state = { ...tracked.state, counter, sentHeads: [...heads] };
    this.#pending++;
    tracked.unacked++;
    const state = tracked.state;
    const entry = { docId: tracked.doc.docId, counter, envelope: sealed.value };
    tracked.writes = tracked.writes.then(async () => {
      await this.#store.put(entry);
      await this.#store.saveState(entry.docId, state);
      if (this.#welcomed && tracked.caughtUp)
        this.#push(entry.docId, counter, entry.envelope, coversSeq);
    });
    this.#updateStatus();
  }

  #connect(): void {
    if (this.#stopped) return;
    this.#epoch++;
    this.#setStatus({ state: "connecting" });
    this.#connection = this.#options.transport(this.#options.url, {
      open: () => {
        void this.#hello();
      },
      frame: (frame) => {
        // Frames are handled strictly one after another: a merge that awaits must not let a
        // later envelope (or `caught-up`) move the cursor past it. Frames that were still
        // waiting when their connection closed are dropped: they belong to a session whose
        // state is gone.
        const epoch = this.#epoch;
        this.#inbox = this.#inbox
          .then(() => (epoch === this.#epoch ? this.#receive(frame, epoch) : undefined))
          .catch((error: unknown) => {
            this.#error(
              "internal",
              `a frame from the relay could not be handled: ${(error as Error).message}`,
            );
          });
      },
      closed: (code, reason) => this.#closed(code, reason),
    });
  }

  async #hello(): Promise<void> {
    const token = (await this.#options.token?.()) ?? null;
    this.#send({ type: "hello", id: this.#id(), deviceId: this.#options.source.deviceId, token });
  }

  #closed(code: number, reason: string): void {
    this.#epoch++;
    this.#connection = undefined;
    this.#welcomed = false;
    this.#requests.clear();
    this.#inFlight.clear();
    this.#live.disconnected();
    for (const tracked of this.#docs.values()) {
      tracked.caughtUp = false;
      tracked.buffered = [];
    }
    if (this.#stopped) return;
    if (code !== 1000 && code !== 1001)
      this.#error(`closed-${code}`, `the relay closed the connection (${code} ${reason})`);
    const { minMs = 500, maxMs = 30_000 } = this.#options.backoff ?? {};
    const jitter = 0.5 + (this.#random.bytes(1)[0] as number) / 255;
    const delay = Math.min(maxMs, minMs * 2 ** this.#attempt) * jitter;
    this.#attempt++;
    this.#setStatus({ state: "offline" });
    this.#timer = setTimeout(() => this.#connect(), delay);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  async #receive(frame: Uint8Array, epoch: number): Promise<void> {
    const decoded = decodeRelayMessage(frame);
    if (!decoded.ok) {
      this.#error(
        decoded.error.code,
        `the relay sent a frame this device cannot read: ${decoded.error.message}`,
      );
      return;
    }
    await this.#handle(decoded.value, epoch);
  }

  async #handle(message: RelayMessage, epoch: number): Promise<void> {
    switch (message.type) {
      case "welcome":
        this.#welcomed = true;
        this.#attempt = 0;
        for (const tracked of this.#docs.values()) this.#startDocument(tracked);
        this.#updateStatus();
        return;
      case "ack":
        await this.#acked(message);
        return;
      case "envelope":
        await this.#envelope(message.docId, message.seq, message.envelope, epoch);
        return;
      case "caught-up":
        await this.#caughtUp(message.docId, message.seq, epoch);
        return;
      case "ephemeral": {
        const tracked = this.#docs.get(message.docId);
        if (!tracked) return;
        const opened = openEnvelope(this.#sodiumOrThrow(), message.envelope, tracked.doc.keys);
        if (opened.ok && opened.value.header.kind === "ephemeral")
          this.#live.received(message.docId, opened.value.plaintext);
        else if (!opened.ok)
          this.#error(opened.error.code, `a live message was rejected: ${opened.error.message}`);
        return;
      }
      case "watchers":
        this.#live.setWatchers(message.docId, message.count);
        return;
      case "error": {
        const request = this.#requests.get(message.id);
        this.#requests.delete(message.id);
        this.#error(message.code, message.message);
        if (request?.kind === "push") this.#inFlight.delete(`${request.docId}/${request.counter}`);
        const docId = request?.docId ?? message.docId;
        const tracked = docId === null ? undefined : this.#docs.get(docId);
        if (!request && tracked && message.code === "forbidden") {
          // The relay ended a subscription (a share revoked or expired): ask the source.
          tracked.caughtUp = false;
          void this.#options.source.refreshKeys?.(tracked.doc.docId);
        }
        if (tracked && message.code === "unknown-document" && request?.kind !== "register") {
          // The relay lost the document (a new or restored relay): register it again; the
          // outbox is re-sent once the new subscription has caught up.
          // Start the document over there: everything is sealed again from the beginning.
          tracked.state = {
            ...tracked.state,
            registered: false,
            cursor: 0,
            sentHeads: [],
            snapshotSeq: 0,
          };
          tracked.ownAhead.clear();
          if (request?.kind === "subscribe") {
            this.#local(tracked);
            this.#startDocument(tracked);
          }
        }
        if (
          tracked &&
          (message.code === "key-rotated" ||
            (message.code === "forbidden" && request?.kind === "subscribe"))
        ) {
          // Keys rotated elsewhere: the outbox keeps the envelope until new keys arrive and
          // it is sealed again (`#rekeyed`).
          void this.#options.source.refreshKeys?.(tracked.doc.docId);
        }
        if (request?.kind === "push" && message.code === "bad-signature") {
          // It can never be accepted: these keys cannot write this document.
          await this.#store.remove(request.docId, request.counter);
          this.#pending--;
          if (tracked) tracked.unacked--;
        } else if (message.code === "internal") {
          this.#connection?.close(4000, "relay error; retrying");
        }
        this.#updateStatus();
        return;
      }
    }
  }

  #startDocument(tracked: Tracked): void {
    const keys = newest(tracked.doc.keys);
    if (!keys) return;
    const docId = tracked.doc.docId;
    const sodium = this.#sodiumOrThrow();
    const shared = tracked.doc.accessSecret;
    const accessSecret = shared ?? deriveAccessSecret(sodium, keys.readKey);
    if (shared === undefined && canWrite(keys) && !tracked.state.registered) {
      const accessHash = hashAccessSecret(sodium, accessSecret);
      this.#request(
        { type: "register", id: 0, docId, writePublicKey: keys.writePublicKey, accessHash },
        { kind: "register", docId },
      );
    }
    this.#request(
      { type: "subscribe", id: 0, docId, afterSeq: tracked.state.cursor, accessSecret },
      { kind: "subscribe", docId },
    );
  }

  async #acked(message: Extract<RelayMessage, { type: "ack" }>): Promise<void> {
    const request = this.#requests.get(message.id);
    this.#requests.delete(message.id);
    const tracked = this.#docs.get(message.docId);
    if (!request || !tracked) return;
    if (request.kind === "register") {
      tracked.state = { ...tracked.state, registered: true };
      const state = tracked.state;
      tracked.writes = tracked.writes.then(() => this.#store.saveState(message.docId, state));
    } else if (request.kind === "push") {
      if (!this.#inFlight.delete(`${request.docId}/${request.counter}`)) return;
      await this.#store.remove(request.docId, request.counter);
      this.#pending--;
      tracked.unacked--;
      // Our own envelope is in our document: the cursor may pass it when nothing from
      // another device lies between (a lone writer's cursor then keeps up, and compacts).
      if (message.seq > tracked.state.cursor) tracked.ownAhead.add(message.seq);
      this.#advance(tracked, tracked.state.cursor);
      if (request.coversSeq !== null) {
        tracked.state = {
          ...tracked.state,
          snapshotSeq: Math.max(tracked.state.snapshotSeq, request.coversSeq),
        };
        const state = tracked.state;
        tracked.writes = tracked.writes.then(() => this.#store.saveState(message.docId, state));
      }
      this.#maybeSnapshot(tracked);
    }
    this.#updateStatus();
  }

  async #envelope(docId: string, seq: number, envelope: Uint8Array, epoch: number): Promise<void> {
    const tracked = this.#docs.get(docId);
    if (!tracked) return;
    const opened = openEnvelope(this.#sodiumOrThrow(), envelope, tracked.doc.keys);
    if (!opened.ok && opened.error.code === "unknown-generation") {
      const held = newest(tracked.doc.keys)?.generation ?? -1;
      if (opened.error.generation > held) {
        // Sealed with keys rotated after ours: hold the cursor and fetch the new keys.
        tracked.blocked = true;
        void this.#options.source.refreshKeys?.(docId);
      }
    }
    if (!opened.ok) {
      this.#error(
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
    if (epoch === this.#epoch) this.#advance(tracked, seq);
  }

  async #caughtUp(docId: string, seq: number, epoch: number): Promise<void> {
    const tracked = this.#docs.get(docId);
    if (!tracked) return;
    const buffered = tracked.buffered.splice(0);
    if (buffered.length > 0) await this.#merge(tracked, buffered);
    // Closed while merging: what was merged stays merged, but the cursor stays put.
    if (epoch !== this.#epoch) return;
    tracked.caughtUp = true;
    this.#advance(tracked, seq);
    if (this.#live.watching.has(docId)) this.#sendWatch(docId, true);
    const pending = await this.#store.pending(docId);
    if (epoch !== this.#epoch) return;
    for (const entry of pending) this.#push(docId, entry.counter, entry.envelope, null);
    this.#maybeSnapshot(tracked);
    this.#updateStatus();
  }

  async #merge(tracked: Tracked, plaintexts: readonly Uint8Array[]): Promise<void> {
    const merged = await this.#options.source.merge(tracked.doc.docId, concatBytes(plaintexts));
    if (!merged.ok) {
      this.#error("merge-failed", merged.message);
      return;
    }
    // Every local change was turned into an envelope when it was made, so the merged state
    // holds nothing unsent: later envelopes start from here.
    tracked.state = { ...tracked.state, sentHeads: tracked.doc.heads() };
    if (newest(tracked.doc.keys)?.writeKey) this.#armIdle(tracked);
  }

  #advance(tracked: Tracked, seq: number): void {
    if (this.#stopped || tracked.blocked) return;
    let cursor = Math.max(tracked.state.cursor, seq);
    while (tracked.ownAhead.has(cursor + 1)) cursor++;
    for (const own of tracked.ownAhead) if (own <= cursor) tracked.ownAhead.delete(own);
    if (cursor === tracked.state.cursor) return;
    tracked.state = { ...tracked.state, cursor };
    const state = tracked.state;
    const docId = tracked.doc.docId;
    // The merged document is stored before the cursor that says it was merged: a crash
    // in between must not leave a cursor past changes this device no longer has.
    tracked.writes = tracked.writes.then(async () => {
      await this.#options.source.persist(docId);
      await this.#store.saveState(docId, state);
    });
  }

  /** (Re)starts the quiet-document timer that may compact `tracked`. */
  #armIdle(tracked: Tracked): void {
    if (tracked.idleTimer !== undefined) clearTimeout(tracked.idleTimer);
    tracked.idleTimer = setTimeout(() => {
      tracked.idleTimer = undefined;
      this.#maybeSnapshot(tracked, true);
    }, this.#options.snapshotIdleMs ?? 120_000);
    (tracked.idleTimer as { unref?: () => void }).unref?.();
  }

  #maybeSnapshot(tracked: Tracked, idle = false): void {
    if (this.#stopped) return;
    const keys = newest(tracked.doc.keys);
    const every = idle
      ? (this.#options.snapshotMinChanges ?? 16)
      : (this.#options.snapshotEvery ?? 1000);
    if (!keys || !canWrite(keys)) return;
    const prefix = `${tracked.doc.docId}/`;
    const busy =
      !tracked.caughtUp ||
      tracked.unacked > 0 ||
      [...this.#inFlight].some((key) => key.startsWith(prefix));
    if (busy) {
      // Not now (offline, catching up, or pushes unacknowledged — the cursor still lags
      // behind them): try again when quiet.
      if (idle) this.#armIdle(tracked);
      return;
    }
    const { cursor, snapshotSeq } = tracked.state;
    if (cursor - snapshotSeq < every) return;
    tracked.state = { ...tracked.state, snapshotSeq: cursor };
    this.#enqueue(tracked, keys, tracked.doc.save(), cursor, tracked.state.sentHeads);
  }

  #push(docId: string, counter: number, envelope: Uint8Array, coversSeq: number | null): void {
    const key = `${docId}/${counter}`;
    if (this.#inFlight.has(key)) return;
    this.#inFlight.add(key);
    this.#request(
      { type: "push", id: 0, docId, envelope },
      { kind: "push", docId, counter, coversSeq },
    );
  }

  #request(message: ClientMessage, request: Request): void {
    const id = this.#id();
    this.#requests.set(id, request);
    this.#send({ ...message, id } as ClientMessage);
  }

  #send(message: ClientMessage): void {
    this.#connection?.send(encodeClientMessage(message));
  }

  #id(): number {
    return this.#nextId++;
  }

  #sodiumOrThrow(): Sodium {
    if (!this.#sodium) throw new Error("the sync engine is not started");
    return this.#sodium;
  }

  #error(code: string, message: string): void {
    this.#setStatus({ lastError: { code, message } });
  }

  #updateStatus(): void {
    if (!this.#connection) return;
    if (!this.#welcomed) {
      this.#setStatus({ state: "connecting" });
      return;
    }
    const inStep =
      this.#pending === 0 &&
      this.#refreshing === 0 &&
      [...this.#docs.values()].every((t) => t.caughtUp);
    this.#setStatus(
      inStep ? { state: "synced", lastSyncedAt: this.#clock.now() } : { state: "syncing" },
    );
  }

  #setStatus(change: Partial<SyncStatus>): void {
    this.#status.set({ ...change, pending: this.#pending });
  }
}

/** True when `next` holds other keys than `current` (a new generation or access secret). */
function keysChanged(current: SyncedDocument, next: SyncedDocument): boolean {
  const a = newest(current.keys);
  const b = newest(next.keys);
  if (a?.generation !== b?.generation || current.keys.size !== next.keys.size) return true;
  if (a && b && (a.writeKey === null) !== (b.writeKey === null)) return true;
  const x = current.accessSecret;
  const y = next.accessSecret;
  return (
    x?.length !== y?.length || (x !== undefined && y !== undefined && x.some((v, i) => v !== y[i]))
  );
}

function newest(keys: ReadonlyMap<number, DocumentKeys>): DocumentKeys | undefined {
  let best: DocumentKeys | undefined;
  for (const k of keys.values()) if (!best || k.generation > best.generation) best = k;
  return best;
}
