/**
 * One document's registration and envelope log in a Durable Object's SQLite database: the
 * `RelayStore` contract for a single document (per-document gapless sequence, idempotent
 * retries by author and counter — also after `prune` — snapshots, pruning, deletion, key
 * generations and claims; share grants are not kept here). Each
 * method runs synchronously inside one `transactionSync`, so it is atomic, and the Durable
 * Object's output gate holds its reply until the write is durable.
 */
import {
  type AppendInput,
  type AppendResult,
  checkAppend,
  type DocumentRecord,
  type DocumentRegistration,
  documentExists,
  equalBytes,
  type ReadItem,
  RelayStoreError,
  type StoreStats,
  unknownDocument,
} from "../store/relay-store.js";
import type { RegisterOutcome, StoreCallError } from "./document-rpc.js";

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS document (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     doc_id TEXT NOT NULL, write_public_key BLOB NOT NULL, access_hash BLOB NOT NULL,
     owner TEXT, created_at INTEGER NOT NULL, last_seq INTEGER NOT NULL,
     snapshot_seq INTEGER, snapshot_covers INTEGER, generation INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS envelopes (
     seq INTEGER PRIMARY KEY, author TEXT NOT NULL, counter INTEGER NOT NULL,
     kind TEXT NOT NULL, covers_seq INTEGER, envelope BLOB NOT NULL, received_at INTEGER NOT NULL,
     UNIQUE (author, counter))`,
  `CREATE TABLE IF NOT EXISTS pruned (
     author TEXT PRIMARY KEY, max_counter INTEGER NOT NULL, max_seq INTEGER NOT NULL)`,
];

type Row = Record<string, SqlStorageValue>;

/** What `DocumentLog.rotate` sets: see `RelayStore.rotateDocument`. */
export interface KeyGeneration {
  readonly generation: number;
  readonly writePublicKey: Uint8Array;
  readonly accessHash: Uint8Array;
}

/** A document's log in the SQLite storage of the Durable Object that owns it. */
export class DocumentLog {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    for (const statement of SCHEMA) storage.sql.exec(statement);
    // Objects created before key rotation have a `document` table without the column.
    const columns = storage.sql.exec<Row>("PRAGMA table_info(document)").toArray();
    if (!columns.some((column) => column.name === "generation")) {
      storage.sql.exec("ALTER TABLE document ADD COLUMN generation INTEGER NOT NULL DEFAULT 0");
    }
  }

  /** Registers the document; the same write key again is "exists". */
  register(registration: DocumentRegistration): RegisterOutcome {
    return this.#transaction(() => {
      const existing = this.#document();
      if (existing) {
        return equalBytes(existing.writePublicKey, registration.writePublicKey)
          ? { ok: true, value: "exists" }
          : { ok: false, error: documentExists(registration.docId) };
      }
      this.#storage.sql.exec(
        `INSERT INTO document (id, doc_id, write_public_key, access_hash, owner, created_at, last_seq)
         VALUES (1, ?, ?, ?, ?, ?, 0)`,
        registration.docId,
        toBuffer(registration.writePublicKey),
        toBuffer(registration.accessHash),
        registration.owner,
        registration.createdAt,
      );
      return { ok: true, value: "created" };
    });
  }

  /** Sets the keys of a higher generation (`RelayStore.rotateDocument` without grants). */
  rotate(keys: KeyGeneration): "rotated" | "stale-generation" | "unknown" {
    return this.#transaction(() => {
      const doc = this.#document();
      if (!doc) return "unknown";
      if (keys.generation <= doc.generation) return "stale-generation";
      this.#storage.sql.exec(
        "UPDATE document SET generation = ?, write_public_key = ?, access_hash = ?",
        keys.generation,
        toBuffer(keys.writePublicKey),
        toBuffer(keys.accessHash),
      );
      return "rotated";
    });
  }

  /** Gives an ownerless document to `owner` (`RelayStore.claimDocument`). */
  claim(owner: string): "claimed" | "already" | "taken" | "unknown" {
    return this.#transaction(() => {
      const doc = this.#document();
      if (!doc) return "unknown";
      if (doc.owner === owner) return "already";
      if (doc.owner !== null) return "taken";
      this.#storage.sql.exec("UPDATE document SET owner = ?", owner);
      return "claimed";
    });
  }

  /** The registration and log position, or undefined. */
  get(): DocumentRecord | undefined {
    return this.#document();
  }

  /** Stores an envelope under the next sequence number, or finds the original of a retry. */
  append(input: AppendInput): AppendResult {
    return this.#transaction(() => {
      const doc = this.#document();
      if (!doc) throw unknownDocument(input.docId);
      checkAppend(input, doc.lastSeq);
      const sql = this.#storage.sql;
      const original = sql
        .exec<Row>(
          "SELECT seq FROM envelopes WHERE author = ? AND counter = ?",
          input.author,
          input.counter,
        )
        .toArray()[0];
      if (original) return { seq: Number(original.seq), duplicate: true };
      const pruned = sql
        .exec<Row>("SELECT max_counter, max_seq FROM pruned WHERE author = ?", input.author)
        .toArray()[0];
      if (pruned && input.counter <= Number(pruned.max_counter)) {
        return { seq: Number(pruned.max_seq), duplicate: true };
      }
      const seq = doc.lastSeq + 1;
      sql.exec(
        `INSERT INTO envelopes (seq, author, counter, kind, covers_seq, envelope, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        seq,
        input.author,
        input.counter,
        input.kind,
        input.coversSeq,
        toBuffer(input.envelope),
        input.receivedAt,
      );
      const covers = input.coversSeq;
      const latest = input.kind === "snapshot" && covers !== null;
      if (latest && covers >= (doc.snapshotCoversSeq ?? 0)) {
        sql.exec(
          "UPDATE document SET last_seq = ?, snapshot_seq = ?, snapshot_covers = ?",
          seq,
          seq,
          covers,
        );
      } else {
        sql.exec("UPDATE document SET last_seq = ?", seq);
      }
      return { seq, duplicate: false };
    });
  }

  /** The latest covering snapshot (if it covers more than `afterSeq`), then the changes. */
  read(afterSeq: number, limit: number): ReadItem[] {
    const doc = this.#document();
    if (!doc || limit < 1) return [];
    const items: ReadItem[] = [];
    let after = afterSeq;
    const covers = doc.snapshotCoversSeq;
    if (doc.snapshotSeq !== null && covers !== null && covers > afterSeq) {
      const row = this.#storage.sql
        .exec<Row>("SELECT * FROM envelopes WHERE seq = ?", doc.snapshotSeq)
        .toArray()[0];
      if (row) items.push(toItem(row));
      after = covers;
    }
    const rows = this.#storage.sql
      .exec<Row>(
        "SELECT * FROM envelopes WHERE kind = 'change' AND seq > ? ORDER BY seq LIMIT ?",
        after,
        limit - items.length,
      )
      .toArray();
    for (const row of rows) items.push(toItem(row));
    return items;
  }

  /** Deletes what the latest snapshot covers and every other snapshot; returns how many. */
  prune(): number {
    return this.#transaction(() => {
      const doc = this.#document();
      if (!doc || doc.snapshotSeq === null || doc.snapshotCoversSeq === null) return 0;
      const sql = this.#storage.sql;
      const covered = "(kind = 'change' AND seq <= ?) OR (kind = 'snapshot' AND seq <> ?)";
      const bounds = [doc.snapshotCoversSeq, doc.snapshotSeq];
      const byAuthor = sql
        .exec<Row>(
          `SELECT author, MAX(counter) AS counter, MAX(seq) AS seq FROM envelopes
           WHERE ${covered} GROUP BY author`,
          ...bounds,
        )
        .toArray();
      for (const row of byAuthor) {
        sql.exec(
          `INSERT INTO pruned (author, max_counter, max_seq) VALUES (?, ?, ?)
           ON CONFLICT (author) DO UPDATE SET
             max_counter = MAX(max_counter, excluded.max_counter),
             max_seq = MAX(max_seq, excluded.max_seq)`,
          row.author ?? "",
          row.counter ?? 0,
          row.seq ?? 0,
        );
      }
      return sql.exec(`DELETE FROM envelopes WHERE ${covered}`, ...bounds).rowsWritten;
    });
  }

  /** Counts of what is stored (zeros when the document is not registered). */
  stats(): StoreStats {
    if (!this.#document()) return { documents: 0, changes: 0, snapshots: 0, bytes: 0 };
    const row = this.#storage.sql
      .exec<Row>(
        `SELECT SUM(kind = 'change') AS changes, SUM(kind = 'snapshot') AS snapshots,
                SUM(LENGTH(envelope)) AS bytes FROM envelopes`,
      )
      .one();
    return {
      documents: 1,
      changes: Number(row.changes ?? 0),
      snapshots: Number(row.snapshots ?? 0),
      bytes: Number(row.bytes ?? 0),
    };
  }

  /** Deletes the registration and the log; returns whether the document existed. */
  delete(): boolean {
    return this.#transaction(() => {
      const existed = this.#document() !== undefined;
      for (const table of ["document", "envelopes", "pruned"]) {
        this.#storage.sql.exec(`DELETE FROM ${table}`);
      }
      return existed;
    });
  }

  #document(): DocumentRecord | undefined {
    const row = this.#storage.sql.exec<Row>("SELECT * FROM document WHERE id = 1").toArray()[0];
    if (!row) return undefined;
    return {
      docId: String(row.doc_id),
      writePublicKey: toBytes(row.write_public_key),
      accessHash: toBytes(row.access_hash),
      owner: typeof row.owner === "string" ? row.owner : null,
      createdAt: Number(row.created_at),
      generation: Number(row.generation ?? 0),
      lastSeq: Number(row.last_seq),
      snapshotSeq: row.snapshot_seq === null ? null : Number(row.snapshot_seq),
      snapshotCoversSeq: row.snapshot_covers === null ? null : Number(row.snapshot_covers),
    };
  }

  #transaction<T>(closure: () => T): T {
    return this.#storage.transactionSync(closure);
  }
}

/** A `RelayStoreError` as a value an RPC reply can carry (custom errors do not cross RPC). */
export function callError(error: unknown): StoreCallError {
  if (error instanceof RelayStoreError) return { code: error.code, message: error.message };
  throw error;
}

function toItem(row: Row): ReadItem {
  return {
    seq: Number(row.seq),
    kind: row.kind === "snapshot" ? "snapshot" : "change",
    envelope: toBytes(row.envelope),
    coversSeq: row.covers_seq === null ? null : Number(row.covers_seq),
  };
}

function toBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

function toBytes(value: SqlStorageValue | undefined): Uint8Array {
  if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
  throw new RelayStoreError("store-unavailable", "a stored BLOB column came back as another type");
}
