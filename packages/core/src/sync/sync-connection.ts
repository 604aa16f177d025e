/**
 * The sync engine's one connection to the relay: opening it, saying `hello`, reconnecting
 * with backoff after it closes, numbering requests so that an `ack`, `caught-up` or
 * `error` finds the request it answers, and handing decoded frames to the engine strictly
 * one after another. Each connection has an epoch; frames of an older one are dropped, so
 * nothing a closed connection said changes the state of the next.
 */
import type { Random } from "../runtime.js";
import {
  type ClientMessage,
  decodeRelayMessage,
  encodeClientMessage,
  type RelayMessage,
} from "./protocol.js";
import { type Backoff, reconnectDelay } from "./retry-delays.js";
import type { Connection, Transport } from "./transport.js";

/** A request sent on the current connection that awaits the relay's answer. */
export type SyncRequest =
  | { readonly kind: "register" | "subscribe" | "unsubscribe" | "watch"; readonly docId: string }
  | {
      readonly kind: "push";
      readonly docId: string;
      readonly counter: number;
      readonly coversSeq: number | null;
    };

/** What the connection tells its engine. */
export interface SyncConnectionEvents {
  /** The relay welcomed the current connection. */
  welcomed(): void;
  /** A frame other than `welcome`, with the request it answers (if any), in order. */
  message(message: RelayMessage, request: SyncRequest | undefined, epoch: number): Promise<void>;
  /** The connection closed; requests are forgotten and a reconnect is scheduled. */
  closed(): void;
  /** Something went wrong (for `status.lastError`). */
  error(code: string, message: string): void;
  /** The connection is being opened, or is down until the next attempt. */
  state(state: "connecting" | "offline"): void;
}

/** Options of a `SyncConnection`. */
export interface SyncConnectionOptions {
  readonly url: string;
  readonly transport: Transport;
  readonly deviceId: string;
  readonly token?: () => Promise<string | null>;
  readonly backoff?: Backoff;
  readonly random: Random;
  readonly events: SyncConnectionEvents;
}

/** @internal A reconnecting connection to the relay. */
export class SyncConnection {
  readonly #o: SyncConnectionOptions;
  readonly #requests = new Map<number, SyncRequest>();
  #connection: Connection | undefined;
  #welcomed = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextId = 1;
  #inbox: Promise<void> = Promise.resolve();
  #epoch = 0;
  #stopped = true;

  constructor(options: SyncConnectionOptions) {
    this.#o = options;
  }

  /** A connection is open or opening. */
  get open(): boolean {
    return this.#connection !== undefined;
  }

  /** The relay welcomed the current connection: requests may be sent. */
  get welcomed(): boolean {
    return this.#welcomed;
  }

  /** Which connection is current; work begun under another epoch must change nothing. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Connects, and reconnects after every close until `stop`. */
  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  /** Closes the connection, stops reconnecting, and waits for the frame being handled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#connection?.close(1000, "stopped");
    this.#connection = undefined;
    await this.#inbox;
  }

  /** Closes the current connection; a reconnect follows. */
  close(code: number, reason: string): void {
    this.#connection?.close(code, reason);
  }

  /** Sends `message` under a fresh id, remembering `request` until it is answered. */
  request(message: ClientMessage, request: SyncRequest): void {
    const id = this.nextId();
    this.#requests.set(id, request);
    this.send({ ...message, id } as ClientMessage);
  }

  /** Sends `message` as it is (no answer expected); nothing when not connected. */
  send(message: ClientMessage): void {
    this.#connection?.send(encodeClientMessage(message));
  }

  /** A fresh request id. */
  nextId(): number {
    return this.#nextId++;
  }

  /** True while a request of `kind` for `docId` awaits its answer. */
  awaiting(kind: SyncRequest["kind"], docId: string): boolean {
    for (const request of this.#requests.values())
      if (request.kind === kind && request.docId === docId) return true;
    return false;
  }

  #connect(): void {
    if (this.#stopped) return;
    this.#epoch++;
    this.#o.events.state("connecting");
    this.#connection = this.#o.transport(this.#o.url, {
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
            this.#o.events.error(
              "internal",
              `a frame from the relay could not be handled: ${(error as Error).message}`,
            );
          });
      },
      closed: (code, reason) => this.#closed(code, reason),
    });
  }

  async #hello(): Promise<void> {
    const token = (await this.#o.token?.()) ?? null;
    this.send({ type: "hello", id: this.nextId(), deviceId: this.#o.deviceId, token });
  }

  #closed(code: number, reason: string): void {
    this.#epoch++;
    this.#connection = undefined;
    this.#welcomed = false;
    this.#requests.clear();
    this.#o.events.closed();
    if (this.#stopped) return;
    if (code !== 1000 && code !== 1001)
      this.#o.events.error(`closed-${code}`, `the relay closed the connection (${code} ${reason})`);
    const delay = reconnectDelay(this.#attempt, this.#o.backoff ?? {}, this.#o.random);
    this.#attempt++;
    this.#o.events.state("offline");
    this.#timer = setTimeout(() => this.#connect(), delay);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  async #receive(frame: Uint8Array, epoch: number): Promise<void> {
    const decoded = decodeRelayMessage(frame);
    if (!decoded.ok) {
      this.#o.events.error(
        decoded.error.code,
        `the relay sent a frame this device cannot read: ${decoded.error.message}`,
      );
      return;
    }
    const message = decoded.value;
    if (message.type === "welcome") {
      this.#welcomed = true;
      this.#attempt = 0;
      this.#o.events.welcomed();
      return;
    }
    let request: SyncRequest | undefined;
    if (message.type === "ack" || message.type === "error" || message.type === "caught-up") {
      request = this.#requests.get(message.id);
      this.#requests.delete(message.id);
    }
    await this.#o.events.message(message, request, epoch);
  }
}
