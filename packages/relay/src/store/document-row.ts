/**
 * The `documents` row both SQL relay stores (SQLite and PostgreSQL) read back, and its
 * conversion to a `DocumentRecord`. The drivers return byte columns as `Buffer` (a
 * `Uint8Array`); the record holds plain copies.
 */
import type { DocumentRecord } from "./relay-store.js";

/** A row of the `documents` table. */
export interface DocumentRow {
  readonly doc_id: string;
  readonly write_public_key: Uint8Array;
  readonly access_hash: Uint8Array;
  readonly owner: string | null;
  readonly created_at: number;
  readonly generation: number;
  readonly last_seq: number;
  readonly snapshot_seq: number | null;
  readonly snapshot_covers_seq: number | null;
}

/** The document a row holds. */
export function toDocumentRecord(row: DocumentRow): DocumentRecord {
  return {
    docId: row.doc_id,
    writePublicKey: new Uint8Array(row.write_public_key),
    accessHash: new Uint8Array(row.access_hash),
    owner: row.owner,
    createdAt: row.created_at,
    generation: row.generation,
    lastSeq: row.last_seq,
    snapshotSeq: row.snapshot_seq,
    snapshotCoversSeq: row.snapshot_covers_seq,
  };
}
