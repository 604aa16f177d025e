/**
 * Every SQL statement of the SQLite relay store, prepared once per connection and reused
 * (preparing costs more than running a small statement). Row types mirror the schema in
 * `sqlite-schema.ts`; blobs come back as Node `Buffer`s.
 */
import type BetterSqlite3 from "better-sqlite3";
import type { EnvelopeKind } from "./relay-store.js";

/** A `documents` row. */
export interface DocumentRow {
  readonly doc_id: string;
  readonly write_public_key: Buffer;
  readonly access_hash: Buffer;
  readonly owner: string | null;
  readonly created_at: number;
  readonly generation: number;
  readonly last_seq: number;
  readonly snapshot_seq: number | null;
  readonly snapshot_covers_seq: number | null;
}

/** Where a document's log stands: all an append needs to know. */
export interface PositionRow {
  readonly last_seq: number;
  readonly snapshot_seq: number | null;
  readonly snapshot_covers_seq: number | null;
}

/** An `envelopes` row as reads return it. */
export interface EnvelopeRow {
  readonly seq: number;
  readonly kind: EnvelopeKind;
  readonly covers_seq: number | null;
  readonly envelope: Buffer;
}

/** Envelope counts and bytes by kind. */
export interface KindStatsRow {
  readonly kind: EnvelopeKind;
  readonly count: number;
  readonly bytes: number;
}

/** What `prune` is about to remove from one author. */
export interface PrunedAuthorRow {
  readonly author: string;
  readonly max_counter: number;
  readonly max_seq: number;
}

type Statement<Params extends unknown[], Row = unknown> = BetterSqlite3.Statement<Params, Row>;
type PruneRange = [{ docId: string; coversSeq: number; snapshotSeq: number }];

/** The prepared statements of one connection. */
export interface Statements {
  readonly insertDocument: Statement<[string, Uint8Array, Uint8Array, string | null, number]>;
  readonly selectDocument: Statement<[string], DocumentRow>;
  readonly selectPosition: Statement<[string], PositionRow>;
  readonly setLastSeq: Statement<[number, string]>;
  readonly setSnapshot: Statement<[number, number, string]>;
  readonly selectSeqByCounter: Statement<[string, string, number], number>;
  readonly selectPrunedAuthor: Statement<
    [string, string],
    { max_counter: number; max_seq: number }
  >;
  readonly insertEnvelope: Statement<
    [string, number, string, number, EnvelopeKind, number | null, Uint8Array, number]
  >;
  readonly selectEnvelope: Statement<[string, number], EnvelopeRow>;
  readonly selectChanges: Statement<[string, number, number], EnvelopeRow>;
  readonly selectPrunable: Statement<PruneRange, PrunedAuthorRow>;
  readonly upsertPrunedAuthor: Statement<[string, string, number, number]>;
  readonly deletePrunable: Statement<PruneRange>;
  readonly documentStats: Statement<[string], KindStatsRow>;
  readonly allStats: Statement<[], KindStatsRow>;
  readonly countDocuments: Statement<[], number>;
  readonly deleteEnvelopes: Statement<[string]>;
  readonly deletePrunedAuthors: Statement<[string]>;
  readonly deleteDocument: Statement<[string]>;
  readonly ownerStats: Statement<[string], KindStatsRow>;
  readonly countOwnerDocuments: Statement<[string], number>;
  readonly selectOwnedDocIds: Statement<[string], string>;
}

/** Selects what prune removes: covered changes and every snapshot but the latest. */
const PRUNABLE = `doc_id = :docId AND (
  (kind = 'change' AND seq <= :coversSeq) OR (kind = 'snapshot' AND seq <> :snapshotSeq))`;

const KIND_STATS = "SELECT kind, COUNT(*) AS count, COALESCE(SUM(length(envelope)), 0) AS bytes";

/** Prepares every statement on `db`. */
export function prepareStatements(db: BetterSqlite3.Database): Statements {
  // Type arguments come from the `Statements` annotation (inferred from the return type).
  const prepare = <Params extends unknown[], Row>(sql: string): Statement<Params, Row> =>
    db.prepare<Params, Row>(sql);
  return {
    insertDocument: prepare(
      `INSERT INTO documents (doc_id, write_public_key, access_hash, owner, created_at)
       VALUES (?, ?, ?, ?, ?)`,
    ),
    selectDocument: prepare("SELECT * FROM documents WHERE doc_id = ?"),
    selectPosition: prepare(
      "SELECT last_seq, snapshot_seq, snapshot_covers_seq FROM documents WHERE doc_id = ?",
    ),
    setLastSeq: prepare("UPDATE documents SET last_seq = ? WHERE doc_id = ?"),
    setSnapshot: prepare(
      "UPDATE documents SET snapshot_seq = ?, snapshot_covers_seq = ? WHERE doc_id = ?",
    ),
    selectSeqByCounter: prepare<[string, string, number], number>(
      "SELECT seq FROM envelopes WHERE doc_id = ? AND author = ? AND counter = ?",
    ).pluck(),
    selectPrunedAuthor: prepare(
      "SELECT max_counter, max_seq FROM pruned_authors WHERE doc_id = ? AND author = ?",
    ),
    insertEnvelope: prepare(
      `INSERT INTO envelopes (doc_id, seq, author, counter, kind, covers_seq, envelope, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    selectEnvelope: prepare(
      "SELECT seq, kind, covers_seq, envelope FROM envelopes WHERE doc_id = ? AND seq = ?",
    ),
    selectChanges: prepare(
      `SELECT seq, kind, covers_seq, envelope FROM envelopes
       WHERE doc_id = ? AND seq > ? AND kind = 'change' ORDER BY seq LIMIT ?`,
    ),
    selectPrunable: prepare(
      `SELECT author, MAX(counter) AS max_counter, MAX(seq) AS max_seq FROM envelopes
       WHERE ${PRUNABLE} GROUP BY author`,
    ),
    upsertPrunedAuthor: prepare(
      `INSERT INTO pruned_authors (doc_id, author, max_counter, max_seq) VALUES (?, ?, ?, ?)
       ON CONFLICT (doc_id, author) DO UPDATE SET
         max_counter = MAX(max_counter, excluded.max_counter),
         max_seq = MAX(max_seq, excluded.max_seq)`,
    ),
    deletePrunable: prepare(`DELETE FROM envelopes WHERE ${PRUNABLE}`),
    documentStats: prepare(`${KIND_STATS} FROM envelopes WHERE doc_id = ? GROUP BY kind`),
    allStats: prepare(`${KIND_STATS} FROM envelopes GROUP BY kind`),
    countDocuments: prepare<[], number>("SELECT COUNT(*) FROM documents").pluck(),
    deleteEnvelopes: prepare("DELETE FROM envelopes WHERE doc_id = ?"),
    deletePrunedAuthors: prepare("DELETE FROM pruned_authors WHERE doc_id = ?"),
    deleteDocument: prepare("DELETE FROM documents WHERE doc_id = ?"),
    ownerStats: prepare(
      `${KIND_STATS} FROM envelopes WHERE doc_id IN
         (SELECT doc_id FROM documents WHERE owner = ?) GROUP BY kind`,
    ),
    countOwnerDocuments: prepare<[string], number>(
      "SELECT COUNT(*) FROM documents WHERE owner = ?",
    ).pluck(),
    selectOwnedDocIds: prepare<[string], string>(
      "SELECT doc_id FROM documents WHERE owner = ?",
    ).pluck(),
  };
}
