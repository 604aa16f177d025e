/**
 * The directory: one Durable Object per store namespace listing its registered document
 * ids and owners, so that whole-store and per-owner statistics (and deleting an owner's
 * documents) can visit every document object (a Durable Object namespace cannot be
 * enumerated from inside a Worker). It also keeps the namespace's share grants
 * (`grant-table.ts`): a grant names documents of many objects and is found by its
 * capability hash, so it lives with the list of documents rather than with any one of them.
 */
import { DurableObject } from "cloudflare:workers";
import type { GrantRecord } from "../store/relay-store.js";
import type { DirectoryRpc, RelayEnv } from "./document-rpc.js";
import { GrantTable } from "./grant-table.js";

/** The list of a store's document ids, and its share grants. */
export class DirectoryObject extends DurableObject<RelayEnv> implements DirectoryRpc {
  readonly #grants: GrantTable;

  constructor(ctx: DurableObjectState, env: RelayEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS documents (doc_id TEXT PRIMARY KEY, owner TEXT)",
    );
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS documents_owner ON documents (owner)");
    this.#grants = new GrantTable(ctx.storage);
  }

  async add(docId: string, owner: string | null): Promise<void> {
    this.ctx.storage.sql.exec(
      `INSERT INTO documents (doc_id, owner) VALUES (?, ?)
       ON CONFLICT (doc_id) DO UPDATE SET owner = excluded.owner`,
      docId,
      owner,
    );
  }

  async remove(docId: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM documents WHERE doc_id = ?", docId).toArray();
    this.#grants.removeDocument(docId);
  }

  async list(owner?: string): Promise<string[]> {
    const rows =
      owner === undefined
        ? this.ctx.storage.sql.exec<{ doc_id: string }>("SELECT doc_id FROM documents")
        : this.ctx.storage.sql.exec<{ doc_id: string }>(
            "SELECT doc_id FROM documents WHERE owner = ?",
            owner,
          );
    return rows.toArray().map((row) => row.doc_id);
  }

  async createGrant(grant: GrantRecord): Promise<"created" | "exists" | "conflict"> {
    return this.#grants.create(grant);
  }

  async grantByCapability(capabilityHash: Uint8Array): Promise<GrantRecord | undefined> {
    return this.#grants.byCapability(capabilityHash);
  }

  async getGrant(grantId: string): Promise<GrantRecord | undefined> {
    return this.#grants.get(grantId);
  }

  async grantsForDocument(docId: string): Promise<GrantRecord[]> {
    return this.#grants.forDocument(docId);
  }

  async grantsForRecipient(accountId: string): Promise<GrantRecord[]> {
    return this.#grants.forRecipient(accountId);
  }

  async deleteGrant(grantId: string): Promise<boolean> {
    return this.#grants.delete(grantId);
  }

  async touchGrant(grantId: string, at: number): Promise<void> {
    this.#grants.touch(grantId, at);
  }

  async reviseGrants(
    docId: string,
    revoke: readonly string[],
    keyrings: readonly { readonly grantId: string; readonly keyring: Uint8Array }[],
  ): Promise<string[]> {
    return this.#grants.revise(docId, revoke, keyrings);
  }

  async removeAccountGrants(account: string): Promise<number> {
    return this.#grants.removeAccount(account);
  }
}
