/**
 * The log operations of the PostgreSQL relay store: a batch of appends in one transaction,
 * the catch-up read, the log-tail read of the change feed, and prune. A batch locks its
 * documents' rows (`FOR UPDATE`, in document-id order, so two instances never deadlock),
 * which serialises appends to one document across every instance: the sequence number, the
 * envelope, the snapshot pointer and the `NOTIFY` hint commit together or not at all.
 */
import type { Outcome } from "../group-commit.js";
import {
  type AppendInput,
  type AppendResult,
  checkAppend,
  type EnvelopeKind,
  type ReadInput,
  type ReadItem,
  RelayStoreError,
  unknownDocument,
} from "../relay-store.js";
import type { PgSql } from "./postgres-connection.js";

interface PositionRow {
  readonly doc_id: string;
  readonly last_seq: number;
  readonly snapshot_seq: number | null;
  readonly snapshot_covers_seq: number | null;
}

interface EnvelopeRow {
  readonly seq: number;
  readonly kind: string;
  readonly covers_seq: number | null;
  readonly envelope: Uint8Array;
}

/** Where one document of a batch stands while the batch is being assigned. */
interface Position {
  lastSeq: number;
  snapshotSeq: number | null;
  snapshotCoversSeq: number | null;
  changed: boolean;
}

const key = (docId: string, author: string, counter: number) => `${docId}\0${author}\0${counter}`;

/**
 * Stores a batch of appends inside transaction `tx` and sends one hint per document on
 * `channel`. A refused input is an error outcome and writes nothing, so the rest of its
 * batch commits; any other failure throws and the caller rolls the batch back.
 */
export async function appendBatch(
  tx: PgSql,
  inputs: readonly AppendInput[],
  channel: string,
): Promise<Outcome<AppendResult>[]> {
  const docIds = [...new Set(inputs.map((input) => input.docId))].sort();
  const positions = new Map<string, Position>();
  // Pipelined: one round trip. The server still runs them in order, so the retry lookups see
  // everything committed before this batch took its locks.
  const [rows, seqByKey, pruned] = await Promise.all([
    tx<PositionRow[]>`
      SELECT doc_id, last_seq, snapshot_seq, snapshot_covers_seq FROM documents
      WHERE doc_id = ANY(${docIds}::text[]) ORDER BY doc_id FOR UPDATE`,
    storedSeqs(tx, inputs),
    prunedAuthors(tx, inputs),
  ]);
  for (const row of rows) {
    positions.set(row.doc_id, {
      lastSeq: row.last_seq,
      snapshotSeq: row.snapshot_seq,
      snapshotCoversSeq: row.snapshot_covers_seq,
      changed: false,
    });
  }
  const inserts: Record<string, unknown>[] = [];
  const outcomes = inputs.map((input): Outcome<AppendResult> => {
    const position = positions.get(input.docId);
    try {
      if (!position) throw unknownDocument(input.docId);
      checkAppend(input, position.lastSeq);
    } catch (error) {
      if (error instanceof RelayStoreError) return { ok: false, error };
      throw error;
    }
    const { docId, author, counter, kind, coversSeq } = input;
    const original = seqByKey.get(key(docId, author, counter));
    if (original !== undefined) return { ok: true, value: { seq: original, duplicate: true } };
    const removed = pruned.get(`${docId}\0${author}`);
    if (removed && counter <= removed.maxCounter) {
      return { ok: true, value: { seq: removed.maxSeq, duplicate: true } };
    }
    const seq = ++position.lastSeq;
    position.changed = true;
    seqByKey.set(key(docId, author, counter), seq);
    inserts.push({
      doc_id: docId,
      seq,
      author,
      counter,
      kind,
      covers_seq: coversSeq,
      envelope: input.envelope,
      received_at: input.receivedAt,
    });
    const latest = position.snapshotCoversSeq;
    if (kind === "snapshot" && coversSeq !== null && (latest === null || coversSeq >= latest)) {
      position.snapshotSeq = seq;
      position.snapshotCoversSeq = coversSeq;
    }
    return { ok: true, value: { seq, duplicate: false } };
  });
  if (inserts.length > 0) await writeBatch(tx, inserts, positions, channel);
  return outcomes;
}

/** Inserts the envelopes, moves the documents' positions and queues the hints (pipelined). */
async function writeBatch(
  tx: PgSql,
  inserts: Record<string, unknown>[],
  positions: Map<string, Position>,
  channel: string,
): Promise<void> {
  const changed = [...positions.entries()].filter(([, position]) => position.changed);
  const ids = changed.map(([docId]) => docId);
  const lastSeqs = changed.map(([, p]) => p.lastSeq);
  const snapshotSeqs = changed.map(([, p]) => p.snapshotSeq);
  const coversSeqs = changed.map(([, p]) => p.snapshotCoversSeq);
  const hints = changed.map(([docId, p]) => encodeHint(docId, p.lastSeq));
  await Promise.all([
    tx`INSERT INTO envelopes ${tx(inserts, "doc_id", "seq", "author", "counter", "kind", "covers_seq", "envelope", "received_at")}`,
    tx`UPDATE documents AS d
       SET last_seq = u.last_seq, snapshot_seq = u.snapshot_seq,
           snapshot_covers_seq = u.snapshot_covers_seq
       FROM unnest(${ids}::text[], ${lastSeqs}::bigint[], ${snapshotSeqs}::bigint[],
                   ${coversSeqs}::bigint[]) AS u(doc_id, last_seq, snapshot_seq, snapshot_covers_seq)
       WHERE d.doc_id = u.doc_id`,
    // NOTIFY is transactional: listeners hear it only if (and once) the batch commits.
    tx`SELECT pg_notify(${channel}, hint) FROM unnest(${hints}::text[]) AS h(hint)`,
  ]);
}

/** The sequence numbers already stored for the inputs' (document, author, counter). */
async function storedSeqs(tx: PgSql, inputs: readonly AppendInput[]): Promise<Map<string, number>> {
  const found = await tx<{ doc_id: string; author: string; counter: number; seq: number }[]>`
    SELECT doc_id, author, counter, seq FROM envelopes
    JOIN unnest(${inputs.map((i) => i.docId)}::text[], ${inputs.map((i) => i.author)}::text[],
                ${inputs.map((i) => safeCounter(i.counter))}::bigint[]) AS k(doc_id, author, counter)
    USING (doc_id, author, counter)`;
  return new Map(found.map((row) => [key(row.doc_id, row.author, row.counter), row.seq]));
}

/** Per (document, author) of the inputs: what prune removed. */
async function prunedAuthors(tx: PgSql, inputs: readonly AppendInput[]) {
  const found = await tx<
    { doc_id: string; author: string; max_counter: number; max_seq: number }[]
  >`
    SELECT doc_id, author, max_counter, max_seq FROM pruned_authors
    JOIN unnest(${inputs.map((i) => i.docId)}::text[], ${inputs.map((i) => i.author)}::text[])
      AS k(doc_id, author) USING (doc_id, author)`;
  return new Map(
    found.map((row) => [
      `${row.doc_id}\0${row.author}`,
      { maxCounter: row.max_counter, maxSeq: row.max_seq },
    ]),
  );
}

/** A counter the database can hold; a malformed one is refused by `checkAppend` later. */
function safeCounter(counter: number): number {
  return Number.isSafeInteger(counter) ? counter : -1;
}

/**
 * The catch-up read of `RelayStore.read`, in one statement (so one consistent view, even
 * while another instance prunes): the latest snapshot when it covers more than `afterSeq`,
 * then the changes after what the client has.
 */
export async function readCatchUp(sql: PgSql, input: ReadInput): Promise<ReadItem[]> {
  const { docId, afterSeq, limit } = input;
  if (limit < 1) return [];
  const rows = await sql<(EnvelopeRow & { part: number })[]>`
    WITH d AS (
      SELECT snapshot_seq, snapshot_covers_seq,
             CASE WHEN snapshot_covers_seq > ${afterSeq} THEN snapshot_covers_seq
                  ELSE ${afterSeq}::bigint END AS after
      FROM documents WHERE doc_id = ${docId}
    ), s AS (
      SELECT 0 AS part, e.seq, e.kind, e.covers_seq, e.envelope FROM envelopes e, d
      WHERE e.doc_id = ${docId} AND e.seq = d.snapshot_seq AND d.snapshot_covers_seq > ${afterSeq}
    ), c AS (
      SELECT 1 AS part, e.seq, e.kind, e.covers_seq, e.envelope FROM envelopes e, d
      WHERE e.doc_id = ${docId} AND e.kind = 'change' AND e.seq > d.after
      ORDER BY e.seq LIMIT ${limit}
    )
    SELECT * FROM s UNION ALL SELECT * FROM c`;
  return rows
    .map(toItem)
    .sort((a, b) => Number(b.kind === "snapshot") - Number(a.kind === "snapshot") || a.seq - b.seq)
    .slice(0, limit);
}

/** Every stored envelope after `afterSeq`, changes and snapshots, ascending (the log's tail). */
export async function readLog(sql: PgSql, input: ReadInput): Promise<ReadItem[]> {
  if (input.limit < 1) return [];
  const rows = await sql<EnvelopeRow[]>`
    SELECT seq, kind, covers_seq, envelope FROM envelopes
    WHERE doc_id = ${input.docId} AND seq > ${input.afterSeq} ORDER BY seq LIMIT ${input.limit}`;
  return rows.map(toItem);
}

/**
 * Deletes what the latest snapshot makes unnecessary (`RelayStore.prune`) inside `tx`,
 * first recording per author the highest counter and seq removed so retries stay duplicates.
 */
export async function pruneCovered(tx: PgSql, docId: string): Promise<number> {
  const [position] = await tx<PositionRow[]>`
    SELECT doc_id, last_seq, snapshot_seq, snapshot_covers_seq FROM documents
    WHERE doc_id = ${docId} FOR UPDATE`;
  if (!position || position.snapshot_seq === null || position.snapshot_covers_seq === null) {
    return 0;
  }
  const covers = position.snapshot_covers_seq;
  const latest = position.snapshot_seq;
  await tx`
    INSERT INTO pruned_authors (doc_id, author, max_counter, max_seq)
    SELECT doc_id, author, MAX(counter), MAX(seq) FROM envelopes
    WHERE doc_id = ${docId}
      AND ((kind = 'change' AND seq <= ${covers}) OR (kind = 'snapshot' AND seq <> ${latest}))
    GROUP BY doc_id, author
    ON CONFLICT (doc_id, author) DO UPDATE SET
      max_counter = GREATEST(pruned_authors.max_counter, excluded.max_counter),
      max_seq = GREATEST(pruned_authors.max_seq, excluded.max_seq)`;
  const deleted = await tx`
    DELETE FROM envelopes WHERE doc_id = ${docId}
      AND ((kind = 'change' AND seq <= ${covers}) OR (kind = 'snapshot' AND seq <> ${latest}))`;
  return deleted.count;
}

/** The payload of a commit hint: the sequence number, a space, the document id. */
export function encodeHint(docId: string, seq: number): string {
  return `${seq} ${docId}`;
}

/** Decodes a hint payload, or returns undefined for anything else on the channel. */
export function decodeHint(payload: string): { docId: string; seq: number } | undefined {
  const space = payload.indexOf(" ");
  if (space < 1) return undefined;
  const seq = Number(payload.slice(0, space));
  const docId = payload.slice(space + 1);
  if (!Number.isSafeInteger(seq) || seq < 1 || docId.length === 0) return undefined;
  return { docId, seq };
}

function toItem(row: EnvelopeRow): ReadItem {
  if (row.kind !== "change" && row.kind !== "snapshot") {
    throw new Error(`relay store: envelope ${row.seq} has an unknown kind "${row.kind}"`);
  }
  const kind: EnvelopeKind = row.kind;
  return { seq: row.seq, kind, envelope: new Uint8Array(row.envelope), coversSeq: row.covers_seq };
}
