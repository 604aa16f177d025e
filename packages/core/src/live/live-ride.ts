/**
 * The live ride view (issue #5): while recording, the rider's device publishes each second
 * as a live message, and a share holder (a coach) watches. Both sides talk to a
 * `LiveChannel` — the live part of the sync engine, which seals each message as an
 * ephemeral envelope, sends it only while somebody watches, and opens what arrives; the
 * relay fans it out and stores nothing. Here the seconds become bytes and back
 * (`live-sample-codec.ts`), and watching is counted per channel and document so two views
 * of one ride can stop independently.
 */
import { ok, type Result } from "../result.js";
import {
  decodeLiveSample,
  encodeLiveSample,
  type LiveSample,
  type LiveSampleError,
} from "./live-sample-codec.js";

/** The live part of the sync engine (`SyncEngine` is one); tests use a fake. */
export interface LiveChannel {
  /** Starts or stops watching `docId`'s live messages; remembered across reconnects. */
  watch(docId: string, on: boolean): void;
  /** How many devices the relay last said watch `docId` (0 while offline). */
  watchers(docId: string): number;
  /** Calls `listener` when a document's watcher count changes; returns an unsubscribe. */
  onWatchers(listener: (docId: string, count: number) => void): () => void;
  /** Seals and sends one live message iff connected and watched; says whether it did. */
  sendLive(docId: string, plaintext: Uint8Array): boolean;
  /** Calls `listener` with each live message that arrives, opened; returns an unsubscribe. */
  onLive(listener: (docId: string, plaintext: Uint8Array) => void): () => void;
}

/** Where a ride is published or watched. */
export interface LiveRideOptions {
  readonly channel: LiveChannel;
  /** The workout document being recorded. */
  readonly docId: string;
}

/** Publishes one ride's live seconds. */
export interface LivePublisher {
  /**
   * Sends one second to whoever watches: `true` when it was sent, `false` when nobody
   * watches or the device is offline (nothing is queued: the next second supersedes it).
   * Fails with `live-sample-invalid` for a sample out of range, watched or not.
   */
  publish(sample: LiveSample): Result<boolean, LiveSampleError>;
  /** How many devices watch the ride now, as the relay last said. */
  watchers(): number;
  /** Calls `listener` with the ride's new watcher count; returns an unsubscribe. */
  onWatchers(listener: (count: number) => void): () => void;
}

/** Makes a publisher for the ride in `docId`; it holds no resources. */
export function createLivePublisher({ channel, docId }: LiveRideOptions): LivePublisher {
  return {
    publish(sample) {
      const encoded = encodeLiveSample(sample);
      if (!encoded.ok) return encoded;
      return ok(channel.sendLive(docId, encoded.value));
    },
    watchers: () => channel.watchers(docId),
    onWatchers: (listener) =>
      channel.onWatchers((changed, count) => {
        if (changed === docId) listener(count);
      }),
  };
}

/** What `watchLiveRide` calls. */
export interface WatchLiveRideOptions extends LiveRideOptions {
  /** Each live second of the ride, decoded and validated. */
  readonly onSample: (sample: LiveSample) => void;
  /** A live message that did not decode; it is skipped and watching goes on. */
  readonly onError: (error: LiveSampleError) => void;
}

const watchesByChannel = new WeakMap<LiveChannel, Map<string, number>>();

/**
 * Watches the ride in `docId` (the channel must hold its read key: a share, or the rider's
 * own other device) and returns a function that stops; calling it again does nothing. The
 * channel is told to stop watching only when the last watch of the document on it stops.
 */
export function watchLiveRide({
  channel,
  docId,
  onSample,
  onError,
}: WatchLiveRideOptions): () => void {
  const stopListening = channel.onLive((from, plaintext) => {
    if (from !== docId) return;
    const decoded = decodeLiveSample(plaintext);
    if (decoded.ok) onSample(decoded.value);
    else onError(decoded.error);
  });
  let watches = watchesByChannel.get(channel);
  if (!watches) {
    watches = new Map();
    watchesByChannel.set(channel, watches);
  }
  const count = watches.get(docId) ?? 0;
  watches.set(docId, count + 1);
  if (count === 0) channel.watch(docId, true);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    stopListening();
    const left = (watches.get(docId) ?? 1) - 1;
    if (left > 0) {
      watches.set(docId, left);
      return;
    }
    watches.delete(docId);
    channel.watch(docId, false);
  };
}
