/**
 * The relay's seams and options: what it reads from envelopes, what it needs from its
 * store, who may connect, and where its frames go.
 */
import type { RelayMetrics } from "./metrics.js";
import type { ChangeFeed } from "./store/change-feed.js";

/** What the relay reads from an envelope's plaintext header (it cannot read more). */
export interface EnvelopeFacts {
  readonly docId: string;
  readonly kind: "change" | "snapshot" | "ephemeral";
  /** The author device, 16 hex digits. */
  readonly author: string;
  readonly counter: number;
  readonly coversSeq: number | null;
  /** The key generation it was sealed with. */
  readonly generation: number;
}

/** Parses envelope headers and checks signatures; the relay holds no decrypting code. */
export interface EnvelopeInspector {
  /** The header facts, or a reason the bytes are not an envelope. */
  inspect(
    envelope: Uint8Array,
  ): { ok: true; value: EnvelopeFacts } | { ok: false; message: string };
  /**
   * True when `envelope` is signed by `writePublicKey`; may answer asynchronously (WebCrypto
   * on Workers, where libsodium's WebAssembly cannot be compiled at run time).
   */
  verify(envelope: Uint8Array, writePublicKey: Uint8Array): boolean | Promise<boolean>;
}

/** The part of the relay store the protocol needs. */
export interface ProtocolStore {
  registerDocument(input: {
    docId: string;
    writePublicKey: Uint8Array;
    accessHash: Uint8Array;
    owner: string | null;
    createdAt: number;
  }): Promise<
    | { ok: true; value: "created" | "exists" }
    | { ok: false; error: { code: string; message: string } }
  >;
  getDocument(docId: string): Promise<
    | {
        writePublicKey: Uint8Array;
        accessHash: Uint8Array;
        lastSeq: number;
        /** The account that registered it, if the store keeps owners. */
        owner?: string | null;
        /** The key generation whose write key and access hash these are (0 if absent). */
        generation?: number;
      }
    | undefined
  >;
  /**
   * The share grant whose capability hashes to `capabilityHash` (docs/sharing.md); a store
   * without grants leaves it out and share links do not open there.
   */
  grantByCapability?(capabilityHash: Uint8Array): Promise<ShareGrant | undefined>;
  /** Records a grant's use (called at most once a minute per grant and connection). */
  touchGrant?(grantId: string, at: number): Promise<void>;
  append(input: {
    docId: string;
    author: string;
    counter: number;
    kind: "change" | "snapshot";
    coversSeq: number | null;
    envelope: Uint8Array;
    receivedAt: number;
  }): Promise<{ seq: number; duplicate: boolean }>;
  read(input: { docId: string; afterSeq: number; limit: number }): Promise<
    readonly {
      seq: number;
      kind: "change" | "snapshot";
      envelope: Uint8Array;
      coversSeq: number | null;
    }[]
  >;
  prune(docId: string): Promise<number>;
}

/** What the protocol needs of a share grant. */
export interface ShareGrant {
  readonly grantId: string;
  readonly docIds: readonly string[];
  readonly mode: "read" | "write";
  readonly expiresAt: number | null;
  /** Only this account may use it (sharing with a known rider); null: any holder. */
  readonly recipient: string | null;
}

/** Who a connection speaks for: an account (or null), and until when its token is valid. */
export interface ConnectionIdentity {
  readonly principal: string | null;
  /** Ms since the epoch; past it the connection is closed (4001) and must reconnect. */
  readonly expiresAt?: number;
  /** The signed-in device session (refresh-token family), for closing it on sign-out. */
  readonly session?: string;
}

/** What a connection is about to do, as the relay's `admit` hook is asked about it. */
export type LimitedRequest =
  | { readonly kind: "create" }
  | { readonly kind: "ephemeral" }
  | {
      readonly kind: "push";
      /** The document's owner, whose quota the envelope counts against (null: none). */
      readonly owner: string | null;
      readonly bytes: number;
      readonly snapshot: boolean;
    };

/**
 * Who may connect and what they may touch; accounts plug in here (`createAccountPolicy`).
 * The default lets anyone connect, create documents and read any document whose access
 * secret they hold.
 */
export interface AccessPolicy {
  /** Authenticates the `hello` message's token (used when the upgrade carried none). */
  authenticate(
    token: string | null,
    deviceId: string,
  ): Promise<
    { ok: true; principal: string | null; expiresAt?: number } | { ok: false; message: string }
  >;
  /** May `principal` register a new document? Default: yes. */
  mayCreate?(principal: string | null): boolean;
  /**
   * May `principal` use a document registered by `owner`? Default: yes. A refusal is
   * answered exactly like a missing document, so it reveals nothing.
   */
  mayAccess?(principal: string | null, owner: string | null): boolean;
  /**
   * Checks per-account limits before a document is created or an envelope is stored or
   * relayed: null admits, a refusal is sent as the request's error. Default: no limits.
   */
  admit?(
    principal: string | null,
    request: LimitedRequest,
  ): Promise<{ code: "rate-limited" | "quota-exceeded"; message: string } | null>;
}

/** Options of a relay. */
export interface RelayOptions {
  readonly store: ProtocolStore;
  readonly inspector: EnvelopeInspector;
  /** Hashes an access secret the way documents register it (BLAKE2b-256). */
  readonly hashAccessSecret: (secret: Uint8Array) => Uint8Array;
  readonly policy?: AccessPolicy;
  readonly metrics?: RelayMetrics;
  readonly now?: () => number;
  /** Envelopes sent per catch-up read (default 500). */
  readonly catchUpPage?: number;
  /**
   * The store's change feed when several relay instances share it (PostgreSQL): subscribers
   * here then also receive what other instances commit. Without one, fan-out is in-process.
   */
  readonly feed?: ChangeFeed;
}

/** Sends a frame to the device, or closes its connection. */
export interface ConnectionSink {
  send(frame: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** WebSocket close codes the relay uses. */
export const CLOSE_CODES = {
  protocolError: 4002,
  notAuthenticated: 4001,
  slowConsumer: 4008,
  shuttingDown: 1001,
} as const;
