/**
 * What the sync engine needs from a vault: the documents to sync, their keys, their
 * Automerge state, and a way to merge what arrives. The vault implements it; the engine
 * knows nothing of workouts or libraries.
 */
import type { DocumentKeys } from "../crypto/document-keys.js";
import type { DeviceId } from "../ids.js";
import type { StorageAdapter } from "../storage/storage-adapter.js";

/** A document as the engine sees it. */
export interface SyncedDocument {
  readonly docId: string;
  /** All generations of its keys this device holds (the newest seals). */
  readonly keys: ReadonlyMap<number, DocumentKeys>;
  /**
   * What to present to the relay instead of the access secret derived from the read key: a
   * share's capability (docs/sharing.md). Such a document is never registered by this device.
   */
  readonly accessSecret?: Uint8Array;
  /** Automerge heads of the current state. */
  heads(): string[];
  /** Automerge changes since `heads` (everything without heads). */
  changesSince(heads: readonly string[]): Uint8Array;
  /** The whole document (`Automerge.save`), for snapshots. */
  save(): Uint8Array;
  /** Calls `listener` after each local change (not after `merge`). */
  onLocalChange(listener: () => void): () => void;
}

/** The vault side of sync. */
export interface SyncSource {
  readonly deviceId: DeviceId;
  /** Where the engine keeps its cursors and outbox. */
  readonly storage: StorageAdapter;
  /** The documents to sync, the library first; creates missing keys. */
  documents(): Promise<SyncedDocument[]>;
  /** Resolves once `docId`'s current state is in the vault's storage. */
  persist(docId: string): Promise<void>;
  /** Merges changes (Automerge bytes) that arrived for `docId`. */
  merge(docId: string, changes: Uint8Array): Promise<{ ok: true } | { ok: false; message: string }>;
  /**
   * Calls `listener` when the set of documents changes (a workout created or learned of) or
   * a document's keys do (a new generation after a rotation).
   */
  onDocumentsChanged(listener: () => void): () => void;
  /**
   * The relay or an envelope says `docId`'s keys rotated past what this device holds: fetch
   * the new ones if the source can (a share's keyring); `onDocumentsChanged` then fires.
   */
  refreshKeys?(docId: string): Promise<void>;
}
