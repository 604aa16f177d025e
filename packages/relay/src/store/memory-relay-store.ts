/**
 * A relay store in memory: for tests, and for a relay that may forget everything when it
 * stops. Same contract as every `RelayStore` (it runs `runRelayStoreTests`); each operation
 * completes synchronously, so "durable" means "in this process".
 */
import { err, ok, type Result } from "@ridevault/core/protocol";
import { checkCapabilityHash, checkGrant, checkGrantId, checkRotate } from "./check-grant.js";
import { MemoryGrants } from "./memory-grants.js";
import {
  type AppendInput,
  type AppendResult,
  checkAppend,
  type DocumentRecord,
  type DocumentRegistration,
  documentExists,
  type EnvelopeKind,
  equalBytes,
  type GrantRecord,
  type ReadInput,
  type ReadItem,
  type RelayStore,
  type RotateInput,
  type StoreError,
  type StoreStats,
  storeClosed,
  unknownDocument,
} from "./relay-store.js";

interface StoredEnvelope {
  readonly seq: number;
  readonly author: string;
  readonly counter: number;
  readonly kind: EnvelopeKind;
  readonly coversSeq: number | null;
  readonly envelope: Uint8Array;
}

interface MemoryDocument {
  /** Replaced by a rotation (keys) or a claim (owner). */
  registration: DocumentRegistration;
  generation: number;
  lastSeq: number;
  latest: { seq: number; coversSeq: number } | null;
  /** In ascending seq order: seqs are assigned increasing and never re-inserted. */
  readonly envelopesBySeq: Map<number, StoredEnvelope>;
  readonly seqByAuthorCounter: Map<string, number>;
  /** Per author: the highest counter and seq `prune` removed (see `RelayStore.append`). */
  readonly prunedByAuthor: Map<string, { counter: number; seq: number }>;
}

/** Keeps documents, envelopes and grants in Maps. `reopen` stands in for a restart in tests. */
export class MemoryRelayStore implements RelayStore {
  #documents = new Map<string, MemoryDocument>();
  #grants = new MemoryGrants();
  #closed = false;

  /** A new instance over the same data, as a restarted relay would see it. */
  reopen(): MemoryRelayStore {
    const again = new MemoryRelayStore();
    again.#documents = this.#documents;
    again.#grants = this.#grants;
    return again;
  }

  async registerDocument(
    registration: DocumentRegistration,
  ): Promise<Result<"created" | "exists", StoreError>> {
    this.#open();
    const existing = this.#documents.get(registration.docId);
    if (existing) {
      return equalBytes(existing.registration.writePublicKey, registration.writePublicKey)
        ? ok("exists")
        : err(documentExists(registration.docId));
    }
    this.#documents.set(registration.docId, {
      registration: {
        ...registration,
        writePublicKey: registration.writePublicKey.slice(),
        accessHash: registration.accessHash.slice(),
      },
      generation: 0,
      lastSeq: 0,
      latest: null,
      envelopesBySeq: new Map(),
      seqByAuthorCounter: new Map(),
      prunedByAuthor: new Map(),
    });
    return ok("created");
  }

  async getDocument(docId: string): Promise<DocumentRecord | undefined> {
    this.#open();
    const doc = this.#documents.get(docId);
    if (!doc) return undefined;
    const { registration } = doc;
    return {
      ...registration,
      writePublicKey: registration.writePublicKey.slice(),
      accessHash: registration.accessHash.slice(),
      generation: doc.generation,
      lastSeq: doc.lastSeq,
      snapshotSeq: doc.latest?.seq ?? null,
      snapshotCoversSeq: doc.latest?.coversSeq ?? null,
    };
  }

  async append(input: AppendInput): Promise<AppendResult> {
    this.#open();
    const doc = this.#documents.get(input.docId);
    if (!doc) throw unknownDocument(input.docId);
    checkAppend(input, doc.lastSeq);
    const key = `${input.author}:${input.counter}`;
    const original = doc.seqByAuthorCounter.get(key);
    if (original !== undefined) return { seq: original, duplicate: true };
    const pruned = doc.prunedByAuthor.get(input.author);
    if (pruned && input.counter <= pruned.counter) return { seq: pruned.seq, duplicate: true };
    const seq = doc.lastSeq + 1;
    doc.lastSeq = seq;
    doc.seqByAuthorCounter.set(key, seq);
    doc.envelopesBySeq.set(seq, {
      seq,
      author: input.author,
      counter: input.counter,
      kind: input.kind,
      coversSeq: input.coversSeq,
      envelope: input.envelope.slice(),
    });
    const covers = input.coversSeq;
    if (input.kind === "snapshot" && covers !== null && covers >= (doc.latest?.coversSeq ?? 0)) {
      doc.latest = { seq, coversSeq: covers };
    }
    return { seq, duplicate: false };
  }

  async read({ docId, afterSeq, limit }: ReadInput): Promise<ReadItem[]> {
    this.#open();
    const doc = this.#documents.get(docId);
    if (!doc || limit < 1) return [];
    const items: ReadItem[] = [];
    let after = afterSeq;
    const snapshot = doc.latest && doc.envelopesBySeq.get(doc.latest.seq);
    if (snapshot && snapshot.coversSeq !== null && snapshot.coversSeq > afterSeq) {
      items.push(toItem(snapshot));
      after = snapshot.coversSeq;
    }
    for (const stored of doc.envelopesBySeq.values()) {
      if (items.length >= limit) break;
      if (stored.kind === "change" && stored.seq > after) items.push(toItem(stored));
    }
    return items;
  }

  async prune(docId: string): Promise<number> {
    this.#open();
    const doc = this.#documents.get(docId);
    if (!doc?.latest) return 0;
    const latest = doc.latest;
    let deleted = 0;
    for (const [seq, stored] of doc.envelopesBySeq) {
      const covered = stored.kind === "change" ? seq <= latest.coversSeq : seq !== latest.seq;
      if (!covered) continue;
      doc.envelopesBySeq.delete(seq);
      doc.seqByAuthorCounter.delete(`${stored.author}:${stored.counter}`);
      deleted++;
      const before = doc.prunedByAuthor.get(stored.author);
      doc.prunedByAuthor.set(stored.author, {
        counter: Math.max(stored.counter, before?.counter ?? -1),
        seq: Math.max(seq, before?.seq ?? 0),
      });
    }
    return deleted;
  }

  async stats(docId?: string): Promise<StoreStats> {
    this.#open();
    const docs = docId === undefined ? [...this.#documents.values()] : [this.#documents.get(docId)];
    const stats = { documents: 0, changes: 0, snapshots: 0, bytes: 0 };
    for (const doc of docs) {
      if (!doc) continue;
      stats.documents++;
      for (const stored of doc.envelopesBySeq.values()) {
        if (stored.kind === "change") stats.changes++;
        else stats.snapshots++;
        stats.bytes += stored.envelope.byteLength;
      }
    }
    return stats;
  }

  async deleteDocument(docId: string): Promise<boolean> {
    this.#open();
    this.#grants.removeDocuments(new Set([docId]));
    return this.#documents.delete(docId);
  }

  async ownerStats(owner: string): Promise<StoreStats> {
    this.#open();
    const stats = { documents: 0, changes: 0, snapshots: 0, bytes: 0 };
    for (const doc of this.#documents.values()) {
      if (doc.registration.owner !== owner) continue;
      const one = await this.stats(doc.registration.docId);
      stats.documents++;
      stats.changes += one.changes;
      stats.snapshots += one.snapshots;
      stats.bytes += one.bytes;
    }
    return stats;
  }

  async deleteDocumentsOwnedBy(owner: string): Promise<number> {
    this.#open();
    const owned = new Set<string>();
    for (const [docId, doc] of this.#documents) {
      if (doc.registration.owner === owner) owned.add(docId);
    }
    for (const docId of owned) this.#documents.delete(docId);
    this.#grants.removeDocuments(owned);
    this.#grants.removeAccount(owner);
    return owned.size;
  }

  async claimDocument(
    docId: string,
    owner: string,
  ): Promise<"claimed" | "already" | "taken" | "unknown"> {
    this.#open();
    const doc = this.#documents.get(docId);
    if (!doc) return "unknown";
    const current = doc.registration.owner;
    if (current === owner) return "already";
    if (current !== null) return "taken";
    doc.registration = { ...doc.registration, owner };
    return "claimed";
  }

  async rotateDocument(input: RotateInput): Promise<"rotated" | "stale-generation" | "unknown"> {
    this.#open();
    checkRotate(input);
    const doc = this.#documents.get(input.docId);
    if (!doc) return "unknown";
    if (input.generation <= doc.generation) return "stale-generation";
    doc.generation = input.generation;
    doc.registration = {
      ...doc.registration,
      writePublicKey: input.writePublicKey.slice(),
      accessHash: input.accessHash.slice(),
    };
    this.#grants.rotate(input);
    return "rotated";
  }

  async createGrant(grant: GrantRecord): Promise<"created" | "exists" | "conflict"> {
    this.#open();
    checkGrant(grant);
    return this.#grants.create(grant);
  }

  async grantByCapability(capabilityHash: Uint8Array): Promise<GrantRecord | undefined> {
    this.#open();
    checkCapabilityHash(capabilityHash);
    return this.#grants.byCapability(capabilityHash);
  }

  async getGrant(grantId: string): Promise<GrantRecord | undefined> {
    this.#open();
    checkGrantId(grantId);
    return this.#grants.get(grantId);
  }

  async grantsForDocument(docId: string): Promise<GrantRecord[]> {
    this.#open();
    return this.#grants.select((grant) => grant.docIds.includes(docId));
  }

  async grantsForRecipient(accountId: string): Promise<GrantRecord[]> {
    this.#open();
    return this.#grants.select((grant) => grant.recipient === accountId);
  }

  async deleteGrant(grantId: string): Promise<boolean> {
    this.#open();
    checkGrantId(grantId);
    return this.#grants.delete(grantId);
  }

  async touchGrant(grantId: string, at: number): Promise<void> {
    this.#open();
    checkGrantId(grantId);
    this.#grants.touch(grantId, at);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #open(): void {
    if (this.#closed) throw storeClosed();
  }
}

function toItem(stored: StoredEnvelope): ReadItem {
  return {
    seq: stored.seq,
    kind: stored.kind,
    envelope: stored.envelope.slice(),
    coversSeq: stored.coversSeq,
  };
}
