/**
 * The Durable Object of one device connection: it accepts the WebSocket through the
 * hibernation API and runs the Node relay's protocol decisions (`RelayConnection`) on it,
 * with `DurableObjectRelayStore` as the store and the document objects as the router: a
 * subscription registers this connection with the document's object, and a commit is fanned
 * out by that object to every other connection that follows the document.
 *
 * What the connection needs to survive hibernation (it said hello; which documents it follows
 * and how far it has been sent) lives in this object's SQLite storage, deleted when the
 * socket closes. Woken by a frame or a delivery, the object replays a hello and a subscribe
 * from the stored position, so the device gets exactly what it missed.
 *
 * With accounts on, the entry Worker has authenticated the upgrade: the connection's identity
 * (account, token expiry, session) comes in a header, is kept with the rest of the state
 * (`session-identity.ts`) and given to `RelayConnection` with the Node relay's account
 * policy (who may create and open what, and the per-account limits — counted here per
 * connection object, since each object keeps its own counters). A signed-in connection
 * whose session is signed out is closed with 4001 at its next frame or delivery, checked
 * at most every five seconds (`SESSION_CHECK_MS`).
 *
 * It also counts what crosses its socket and reports the counts to a metrics object
 * (`metrics-object.ts`), and closes a device that does not read fast enough with 4008 by
 * an estimate of what it has left unread (`send-budget.ts`: workerd has no
 * `bufferedAmount`). A `watch` goes to the document's object, which counts the watching
 * connection objects and sends every follower the `watchers` count (`document-object.ts`);
 * a closing connection unsubscribes, so it stops watching — also when it closes while
 * hibernated, from its saved subscriptions.
 */
import { DurableObject } from "cloudflare:workers";
import {
  decodeClientMessage,
  decodeRelayMessage,
  encodeClientMessage,
  encodeRelayMessage,
  MAX_FRAME_BYTES,
  ok,
} from "@ridevault/core/protocol";
import type { AccountPolicy } from "../accounts/account-policy.js";
import { CLOSE_CODES, RelayConnection, type Router } from "../relay.js";
import type { SessionRpc } from "./document-rpc.js";
import { DurableObjectRelayStore } from "./durable-object-store.js";
import { SessionMetrics } from "./metric-samples.js";
import { metricsShardName, type WorkersRelayEnv } from "./metrics-object.js";
import {
  type ConfigResult,
  SendBudget,
  type SendBudgetOptions,
  sendBudgetOptions,
} from "./send-budget.js";
import {
  decodeIdentity,
  IDENTITY_HEADER,
  PROTOCOL_HEADER,
  StoredIdentity,
} from "./session-identity.js";
import { SessionState } from "./session-state.js";
import { createWebCryptoInspector, hashAccessSecretBlake2b } from "./web-crypto-inspector.js";
import { type AccountsSetupError, createWorkersAccounts } from "./workers-accounts.js";

/** The WebSocket close code for a frame above the size limit (as `ws` sends it). */
export const MESSAGE_TOO_BIG = 1009;

/**
 * How often, at most, a signed-in connection asks the accounts object whether its session was
 * signed out (logout, password change, a reused refresh token) — when a frame or a delivery
 * wakes it; the Node relay polls as often.
 */
const SESSION_CHECK_MS = 5_000;

/** How long counts wait to be reported, so that a burst of frames makes one report. */
const REPORT_DELAY_MS = 1000;

/** One device connection: its socket, its protocol state and its subscriptions. */
export class SessionObject extends DurableObject<WorkersRelayEnv> implements SessionRpc {
  readonly #store: DurableObjectRelayStore;
  readonly #state: SessionState;
  readonly #identity: StoredIdentity;
  /** The account policy (null: accounts off), or why accounts cannot start. */
  readonly #policy:
    | { readonly ok: true; readonly value: AccountPolicy | null }
    | { readonly ok: false; readonly error: AccountsSetupError };
  readonly #limits: ConfigResult<SendBudgetOptions>;
  readonly #metrics = new SessionMetrics();
  /** Made on accept, or on the first send after hibernation (the estimate restarts at 0). */
  #budget: SendBudget | undefined;
  /** Set once the socket was closed as a slow consumer: nothing more is sent. */
  #cutOff = false;
  /** The socket's end was counted (workerd may report an error and a close). */
  #ended = false;
  #reportTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the session was last checked (0 after a wake-up: checked on the first event). */
  #sessionCheckedAt = 0;
  #connection: Promise<RelayConnection> | undefined;
  /** Frames of the connection are handled strictly in order. */
  #queue: Promise<void> = Promise.resolve();
  /** While a restore replays hello and subscribe, only envelopes reach the device. */
  #restoring = false;

  constructor(ctx: DurableObjectState, env: WorkersRelayEnv) {
    super(ctx, env);
    this.#store = new DurableObjectRelayStore({
      documents: env.DOCUMENTS,
      directory: env.DIRECTORY,
    });
    this.#state = new SessionState(ctx.storage);
    this.#identity = new StoredIdentity(ctx.storage);
    this.#limits = sendBudgetOptions(env);
    const accounts = createWorkersAccounts(env, this.#store);
    this.#policy = accounts.ok ? ok(accounts.value?.policy ?? null) : accounts;
  }

  /** Accepts the WebSocket the entry Worker forwarded. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    if (!this.#limits.ok) return new Response(`${this.#limits.error.message}\n`, { status: 500 });
    if (!this.#policy.ok) return new Response(`${this.#policy.error.message}\n`, { status: 500 });
    const identity = decodeIdentity(request.headers.get(IDENTITY_HEADER));
    if (this.#policy.value && !identity) {
      return new Response("not authenticated\n", { status: 401 });
    }
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    this.#state.clear();
    this.#identity.save(identity);
    this.#budget = new SendBudget(this.#limits.value);
    this.#metrics.socket.connections.inc();
    this.#scheduleReport();
    const protocol = request.headers.get(PROTOCOL_HEADER);
    return new Response(null, {
      status: 101,
      webSocket: pair[0],
      ...(protocol && { headers: { "sec-websocket-protocol": protocol } }),
    });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message === "string") {
      ws.close(CLOSE_CODES.protocolError, "binary frames only");
      return;
    }
    if (message.byteLength > MAX_FRAME_BYTES) {
      ws.close(MESSAGE_TOO_BIG, "frame too large");
      return;
    }
    const frame = new Uint8Array(message);
    this.#checkSession();
    this.#metrics.socket.framesIn.inc();
    this.#scheduleReport();
    await this.#inOrder(async () => {
      const connection = await this.#connect();
      this.#track(frame);
      await connection.receive(frame);
    });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    await this.#closed();
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  override async webSocketError(): Promise<void> {
    await this.#closed();
  }

  async deliver(docId: string, seq: number, envelope: Uint8Array): Promise<boolean> {
    if (!this.#socket() || !this.#state.follows(docId)) return false;
    this.#checkSession();
    const connection = await this.#connect();
    connection.deliver(docId, seq, envelope);
    return true;
  }

  async deliverFrame(frame: Uint8Array): Promise<boolean> {
    if (!this.#socket()) return false;
    const connection = await this.#connect();
    connection.sendFrame(frame);
    return true;
  }

  async revokeGrants(grantIds: readonly string[]): Promise<boolean> {
    if (!this.#socket()) return false;
    const connection = await this.#connect();
    connection.revokeGrants(new Set(grantIds));
    return true;
  }

  /** Closes the socket (4001) if its session was signed out; at most every few seconds. */
  #checkSession(): void {
    const policy = this.#policy.ok ? this.#policy.value : null;
    const now = Date.now();
    if (!policy || now - this.#sessionCheckedAt < SESSION_CHECK_MS) return;
    this.#sessionCheckedAt = now;
    const session = this.#identity.load()?.session;
    if (session === undefined) return;
    this.#background(
      policy.inactiveSessions([session]).then((inactive) => {
        if (inactive.length > 0) this.#socket()?.close(CLOSE_CODES.notAuthenticated, "signed out");
      }),
    );
  }

  /** The connection, made (and restored after hibernation) on first use. */
  #connect(): Promise<RelayConnection> {
    this.#connection ??= this.#restore();
    return this.#connection;
  }

  async #restore(): Promise<RelayConnection> {
    const self = this.ctx.id.toString();
    const store = this.#store;
    const router: Router = {
      // A replayed subscription is not news to the device: it already heard the count.
      subscribe: (docId) =>
        this.#background(store.document(docId).subscribe(self, !this.#restoring)),
      unsubscribe: (docId) => this.#background(store.document(docId).unsubscribe(self)),
      fanOut: (docId, seq, envelope) =>
        this.#background(store.document(docId).broadcast(seq, envelope, self)),
      fanOutEphemeral: (docId, envelope) =>
        this.#background(
          store
            .document(docId)
            .broadcastFrame(encodeRelayMessage({ type: "ephemeral", docId, envelope }), self),
        ),
      watch: (docId, _connection, on) => this.#background(store.document(docId).watch(self, on)),
    };
    const policy = this.#policy.ok ? this.#policy.value : null;
    const connection = new RelayConnection(
      router,
      {
        store,
        inspector: createWebCryptoInspector(),
        hashAccessSecret: hashAccessSecretBlake2b,
        metrics: this.#metrics.protocol,
        ...(policy && { policy }),
      },
      {
        send: (frame) => this.#send(frame),
        close: (code, reason) => this.#socket()?.close(code, reason),
      },
      this.#identity.load(),
    );
    const saved = this.#state.load();
    if (!saved.hello) return connection;
    this.#restoring = true;
    try {
      const deviceId = "0000000000000000";
      await connection.receive(
        encodeClientMessage({ type: "hello", id: 1, deviceId, token: null }),
      );
      for (const { docId, seq, accessSecret } of saved.subscriptions) {
        await connection.receive(
          encodeClientMessage({ type: "subscribe", id: 1, docId, afterSeq: seq, accessSecret }),
        );
      }
    } finally {
      this.#restoring = false;
    }
    return connection;
  }

  /** Sends a frame to the device and keeps track of what it has been sent. */
  #send(frame: Uint8Array): void {
    const decoded = decodeRelayMessage(frame);
    if (decoded.ok) {
      this.#state.sent(decoded.value);
      // Replies to the replayed requests are not the device's business.
      if (this.#restoring && decoded.value.type !== "envelope") return;
    }
    const socket = this.#socket();
    if (!socket || this.#cutOff || !this.#limits.ok) return;
    this.#budget ??= new SendBudget(this.#limits.value);
    if (!this.#budget.spend(frame.byteLength)) {
      this.#cutOff = true;
      this.#metrics.socket.slowConsumers.inc();
      this.#scheduleReport();
      socket.close(CLOSE_CODES.slowConsumer, "slow consumer: read faster or reconnect");
      return;
    }
    socket.send(frame);
    this.#metrics.socket.framesOut.inc();
    this.#scheduleReport();
  }

  /** Reports the counts soon; a pending timer also keeps the object from hibernating. */
  #scheduleReport(): void {
    if (this.#reportTimer !== undefined) return;
    this.#reportTimer = setTimeout(() => {
      this.#reportTimer = undefined;
      void this.#report();
    }, REPORT_DELAY_MS);
  }

  /** Sends what was counted since the last report to this object's metrics shard. */
  async #report(): Promise<void> {
    if (this.#reportTimer !== undefined) clearTimeout(this.#reportTimer);
    this.#reportTimer = undefined;
    const deltas = this.#metrics.take();
    if (deltas.length === 0) return;
    const metrics = this.env.METRICS;
    const shard = metrics.get(metrics.idFromName(metricsShardName(this.ctx.id.toString())));
    try {
      await shard.add(deltas);
    } catch {
      this.#metrics.untake(deltas); // reported with the next counts
    }
  }

  /** Notes what an incoming frame asks for, to restore it after hibernation. */
  #track(frame: Uint8Array): void {
    const decoded = decodeClientMessage(frame);
    if (decoded.ok) this.#state.received(decoded.value);
  }

  async #closed(): Promise<void> {
    const connection = await this.#connection;
    if (connection) {
      connection.closed();
    } else {
      // Closed while hibernated: the documents still count this object as a follower.
      const self = this.ctx.id.toString();
      for (const { docId } of this.#state.load().subscriptions) {
        this.#background(this.#store.document(docId).unsubscribe(self));
      }
    }
    this.#connection = undefined;
    this.#state.clear();
    if (!this.#ended) this.#metrics.socket.connections.dec();
    this.#ended = true;
    await this.#report();
  }

  #socket(): WebSocket | undefined {
    return this.ctx.getWebSockets()[0];
  }

  #inOrder(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #background(promise: Promise<unknown>): void {
    this.ctx.waitUntil(promise.catch(() => undefined));
  }
}
