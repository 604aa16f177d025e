/**
 * The relay's decisions: frames in, frames out — no sockets, no database (STYLE.md). One
 * `RelayConnection` per device connection. The relay checks what it can without a key:
 * the frame decodes; the caller may read the document (it presents the access secret whose
 * hash was registered); a pushed envelope is signed by the document's write key; then it
 * commits the envelope, acknowledges only after the commit, and fans it out.
 */
import { encodeRelayMessage } from "@ridevault/core/protocol";
import { RelayConnection, type Router } from "./relay-connection.js";
import type { ConnectionSink, RelayOptions } from "./relay-types.js";

export { RelayConnection, type Router } from "./relay-connection.js";
export {
  type AccessPolicy,
  CLOSE_CODES,
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

  constructor(options: RelayOptions) {
    this.#options = options;
  }

  /** A new device connection; frames the relay sends go to `sink`. */
  connect(sink: ConnectionSink): RelayConnection {
    this.#options.metrics?.connections.inc();
    return new RelayConnection(this, this.#options, sink);
  }

  /** @internal */
  subscribe(docId: string, connection: RelayConnection): void {
    let set = this.#subscribers.get(docId);
    if (!set) {
      set = new Set();
      this.#subscribers.set(docId, set);
    }
    set.add(connection);
  }

  /** @internal */
  unsubscribe(docId: string, connection: RelayConnection): void {
    const set = this.#subscribers.get(docId);
    set?.delete(connection);
    if (set?.size === 0) this.#subscribers.delete(docId);
  }

  /** @internal Sends a committed envelope to every subscriber but its sender. */
  fanOut(docId: string, seq: number, envelope: Uint8Array, from: RelayConnection): void {
    for (const connection of this.#subscribers.get(docId) ?? []) {
      if (connection !== from) connection.deliver(docId, seq, envelope);
    }
  }

  /** @internal Sends an ephemeral envelope to every other subscriber; stores nothing. */
  fanOutEphemeral(docId: string, envelope: Uint8Array, from: RelayConnection): void {
    const frame = encodeRelayMessage({ type: "ephemeral", docId, envelope });
    for (const connection of this.#subscribers.get(docId) ?? []) {
      if (connection !== from) connection.sendFrame(frame);
    }
  }
}
