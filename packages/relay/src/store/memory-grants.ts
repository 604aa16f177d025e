/**
 * The share grants of `MemoryRelayStore`: grants by id with an index by capability hash,
 * and the grant side of rotations and deletions. Everything it returns is a copy.
 */
import { bytesToHex } from "@ridevault/core/protocol";
import { copyGrant } from "./check-grant.js";
import { equalBytes, type GrantRecord, type RotateInput } from "./relay-store.js";

/** Grants in Maps; every method is synchronous (the store checks inputs first). */
export class MemoryGrants {
  readonly #byId = new Map<string, GrantRecord>();
  readonly #idByCapability = new Map<string, string>();

  /** See `RelayStore.createGrant`. */
  create(grant: GrantRecord): "created" | "exists" | "conflict" {
    const existing = this.#byId.get(grant.grantId);
    if (existing) {
      return equalBytes(existing.capabilityHash, grant.capabilityHash) ? "exists" : "conflict";
    }
    const capability = bytesToHex(grant.capabilityHash);
    if (this.#idByCapability.has(capability)) return "conflict";
    this.#byId.set(grant.grantId, copyGrant(grant));
    this.#idByCapability.set(capability, grant.grantId);
    return "created";
  }

  byCapability(hash: Uint8Array): GrantRecord | undefined {
    const grantId = this.#idByCapability.get(bytesToHex(hash));
    return grantId === undefined ? undefined : this.get(grantId);
  }

  get(grantId: string): GrantRecord | undefined {
    const grant = this.#byId.get(grantId);
    return grant && copyGrant(grant);
  }

  /** The grants `matches` selects, oldest first (ties: by id, as the SQL stores order them). */
  select(matches: (grant: GrantRecord) => boolean): GrantRecord[] {
    return [...this.#byId.values()]
      .filter(matches)
      .sort((a, b) => a.createdAt - b.createdAt || (a.grantId < b.grantId ? -1 : 1))
      .map(copyGrant);
  }

  delete(grantId: string): boolean {
    const grant = this.#byId.get(grantId);
    if (!grant) return false;
    this.#byId.delete(grantId);
    this.#idByCapability.delete(bytesToHex(grant.capabilityHash));
    return true;
  }

  touch(grantId: string, at: number): void {
    const grant = this.#byId.get(grantId);
    if (grant) this.#byId.set(grantId, { ...grant, lastUsedAt: at });
  }

  /** The grant part of `RelayStore.rotateDocument`: only grants naming `docId` change. */
  rotate({ docId, revoke, keyrings }: RotateInput): void {
    const ofDocument = (grantId: string) => this.#byId.get(grantId)?.docIds.includes(docId);
    for (const grantId of revoke) if (ofDocument(grantId)) this.delete(grantId);
    for (const { grantId, keyring } of keyrings) {
      const grant = this.#byId.get(grantId);
      if (grant && ofDocument(grantId))
        this.#byId.set(grantId, { ...grant, keyring: keyring.slice() });
    }
  }

  /** Takes the deleted documents out of every grant; deletes grants left with none. */
  removeDocuments(docIds: ReadonlySet<string>): void {
    for (const grant of [...this.#byId.values()]) {
      if (!grant.docIds.some((docId) => docIds.has(docId))) continue;
      const left = grant.docIds.filter((docId) => !docIds.has(docId));
      if (left.length === 0) this.delete(grant.grantId);
      else this.#byId.set(grant.grantId, { ...grant, docIds: left });
    }
  }

  /** Deletes every grant `account` created or receives; returns how many. */
  removeAccount(account: string): number {
    let deleted = 0;
    for (const grant of [...this.#byId.values()]) {
      if (grant.createdBy !== account && grant.recipient !== account) continue;
      if (this.delete(grant.grantId)) deleted++;
    }
    return deleted;
  }
}
