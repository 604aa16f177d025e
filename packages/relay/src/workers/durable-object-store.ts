/**
 * `RelayStore` on Durable Objects: one object per document (named by the document id, in
 * an optional namespace prefix) holds that document's log in its SQLite storage, and a
 * directory object lists the ids for whole-store statistics. Runs inside a Worker or a
 * Durable Object. Calls to one document go through one cached stub, so they reach the
 * object in call order (Durable Object RPC delivers the messages of one stub in order).
 * Key rotation and claims are supported; share grants are not yet (their methods reject with
 * `not-supported`, and a rotation's `revoke` and `keyrings` name no grant that exists here).
 */
import { checkRotate } from "../store/check-grant.js";
import type {
  AppendInput,
  AppendResult,
  DocumentRecord,
  DocumentRegistration,
  GrantRecord,
  ReadInput,
  ReadItem,
  RelayStore,
  RotateInput,
  StoreError,
  StoreStats,
} from "../store/relay-store.js";
import { RelayStoreError, storeClosed } from "../store/relay-store.js";
import type { DocumentKeysRpc } from "./document-object.js";
import type { DirectoryRpc, DocumentRpc, RelayEnv } from "./document-rpc.js";

/** Options of a `DurableObjectRelayStore`. */
export interface DurableObjectRelayStoreOptions {
  readonly documents: RelayEnv["DOCUMENTS"];
  readonly directory: RelayEnv["DIRECTORY"];
  /**
   * Prefixed to every object name, so several stores can share one binding (tests give each
   * store its own). Default: none.
   */
  readonly namespace?: string;
}

/** The relay store of the Workers relay. */
export class DurableObjectRelayStore implements RelayStore {
  readonly #options: DurableObjectRelayStoreOptions;
  readonly #stubs = new Map<string, DocumentRpc>();
  #directoryStub: DirectoryRpc | undefined;
  #closed = false;

  constructor(options: DurableObjectRelayStoreOptions) {
    this.#options = options;
  }

  async registerDocument(
    registration: DocumentRegistration,
  ): Promise<{ ok: true; value: "created" | "exists" } | { ok: false; error: StoreError }> {
    const outcome = await this.document(registration.docId).register(registration);
    if (outcome.ok && outcome.value === "created") {
      await this.#directory().add(registration.docId, registration.owner);
    }
    return outcome.ok ? { ok: true, value: outcome.value } : { ok: false, error: outcome.error };
  }

  async getDocument(docId: string): Promise<DocumentRecord | undefined> {
    return this.document(docId).get();
  }

  async append(input: AppendInput): Promise<AppendResult> {
    const outcome = await this.document(input.docId).append(input);
    if (!outcome.ok) throw new RelayStoreError(outcome.error.code, outcome.error.message);
    return outcome.value;
  }

  async read({ docId, afterSeq, limit }: ReadInput): Promise<ReadItem[]> {
    return this.document(docId).read(afterSeq, limit);
  }

  async prune(docId: string): Promise<number> {
    return this.document(docId).prune();
  }

  async stats(docId?: string): Promise<StoreStats> {
    if (docId !== undefined) return this.document(docId).stats();
    return this.#sum(await this.#directory().list());
  }

  async ownerStats(owner: string): Promise<StoreStats> {
    return this.#sum(await this.#directory().list(owner));
  }

  async deleteDocumentsOwnedBy(owner: string): Promise<number> {
    const docIds = await this.#directory().list(owner);
    const existed = await Promise.all(docIds.map((docId) => this.deleteDocument(docId)));
    return existed.filter(Boolean).length;
  }

  /** The statistics of `docIds`, summed. */
  async #sum(docIds: readonly string[]): Promise<StoreStats> {
    const each = await Promise.all(docIds.map((id) => this.document(id).stats()));
    return each.reduce(
      (sum, stats) => ({
        documents: sum.documents + stats.documents,
        changes: sum.changes + stats.changes,
        snapshots: sum.snapshots + stats.snapshots,
        bytes: sum.bytes + stats.bytes,
      }),
      { documents: 0, changes: 0, snapshots: 0, bytes: 0 },
    );
  }

  async deleteDocument(docId: string): Promise<boolean> {
    const existed = await this.document(docId).delete();
    await this.#directory().remove(docId);
    return existed;
  }

  async claimDocument(
    docId: string,
    owner: string,
  ): Promise<"claimed" | "already" | "taken" | "unknown"> {
    const outcome = await this.#keys(docId).claim(owner);
    if (outcome === "claimed") await this.#directory().add(docId, owner);
    return outcome;
  }

  async rotateDocument(input: RotateInput): Promise<"rotated" | "stale-generation" | "unknown"> {
    checkRotate(input);
    const { generation, writePublicKey, accessHash } = input;
    return this.#keys(input.docId).rotate({ generation, writePublicKey, accessHash });
  }

  async createGrant(_grant: GrantRecord): Promise<"created" | "exists" | "conflict"> {
    throw this.#grantsNotSupported();
  }

  async grantByCapability(_capabilityHash: Uint8Array): Promise<GrantRecord | undefined> {
    throw this.#grantsNotSupported();
  }

  async getGrant(_grantId: string): Promise<GrantRecord | undefined> {
    throw this.#grantsNotSupported();
  }

  async grantsForDocument(_docId: string): Promise<GrantRecord[]> {
    throw this.#grantsNotSupported();
  }

  async grantsForRecipient(_accountId: string): Promise<GrantRecord[]> {
    throw this.#grantsNotSupported();
  }

  async deleteGrant(_grantId: string): Promise<boolean> {
    throw this.#grantsNotSupported();
  }

  async touchGrant(_grantId: string, _at: number): Promise<void> {
    throw this.#grantsNotSupported();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stubs.clear();
  }

  /**
   * The stub of a document's object: the same one for every call of this store, so calls
   * reach the object in call order (the relay subscribes through it before reading).
   */
  document(docId: string): DocumentRpc {
    if (this.#closed) throw storeClosed();
    let stub = this.#stubs.get(docId);
    if (!stub) {
      const { documents, namespace = "" } = this.#options;
      stub = documents.get(documents.idFromName(`${namespace}${docId}`));
      this.#stubs.set(docId, stub);
    }
    return stub;
  }

  /** The document's stub, with the key methods `DocumentObject` answers too. */
  #keys(docId: string): DocumentKeysRpc {
    return this.document(docId) as unknown as DocumentKeysRpc;
  }

  #grantsNotSupported(): RelayStoreError {
    if (this.#closed) return storeClosed();
    return new RelayStoreError(
      "not-supported",
      "share grants are not supported on the Workers target yet; run the Node relay (SQLite or PostgreSQL) to share documents",
    );
  }

  #directory(): DirectoryRpc {
    if (this.#closed) throw storeClosed();
    if (!this.#directoryStub) {
      const { directory, namespace = "" } = this.#options;
      this.#directoryStub = directory.get(directory.idFromName(`${namespace}directory`));
    }
    return this.#directoryStub;
  }
}
