/**
 * What the sync engine keeps on the device, in the vault's storage: per document the cursor
 * (the relay sequence number everything up to which has been received), the author counter,
 * the heads already turned into envelopes, and the **outbox** — envelopes written before
 * they are sent, removed only when the relay acknowledges them, so closing the app, losing
 * the network or a relay restart loses nothing.
 */
import type { StorageAdapter } from "../storage/storage-adapter.js";

/** A document's sync position. */
export interface DocumentSyncState {
  /** Everything up to this relay sequence number has been received. */
  readonly cursor: number;
  /** The counter of this device's last envelope for the document. */
  readonly counter: number;
  /** Heads whose changes are already in envelopes (in the outbox or acknowledged). */
  readonly sentHeads: readonly string[];
  /** The document is registered on the relay. */
  readonly registered: boolean;
  /** The relay sequence number covered by the latest snapshot this device knows of. */
  readonly snapshotSeq: number;
}

/** An envelope waiting for the relay's acknowledgement. */
export interface OutboxEntry {
  readonly docId: string;
  readonly counter: number;
  readonly envelope: Uint8Array;
}

const INITIAL: DocumentSyncState = {
  cursor: 0,
  counter: 0,
  sentHeads: [],
  registered: false,
  snapshotSeq: 0,
};

/** Sync state and outbox over a storage adapter. */
export class SyncStore {
  readonly #storage: StorageAdapter;

  constructor(storage: StorageAdapter) {
    this.#storage = storage;
  }

  async state(docId: string): Promise<DocumentSyncState> {
    const bytes = await this.#storage.load(["ridevault-sync", docId]);
    if (!bytes) return INITIAL;
    return {
      ...INITIAL,
      ...(JSON.parse(new TextDecoder().decode(bytes)) as Partial<DocumentSyncState>),
    };
  }

  async saveState(docId: string, state: DocumentSyncState): Promise<void> {
    await this.#storage.save(
      ["ridevault-sync", docId],
      new TextEncoder().encode(JSON.stringify(state)),
    );
  }

  /** Stores an envelope before it is sent. */
  async put(entry: OutboxEntry): Promise<void> {
    await this.#storage.save(
      ["ridevault-outbox", entry.docId, counterKey(entry.counter)],
      entry.envelope,
    );
  }

  /** Removes an acknowledged envelope. */
  async remove(docId: string, counter: number): Promise<void> {
    await this.#storage.remove(["ridevault-outbox", docId, counterKey(counter)]);
  }

  /** The envelopes of a document waiting for acknowledgement, oldest first. */
  async pending(docId: string): Promise<OutboxEntry[]> {
    const chunks = await this.#storage.loadRange(["ridevault-outbox", docId]);
    return chunks
      .flatMap(({ key, data }) =>
        data ? [{ docId, counter: Number(key[2]), envelope: data }] : [],
      )
      .sort((a, b) => a.counter - b.counter);
  }

  /** Forgets everything of a document (after it was purged). */
  async forget(docId: string): Promise<void> {
    await this.#storage.removeRange(["ridevault-outbox", docId]);
    await this.#storage.remove(["ridevault-sync", docId]);
  }
}

function counterKey(counter: number): string {
  return String(counter).padStart(15, "0");
}
