/**
 * The transport seam: a connection that carries binary frames. `webSocketTransport` works
 * with the browser's `WebSocket` and with Node's `ws` package (pass its class); tests can
 * plug in an in-memory transport with a simulated network.
 */

/** An open connection to a relay. */
export interface Connection {
  send(frame: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** What a connection reports. */
export interface ConnectionEvents {
  open(): void;
  frame(frame: Uint8Array): void;
  /** The connection ended (or never opened); `code` is the WebSocket close code. */
  closed(code: number, reason: string): void;
}

/** Opens connections to a relay URL. */
export type Transport = (url: string, events: ConnectionEvents) => Connection;

/** The part of the WebSocket API the transport uses (browser and `ws` both have it). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class: `globalThis.WebSocket` in browsers, `ws`'s `WebSocket` in Node. */
export type WebSocketClass = new (url: string) => WebSocketLike;

/** A transport over WebSockets. */
export function webSocketTransport(WebSocketImpl: WebSocketClass): Transport {
  return (url, events) => {
    const socket = new WebSocketImpl(url);
    socket.binaryType = "arraybuffer";
    let closed = false;
    const end = (code: number, reason: string): void => {
      if (closed) return;
      closed = true;
      events.closed(code, reason);
    };
    socket.onopen = () => events.open();
    socket.onmessage = (event) => {
      const data = event.data;
      if (data instanceof ArrayBuffer) events.frame(new Uint8Array(data));
      else if (ArrayBuffer.isView(data))
        events.frame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    };
    socket.onclose = (event) => end(event.code, event.reason);
    socket.onerror = () => undefined;
    return {
      send(frame) {
        if (socket.readyState === 1) socket.send(frame);
      },
      close(code = 1000, reason = "") {
        try {
          socket.close(code, reason);
        } catch {
          // Closing a socket that never opened throws in some implementations.
        }
        end(code, reason);
      },
    };
  };
}
