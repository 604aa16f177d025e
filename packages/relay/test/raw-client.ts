/** A protocol-level client for tests: sends any frame, collects decoded replies. */
import {
  type ClientMessage,
  decodeRelayMessage,
  encodeClientMessage,
  type RelayMessage,
} from "@ridevault/core/protocol";
import { WebSocket } from "ws";

/** A raw WebSocket to the relay. */
export interface RawClient {
  readonly socket: WebSocket;
  readonly received: RelayMessage[];
  send(message: ClientMessage): void;
  sendBytes(bytes: Uint8Array): void;
  /** Waits for a reply matching `match`. */
  next(match: (message: RelayMessage) => boolean, timeoutMs?: number): Promise<RelayMessage>;
  /** Resolves with the close code once the socket closes. */
  readonly closed: Promise<number>;
  close(): void;
}

/** Connects to `url` and (unless `hello` is false) says hello. */
export async function connectRaw(url: string, options: RawHello = {}): Promise<RawClient> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return rawClientOf(socket, options);
}

/** What `rawClientOf` says hello with. */
export interface RawHello {
  /** Say hello first (default true). */
  readonly hello?: boolean;
  /** The device id to say hello as (default `0123456789abcdef`). */
  readonly deviceId?: string;
}

/**
 * Makes a `RawClient` of an open socket and (unless `hello` is false) says hello with no
 * token. A frame the relay sends that does not decode fails the test.
 */
export async function rawClientOf(socket: WebSocket, options: RawHello = {}): Promise<RawClient> {
  const received: RelayMessage[] = [];
  const waiters: { match: (m: RelayMessage) => boolean; resolve: (m: RelayMessage) => void }[] = [];
  socket.on("message", (data: Buffer) => {
    const decoded = decodeRelayMessage(new Uint8Array(data));
    if (!decoded.ok) throw new Error(`relay sent a bad frame: ${decoded.error.message}`);
    received.push(decoded.value);
    for (const waiter of [...waiters]) {
      if (waiter.match(decoded.value)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(decoded.value);
      }
    }
  });
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  const client: RawClient = {
    socket,
    received,
    send: (message) => socket.send(encodeClientMessage(message)),
    sendBytes: (bytes) => socket.send(bytes),
    next(match, timeoutMs = 5000) {
      const found = received.find(match);
      if (found) {
        received.splice(received.indexOf(found), 1);
        return Promise.resolve(found);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error("no matching reply from the relay")),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer);
            const index = received.indexOf(m);
            if (index >= 0) received.splice(index, 1);
            resolve(m);
          },
        });
      });
    },
    closed,
    close: () => socket.close(),
  };
  if (options.hello !== false) {
    client.send({
      type: "hello",
      id: 1,
      deviceId: options.deviceId ?? "0123456789abcdef",
      token: null,
    });
    await client.next((m) => m.type === "welcome");
  }
  return client;
}
