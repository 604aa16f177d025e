/**
 * Share grants and key rotation in the PostgreSQL relay store (schema version 3). Nothing
 * is cached in the instance: every call reads the shared database, so a rotation or a
 * revocation committed by any instance is what the next call anywhere sees. A rotation
 * locks the document's row (`FOR UPDATE`, as appends do), so it is ordered with the
 * document's appends across instances, and commits its key update, revocations and
 * keyring replacements together.
 */
import type { PendingQuery, Row } from "postgres";
import { type GrantRowColumns, grantRowToRecord } from "../grant-row.js";
import { equalBytes, type GrantRecord, type RotateInput } from "../relay-store.js";
import type { PgSql } from "./postgres-connection.js";

/** A piece of SQL (a `WHERE` clause, a subquery) made with the same client. */
type Fragment = PendingQuery<Row[]>;

interface GrantRow extends GrantRowColumns {
  readonly doc_ids: string[];
}

/** Selects grants `g` with their documents, in the grant's order. */
function selectGrants(sql: PgSql) {
  return sql`SELECT g.*, ARRAY(SELECT doc_id FROM grant_documents d
    WHERE d.grant_id = g.grant_id ORDER BY position) AS doc_ids FROM grants g`;
}

/** The grants matching `where` (a fragment on `g`), oldest first. */
export async function findGrants(sql: PgSql, where: Fragment): Promise<GrantRecord[]> {
  const rows = await sql<GrantRow[]>`${selectGrants(sql)} ${where}
    ORDER BY g.created_at, g.grant_id`;
  return rows.map(toGrantRecord);
}

/** The rotation of `RelayStore.rotateDocument`, inside transaction `tx`. */
export async function rotateKeys(
  tx: PgSql,
  input: RotateInput,
): Promise<"rotated" | "stale-generation" | "unknown"> {
  const { docId } = input;
  const [row] = await tx<{ generation: number }[]>`
    SELECT generation FROM documents WHERE doc_id = ${docId} FOR UPDATE`;
  if (!row) return "unknown";
  if (input.generation <= row.generation) return "stale-generation";
  const ofDocument = tx`SELECT grant_id FROM grant_documents WHERE doc_id = ${docId}`;
  await Promise.all([
    tx`UPDATE documents SET generation = ${input.generation},
         write_public_key = ${Buffer.from(input.writePublicKey)},
         access_hash = ${Buffer.from(input.accessHash)}
       WHERE doc_id = ${docId}`,
    ...input.keyrings.map(
      ({ grantId, keyring }) => tx`
        UPDATE grants SET keyring = ${Buffer.from(keyring)}
        WHERE grant_id = ${grantId} AND grant_id IN (${ofDocument})`,
    ),
  ]);
  if (input.revoke.length > 0) {
    await tx`DELETE FROM grants
             WHERE grant_id = ANY(${[...input.revoke]}::text[]) AND grant_id IN (${ofDocument})`;
  }
  return "rotated";
}

/**
 * The claim of `RelayStore.claimDocument`: a conditional update, then (when it took
 * nothing) a fresh read of who owns the document, which sees a racing claim's commit.
 */
export async function claim(
  sql: PgSql,
  docId: string,
  owner: string,
): Promise<"claimed" | "already" | "taken" | "unknown"> {
  const claimed = await sql`
    UPDATE documents SET owner = ${owner} WHERE doc_id = ${docId} AND owner IS NULL`;
  if (claimed.count === 1) return "claimed";
  const [row] = await sql<{ owner: string | null }[]>`
    SELECT owner FROM documents WHERE doc_id = ${docId}`;
  if (!row) return "unknown";
  if (row.owner === owner) return "already";
  // Null: deleted and registered again between the two statements; claim that one.
  return row.owner === null ? claim(sql, docId, owner) : "taken";
}

/** The insert of `RelayStore.createGrant`, inside transaction `tx`. */
export async function insertGrant(
  tx: PgSql,
  grant: GrantRecord,
): Promise<"created" | "exists" | "conflict"> {
  const bytes = (value: Uint8Array | null) => (value === null ? null : Buffer.from(value));
  // DO NOTHING on either key: it waits for a racing insert of the same id or hash to commit.
  const inserted = await tx`
    INSERT INTO grants (grant_id, capability_hash, mode, expires_at, created_at, created_by,
                        recipient, keyring, sealed_secret, last_used_at)
    VALUES (${grant.grantId}, ${bytes(grant.capabilityHash)}, ${grant.mode}, ${grant.expiresAt},
            ${grant.createdAt}, ${grant.createdBy}, ${grant.recipient}, ${bytes(grant.keyring)},
            ${bytes(grant.sealedSecret)}, ${grant.lastUsedAt})
    ON CONFLICT DO NOTHING`;
  if (inserted.count === 1) {
    const rows = grant.docIds.map((docId, position) => ({
      grant_id: grant.grantId,
      doc_id: docId,
      position,
    }));
    await tx`INSERT INTO grant_documents ${tx(rows, "grant_id", "doc_id", "position")}`;
    return "created";
  }
  const [row] = await tx<{ capability_hash: Uint8Array }[]>`
    SELECT capability_hash FROM grants WHERE grant_id = ${grant.grantId}`;
  return row && equalBytes(row.capability_hash, grant.capabilityHash) ? "exists" : "conflict";
}

/**
 * Inside `tx`, before the documents themselves go: takes the documents `docIds` selects (a
 * subquery fragment) out of every grant, deleting grants left with none.
 */
export async function removeDocumentsFromGrants(tx: PgSql, docIds: Fragment): Promise<void> {
  await tx`DELETE FROM grants
    WHERE grant_id IN (SELECT grant_id FROM grant_documents WHERE doc_id IN (${docIds}))
      AND NOT EXISTS (SELECT 1 FROM grant_documents d
                      WHERE d.grant_id = grants.grant_id AND d.doc_id NOT IN (${docIds}))`;
  await tx`DELETE FROM grant_documents WHERE doc_id IN (${docIds})`;
}

/** Deletes every grant `account` created or receives, inside `tx`. */
export async function removeAccountGrants(tx: PgSql, account: string): Promise<void> {
  await tx`DELETE FROM grants WHERE created_by = ${account} OR recipient = ${account}`;
}

function toGrantRecord(row: GrantRow): GrantRecord {
  return grantRowToRecord(row, row.doc_ids);
}
