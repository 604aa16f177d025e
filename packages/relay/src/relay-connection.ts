/**
 * One device's connection to the relay: its authentication, its subscriptions (with their
 * catch-up and the live envelopes queued meanwhile), and the handling of each frame it sends.
 */
import {
  type ClientMessage,
  decodeClientMessage,
  type ErrorCode,
  encodeRelayMessage,
  PROTOCOL_VERSION,
  type RelayMessage,
} from "@ridevault/core/protocol";
import { sendCatchUp } from "./catch-up.js";
import { checkPush } from "./push-checks.js";
import { registerDocument } from "./register-document.js";
import {
  type AccessPolicy,
  CLOSE_CODES,
  type ConnectionIdentity,
  type ConnectionSink,
  type RelayOptions,
} from "./relay-types.js";
import { failureOf } from "./request-failure.js";
import {
  decideAccess,
  expiredMessage,
  grantPushRefusal,
  type SubscriptionAccess,
} from "./subscribe-access.js";

/** What a connection needs from the relay that routes between connections. */
export interface Router {
  /** `lastSeq`: the document's last sequence number before the connection's catch-up read. */
  subscribe(docId: string, connection: RelayConnection, lastSeq: number): void;
  unsubscribe(docId: string, connection: RelayConnection): void;
  /** Sends a committed envelope to every subscriber but `from`. */
  fanOut(docId: string, seq: number, envelope: Uint8Array, from: RelayConnection): void;
  /** Sends an ephemeral envelope to every subscriber but `from`; stores nothing. */
  fanOutEphemeral(docId: string, envelope: Uint8Array, from: RelayConnection): void;
  /** Starts or stops counting `connection` as a live watcher of `docId`. */
  watch(docId: string, connection: RelayConnection, on: boolean): void;
}

const TOUCH_EVERY_MS = 60_000;

const openPolicy: AccessPolicy = { authenticate: async () => ({ ok: true, principal: null }) };
const MAX_BAD_FRAMES = 10;

interface Subscription {
  readonly access: SubscriptionAccess;
  /** Highest seq sent on this connection; live envelopes at or below it are skipped. */
  sentSeq: number;
  catchingUp: boolean;
  queued: { seq: number; envelope: Uint8Array }[];
}

/** One device's connection: authentication state and subscriptions. */
export class RelayConnection {
  readonly #relay: Router;
  readonly #options: RelayOptions;
  readonly #sink: ConnectionSink;
  readonly #subscriptions = new Map<string, Subscription>();
  #hello = false;
  #badFrames = 0;
  #closed = false;
  /**
   * Documents whose creation the account's limits refused on this connection: a subscribe
   * to one gets that refusal rather than `unknown-document`, which a device would answer by
   * registering again at once, in a loop, and which would hide the limit from its status.
   */
  readonly #refusedCreations = new Map<string, { code: ErrorCode; message: string }>();
  /** Set by the upgrade (an access token in the handshake), else by `hello`. */
  #identity: ConnectionIdentity | undefined;
  /** When each grant used on this connection was last recorded as used. */
  readonly #touched = new Map<string, number>();

  /** @internal */
  constructor(
    relay: Router,
    options: RelayOptions,
    sink: ConnectionSink,
    identity?: ConnectionIdentity,
  ) {
    this.#relay = relay;
    this.#options = options;
    this.#sink = sink;
    this.#identity = identity;
  }

  /** Handles one frame from the device. Frames must be given in arrival order. */
  async receive(frame: Uint8Array): Promise<void> {
    if (this.#closed) return;
    const metrics = this.#options.metrics;
    metrics?.framesIn.inc();
    const decoded = decodeClientMessage(frame);
    if (!decoded.ok) {
      metrics?.errors.inc({ code: decoded.error.code });
      this.#error(0, decoded.error.code, decoded.error.message, null);
      if (++this.#badFrames >= MAX_BAD_FRAMES)
        this.#close(CLOSE_CODES.protocolError, "too many bad frames");
      return;
    }
    const message = decoded.value;
    if (message.type !== "hello" && !this.#hello) {
      this.#error(message.id, "not-authenticated", "send hello first", null);
      return;
    }
    const expiresAt = this.#identity?.expiresAt;
    if (expiresAt !== undefined && this.#now() >= expiresAt) {
      // Re-authentication is a reconnect with a fresh token: no protocol message needed.
      this.#error(
        message.id,
        "not-authenticated",
        "the access token expired: refresh it and reconnect",
        null,
      );
      this.#close(CLOSE_CODES.notAuthenticated, "token expired");
      return;
    }
    try {
      await this.#handle(message);
    } catch (error) {
      const failure = failureOf(error);
      metrics?.errors.inc({ code: failure.code });
      this.#error(message.id, failure.code, failure.message, null);
    }
  }

  /** The device's socket closed. */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#options.metrics?.connections.dec();
    for (const docId of this.#subscriptions.keys()) this.#relay.unsubscribe(docId, this);
    this.#subscriptions.clear();
  }

  /** @internal A committed envelope for a document this connection follows. */
  deliver(docId: string, seq: number, envelope: Uint8Array): void {
    const subscription = this.#subscriptions.get(docId);
    if (!subscription) return;
    const { access } = subscription;
    if (access.kind === "grant" && access.expiresAt !== null && this.#now() >= access.expiresAt) {
      this.#drop(docId, expiredMessage(access.expiresAt));
      return;
    }
    if (subscription.catchingUp) {
      subscription.queued.push({ seq, envelope });
      return;
    }
    if (seq <= subscription.sentSeq) return;
    subscription.sentSeq = seq;
    this.sendFrame(encodeRelayMessage({ type: "envelope", docId, seq, envelope }));
  }

  /**
   * @internal Ends the subscriptions this connection holds through the given grants (they
   * were revoked), telling the device so.
   */
  revokeGrants(grantIds: ReadonlySet<string>): void {
    for (const [docId, { access }] of [...this.#subscriptions]) {
      if (access.kind === "grant" && grantIds.has(access.grantId))
        this.#drop(docId, "this share was revoked by its owner");
    }
  }

  /** @internal */
  sendFrame(frame: Uint8Array): void {
    if (this.#closed) return;
    this.#options.metrics?.framesOut.inc();
    this.#sink.send(frame);
  }

  async #handle(message: ClientMessage): Promise<void> {
    switch (message.type) {
      case "hello": {
        if (!this.#identity || message.token !== null) {
          const policy = this.#options.policy ?? openPolicy;
          const auth = await policy.authenticate(message.token, message.deviceId);
          if (!auth.ok) {
            this.#error(message.id, "not-authenticated", auth.message, null);
            this.#close(CLOSE_CODES.notAuthenticated, "not authenticated");
            return;
          }
          this.#identity = {
            principal: auth.principal,
            ...(auth.expiresAt !== undefined && { expiresAt: auth.expiresAt }),
          };
        }
        this.#hello = true;
        this.#send({
          type: "welcome",
          id: message.id,
          protocol: PROTOCOL_VERSION,
          serverTime: this.#now(),
        });
        return;
      }
      case "register": {
        const outcome = await registerDocument(
          message,
          this.#identity?.principal ?? null,
          this.#options,
          this.#now(),
        );
        if (outcome.limited) this.#refusedCreations.set(message.docId, outcome.limited);
        else if (outcome.reply.type === "ack") this.#refusedCreations.delete(message.docId);
        this.#send(outcome.reply);
        return;
      }
      case "subscribe":
        await this.#subscribe(message);
        return;
      case "unsubscribe":
        this.#subscriptions.delete(message.docId);
        this.#relay.unsubscribe(message.docId, this);
        this.#send({ type: "ack", id: message.id, docId: message.docId, seq: 0, duplicate: false });
        return;
      case "watch":
        if (!this.#subscriptions.has(message.docId)) {
          this.#error(
            message.id,
            "forbidden",
            "subscribe to the document before watching it",
            message.docId,
          );
          return;
        }
        this.#relay.watch(message.docId, this, message.on);
        this.#send({ type: "ack", id: message.id, docId: message.docId, seq: 0, duplicate: false });
        return;
      case "push":
      case "ephemeral":
        await this.#push(message);
        return;
    }
  }

  async #subscribe(message: Extract<ClientMessage, { type: "subscribe" }>): Promise<void> {
    const { store } = this.#options;
    const decision = await decideAccess({
      docId: message.docId,
      secret: message.accessSecret,
      principal: this.#identity?.principal ?? null,
      now: this.#now(),
      options: this.#options,
    });
    if (!decision.ok) {
      const refused =
        decision.code === "unknown-document"
          ? this.#refusedCreations.get(message.docId)
          : undefined;
      const { code, message: text } = refused ?? decision;
      this.#error(message.id, code, text, message.docId);
      return;
    }
    const { doc, access } = decision;
    if (access.kind === "grant") this.#touch(access.grantId);
    const subscription: Subscription = {
      access,
      sentSeq: message.afterSeq,
      catchingUp: true,
      queued: [],
    };
    this.#subscriptions.set(message.docId, subscription);
    this.#relay.subscribe(message.docId, this, doc.lastSeq);
    await sendCatchUp({
      store,
      docId: message.docId,
      afterSeq: message.afterSeq,
      page: this.#options.catchUpPage ?? 500,
      send: (frame) => this.sendFrame(frame),
      closed: () => this.#closed,
      sent: (seq) => {
        subscription.sentSeq = Math.max(subscription.sentSeq, seq);
      },
    });
    subscription.catchingUp = false;
    const queued = subscription.queued.splice(0).sort((a, b) => a.seq - b.seq);
    for (const { seq, envelope } of queued) this.deliver(message.docId, seq, envelope);
    this.#send({
      type: "caught-up",
      id: message.id,
      docId: message.docId,
      seq: subscription.sentSeq,
    });
  }

  async #push(message: Extract<ClientMessage, { type: "push" | "ephemeral" }>): Promise<void> {
    const { store, inspector } = this.#options;
    const access = this.#subscriptions.get(message.docId)?.access;
    const refused = grantPushRefusal(access, this.#now());
    if (refused) {
      if (refused.code === "forbidden") this.#drop(message.docId, refused.message);
      else this.#error(message.id, refused.code, refused.message, message.docId);
      return;
    }
    // A read-write share lets its holder write to a document the policy would hide.
    const find =
      access?.kind === "grant"
        ? (id: string) => store.getDocument(id)
        : (id: string) => this.#document(id);
    const checked = await checkPush(message, inspector, find);
    if (!checked.ok) {
      const { code } = checked.error;
      if (code === "bad-signature") this.#options.metrics?.errors.inc({ code });
      this.#error(message.id, code, checked.error.message, message.docId);
      return;
    }
    const { facts, doc } = checked.value;
    const { docId, kind } = facts;
    const refusal = await this.#options.policy?.admit?.(
      this.#identity?.principal ?? null,
      kind === "ephemeral"
        ? { kind }
        : {
            kind: "push",
            owner: doc.owner ?? null,
            bytes: message.envelope.byteLength,
            snapshot: kind === "snapshot",
          },
    );
    if (refusal) {
      this.#options.metrics?.errors.inc({ code: refusal.code });
      this.#error(message.id, refusal.code, refusal.message, docId);
      return;
    }
    if (kind === "ephemeral") {
      this.#relay.fanOutEphemeral(docId, message.envelope, this);
      return;
    }
    const appended = await store.append({
      docId,
      author: facts.author,
      counter: facts.counter,
      kind,
      coversSeq: facts.coversSeq,
      envelope: message.envelope,
      receivedAt: this.#now(),
    });
    this.#options.metrics?.envelopesStored.inc({ kind });
    this.#send({
      type: "ack",
      id: message.id,
      docId,
      seq: appended.seq,
      duplicate: appended.duplicate,
    });
    if (appended.duplicate) return;
    this.#relay.fanOut(docId, appended.seq, message.envelope, this);
    if (kind === "snapshot") await store.prune(docId);
  }

  /** The document, or undefined when it is missing or the policy hides it from this caller. */
  async #document(docId: string) {
    const doc = await this.#options.store.getDocument(docId);
    if (!doc) return undefined;
    const mayAccess = this.#options.policy?.mayAccess;
    if (mayAccess && !mayAccess(this.#identity?.principal ?? null, doc.owner ?? null))
      return undefined;
    return doc;
  }

  /** Ends a subscription the device may no longer hold, with a `forbidden` error. */
  #drop(docId: string, reason: string): void {
    this.#subscriptions.delete(docId);
    this.#relay.unsubscribe(docId, this);
    this.#error(0, "forbidden", reason, docId);
  }

  /** Records a grant's use, at most once a minute per grant on this connection. */
  #touch(grantId: string): void {
    const now = this.#now();
    if (now - (this.#touched.get(grantId) ?? -Infinity) < TOUCH_EVERY_MS) return;
    this.#touched.set(grantId, now);
    this.#options.store.touchGrant?.(grantId, now).catch(() => {
      this.#options.metrics?.errors.inc({ code: "grant-touch-failed" });
    });
  }

  #send(message: RelayMessage): void {
    this.sendFrame(encodeRelayMessage(message));
  }

  #error(id: number, code: ErrorCode, message: string, docId: string | null): void {
    this.#send({ type: "error", id, code, message, docId });
  }

  #close(code: number, reason: string): void {
    this.#sink.close(code, reason);
    this.closed();
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
