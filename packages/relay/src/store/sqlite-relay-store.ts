/**
 * The embedded relay store: one SQLite file (better-sqlite3 12), WAL mode, a durable commit
 * (`synchronous=FULL`) before any append resolves. Appends that arrive in one event-loop turn
 * share one transaction and one fsync (group commit); the WAL is checkpointed on a timer,
 * never inside a commit. One process owns the file at a time.
 */
import { err, ok, type Result } from "@ridevault/core/protocol";
import Database from "better-sqlite3";
import { checkCapabilityHash, checkGrant, checkGrantId, checkRotate } from "./check-grant.js";
import { toDocumentRecord } from "./document-row.js";
import { GroupCommit, type Outcome } from "./group-commit.js";
import {
  type AppendInput,
  type AppendResult,
  type DocumentRecord,
  type DocumentRegistration,
  documentExists,
  equalBytes,
  type GrantRecord,
  type ReadInput,
  type ReadItem,
  type RelayStore,
  type RotateInput,
  type StoreError,
  type StoreStats,
  statsFromKinds,
  storeClosed,
} from "./relay-store.js";
import {
  claim,
  deleteGrant,
  type GrantStatements,
  insertGrant,
  prepareGrantStatements,
  removeAccountGrants,
  removeDocumentFromGrants,
  rotateKeys,
  toGrantRecord,
} from "./sqlite-grants.js";
import { appendEnvelope, pruneCovered, readCatchUp } from "./sqlite-log.js";
import { configureConnection, migrate } from "./sqlite-schema.js";
import { type KindStatsRow, prepareStatements, type Statements } from "./sqlite-statements.js";

/** Options of `openSqliteRelayStore`. */
export interface SqliteRelayStoreOptions {
  /** The database file; created with its schema when missing. */
  readonly path: string;
  /** Milliseconds between passive WAL checkpoints (default 1000). */
  readonly checkpointIntervalMs?: number;
  /**
   * Commit the appends of one event-loop turn together (default true). False commits each
   * append in its own transaction: only for comparison in benchmarks.
   */
  readonly groupCommit?: boolean;
}

/** The database file cannot be opened or used; the message names the path and the reason. */
export interface StoreOpenError {
  readonly code: "open-failed";
  readonly path: string;
  readonly message: string;
}

/** What the store has done since it was opened (for metrics and tests). */
export interface SqliteStoreCounters {
  /** Committed transactions that stored envelopes. */
  readonly transactions: number;
  /** Envelopes stored (retries not counted). */
  readonly appends: number;
  readonly checkpoints: number;
  readonly checkpointErrors: number;
}

/** The connection's durability settings, as SQLite reports them. */
export interface SqliteSettings {
  readonly journalMode: string;
  /** 2 is FULL. */
  readonly synchronous: number;
  /** 0: no automatic checkpoints. */
  readonly walAutocheckpoint: number;
  readonly schemaVersion: number;
}

/**
 * Opens (creating if needed) a relay store file, runs any pending schema migrations and
 * starts the checkpoint timer. Fails with `open-failed` when the file cannot be opened, is
 * not a relay store, or was written by a newer relay.
 */
export async function openSqliteRelayStore(
  options: SqliteRelayStoreOptions,
): Promise<Result<SqliteRelayStore, StoreOpenError>> {
  const { path } = options;
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    configureConnection(db);
    migrate(db);
    return ok(new SqliteRelayStore(db, options));
  } catch (error) {
    db?.close();
    const reason = error instanceof Error ? error.message : String(error);
    return err({
      code: "open-failed",
      path,
      message: `cannot open the relay store at ${path}: ${reason}. Check the path, its permissions and free space.`,
    });
  }
}

/** A `RelayStore` on a SQLite file. Create it with `openSqliteRelayStore`. */
export class SqliteRelayStore implements RelayStore {
  readonly #db: Database.Database;
  readonly #sql: Statements;
  readonly #grantSql: GrantStatements;
  readonly #transactions: ReturnType<typeof prepareTransactions>;
  readonly #appends: GroupCommit<AppendInput, AppendResult> | undefined;
  readonly #commitBatch: (inputs: readonly AppendInput[]) => Outcome<AppendResult>[];
  readonly #prune: Database.Transaction<(docId: string) => number>;
  readonly #delete: Database.Transaction<(docId: string) => boolean>;
  readonly #deleteOwned: Database.Transaction<(owner: string) => boolean>;
  readonly #timer: NodeJS.Timeout;
  #counters = { transactions: 0, appends: 0, checkpoints: 0, checkpointErrors: 0 };
  #dirty = false;
  #closed = false;

  /** @internal Use `openSqliteRelayStore`. */
  constructor(db: Database.Database, options: SqliteRelayStoreOptions) {
    this.#db = db;
    this.#sql = prepareStatements(db);
    this.#grantSql = prepareGrantStatements(db);
    const transactions = prepareTransactions(db, this.#sql, this.#grantSql);
    this.#transactions = transactions;
    this.#prune = transactions.prune;
    this.#delete = transactions.delete;
    this.#deleteOwned = transactions.deleteOwned;
    this.#commitBatch = (inputs) => {
      const outcomes = transactions.appendBatch.immediate(inputs);
      this.#counters.transactions++;
      this.#counters.appends += outcomes.filter((o) => o.ok && !o.value.duplicate).length;
      this.#dirty = true;
      return outcomes;
    };
    this.#appends = options.groupCommit === false ? undefined : new GroupCommit(this.#commitBatch);
    const interval = options.checkpointIntervalMs ?? 1000;
    if (!(interval > 0)) throw new Error(`checkpointIntervalMs must be positive, not ${interval}`);
    this.#timer = setInterval(() => this.#checkpoint(), interval);
    this.#timer.unref();
  }

  /** What the store has done since it was opened. */
  get counters(): SqliteStoreCounters {
    return { ...this.#counters };
  }

  /** The connection's durability settings. */
  settings(): SqliteSettings {
    this.#open();
    return {
      journalMode: String(this.#db.pragma("journal_mode", { simple: true })),
      synchronous: Number(this.#db.pragma("synchronous", { simple: true })),
      walAutocheckpoint: Number(this.#db.pragma("wal_autocheckpoint", { simple: true })),
      schemaVersion: Number(this.#db.pragma("user_version", { simple: true })),
    };
  }

  async registerDocument(
    registration: DocumentRegistration,
  ): Promise<Result<"created" | "exists", StoreError>> {
    this.#beforeWrite();
    const existing = this.#sql.selectDocument.get(registration.docId);
    if (existing) {
      return equalBytes(existing.write_public_key, registration.writePublicKey)
        ? ok("exists")
        : err(documentExists(registration.docId));
    }
    const { docId, writePublicKey, accessHash, owner, createdAt } = registration;
    this.#sql.insertDocument.run(docId, writePublicKey, accessHash, owner, createdAt);
    this.#dirty = true;
    return ok("created");
  }

  async getDocument(docId: string): Promise<DocumentRecord | undefined> {
    this.#open();
    const row = this.#sql.selectDocument.get(docId);
    return row && toDocumentRecord(row);
  }

  async append(input: AppendInput): Promise<AppendResult> {
    this.#open();
    if (this.#appends) return this.#appends.submit(input);
    const [outcome] = this.#commitBatch([input]);
    if (!outcome) throw new Error("append: the commit returned no outcome");
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  async read(input: ReadInput): Promise<ReadItem[]> {
    this.#open();
    return readCatchUp(this.#sql, input);
  }

  async prune(docId: string): Promise<number> {
    this.#beforeWrite();
    const deleted = this.#prune.immediate(docId);
    if (deleted > 0) this.#dirty = true;
    return deleted;
  }

  async stats(docId?: string): Promise<StoreStats> {
    this.#open();
    const byKind: KindStatsRow[] =
      docId === undefined ? this.#sql.allStats.all() : this.#sql.documentStats.all(docId);
    const documents =
      docId === undefined
        ? (this.#sql.countDocuments.get() ?? 0)
        : Number(this.#sql.selectPosition.get(docId) !== undefined);
    return statsFromKinds(documents, byKind);
  }

  async deleteDocument(docId: string): Promise<boolean> {
    this.#beforeWrite();
    const existed = this.#delete.immediate(docId);
    this.#dirty = true;
    return existed;
  }

  async ownerStats(owner: string): Promise<StoreStats> {
    this.#open();
    return statsFromKinds(
      this.#sql.countOwnerDocuments.get(owner) ?? 0,
      this.#sql.ownerStats.all(owner),
    );
  }

  async deleteDocumentsOwnedBy(owner: string): Promise<number> {
    this.#beforeWrite();
    const deleted = this.#sql.countOwnerDocuments.get(owner) ?? 0;
    if (this.#deleteOwned.immediate(owner)) {
      // `secure_delete` zeroes deleted cells, but a b-tree's interior pages keep copies of
      // keys (document ids) as dividers; rebuilding the file drops them. It rewrites the
      // whole database, which is acceptable for an account deletion (rare, and the rider
      // asked that nothing of theirs remain).
      this.#db.exec("VACUUM");
      this.#dirty = true;
    }
    return deleted;
  }

  async claimDocument(
    docId: string,
    owner: string,
  ): Promise<"claimed" | "already" | "taken" | "unknown"> {
    this.#beforeWrite();
    const outcome = this.#transactions.claim.immediate(docId, owner);
    if (outcome === "claimed") this.#dirty = true;
    return outcome;
  }

  async rotateDocument(input: RotateInput): Promise<"rotated" | "stale-generation" | "unknown"> {
    this.#beforeWrite();
    checkRotate(input);
    const outcome = this.#transactions.rotate.immediate(input);
    if (outcome === "rotated") this.#dirty = true;
    return outcome;
  }

  async createGrant(grant: GrantRecord): Promise<"created" | "exists" | "conflict"> {
    this.#beforeWrite();
    checkGrant(grant);
    const outcome = this.#transactions.createGrant.immediate(grant);
    if (outcome === "created") this.#dirty = true;
    return outcome;
  }

  async grantByCapability(capabilityHash: Uint8Array): Promise<GrantRecord | undefined> {
    this.#open();
    checkCapabilityHash(capabilityHash);
    const row = this.#grantSql.selectGrantByCapability.get(capabilityHash);
    return row && toGrantRecord(row);
  }

  async getGrant(grantId: string): Promise<GrantRecord | undefined> {
    this.#open();
    checkGrantId(grantId);
    const row = this.#grantSql.selectGrant.get(grantId);
    return row && toGrantRecord(row);
  }

  async grantsForDocument(docId: string): Promise<GrantRecord[]> {
    this.#open();
    return this.#grantSql.selectGrantsForDocument.all(docId).map(toGrantRecord);
  }

  async grantsForRecipient(accountId: string): Promise<GrantRecord[]> {
    this.#open();
    return this.#grantSql.selectGrantsForRecipient.all(accountId).map(toGrantRecord);
  }

  async deleteGrant(grantId: string): Promise<boolean> {
    this.#beforeWrite();
    checkGrantId(grantId);
    const existed = this.#transactions.deleteGrant.immediate(grantId);
    if (existed) this.#dirty = true;
    return existed;
  }

  async touchGrant(grantId: string, at: number): Promise<void> {
    this.#beforeWrite();
    checkGrantId(grantId);
    if (this.#grantSql.touchGrant.run(at, grantId).changes > 0) this.#dirty = true;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    try {
      this.#appends?.flush();
      this.#dirty = true;
      this.#checkpoint();
    } finally {
      this.#closed = true;
      this.#db.close();
    }
  }

  /**
   * Copies committed WAL frames into the database file without waiting for (or blocking)
   * anyone. SQLite's automatic checkpoint is off (`configureConnection`): it would run inside
   * whichever commit crossed 1000 WAL pages, and every append of that batch would wait for
   * it — REFERENCE.md measured p99 at 12–28 ms that way. Here it runs between commits, on
   * the timer and at close, and only after something was written. A commit is durable
   * without it: checkpoints only bound the WAL's size and the work of the next open.
   */
  #checkpoint(): void {
    if (!this.#dirty || this.#closed) return;
    this.#dirty = false;
    try {
      this.#db.pragma("wal_checkpoint(PASSIVE)");
      this.#counters.checkpoints++;
    } catch {
      // The WAL stays intact and readable; the next tick tries again.
      this.#dirty = true;
      this.#counters.checkpointErrors++;
    }
  }

  /** Commits queued appends first, so that writes take effect in call order. */
  #beforeWrite(): void {
    this.#open();
    this.#appends?.flush();
  }

  #open(): void {
    if (this.#closed) throw storeClosed();
  }
}

/** The transactions of a store, prepared once. */
function prepareTransactions(db: Database.Database, sql: Statements, grants: GrantStatements) {
  return {
    appendBatch: db.transaction((inputs: readonly AppendInput[]) =>
      inputs.map((input) => appendEnvelope(sql, input)),
    ),
    prune: db.transaction((docId: string) => pruneCovered(sql, docId)),
    delete: db.transaction((docId: string): boolean => {
      removeDocumentFromGrants(grants, docId);
      sql.deleteEnvelopes.run(docId);
      sql.deletePrunedAuthors.run(docId);
      return sql.deleteDocument.run(docId).changes > 0;
    }),
    /** True when it deleted anything (documents or grants). */
    deleteOwned: db.transaction((owner: string): boolean => {
      const docIds = sql.selectOwnedDocIds.all(owner);
      for (const docId of docIds) {
        removeDocumentFromGrants(grants, docId);
        sql.deleteEnvelopes.run(docId);
        sql.deletePrunedAuthors.run(docId);
        sql.deleteDocument.run(docId);
      }
      return removeAccountGrants(grants, owner) > 0 || docIds.length > 0;
    }),
    claim: db.transaction((docId: string, owner: string) => claim(grants, docId, owner)),
    rotate: db.transaction((input: RotateInput) => rotateKeys(grants, input)),
    createGrant: db.transaction((grant: GrantRecord) => insertGrant(grants, grant)),
    deleteGrant: db.transaction((grantId: string) => deleteGrant(grants, grantId)),
  };
}
