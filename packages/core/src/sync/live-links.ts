/**
 * The sync engine's live side (protocol v3): which documents this device watches, how many
 * watchers the relay reports for each, and who listens for live messages. A recording
 * device sends its live ride only while somebody watches (`sendLive`); a coach's device
 * watches a shared ride and hears each live message. Live messages are ephemeral envelopes:
 * encrypted and signed like changes, relayed, never stored; `sealLiveMessage` and
 * `openLiveMessage` turn them into bytes and back.
 */
import type { DocumentKeys } from "../crypto/document-keys.js";
import { openEnvelope, sealEnvelope } from "../crypto/envelope.js";
import type { EnvelopeError } from "../crypto/envelope-error.js";
import type { Sodium } from "../crypto/sodium.js";
import type { DeviceId } from "../ids.js";
import { err, ok, type Result } from "../result.js";
import type { Random } from "../runtime.js";

type WatchersListener = (docId: string, count: number) => void;
type LiveListener = (docId: string, plaintext: Uint8Array) => void;

/** @internal The engine's bookkeeping for live messages. */
export class LiveLinks {
  /** Documents this device wants to watch (kept across reconnects). */
  readonly watching = new Set<string>();
  readonly #counts = new Map<string, number>();
  readonly #watchersListeners = new Set<WatchersListener>();
  readonly #liveListeners = new Set<LiveListener>();
  /** Counter of this device's ephemeral envelopes (never stored, so never deduplicated). */
  #counter = 0;

  /** The watcher count the relay last reported for `docId` (0 while disconnected). */
  watchers(docId: string): number {
    return this.#counts.get(docId) ?? 0;
  }

  /** The relay reported a new count. */
  setWatchers(docId: string, count: number): void {
    if (this.watchers(docId) === count) return;
    if (count === 0) this.#counts.delete(docId);
    else this.#counts.set(docId, count);
    for (const listener of this.#watchersListeners) listener(docId, count);
  }

  /** The connection closed: nobody is known to watch any more. */
  disconnected(): void {
    for (const docId of [...this.#counts.keys()]) this.setWatchers(docId, 0);
  }

  /** A live message arrived, opened. */
  received(docId: string, plaintext: Uint8Array): void {
    for (const listener of this.#liveListeners) listener(docId, plaintext);
  }

  /** The next counter for an ephemeral envelope. */
  nextCounter(): number {
    this.#counter += 1;
    return this.#counter;
  }

  onWatchers(listener: WatchersListener): () => void {
    this.#watchersListeners.add(listener);
    return () => this.#watchersListeners.delete(listener);
  }

  onLive(listener: LiveListener): () => void {
    this.#liveListeners.add(listener);
    return () => this.#liveListeners.delete(listener);
  }
}

/** What a live message is sealed from. */
export interface LiveMessage {
  readonly docId: string;
  /** The generation that seals (the newest held; it must hold the write key). */
  readonly keys: DocumentKeys;
  readonly authorDevice: DeviceId;
  /** From `LiveLinks.nextCounter`. */
  readonly counter: number;
  readonly plaintext: Uint8Array;
  readonly random: Random;
}

/** @internal Seals `message` as an ephemeral envelope. */
export function sealLiveMessage(
  sodium: Sodium,
  message: LiveMessage,
): Result<Uint8Array, EnvelopeError> {
  const { docId, keys, authorDevice, counter, plaintext, random } = message;
  return sealEnvelope(sodium, {
    header: { kind: "ephemeral", docId, generation: keys.generation, authorDevice, counter },
    plaintext,
    keys,
    random,
  });
}

/**
 * @internal Opens a live message: its plaintext, null for an envelope of another kind
 * (ignored), or why it was rejected.
 */
export function openLiveMessage(
  sodium: Sodium,
  envelope: Uint8Array,
  keys: ReadonlyMap<number, DocumentKeys>,
): Result<Uint8Array | null, EnvelopeError> {
  const opened = openEnvelope(sodium, envelope, keys);
  if (!opened.ok) return err(opened.error);
  return ok(opened.value.header.kind === "ephemeral" ? opened.value.plaintext : null);
}
