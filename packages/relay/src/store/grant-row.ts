/**
 * The `grants` row both SQL relay stores (SQLite and PostgreSQL) read back, and its
 * conversion to a `GrantRecord`. The drivers return byte columns as `Buffer` (a
 * `Uint8Array`); the record holds plain copies. Each dialect lists a grant's documents its
 * own way (a JSON text, an array), so the store decodes `docIds` and passes them in.
 */
import type { GrantRecord } from "./relay-store.js";

/** The columns of a `grants` row, without its documents. */
export interface GrantRowColumns {
  readonly grant_id: string;
  readonly capability_hash: Uint8Array;
  readonly mode: "read" | "write";
  readonly expires_at: number | null;
  readonly created_at: number;
  readonly created_by: string | null;
  readonly recipient: string | null;
  readonly keyring: Uint8Array;
  readonly sealed_secret: Uint8Array | null;
  readonly last_used_at: number | null;
}

/** The grant a row holds, with its documents `docIds` (in the grant's order). */
export function grantRowToRecord(row: GrantRowColumns, docIds: readonly string[]): GrantRecord {
  return {
    grantId: row.grant_id,
    capabilityHash: new Uint8Array(row.capability_hash),
    docIds: [...docIds],
    mode: row.mode,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    recipient: row.recipient,
    keyring: new Uint8Array(row.keyring),
    sealedSecret: row.sealed_secret === null ? null : new Uint8Array(row.sealed_secret),
    lastUsedAt: row.last_used_at,
  };
}
