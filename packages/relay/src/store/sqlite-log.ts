/**
 * The log operations of the SQLite relay store — append, catch-up read, prune — on one
 * connection's prepared statements. Each runs inside the caller's transaction (or, for a
 * read, in one synchronous step), so the sequence number, the envelope and the snapshot
 * pointer always change together.
 */
import type { Outcome } from "./group-commit.js";
import {
  type AppendInput,
  type AppendResult,
  checkAppend,
  type ReadInput,
  type ReadItem,
  RelayStoreError,
  unknownDocument,
} from "./relay-store.js";
import type { EnvelopeRow, Statements } from "./sqlite-statements.js";

/**
 * Stores one envelope under the document's next sequence number, or recognises a retry
 * (see `RelayStore.append`). A refused input is an error outcome and writes nothing, so the
 * rest of its batch commits; any other failure throws and aborts the batch.
 */
export function appendEnvelope(sql: Statements, input: AppendInput): Outcome<AppendResult> {
  const position = sql.selectPosition.get(input.docId);
  try {
    if (!position) throw unknownDocument(input.docId);
    checkAppend(input, position.last_seq);
  } catch (error) {
    if (error instanceof RelayStoreError) return { ok: false, error };
    throw error;
  }
  const { docId, author, counter, kind, coversSeq } = input;
  const original = sql.selectSeqByCounter.get(docId, author, counter);
  if (original !== undefined) return { ok: true, value: { seq: original, duplicate: true } };
  const pruned = sql.selectPrunedAuthor.get(docId, author);
  if (pruned && counter <= pruned.max_counter) {
    return { ok: true, value: { seq: pruned.max_seq, duplicate: true } };
  }
  const seq = position.last_seq + 1;
  sql.setLastSeq.run(seq, docId);
  sql.insertEnvelope.run(
    docId,
    seq,
    author,
    counter,
    kind,
    coversSeq,
    input.envelope,
    input.receivedAt,
  );
  const latest = position.snapshot_covers_seq;
  if (kind === "snapshot" && coversSeq !== null && (latest === null || coversSeq >= latest)) {
    sql.setSnapshot.run(seq, coversSeq, docId);
  }
  return { ok: true, value: { seq, duplicate: false } };
}

/** The catch-up read of `RelayStore.read`. */
export function readCatchUp(sql: Statements, { docId, afterSeq, limit }: ReadInput): ReadItem[] {
  const position = sql.selectPosition.get(docId);
  if (!position || limit < 1) return [];
  const items: ReadItem[] = [];
  let after = afterSeq;
  const { snapshot_seq: snapshotSeq, snapshot_covers_seq: coversSeq } = position;
  if (snapshotSeq !== null && coversSeq !== null && coversSeq > afterSeq) {
    const row = sql.selectEnvelope.get(docId, snapshotSeq);
    if (!row) throw new Error(`relay store: document ${docId} lost its snapshot ${snapshotSeq}`);
    items.push(toItem(row));
    after = coversSeq;
  }
  for (const row of sql.selectChanges.all(docId, after, limit - items.length)) {
    items.push(toItem(row));
  }
  return items;
}

/**
 * Deletes what the latest snapshot makes unnecessary (`RelayStore.prune`), first recording
 * per author the highest counter and seq removed so retries stay duplicates.
 */
export function pruneCovered(sql: Statements, docId: string): number {
  const position = sql.selectPosition.get(docId);
  if (!position || position.snapshot_seq === null || position.snapshot_covers_seq === null) {
    return 0;
  }
  const range = {
    docId,
    coversSeq: position.snapshot_covers_seq,
    snapshotSeq: position.snapshot_seq,
  };
  for (const pruned of sql.selectPrunable.all(range)) {
    sql.upsertPrunedAuthor.run(docId, pruned.author, pruned.max_counter, pruned.max_seq);
  }
  return sql.deletePrunable.run(range).changes;
}

/** A plain Uint8Array copy, so callers never see a Buffer or the memory behind it. */
export function toBytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer);
}

function toItem(row: EnvelopeRow): ReadItem {
  return {
    seq: row.seq,
    kind: row.kind,
    envelope: toBytes(row.envelope),
    coversSeq: row.covers_seq,
  };
}
