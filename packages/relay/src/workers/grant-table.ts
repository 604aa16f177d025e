/**
 * Share grants in a Durable Object's SQLite storage (the directory object's): the `grants`
 * and `grant_documents` tables of the SQLite relay store, and the operations on them. The
 * object runs one call at a time, and each operation that writes several rows runs in
 * `transactionSync`, so it commits whole or not at all.
 */
import type { GrantRecord } from "../store/relay-store.js";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS grants (
    grant_id TEXT PRIMARY KEY, capability_hash BLOB NOT NULL UNIQUE,
    mode TEXT NOT NULL, expires_at INTEGER, created_at INTEGER NOT NULL, created_by TEXT,
    recipient TEXT, keyring BLOB NOT NULL, sealed_secret BLOB, last_used_at INTEGER);
  CREATE INDEX IF NOT EXISTS grants_recipient ON grants (recipient);
  CREATE TABLE IF NOT EXISTS grant_documents (
    grant_id TEXT NOT NULL, doc_id TEXT NOT NULL, position INTEGER NOT NULL,
    PRIMARY KEY (grant_id, doc_id));
  CREATE INDEX IF NOT EXISTS grant_documents_doc ON grant_documents (doc_id);
`;

const COLUMNS = `g.*, (SELECT json_group_array(doc_id) FROM
  (SELECT doc_id FROM grant_documents WHERE grant_id = g.grant_id ORDER BY position)) AS doc_ids`;

const blob = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;
const bytes = (value: SqlStorageValue | undefined): Uint8Array =>
  value instanceof ArrayBuffer ? new Uint8Array(value.slice(0)) : new Uint8Array();

/** The grants of one store namespace, in `storage`. */
export class GrantTable {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    storage.sql.exec(SCHEMA);
  }

  /** `RelayStore.createGrant`, on a grant already checked. */
  create(grant: GrantRecord): "created" | "exists" | "conflict" {
    return this.#storage.transactionSync(() => {
      const existing = this.#rows("SELECT capability_hash FROM grants WHERE grant_id = ?", [
        grant.grantId,
      ])[0];
      if (existing) {
        return equal(bytes(existing.capability_hash), grant.capabilityHash) ? "exists" : "conflict";
      }
      const hash = blob(grant.capabilityHash);
      if (this.#rows("SELECT 1 FROM grants WHERE capability_hash = ?", [hash]).length > 0)
        return "conflict";
      this.#run(
        `INSERT INTO grants (grant_id, capability_hash, mode, expires_at, created_at, created_by,
           recipient, keyring, sealed_secret, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        grant.grantId,
        hash,
        grant.mode,
        grant.expiresAt,
        grant.createdAt,
        grant.createdBy,
        grant.recipient,
        blob(grant.keyring),
        grant.sealedSecret && blob(grant.sealedSecret),
        grant.lastUsedAt,
      );
      grant.docIds.forEach((docId, position) => {
        this.#run(
          "INSERT INTO grant_documents (grant_id, doc_id, position) VALUES (?, ?, ?)",
          grant.grantId,
          docId,
          position,
        );
      });
      return "created";
    });
  }

  /** The grant with this capability hash, or undefined. */
  byCapability(capabilityHash: Uint8Array): GrantRecord | undefined {
    return this.#grants("g.capability_hash = ?", [blob(capabilityHash)])[0];
  }

  /** The grant, or undefined. */
  get(grantId: string): GrantRecord | undefined {
    return this.#grants("g.grant_id = ?", [grantId])[0];
  }

  /** Every grant naming `docId`, oldest first. */
  forDocument(docId: string): GrantRecord[] {
    return this.#grants("g.grant_id IN (SELECT grant_id FROM grant_documents WHERE doc_id = ?)", [
      docId,
    ]);
  }

  /** Every grant addressed to `accountId`, oldest first. */
  forRecipient(accountId: string): GrantRecord[] {
    return this.#grants("g.recipient = ?", [accountId]);
  }

  /** Deletes the grant; whether it existed. */
  delete(grantId: string): boolean {
    return this.#storage.transactionSync(() => {
      this.#run("DELETE FROM grant_documents WHERE grant_id = ?", grantId);
      return this.#written("DELETE FROM grants WHERE grant_id = ?", grantId) > 0;
    });
  }

  /** Records a use; a no-op for a missing grant. */
  touch(grantId: string, at: number): void {
    this.#run("UPDATE grants SET last_used_at = ? WHERE grant_id = ?", at, grantId);
  }

  /**
   * A rotation's part in the grants of `docId`: deletes those in `revoke` and replaces the
   * keyrings of those in `keyrings`; grants of other documents and missing ones are ignored.
   * Returns every document the deleted grants opened.
   */
  revise(
    docId: string,
    revoke: readonly string[],
    keyrings: readonly { readonly grantId: string; readonly keyring: Uint8Array }[],
  ): string[] {
    const ofDocument = "EXISTS (SELECT 1 FROM grant_documents WHERE grant_id = ? AND doc_id = ?)";
    const opened = new Set<string>();
    this.#storage.transactionSync(() => {
      for (const grantId of revoke) {
        const docIds = this.#rows(
          `SELECT doc_id FROM grant_documents WHERE grant_id = ? AND ${ofDocument}`,
          [grantId, grantId, docId],
        );
        for (const row of docIds) opened.add(String(row.doc_id));
        if (
          this.#written(
            `DELETE FROM grants WHERE grant_id = ? AND ${ofDocument}`,
            grantId,
            grantId,
            docId,
          ) > 0
        )
          this.#run("DELETE FROM grant_documents WHERE grant_id = ?", grantId);
      }
      for (const { grantId, keyring } of keyrings) {
        this.#run(
          `UPDATE grants SET keyring = ? WHERE grant_id = ? AND ${ofDocument}`,
          blob(keyring),
          grantId,
          grantId,
          docId,
        );
      }
    });
    return [...opened];
  }

  /** Takes a deleted document out of every grant, deleting grants left with none. */
  removeDocument(docId: string): void {
    this.#storage.transactionSync(() => {
      this.#run(
        `DELETE FROM grants WHERE grant_id IN (SELECT grant_id FROM grant_documents WHERE doc_id = ?)
           AND NOT EXISTS (SELECT 1 FROM grant_documents d
                           WHERE d.grant_id = grants.grant_id AND d.doc_id <> ?)`,
        docId,
        docId,
      );
      this.#run("DELETE FROM grant_documents WHERE doc_id = ?", docId);
    });
  }

  /** Deletes every grant `account` created or receives; returns how many. */
  removeAccount(account: string): number {
    return this.#storage.transactionSync(() => {
      this.#run(
        `DELETE FROM grant_documents WHERE grant_id IN
           (SELECT grant_id FROM grants WHERE created_by = ? OR recipient = ?)`,
        account,
        account,
      );
      return this.#written(
        "DELETE FROM grants WHERE created_by = ? OR recipient = ?",
        account,
        account,
      );
    });
  }

  #grants(where: string, bindings: unknown[]): GrantRecord[] {
    return this.#rows(
      `SELECT ${COLUMNS} FROM grants g WHERE ${where} ORDER BY g.created_at, g.grant_id`,
      bindings,
    ).map(toGrant);
  }

  #rows(query: string, bindings: unknown[]): Record<string, SqlStorageValue>[] {
    return this.#storage.sql.exec(query, ...bindings).toArray();
  }

  #run(query: string, ...bindings: unknown[]): void {
    this.#storage.sql.exec(query, ...bindings).toArray();
  }

  #written(query: string, ...bindings: unknown[]): number {
    const cursor = this.#storage.sql.exec(query, ...bindings);
    cursor.toArray();
    return cursor.rowsWritten;
  }
}

function toGrant(row: Record<string, SqlStorageValue>): GrantRecord {
  return {
    grantId: String(row.grant_id),
    capabilityHash: bytes(row.capability_hash),
    docIds: JSON.parse(String(row.doc_ids)) as string[],
    mode: row.mode === "write" ? "write" : "read",
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    createdAt: Number(row.created_at),
    createdBy: row.created_by === null ? null : String(row.created_by),
    recipient: row.recipient === null ? null : String(row.recipient),
    keyring: bytes(row.keyring),
    sealedSecret: row.sealed_secret === null ? null : bytes(row.sealed_secret),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
