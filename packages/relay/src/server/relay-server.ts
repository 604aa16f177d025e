/**
 * The relay on the network: a Node HTTP server with `/health`, `/metrics` and the sync
 * WebSocket at `/sync`. Limits come first: frame size (ws `maxPayload`, far below its 100 MiB
 * default), HTTP header and request timeouts (far below Node's 60 s / 300 s), an Origin
 * allowlist checked at the upgrade (CORS does not protect WebSockets), and a cap on what a
 * connection may have buffered unsent — a slow consumer is closed with code 4008 instead of
 * growing the relay's memory.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { MAX_FRAME_BYTES } from "@ridevault/core/protocol";
import { type WebSocket, WebSocketServer } from "ws";
import {
  accessTokenFromProtocols,
  offersShareSubprotocol,
  SYNC_SUBPROTOCOL,
} from "../http/upgrade-token.js";
import { type Logger, silentLogger } from "../log.js";
import type { RelayMetrics } from "../metrics.js";
import { CLOSE_CODES, type Relay } from "../relay.js";
import type { ConnectionIdentity } from "../relay-types.js";

/** Options of `startRelayServer`. */
export interface RelayServerOptions {
  readonly relay: Relay;
  readonly metrics: RelayMetrics;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /**
   * Origins allowed to open the WebSocket; `null` allows any. An upgrade without an `Origin`
   * header is not a browser's (browsers always send one on WebSocket upgrades) and is
   * allowed: the allowlist stops other sites' pages, not native clients.
   */
  readonly allowedOrigins?: readonly string[] | null;
  /** Unsent bytes a connection may hold before it is closed as a slow consumer (default 8 MiB). */
  readonly maxBufferedBytes?: number;
  /** Serves other paths (the example app, later); default 404. */
  readonly fallback?: (request: IncomingMessage, response: ServerResponse) => void;
  /** Answers `/health`: resolves true when the store is usable. */
  readonly healthy?: () => Promise<boolean>;
  readonly logger?: Logger;
  /** Handles HTTP routes (the account endpoints); resolves false for paths it does not serve. */
  readonly routes?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
  /** Subscribes to sign-outs: connections whose identity the test matches are closed (4001). */
  readonly onSignedOut?: (
    listener: (isSignedOut: (identity: ConnectionIdentity) => boolean) => void,
  ) => () => void;
  /**
   * Closes connections whose session was signed out where `onSignedOut` cannot see it (through
   * another instance): every `intervalMs`, `inactive` gets the sessions of the open
   * connections and returns those signed out.
   */
  readonly sessionCheck?: {
    readonly intervalMs: number;
    readonly inactive: (sessions: readonly string[]) => Promise<string[]>;
  };
  /**
   * Authenticates an upgrade from the access token in its `Sec-WebSocket-Protocol` header
   * (see `http/upgrade-token.ts`) before the upgrade completes; a refusal answers with its
   * status and no WebSocket is opened.
   */
  readonly authenticateUpgrade?: (
    token: string | null,
  ) => Promise<
    { ok: true; identity: ConnectionIdentity } | { ok: false; status: number; message: string }
  >;
}

/** A running relay server. */
export interface RelayServer {
  /** `ws://host:port/sync`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, closes every connection (code 1001) and waits for handlers to finish. */
  close(): Promise<void>;
}

/** Starts the HTTP and WebSocket server. */
export async function startRelayServer(options: RelayServerOptions): Promise<RelayServer> {
  const logger = options.logger ?? silentLogger;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    // Answer with the sync subprotocol, never with the entry that carries a token.
    handleProtocols: (protocols) => (protocols.has(SYNC_SUBPROTOCOL) ? SYNC_SUBPROTOCOL : false),
  });
  const inFlight = new Set<Promise<void>>();
  const identities = new Map<WebSocket, ConnectionIdentity>();

  const closeSignedOut = (isSignedOut: (identity: ConnectionIdentity) => boolean) => {
    for (const [ws, identity] of identities) {
      if (isSignedOut(identity)) ws.close(CLOSE_CODES.notAuthenticated, "signed out");
    }
  };
  const stopListening = options.onSignedOut?.((isSignedOut) => closeSignedOut(isSignedOut));
  const sessionCheck = options.sessionCheck;
  let checking = false;
  const sessionTimer =
    sessionCheck &&
    setInterval(() => {
      const sessions = [...new Set([...identities.values()].flatMap((i) => i.session ?? []))];
      if (checking || sessions.length === 0) return;
      checking = true;
      void sessionCheck
        .inactive(sessions)
        .then((inactive) => {
          const gone = new Set(inactive);
          closeSignedOut(
            (identity) => identity.session !== undefined && gone.has(identity.session),
          );
        })
        .catch((error: unknown) =>
          logger.log("warn", "session-check-failed", { message: (error as Error).message }),
        )
        .finally(() => {
          checking = false;
        });
    }, sessionCheck.intervalMs);
  sessionTimer?.unref();

  const http: Server = createServer(
    { headersTimeout: 10_000, requestTimeout: 30_000 },
    (request, response) => {
      void handleHttp(request, response);
    },
  );
  http.keepAliveTimeout = 5_000;

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0];
    if (path === "/health") {
      const healthy = options.healthy ? await options.healthy().catch(() => false) : true;
      response.writeHead(healthy ? 200 : 503, { "content-type": "application/json" });
      response.end(JSON.stringify({ status: healthy ? "ok" : "unhealthy" }));
    } else if (path === "/metrics") {
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      response.end(options.metrics.render());
    } else if (
      options.routes &&
      (await options.routes(request, response).catch(failed(response)))
    ) {
      return;
    } else if (options.fallback) {
      options.fallback(request, response);
    } else {
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("not found\n");
    }
  }

  http.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? "/").split("?")[0];
    const origin = request.headers.origin;
    const allowed = options.allowedOrigins ?? null;
    if (path !== "/sync") {
      refuse(socket, 404, "not found");
      return;
    }
    if (allowed !== null && origin !== undefined && !allowed.includes(origin)) {
      logger.log("warn", "origin-refused", { origin: origin ?? null });
      refuse(socket, 403, "origin not allowed");
      return;
    }
    if (!options.authenticateUpgrade) {
      wss.handleUpgrade(request, socket, head, (ws) => accept(ws));
      return;
    }
    const protocols = request.headers["sec-websocket-protocol"];
    const token = accessTokenFromProtocols(protocols);
    if (token === null && offersShareSubprotocol(protocols)) {
      // A share holder without an account: nobody, who can open grants and nothing else.
      wss.handleUpgrade(request, socket, head, (ws) => accept(ws, { principal: null }));
      return;
    }
    void options.authenticateUpgrade(token).then(
      (auth) => {
        if (!auth.ok) {
          logger.log("info", "upgrade-refused", { status: auth.status });
          refuse(socket, auth.status, "not authenticated");
          return;
        }
        wss.handleUpgrade(request, socket, head, (ws) => accept(ws, auth.identity));
      },
      (error: unknown) => {
        logger.log("error", "upgrade-failed", { message: (error as Error).message });
        refuse(socket, 503, "try again later");
      },
    );
  });

  function accept(ws: WebSocket, identity?: ConnectionIdentity): void {
    if (identity) identities.set(ws, identity);
    const connection = options.relay.connect(
      {
        send(frame) {
          if (ws.readyState !== ws.OPEN) return;
          if (ws.bufferedAmount + frame.length > maxBuffered) {
            options.metrics.slowConsumers.inc();
            logger.log("warn", "slow-consumer", { buffered: ws.bufferedAmount });
            ws.close(CLOSE_CODES.slowConsumer, "slow consumer: read faster or reconnect");
            return;
          }
          ws.send(frame);
        },
        close(code, reason) {
          ws.close(code, reason);
        },
      },
      identity,
    );
    // Frames of one connection are handled strictly in order.
    let queue: Promise<void> = Promise.resolve();
    ws.on("message", (data, isBinary) => {
      if (!isBinary) {
        ws.close(CLOSE_CODES.protocolError, "binary frames only");
        return;
      }
      const frame = toBytes(data);
      const task = queue.then(() => connection.receive(frame));
      queue = task.catch(() => undefined);
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
    });
    ws.on("close", () => {
      identities.delete(ws);
      connection.closed();
    });
    ws.on("error", (error) => logger.log("warn", "socket-error", { message: error.message }));
  }

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = http.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  logger.log("info", "listening", { host: address.address, port: address.port });

  return {
    url: `ws://${host}:${address.port}/sync`,
    port: address.port,
    async close() {
      stopListening?.();
      if (sessionTimer) clearInterval(sessionTimer);
      for (const ws of wss.clients) ws.close(CLOSE_CODES.shuttingDown, "relay shutting down");
      await Promise.allSettled([...inFlight]);
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      logger.log("info", "stopped");
    },
  };
}

// A route that throws is the relay's failure: answer 500 rather than leave the request open.
function failed(response: ServerResponse): (error: unknown) => true {
  return () => {
    if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
    response.end(
      JSON.stringify({ error: { code: "internal", message: "the relay failed; retry later" } }),
    );
    return true;
  };
}

function refuse(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\ncontent-length: 0\r\n\r\n`);
}

function toBytes(data: unknown): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data as Buffer[]));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  const buffer = data as Buffer;
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
