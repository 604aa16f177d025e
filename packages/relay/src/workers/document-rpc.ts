/**
 * The RPC surface between the Workers relay's parts: what a document's Durable Object, the
 * directory and a connection's Durable Object answer, and the bindings that reach them.
 * Replies are plain values (structured clone): a store refusal travels as a
 * `StoreCallError` value, because custom error classes do not cross an RPC boundary.
 */
import type {
  AppendInput,
  AppendResult,
  DocumentRecord,
  DocumentRegistration,
  GrantRecord,
  ReadItem,
  RelayStoreErrorCode,
  StoreError,
  StoreStats,
} from "../store/relay-store.js";

/** A `RelayStoreError` as a value. */
export interface StoreCallError {
  readonly code: RelayStoreErrorCode;
  readonly message: string;
}

/** The outcome of a registration. */
export type RegisterOutcome =
  | { readonly ok: true; readonly value: "created" | "exists" }
  | { readonly ok: false; readonly error: StoreError };

/** A reply that is a value or a store refusal. */
export type CallOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: StoreCallError };

/** What a document's Durable Object answers (one object per document id). */
export interface DocumentRpc {
  register(registration: DocumentRegistration): Promise<RegisterOutcome>;
  get(): Promise<DocumentRecord | undefined>;
  append(input: AppendInput): Promise<CallOutcome<AppendResult>>;
  read(afterSeq: number, limit: number): Promise<ReadItem[]>;
  prune(): Promise<number>;
  stats(): Promise<StoreStats>;
  delete(): Promise<boolean>;
  /**
   * The connection object `session` follows this document. With `tellWatchers`, a session
   * subscribing while connections watch the document is sent their `watchers` count (false
   * when a woken connection object replays a subscription the device already holds).
   */
  subscribe(session: string, tellWatchers: boolean): Promise<void>;
  /** The session no longer follows (nor watches) this document. */
  unsubscribe(session: string): Promise<void>;
  /**
   * Starts or stops counting the following connection object `session` as a live watcher; a
   * change sends every follower the new `watchers` count. A session that does not follow
   * the document is not counted.
   */
  watch(session: string, on: boolean): Promise<void>;
  /** Sends a committed envelope to every subscribed connection object but `except`. */
  broadcast(seq: number, envelope: Uint8Array, except: string): Promise<void>;
  /** Sends an ephemeral relay frame to every subscribed connection object but `except`. */
  broadcastFrame(frame: Uint8Array, except: string): Promise<void>;
  /** Ends every subscription to this document held through one of `grantIds` (revoked). */
  revokeGrants(grantIds: readonly string[]): Promise<void>;
}

/**
 * What the directory answers: which document ids (and whose) a store (namespace) holds, and
 * the store's share grants (`RelayStore`'s grant methods, on input already checked).
 */
export interface DirectoryRpc {
  add(docId: string, owner: string | null): Promise<void>;
  /** Forgets the document and takes it out of every grant (deleting grants left with none). */
  remove(docId: string): Promise<void>;
  /** Every document id, or those `owner` registered. */
  list(owner?: string): Promise<string[]>;
  createGrant(grant: GrantRecord): Promise<"created" | "exists" | "conflict">;
  grantByCapability(capabilityHash: Uint8Array): Promise<GrantRecord | undefined>;
  getGrant(grantId: string): Promise<GrantRecord | undefined>;
  grantsForDocument(docId: string): Promise<GrantRecord[]>;
  grantsForRecipient(accountId: string): Promise<GrantRecord[]>;
  deleteGrant(grantId: string): Promise<boolean>;
  touchGrant(grantId: string, at: number): Promise<void>;
  /**
   * A rotation's revocations and keyring replacements among the grants of `docId`; resolves
   * with every document the revoked grants opened.
   */
  reviseGrants(
    docId: string,
    revoke: readonly string[],
    keyrings: readonly { readonly grantId: string; readonly keyring: Uint8Array }[],
  ): Promise<string[]>;
  /** Deletes every grant the account created or receives; how many. */
  removeAccountGrants(account: string): Promise<number>;
}

/** What a connection's Durable Object answers besides its WebSocket. */
export interface SessionRpc {
  /** A committed envelope of a followed document; false when the connection is gone. */
  deliver(docId: string, seq: number, envelope: Uint8Array): Promise<boolean>;
  /** A relay frame to pass on as is; false when the connection is gone. */
  deliverFrame(frame: Uint8Array): Promise<boolean>;
  /** Ends the subscriptions held through `grantIds` (revoked); false when the connection is gone. */
  revokeGrants(grantIds: readonly string[]): Promise<boolean>;
}

/** A Durable Object namespace binding, typed by the RPC surface of its objects. */
export interface Namespace<Stub> {
  idFromName(name: string): DurableObjectId;
  idFromString(id: string): DurableObjectId;
  newUniqueId(): DurableObjectId;
  get(id: DurableObjectId): Stub & { fetch(request: Request): Promise<Response> };
}

/** The bindings of the Workers relay (`wrangler.toml`). */
export interface RelayEnv {
  readonly DOCUMENTS: Namespace<DocumentRpc>;
  readonly DIRECTORY: Namespace<DirectoryRpc>;
  readonly SESSIONS: Namespace<SessionRpc>;
  /** Comma-separated origins allowed to open `/sync`; unset or empty: any origin. */
  readonly ALLOWED_ORIGINS?: string;
}
