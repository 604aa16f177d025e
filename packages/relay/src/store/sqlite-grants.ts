/**
 * Share grants and key rotation in the SQLite relay store: the prepared statements of the
 * `grants` and `grant_documents` tables (schema version 3) and the operations on them. Each
 * operation runs inside the caller's transaction, so a rotation's generation check, key
 * update, revocations and keyring replacements commit together or not at all.
 */
import type BetterSqlite3 from "better-sqlite3";
import { type GrantRowColumns, grantRowToRecord } from "./grant-row.js";
import type { GrantRecord, RotateInput } from "./relay-store.js";

/** A `grants` row with its documents (a JSON array, in the grant's order). */
interface GrantRow extends GrantRowColumns {
  /** The grant's documents as a JSON array. */
  readonly doc_ids: string;
}

type Statement<Params extends unknown[], Row = unknown> = BetterSqlite3.Statement<Params, Row>;
type DocAndGrant = [{ docId: string; grantId: string }];

/** The prepared grant and rotation statements of one connection. */
export interface GrantStatements {
  readonly selectGeneration: Statement<[string], number>;
  readonly setKeys: Statement<[number, Uint8Array, Uint8Array, string]>;
  readonly selectOwner: Statement<[string], { owner: string | null }>;
  readonly setOwner: Statement<[string, string]>;
  readonly insertGrant: Statement<[Record<string, unknown>]>;
  readonly insertGrantDocument: Statement<[string, string, number]>;
  readonly selectGrant: Statement<[string], GrantRow>;
  readonly selectGrantByCapability: Statement<[Uint8Array], GrantRow>;
  readonly selectGrantsForDocument: Statement<[string], GrantRow>;
  readonly selectGrantsForRecipient: Statement<[string], GrantRow>;
  readonly deleteGrant: Statement<[string]>;
  readonly deleteGrantDocuments: Statement<[string]>;
  readonly touchGrant: Statement<[number, string]>;
  readonly revokeOfDocument: Statement<DocAndGrant>;
  readonly setKeyringOfDocument: Statement<
    [{ docId: string; grantId: string; keyring: Uint8Array }]
  >;
  readonly deleteGrantsOnlyOf: Statement<[{ docId: string }]>;
  readonly deleteDocumentFromGrants: Statement<[string]>;
  readonly deleteAccountGrantDocuments: Statement<[{ account: string }]>;
  readonly deleteAccountGrants: Statement<[{ account: string }]>;
}

const GRANT_COLUMNS = `g.*, (SELECT json_group_array(doc_id) FROM
  (SELECT doc_id FROM grant_documents WHERE grant_id = g.grant_id ORDER BY position)) AS doc_ids`;

/** Whether grant `:grantId` opens document `:docId`. */
const OF_DOCUMENT = `EXISTS (SELECT 1 FROM grant_documents
  WHERE grant_id = :grantId AND doc_id = :docId)`;

/** Prepares every grant and rotation statement on `db`. */
export function prepareGrantStatements(db: BetterSqlite3.Database): GrantStatements {
  const prepare = <Params extends unknown[], Row>(sql: string): Statement<Params, Row> =>
    db.prepare<Params, Row>(sql);
  return {
    selectGeneration: prepare<[string], number>(
      "SELECT generation FROM documents WHERE doc_id = ?",
    ).pluck(),
    setKeys: prepare(
      `UPDATE documents SET generation = ?, write_public_key = ?, access_hash = ?
       WHERE doc_id = ?`,
    ),
    selectOwner: prepare("SELECT owner FROM documents WHERE doc_id = ?"),
    setOwner: prepare("UPDATE documents SET owner = ? WHERE doc_id = ? AND owner IS NULL"),
    insertGrant: prepare(
      `INSERT INTO grants (grant_id, capability_hash, mode, expires_at, created_at, created_by,
                           recipient, keyring, sealed_secret, last_used_at)
       VALUES (:grantId, :capabilityHash, :mode, :expiresAt, :createdAt, :createdBy,
               :recipient, :keyring, :sealedSecret, :lastUsedAt)`,
    ),
    insertGrantDocument: prepare(
      "INSERT INTO grant_documents (grant_id, doc_id, position) VALUES (?, ?, ?)",
    ),
    selectGrant: prepare(`SELECT ${GRANT_COLUMNS} FROM grants g WHERE grant_id = ?`),
    selectGrantByCapability: prepare(
      `SELECT ${GRANT_COLUMNS} FROM grants g WHERE capability_hash = ?`,
    ),
    selectGrantsForDocument: prepare(
      `SELECT ${GRANT_COLUMNS} FROM grants g
       WHERE grant_id IN (SELECT grant_id FROM grant_documents WHERE doc_id = ?)
       ORDER BY created_at, grant_id`,
    ),
    selectGrantsForRecipient: prepare(
      `SELECT ${GRANT_COLUMNS} FROM grants g WHERE recipient = ? ORDER BY created_at, grant_id`,
    ),
    deleteGrant: prepare("DELETE FROM grants WHERE grant_id = ?"),
    deleteGrantDocuments: prepare("DELETE FROM grant_documents WHERE grant_id = ?"),
    touchGrant: prepare("UPDATE grants SET last_used_at = ? WHERE grant_id = ?"),
    revokeOfDocument: prepare(`DELETE FROM grants WHERE grant_id = :grantId AND ${OF_DOCUMENT}`),
    setKeyringOfDocument: prepare(
      `UPDATE grants SET keyring = :keyring WHERE grant_id = :grantId AND ${OF_DOCUMENT}`,
    ),
    deleteGrantsOnlyOf: prepare(
      `DELETE FROM grants
       WHERE grant_id IN (SELECT grant_id FROM grant_documents WHERE doc_id = :docId)
         AND NOT EXISTS (SELECT 1 FROM grant_documents d
                         WHERE d.grant_id = grants.grant_id AND d.doc_id <> :docId)`,
    ),
    deleteDocumentFromGrants: prepare("DELETE FROM grant_documents WHERE doc_id = ?"),
    deleteAccountGrantDocuments: prepare(
      `DELETE FROM grant_documents WHERE grant_id IN
         (SELECT grant_id FROM grants WHERE created_by = :account OR recipient = :account)`,
    ),
    deleteAccountGrants: prepare(
      "DELETE FROM grants WHERE created_by = :account OR recipient = :account",
    ),
  };
}

/** The rotation of `RelayStore.rotateDocument`; run it in one transaction. */
export function rotateKeys(
  sql: GrantStatements,
  input: RotateInput,
): "rotated" | "stale-generation" | "unknown" {
  const { docId } = input;
  const generation = sql.selectGeneration.get(docId);
  if (generation === undefined) return "unknown";
  if (input.generation <= generation) return "stale-generation";
  sql.setKeys.run(input.generation, input.writePublicKey, input.accessHash, docId);
  for (const grantId of input.revoke) {
    if (sql.revokeOfDocument.run({ docId, grantId }).changes > 0) {
      sql.deleteGrantDocuments.run(grantId);
    }
  }
  for (const { grantId, keyring } of input.keyrings) {
    sql.setKeyringOfDocument.run({ docId, grantId, keyring });
  }
  return "rotated";
}

/** The claim of `RelayStore.claimDocument`; run it in one transaction. */
export function claim(
  sql: GrantStatements,
  docId: string,
  owner: string,
): "claimed" | "already" | "taken" | "unknown" {
  const row = sql.selectOwner.get(docId);
  if (!row) return "unknown";
  if (row.owner === owner) return "already";
  if (row.owner !== null) return "taken";
  sql.setOwner.run(owner, docId);
  return "claimed";
}

/** The insert of `RelayStore.createGrant`; run it in one transaction. */
export function insertGrant(
  sql: GrantStatements,
  grant: GrantRecord,
): "created" | "exists" | "conflict" {
  const existing = sql.selectGrant.get(grant.grantId);
  if (existing) {
    return Buffer.compare(existing.capability_hash, grant.capabilityHash) === 0
      ? "exists"
      : "conflict";
  }
  if (sql.selectGrantByCapability.get(grant.capabilityHash)) return "conflict";
  const { docIds: _, ...columns } = grant;
  sql.insertGrant.run(columns);
  grant.docIds.forEach((docId, position) => {
    sql.insertGrantDocument.run(grant.grantId, docId, position);
  });
  return "created";
}

/** Deletes a grant and its document list; whether it existed. Run it in one transaction. */
export function deleteGrant(sql: GrantStatements, grantId: string): boolean {
  sql.deleteGrantDocuments.run(grantId);
  return sql.deleteGrant.run(grantId).changes > 0;
}

/** Takes a deleted document out of every grant, deleting grants left with none. */
export function removeDocumentFromGrants(sql: GrantStatements, docId: string): void {
  sql.deleteGrantsOnlyOf.run({ docId });
  sql.deleteDocumentFromGrants.run(docId);
}

/** Deletes every grant `account` created or receives; returns how many. */
export function removeAccountGrants(sql: GrantStatements, account: string): number {
  sql.deleteAccountGrantDocuments.run({ account });
  return sql.deleteAccountGrants.run({ account }).changes;
}

/** The grant a row holds, as plain copies. */
export function toGrantRecord(row: GrantRow): GrantRecord {
  return grantRowToRecord(row, JSON.parse(row.doc_ids) as string[]);
}
