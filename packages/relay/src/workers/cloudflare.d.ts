/**
 * The few Cloudflare Workers APIs the Workers relay uses, declared here (with the names and
 * shapes of `@cloudflare/workers-types`, of which they are a subset) so that the code also
 * type-checks in the Node project, whose DOM and Node globals clash with the real ones.
 * `tsconfig.json` in this folder checks the same code against `@cloudflare/workers-types`.
 */

/** A cursor over the rows of one SQL statement. */
interface SqlStorageCursor<T extends Record<string, SqlStorageValue>> {
  toArray(): T[];
  one(): T;
  readonly rowsWritten: number;
}

/** A value SQLite stores: BLOBs come back as `ArrayBuffer`. */
type SqlStorageValue = ArrayBuffer | string | number | null;

/** A Durable Object's SQLite database. */
interface SqlStorage {
  exec<T extends Record<string, SqlStorageValue>>(
    query: string,
    ...bindings: unknown[]
  ): SqlStorageCursor<T>;
}

/** A Durable Object's storage. */
interface DurableObjectStorage {
  readonly sql: SqlStorage;
  transactionSync<T>(closure: () => T): T;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number | Date): Promise<void>;
}

/** A Durable Object's id. */
interface DurableObjectId {
  toString(): string;
}

/** A Durable Object's state. */
interface DurableObjectState {
  readonly id: DurableObjectId;
  readonly storage: DurableObjectStorage;
  acceptWebSocket(socket: WebSocket, tags?: string[]): void;
  getWebSockets(tag?: string): WebSocket[];
  waitUntil(promise: Promise<unknown>): void;
}

/** The two ends of a WebSocket made inside a Worker: `0` for the client, `1` for the server. */
declare class WebSocketPair {
  0: WebSocket;
  1: WebSocket;
}

/** Workers' `Response` takes the client end of a `WebSocketPair` for a 101 response. */
interface ResponseInit {
  webSocket?: WebSocket | null;
}

declare module "cloudflare:workers" {
  /** The base class of Durable Objects whose public methods are RPC methods. */
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: DurableObjectState;
    protected readonly env: Env;
    constructor(ctx: DurableObjectState, env: Env);
    fetch?(request: Request): Response | Promise<Response>;
    webSocketMessage?(ws: WebSocket, message: string | ArrayBuffer): void | Promise<void>;
    webSocketClose?(
      ws: WebSocket,
      code: number,
      reason: string,
      wasClean: boolean,
    ): void | Promise<void>;
    webSocketError?(ws: WebSocket, error: unknown): void | Promise<void>;
    alarm?(): void | Promise<void>;
  }
}
