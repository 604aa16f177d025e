/**
 * The shared relay store: PostgreSQL (postgres.js 3), for several relay instances behind a
 * load balancer. Appends that arrive together share one transaction (group commit); the
 * database's durable commit (`synchronous_commit = on`, its default) happens before any
 * append resolves. Each batch locks its documents' rows, so sequence numbers stay gapless
 * across instances, and sends `NOTIFY` hints that `PostgresChangeFeed` hears on every
 * instance. The schema is migrated on open (`migrate`). When the database is unreachable,
 * calls fail with `store-unavailable` and the pool reconnects on the next call.
 */
import { err, ok, type Result } from "@ridevault/core/protocol";
import { AsyncGroupCommit } from "../async-group-commit.js";
import { checkCapabilityHash, checkGrant, checkGrantId, checkRotate } from "../check-grant.js";
import { type DocumentRow, toDocumentRecord } from "../document-row.js";
import type { Outcome } from "../group-commit.js";
import {
  type AppendInput,
  type AppendResult,
  type DocumentRecord,
  type DocumentRegistration,
  documentExists,
  equalBytes,
  type GrantRecord,
  type KindTotals,
  type ReadInput,
  type ReadItem,
  type RelayStore,
  type RotateInput,
  type StoreError,
  type StoreStats,
  statsFromKinds,
  storeClosed,
} from "../relay-store.js";
import { PostgresChangeFeed } from "./postgres-change-feed.js";
import { connectPostgres, describeUrl, type PgSql, unavailable } from "./postgres-connection.js";
import {
  claim,
  findGrants,
  insertGrant,
  removeAccountGrants,
  removeDocumentsFromGrants,
  rotateKeys,
} from "./postgres-grants.js";
import { appendBatch, pruneCovered, readCatchUp } from "./postgres-log.js";
import { migrate } from "./postgres-schema.js";

/** Options of `openPostgresRelayStore`. */
export interface PostgresRelayStoreOptions {
  /** A `postgres://user:password@host:port/database` URL. */
  readonly url: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** Seconds to wait for a connection before a call fails (default 5). */
  readonly connectTimeoutSeconds?: number;
  /** The `NOTIFY` channel of commit hints (default `ridevault_commits`). */
  readonly channel?: string;
}

/** The database cannot be reached or migrated; the message says which and what to do. */
export interface PostgresOpenError {
  readonly code: "open-failed";
  /** The URL without its password. */
  readonly url: string;
  readonly message: string;
}

/**
 * Connects, runs pending migrations (safe when several instances start at once) and returns
 * the store. Fails with `open-failed` when the database is unreachable, refuses the login,
 * or was migrated by a newer relay.
 */
export async function openPostgresRelayStore(
  options: PostgresRelayStoreOptions,
): Promise<Result<PostgresRelayStore, PostgresOpenError>> {
  const sql = connectPostgres({
    url: options.url,
    ...(options.poolSize !== undefined && { max: options.poolSize }),
    ...(options.connectTimeoutSeconds !== undefined && {
      connectTimeoutSeconds: options.connectTimeoutSeconds,
    }),
  });
  try {
    await migrate(sql);
    return ok(new PostgresRelayStore(sql, options));
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    const url = describeUrl(options.url);
    return err({
      code: "open-failed",
      url,
      message: `cannot open the relay store in PostgreSQL at ${url}: ${reason}. Check that the database is running and reachable, and the URL's user, password and database name.`,
    });
  }
}

/** A `RelayStore` in PostgreSQL. Create it with `openPostgresRelayStore`. */
export class PostgresRelayStore implements RelayStore {
  readonly #sql: PgSql;
  readonly #url: string;
  readonly #channel: string;
  readonly #writes: AsyncGroupCommit<AppendInput, AppendResult>;
  #feed: PostgresChangeFeed | undefined;
  #closed = false;
  #counters = { transactions: 0, appends: 0 };

  /** @internal Use `openPostgresRelayStore`. */
  constructor(sql: PgSql, options: PostgresRelayStoreOptions) {
    this.#sql = sql;
    this.#url = options.url;
    this.#channel = options.channel ?? "ridevault_commits";
    this.#writes = new AsyncGroupCommit((inputs) => this.#commitBatch(inputs));
  }

  /** Committed append transactions and envelopes stored (retries not counted) since opening. */
  get counters(): { readonly transactions: number; readonly appends: number } {
    return { ...this.#counters };
  }

  /**
   * The change feed of this store's commits (all instances'), created on first use; `close`
   * stops it. Give it to `startRelay` so subscribers here see envelopes pushed elsewhere.
   */
  changeFeed(): PostgresChangeFeed {
    this.#open();
    this.#feed ??= new PostgresChangeFeed({
      url: this.#url,
      sql: this.#sql,
      channel: this.#channel,
    });
    return this.#feed;
  }

  /** Resolves true when the database answers (for `/health`). */
  async ping(): Promise<boolean> {
    this.#open();
    return this.#call(async () => (await this.#sql`SELECT 1 AS one`).length === 1);
  }

  async registerDocument(
    registration: DocumentRegistration,
  ): Promise<Result<"created" | "exists", StoreError>> {
    this.#open();
    const { docId, writePublicKey, accessHash, owner, createdAt } = registration;
    return this.#writes.exclusive(() =>
      this.#call(async () => {
        const inserted = await this.#sql`
          INSERT INTO documents (doc_id, write_public_key, access_hash, owner, created_at)
          VALUES (${docId}, ${Buffer.from(writePublicKey)}, ${Buffer.from(accessHash)},
                  ${owner}, ${createdAt})
          ON CONFLICT (doc_id) DO NOTHING`;
        if (inserted.count === 1) return ok("created");
        const [row] = await this.#sql<{ write_public_key: Uint8Array }[]>`
          SELECT write_public_key FROM documents WHERE doc_id = ${docId}`;
        return row && equalBytes(row.write_public_key, writePublicKey)
          ? ok("exists")
          : err(documentExists(docId));
      }),
    );
  }

  async getDocument(docId: string): Promise<DocumentRecord | undefined> {
    this.#open();
    const [row] = await this.#call(
      () => this.#sql<DocumentRow[]>`SELECT * FROM documents WHERE doc_id = ${docId}`,
    );
    return row && toDocumentRecord(row);
  }

  async append(input: AppendInput): Promise<AppendResult> {
    this.#open();
    return this.#writes.submit(input);
  }

  async read(input: ReadInput): Promise<ReadItem[]> {
    this.#open();
    return this.#call(() => readCatchUp(this.#sql, input));
  }

  async prune(docId: string): Promise<number> {
    this.#open();
    return this.#writes.exclusive(() =>
      this.#call(() => this.#sql.begin((tx) => pruneCovered(tx as unknown as PgSql, docId))),
    );
  }

  async stats(docId?: string): Promise<StoreStats> {
    this.#open();
    return this.#call(async () => {
      const where = docId === undefined ? this.#sql`` : this.#sql`WHERE doc_id = ${docId}`;
      const [envelopes, documents] = await Promise.all([
        this.#sql<KindTotals[]>`
          SELECT kind, COUNT(*) AS count, COALESCE(SUM(octet_length(envelope)), 0)::bigint AS bytes
          FROM envelopes ${where} GROUP BY kind`,
        this.#sql<{ count: number }[]>`SELECT COUNT(*) AS count FROM documents ${where}`,
      ]);
      return statsFromKinds(documents[0]?.count ?? 0, envelopes);
    });
  }

  async deleteDocument(docId: string): Promise<boolean> {
    this.#open();
    return this.#writes.exclusive(() =>
      this.#call(() =>
        this.#sql.begin(async (transaction) => {
          const tx = transaction as unknown as PgSql;
          await removeDocumentsFromGrants(tx, tx`SELECT ${docId}::text`);
          await tx`DELETE FROM envelopes WHERE doc_id = ${docId}`;
          await tx`DELETE FROM pruned_authors WHERE doc_id = ${docId}`;
          const deleted = await tx`DELETE FROM documents WHERE doc_id = ${docId}`;
          return deleted.count > 0;
        }),
      ),
    );
  }

  async ownerStats(owner: string): Promise<StoreStats> {
    this.#open();
    return this.#call(async () => {
      const [envelopes, documents] = await Promise.all([
        this.#sql<KindTotals[]>`
          SELECT kind, COUNT(*) AS count, COALESCE(SUM(octet_length(envelope)), 0)::bigint AS bytes
          FROM envelopes WHERE doc_id IN (SELECT doc_id FROM documents WHERE owner = ${owner})
          GROUP BY kind`,
        this.#sql<{ count: number }[]>`
          SELECT COUNT(*) AS count FROM documents WHERE owner = ${owner}`,
      ]);
      return statsFromKinds(documents[0]?.count ?? 0, envelopes);
    });
  }

  async deleteDocumentsOwnedBy(owner: string): Promise<number> {
    this.#open();
    return this.#writes.exclusive(() =>
      this.#call(() =>
        this.#sql.begin(async (transaction) => {
          const tx = transaction as unknown as PgSql;
          const owned = tx`SELECT doc_id FROM documents WHERE owner = ${owner}`;
          await removeDocumentsFromGrants(tx, owned);
          await removeAccountGrants(tx, owner);
          await tx`DELETE FROM envelopes
                   WHERE doc_id IN (SELECT doc_id FROM documents WHERE owner = ${owner})`;
          await tx`DELETE FROM pruned_authors
                   WHERE doc_id IN (SELECT doc_id FROM documents WHERE owner = ${owner})`;
          const deleted = await tx`DELETE FROM documents WHERE owner = ${owner}`;
          return deleted.count;
        }),
      ),
    );
  }

  async claimDocument(
    docId: string,
    owner: string,
  ): Promise<"claimed" | "already" | "taken" | "unknown"> {
    this.#open();
    return this.#writes.exclusive(() => this.#call(() => claim(this.#sql, docId, owner)));
  }

  async rotateDocument(input: RotateInput): Promise<"rotated" | "stale-generation" | "unknown"> {
    this.#open();
    checkRotate(input);
    return this.#writes.exclusive(() =>
      this.#call(() => this.#sql.begin((tx) => rotateKeys(tx as unknown as PgSql, input))),
    );
  }

  async createGrant(grant: GrantRecord): Promise<"created" | "exists" | "conflict"> {
    this.#open();
    checkGrant(grant);
    return this.#writes.exclusive(() =>
      this.#call(() => this.#sql.begin((tx) => insertGrant(tx as unknown as PgSql, grant))),
    );
  }

  async grantByCapability(capabilityHash: Uint8Array): Promise<GrantRecord | undefined> {
    this.#open();
    checkCapabilityHash(capabilityHash);
    const hash = Buffer.from(capabilityHash);
    const [grant] = await this.#call(() =>
      findGrants(this.#sql, this.#sql`WHERE g.capability_hash = ${hash}`),
    );
    return grant;
  }

  async getGrant(grantId: string): Promise<GrantRecord | undefined> {
    this.#open();
    checkGrantId(grantId);
    const [grant] = await this.#call(() =>
      findGrants(this.#sql, this.#sql`WHERE g.grant_id = ${grantId}`),
    );
    return grant;
  }

  async grantsForDocument(docId: string): Promise<GrantRecord[]> {
    this.#open();
    return this.#call(() =>
      findGrants(
        this.#sql,
        this
          .#sql`WHERE g.grant_id IN (SELECT grant_id FROM grant_documents WHERE doc_id = ${docId})`,
      ),
    );
  }

  async grantsForRecipient(accountId: string): Promise<GrantRecord[]> {
    this.#open();
    return this.#call(() => findGrants(this.#sql, this.#sql`WHERE g.recipient = ${accountId}`));
  }

  async deleteGrant(grantId: string): Promise<boolean> {
    this.#open();
    checkGrantId(grantId);
    return this.#writes.exclusive(() =>
      this.#call(async () => {
        // The grant's documents go with it (ON DELETE CASCADE).
        const deleted = await this.#sql`DELETE FROM grants WHERE grant_id = ${grantId}`;
        return deleted.count > 0;
      }),
    );
  }

  async touchGrant(grantId: string, at: number): Promise<void> {
    this.#open();
    checkGrantId(grantId);
    await this.#call(
      () => this.#sql`UPDATE grants SET last_used_at = ${at} WHERE grant_id = ${grantId}`,
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writes.drain();
    await this.#feed?.stop();
    await this.#sql.end({ timeout: 5 });
  }

  async #commitBatch(inputs: readonly AppendInput[]): Promise<Outcome<AppendResult>[]> {
    const outcomes = await this.#call(() =>
      this.#sql.begin((tx) => appendBatch(tx as unknown as PgSql, inputs, this.#channel)),
    );
    this.#counters.transactions++;
    this.#counters.appends += outcomes.filter((o) => o.ok && !o.value.duplicate).length;
    return outcomes;
  }

  /** Runs a database call, turning connection failures into `store-unavailable`. */
  async #call<V>(run: () => Promise<V>): Promise<V> {
    try {
      return await run();
    } catch (error) {
      throw unavailable(error, this.#url);
    }
  }

  #open(): void {
    if (this.#closed) throw storeClosed();
  }
}
