/**
 * The relay-store seam: where the relay keeps each document's registration and its opaque,
 * encrypted envelopes (DESIGN.md §4, §6). Bytes in, bytes out — the store never sees
 * plaintext. It assigns every stored envelope the next per-document sequence number (1, 2,
 * 3, … with no gaps) in the same commit as the insert, makes retries idempotent by
 * (document, author, counter), serves catch-up reads (newest covering snapshot, then the
 * changes after it) and prunes what a snapshot covers. Implementations: `MemoryRelayStore`,
 * `SqliteRelayStore`, `PostgresRelayStore`; each runs `runRelayStoreTests`.
 */
import type { Result } from "@ridevault/core/protocol";

/** What an envelope is: an incremental change, or a snapshot covering a prefix of the log. */
export type EnvelopeKind = "change" | "snapshot";

/** A document as registered by its creator. */
export interface DocumentRegistration {
  readonly docId: string;
  /** The Ed25519 key that signs every envelope of the document. */
  readonly writePublicKey: Uint8Array;
  /** Hash of the access secret a reader must present. */
  readonly accessHash: Uint8Array;
  /** The account that registered it, when accounts are in use. */
  readonly owner: string | null;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
}

/** A registered document and where its log stands. */
export interface DocumentRecord extends DocumentRegistration {
  /**
   * The document's key generation: 0 at registration, raised by `rotateDocument`. The
   * `writePublicKey` and `accessHash` are those of this generation; envelopes sealed with an
   * older generation are refused (`key-rotated`).
   */
  readonly generation: number;
  /** The highest sequence number assigned so far (0 before the first envelope). */
  readonly lastSeq: number;
  /** Sequence number of the latest snapshot (the one covering the most), or null. */
  readonly snapshotSeq: number | null;
  /** What the latest snapshot covers: every sequence number up to this one, or null. */
  readonly snapshotCoversSeq: number | null;
}

/** An envelope to store, with the header facts the relay has already checked. */
export interface AppendInput {
  readonly docId: string;
  /** The author device: 16 lowercase hex digits. */
  readonly author: string;
  /** The author's counter: a non-negative integer, increasing per author and document. */
  readonly counter: number;
  readonly kind: EnvelopeKind;
  /** For a snapshot, the highest sequence number it covers (≤ the document's `lastSeq`); null for a change. */
  readonly coversSeq: number | null;
  readonly envelope: Uint8Array;
  /** Milliseconds since the epoch. */
  readonly receivedAt: number;
}

/** The outcome of an append. */
export interface AppendResult {
  /**
   * The envelope's sequence number. For a retry (`duplicate`), the original one; for a
   * retry of an envelope that `prune` has removed, see `RelayStore.append`.
   */
  readonly seq: number;
  /** True when the envelope had been stored before; nothing was stored this time. */
  readonly duplicate: boolean;
}

/** Where a catch-up read starts and how much it returns. */
export interface ReadInput {
  readonly docId: string;
  /** The client has every change up to this sequence number (0: nothing). */
  readonly afterSeq: number;
  /** At most this many items (≥ 1). */
  readonly limit: number;
}

/** One stored envelope as a catch-up read returns it. */
export interface ReadItem {
  readonly seq: number;
  readonly kind: EnvelopeKind;
  readonly envelope: Uint8Array;
  /** For a snapshot, the highest sequence number it covers; null for a change. */
  readonly coversSeq: number | null;
}

/** Counts of stored things, for metrics, quotas and the admin command. */
export interface StoreStats {
  readonly documents: number;
  readonly changes: number;
  readonly snapshots: number;
  /** Total size of the stored envelopes. */
  readonly bytes: number;
}

/** Envelope count and total bytes of one kind, as the SQL stores group them. */
export interface KindTotals {
  readonly kind: string;
  readonly count: number;
  readonly bytes: number;
}

/** The stats of `documents` documents whose stored envelopes total `byKind`. */
export function statsFromKinds(documents: number, byKind: readonly KindTotals[]): StoreStats {
  const change = byKind.find((row) => row.kind === "change");
  const snapshot = byKind.find((row) => row.kind === "snapshot");
  return {
    documents,
    changes: change?.count ?? 0,
    snapshots: snapshot?.count ?? 0,
    bytes: (change?.bytes ?? 0) + (snapshot?.bytes ?? 0),
  };
}

/** The document id is registered with a different write key. */
export interface DocumentExistsError {
  readonly code: "document-exists";
  readonly docId: string;
  readonly message: string;
}

/** The expected failures of a store operation. */
export type StoreError = DocumentExistsError;

/**
 * The relay's storage. Every method is asynchronous; byte arrays are not kept or shared
 * (callers may reuse theirs). Writes take effect in call order; a read sees at least every
 * append that has resolved.
 */
export interface RelayStore {
  /**
   * Registers a document. Registering again with the same write key is idempotent and
   * returns "exists" (the first registration's access hash and owner stay); a different
   * write key is a `document-exists` error.
   */
  registerDocument(
    registration: DocumentRegistration,
  ): Promise<Result<"created" | "exists", StoreError>>;

  /** The document's registration and log position, or undefined when it is not registered. */
  getDocument(docId: string): Promise<DocumentRecord | undefined>;

  /**
   * Stores an envelope under the document's next sequence number and resolves only once
   * that is durable. A retry (same document, author and counter) stores nothing and returns
   * the original sequence number with `duplicate: true` — also when the retries arrive
   * together, and after a restart. A snapshot becomes the document's latest snapshot unless
   * an earlier one covers more.
   *
   * After `prune` has removed an envelope, a retry of it is still a duplicate: the store
   * keeps, per document and author, the highest counter and the highest sequence number it
   * pruned. The returned `seq` is then that highest pruned sequence number — exactly the
   * original for the author's newest pruned envelope (the usual lost-acknowledgement case),
   * an upper bound for older ones; either way the latest snapshot contains the envelope.
   * Hence a counter at or below the author's pruned counter is always taken for a retry.
   *
   * Rejects with a `RelayStoreError` — a bug in the caller, who checks these first — when
   * the document is not registered (`unknown-document`) or the input is malformed
   * (`invalid-append`: a bad author or counter, a change with `coversSeq`, a snapshot
   * without one or covering sequence numbers not yet assigned).
   */
  append(input: AppendInput): Promise<AppendResult>;

  /**
   * What a client that has every change up to `afterSeq` needs: if the latest snapshot
   * covers more than `afterSeq`, that snapshot first and then the changes after what it
   * covers, else the changes after `afterSeq`; ascending, at most `limit` items. Empty for an
   * unknown document. To page, continue after the last item: its `coversSeq` if it is a
   * snapshot, its `seq` if it is a change.
   */
  read(input: ReadInput): Promise<ReadItem[]>;

  /**
   * Deletes the changes the latest snapshot covers and every other snapshot; returns how
   * many envelopes it deleted (0 without a snapshot). Reads stay complete: the snapshot
   * plus the changes after it. Retries of pruned envelopes stay duplicates (see `append`).
   */
  prune(docId: string): Promise<number>;

  /** Counts for one document (zeros when unknown), or for the whole store. */
  stats(docId?: string): Promise<StoreStats>;

  /**
   * Deletes the document and everything stored for it; returns whether it existed. A later
   * registration of the same id starts a new log at sequence number 1.
   */
  deleteDocument(docId: string): Promise<boolean>;

  /**
   * Counts for the documents `owner` registered (see `DocumentRegistration.owner`): how
   * many, and their stored envelopes and bytes — what per-account quotas are checked against.
   */
  ownerStats(owner: string): Promise<StoreStats>;

  /**
   * Deletes every document `owner` registered and everything stored for each (envelopes,
   * snapshots, pruning records), as `deleteDocument` does; returns how many went. Documents
   * of other owners and capability-only ones (no owner) stay. For deleting an account.
   */
  deleteDocumentsOwnedBy(owner: string): Promise<number>;

  /**
   * Gives a capability-only document (owner null) to `owner` (attaching an anonymous vault
   * to an account). "claimed" when it was ownerless, "already" when `owner` owns it already,
   * "taken" when another account does (nothing changes), "unknown" when not registered.
   */
  claimDocument(docId: string, owner: string): Promise<"claimed" | "already" | "taken" | "unknown">;

  /**
   * In one transaction: sets the document's keys to a new generation (which must be above
   * the current one, else `stale-generation` and nothing changes), deletes the grants in
   * `revoke`, and replaces the keyrings of the grants in `keyrings` (grants of other
   * documents or missing ones are ignored). `unknown` when the document is not registered.
   */
  rotateDocument(input: RotateInput): Promise<"rotated" | "stale-generation" | "unknown">;

  /**
   * Stores a share grant. Idempotent by `grantId` with the same capability hash ("exists");
   * a `grantId` or capability hash already used by a different grant is "conflict".
   */
  createGrant(grant: GrantRecord): Promise<"created" | "exists" | "conflict">;
  /** The grant whose capability hashes to `capabilityHash`, or undefined. */
  grantByCapability(capabilityHash: Uint8Array): Promise<GrantRecord | undefined>;
  /** The grant, or undefined. */
  getGrant(grantId: string): Promise<GrantRecord | undefined>;
  /** Every grant naming `docId`, oldest first. */
  grantsForDocument(docId: string): Promise<GrantRecord[]>;
  /** Every grant whose recipient is `accountId`, oldest first. */
  grantsForRecipient(accountId: string): Promise<GrantRecord[]>;
  /** Deletes the grant; whether it existed. */
  deleteGrant(grantId: string): Promise<boolean>;
  /** Records that the grant was used at `at` (ms); a no-op for a missing grant. */
  touchGrant(grantId: string, at: number): Promise<void>;

  /** Finishes pending appends and releases the store; later calls reject (`store-closed`). */
  close(): Promise<void>;
}

/** A share grant (docs/sharing.md): what the relay keeps so a link or a rider can read. */
export interface GrantRecord {
  /** 32 lowercase hex digits, chosen by the sharing device. */
  readonly grantId: string;
  /** BLAKE2b-256 of the grant's capability; the capability itself is never stored. */
  readonly capabilityHash: Uint8Array;
  /** The documents it opens (1–500). */
  readonly docIds: readonly string[];
  readonly mode: "read" | "write";
  /** Ms since the epoch; null: never expires. */
  readonly expiresAt: number | null;
  readonly createdAt: number;
  /** The account that created it, or null on a capability-only document. */
  readonly createdBy: string | null;
  /** Sharing with a known rider: the recipient's account; null for a link. */
  readonly recipient: string | null;
  /** The document keys sealed for the holder (opaque, ≤ 256 KiB). */
  readonly keyring: Uint8Array;
  /** For a recipient: the link secret sealed to their public key (opaque); else null. */
  readonly sealedSecret: Uint8Array | null;
  /** Ms since the epoch of the last use, or null. */
  readonly lastUsedAt: number | null;
}

/** See `RelayStore.rotateDocument`. */
export interface RotateInput {
  readonly docId: string;
  readonly generation: number;
  readonly writePublicKey: Uint8Array;
  readonly accessHash: Uint8Array;
  readonly revoke: readonly string[];
  readonly keyrings: readonly { readonly grantId: string; readonly keyring: Uint8Array }[];
}

/** The codes of `RelayStoreError`. */
export type RelayStoreErrorCode =
  | "unknown-document"
  | "invalid-append"
  /** A malformed grant, grant id or capability hash (see `checkGrant`). */
  | "invalid-grant"
  /** A malformed `RotateInput` (see `checkRotate`). */
  | "invalid-rotation"
  /** The store does not implement this part of the contract (share grants on Workers). */
  | "not-supported"
  | "store-closed"
  /** The database cannot be reached right now; retrying later can succeed. */
  | "store-unavailable";

/** A store call the caller should not have made (see `RelayStore.append`). */
export class RelayStoreError extends Error {
  override readonly name = "RelayStoreError";
  constructor(
    readonly code: RelayStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const AUTHOR = /^[0-9a-f]{16}$/;

/**
 * Throws `invalid-append` when the input is malformed on its own; `lastSeq` is the
 * document's current one, which a snapshot may cover up to. Shared by every store.
 */
export function checkAppend(input: AppendInput, lastSeq: number): void {
  const fail = (reason: string): never => {
    throw new RelayStoreError(
      "invalid-append",
      `cannot append to document ${input.docId}: ${reason}`,
    );
  };
  if (!AUTHOR.test(input.author)) fail(`author "${input.author}" is not 16 lowercase hex digits`);
  if (!Number.isSafeInteger(input.counter) || input.counter < 0) {
    fail(`counter ${input.counter} is not a non-negative integer`);
  }
  if (input.kind === "change" && input.coversSeq !== null) fail("a change has no coversSeq");
  if (input.kind === "snapshot") {
    const covers = input.coversSeq;
    if (covers === null || !Number.isSafeInteger(covers) || covers < 0 || covers > lastSeq) {
      fail(`a snapshot must cover 0…${lastSeq} (the sequence numbers assigned), not ${covers}`);
    }
  }
}

/** The `unknown-document` error of an append to a document that is not registered. */
export function unknownDocument(docId: string): RelayStoreError {
  return new RelayStoreError(
    "unknown-document",
    `document ${docId} is not registered on this relay store; register it before appending`,
  );
}

/** The `store-closed` error of a call after `close`. */
export function storeClosed(): RelayStoreError {
  return new RelayStoreError("store-closed", "the relay store is closed; open it again to use it");
}

/** The `document-exists` error of a registration with another write key. */
export function documentExists(docId: string): DocumentExistsError {
  return {
    code: "document-exists",
    docId,
    message: `document ${docId} is already registered with a different write key; choose another document id`,
  };
}

/** Byte equality, for comparing write keys (public values: no need for constant time). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
