/**
 * The relay's decisions: frames in, frames out — no sockets, no database (STYLE.md). One
 * `RelayConnection` per device connection. The relay checks what it can without a key:
 * the frame decodes; the caller may read the document (it presents the access secret whose
 * hash was registered); a pushed envelope is signed by the document's write key; then it
 * commits the envelope, acknowledges only after the commit, and fans it out — in-process,
 * or, with a store's change feed (`RelayOptions.feed`), to subscribers on every instance.
 */
import { encodeRelayMessage } from "@ridevault/core/protocol";
import { FeedFanOut } from "./feed-fan-out.js";
import { RelayConnection, type Router } from "./relay-connection.js";
import type { ConnectionIdentity, ConnectionSink, RelayOptions } from "./relay-types.js";

export { RelayConnection, type Router } from "./relay-connection.js";
export {
  type AccessPolicy,
  CLOSE_CODES,
  type ConnectionIdentity,
  type ConnectionSink,
  type EnvelopeFacts,
  type EnvelopeInspector,
  type ProtocolStore,
  type RelayOptions,
} from "./relay-types.js";

/** Routes frames between connections and the store. */
export class Relay implements Router {
  readonly #options: RelayOptions;
  readonly #subscribers = new Map<string, Set<RelayConnection>>();
  /** Connections watching each document live (a subset of its subscribers). */
  readonly #watchers = new Map<string, Set<RelayConnection>>();
  /** Cross-instance fan-out, when the store has a change feed. */
  readonly #shared: FeedFanOut<RelayConnection> | undefined;

  constructor(options: RelayOptions) {
    this.#options = options;
    const feed = options.feed;
    this.#shared =
      feed &&
      new FeedFanOut<RelayConnection>({
        feed,
        deliver: (docId, seq, envelope, except) => {
          for (const connection of this.#subscribers.get(docId) ?? []) {
            if (connection !== except) connection.deliver(docId, seq, envelope);
          }
        },
        onError: () => this.#options.metrics?.errors.inc({ code: "feed-read-failed" }),
      });
  }

  /**
   * Starts listening to the store's change feed, if any; resolves once it listens. Call it
   * before serving (`startRelay` does).
   */
  async start(): Promise<void> {
    const shared = this.#shared;
    await this.#options.feed?.start({
      hint: (docId, seq) => shared?.hint(docId, seq),
      resync: () => shared?.resync(),
    });
  }

  /**
   * A new device connection; frames the relay sends go to `sink`. `identity` is who the
   * upgrade authenticated (an access token in the handshake), if anyone.
   */
  connect(sink: ConnectionSink, identity?: ConnectionIdentity): RelayConnection {
    this.#options.metrics?.connections.inc();
    return new RelayConnection(this, this.#options, sink, identity);
  }

  /** @internal */
  subscribe(docId: string, connection: RelayConnection, lastSeq: number): void {
    let set = this.#subscribers.get(docId);
    if (!set) {
      set = new Set();
      this.#subscribers.set(docId, set);
      this.#shared?.follow(docId, lastSeq);
    }
    set.add(connection);
    // A rider who (re)connects while a coach watches must know to send the live ride.
    const watching = this.#watchers.get(docId)?.size ?? 0;
    if (watching > 0) {
      connection.sendFrame(encodeRelayMessage({ type: "watchers", docId, count: watching }));
    }
  }

  /** @internal */
  unsubscribe(docId: string, connection: RelayConnection): void {
    this.watch(docId, connection, false);
    const set = this.#subscribers.get(docId);
    set?.delete(connection);
    if (set?.size === 0) {
      this.#subscribers.delete(docId);
      this.#shared?.forget(docId);
    }
  }

  /** @internal Sends a committed envelope to every subscriber but its sender. */
  fanOut(docId: string, seq: number, envelope: Uint8Array, from: RelayConnection): void {
    if (this.#shared) {
      this.#shared.committed(docId, seq, envelope, from);
      return;
    }
    for (const connection of this.#subscribers.get(docId) ?? []) {
      if (connection !== from) connection.deliver(docId, seq, envelope);
    }
  }

  /**
   * @internal Counts `connection` as watching `docId` (or not); on a change every subscriber
   * hears the new count, so a recording device sends its live ride only while watched.
   */
  watch(docId: string, connection: RelayConnection, on: boolean): void {
    let set = this.#watchers.get(docId);
    if (on === (set?.has(connection) ?? false)) return;
    if (on) {
      set ??= new Set();
      this.#watchers.set(docId, set);
      set.add(connection);
    } else {
      set?.delete(connection);
      if (set?.size === 0) this.#watchers.delete(docId);
    }
    const frame = encodeRelayMessage({ type: "watchers", docId, count: set?.size ?? 0 });
    for (const subscriber of this.#subscribers.get(docId) ?? []) subscriber.sendFrame(frame);
  }

  /**
   * Ends every subscription held through these grants, on every connection of this
   * instance (the grants were revoked or their document's keys rotated them out).
   */
  revokeGrants(grantIds: Iterable<string>): void {
    const revoked = new Set(grantIds);
    if (revoked.size === 0) return;
    const connections = new Set<RelayConnection>();
    for (const set of this.#subscribers.values()) for (const c of set) connections.add(c);
    for (const connection of connections) connection.revokeGrants(revoked);
  }

  /** @internal Sends an ephemeral envelope to every other subscriber; stores nothing. */
  fanOutEphemeral(docId: string, envelope: Uint8Array, from: RelayConnection): void {
    const frame = encodeRelayMessage({ type: "ephemeral", docId, envelope });
    for (const connection of this.#subscribers.get(docId) ?? []) {
      if (connection !== from) connection.sendFrame(frame);
    }
  }
}
