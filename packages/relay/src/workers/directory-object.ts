/**
 * The directory: one Durable Object per store namespace listing its registered document
 * ids and owners, so that whole-store and per-owner statistics (and deleting an owner's
 * documents) can visit every document object (a Durable Object
 * namespace cannot be enumerated from inside a Worker).
 */
import { DurableObject } from "cloudflare:workers";
import type { DirectoryRpc, RelayEnv } from "./document-rpc.js";

/** The list of a store's document ids. */
export class DirectoryObject extends DurableObject<RelayEnv> implements DirectoryRpc {
  constructor(ctx: DurableObjectState, env: RelayEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS documents (doc_id TEXT PRIMARY KEY, owner TEXT)",
    );
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS documents_owner ON documents (owner)");
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
    this.ctx.storage.sql.exec("DELETE FROM documents WHERE doc_id = ?", docId);
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
}
