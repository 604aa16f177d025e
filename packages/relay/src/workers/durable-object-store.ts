/**
 * `RelayStore` on Durable Objects: one object per document (named by the document id, in
 * an optional namespace prefix) holds that document's log in its SQLite storage, and a
 * directory object lists the ids for whole-store statistics. Runs inside a Worker or a
 * Durable Object. Calls to one document go through one cached stub, so they reach the
 * object in call order (Durable Object RPC delivers the messages of one stub in order).
 * Key rotation, claims and share grants are supported; grants live in the directory object.
 * A rotation changes the document's keys in its object first and then, only if it rotated,
 * revokes and re-keys its grants in the directory: the two objects cannot share a
 * transaction, so a failure between the two calls leaves the new keys with the grants the
 * rotation meant to revoke or re-key (the call rejects, so the device knows it failed;
 * revoked holders still have only the old keys and cannot read what is sealed after it).
 */
import {
  checkCapabilityHash,
  checkGrant,
  checkGrantId,
  checkRotate,
} from "../store/check-grant.js";
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
  /**
   * Keep one stub per object for the life of the store (default true), so calls reach each
   * object in call order. False takes a new stub per call: for a store kept across requests
   * by the entry Worker, where a stub made for one request cannot serve another.
   */
  readonly reuseStubs?: boolean;
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
    await this.#directory().removeAccountGrants(owner);
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
    const { docId, generation, writePublicKey, accessHash, revoke, keyrings } = input;
    const outcome = await this.#keys(docId).rotate({ generation, writePublicKey, accessHash });
    if (outcome === "rotated" && (revoke.length > 0 || keyrings.length > 0)) {
      const opened = await this.#directory().reviseGrants(docId, revoke, keyrings);
      // The document objects route too: they end what followers hold through the grants.
      await Promise.all(opened.map((id) => this.document(id).revokeGrants(revoke)));
    }
    return outcome;
  }

  async createGrant(grant: GrantRecord): Promise<"created" | "exists" | "conflict"> {
    checkGrant(grant);
    return this.#directory().createGrant(grant);
  }

  async grantByCapability(capabilityHash: Uint8Array): Promise<GrantRecord | undefined> {
    checkCapabilityHash(capabilityHash);
    return this.#directory().grantByCapability(capabilityHash);
  }

  async getGrant(grantId: string): Promise<GrantRecord | undefined> {
    checkGrantId(grantId);
    return this.#directory().getGrant(grantId);
  }

  async grantsForDocument(docId: string): Promise<GrantRecord[]> {
    return this.#directory().grantsForDocument(docId);
  }

  async grantsForRecipient(accountId: string): Promise<GrantRecord[]> {
    return this.#directory().grantsForRecipient(accountId);
  }

  async deleteGrant(grantId: string): Promise<boolean> {
    checkGrantId(grantId);
    return this.#directory().deleteGrant(grantId);
  }

  async touchGrant(grantId: string, at: number): Promise<void> {
    checkGrantId(grantId);
    await this.#directory().touchGrant(grantId, at);
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
      if (this.#options.reuseStubs !== false) this.#stubs.set(docId, stub);
    }
    return stub;
  }

  /** The document's stub, with the key methods `DocumentObject` answers too. */
  #keys(docId: string): DocumentKeysRpc {
    return this.document(docId) as unknown as DocumentKeysRpc;
  }

  #directory(): DirectoryRpc {
    if (this.#closed) throw storeClosed();
    if (this.#directoryStub) return this.#directoryStub;
    const { directory, namespace = "", reuseStubs = true } = this.#options;
    const stub = directory.get(directory.idFromName(`${namespace}directory`));
    if (reuseStubs) this.#directoryStub = stub;
    return stub;
  }
}
