/**
 * The PostgreSQL change feed: one dedicated connection per relay instance runs `LISTEN` on
 * the store's channel; every append batch sends `pg_notify` hints in its transaction. When
 * that connection breaks (the database restarts, `pg_terminate_backend`, a network cut) the
 * feed reconnects with backoff, listens again and calls `resync`, so the relay catches up
 * from the table whatever hints it missed meanwhile.
 */
import type { ChangeFeed, ChangeFeedHandlers } from "../change-feed.js";
import type { ReadInput, ReadItem } from "../relay-store.js";
import { connectPostgres, type PgSql } from "./postgres-connection.js";
import { decodeHint, readLog } from "./postgres-log.js";

/** Options of `PostgresChangeFeed`. */
export interface PostgresChangeFeedOptions {
  readonly url: string;
  /** The pool the tail reads use (the store's). */
  readonly sql: PgSql;
  readonly channel: string;
  /** The longest pause between reconnection attempts, in ms (default 2000). */
  readonly maxBackoffMs?: number;
}

/** Listens for commit hints on one connection; reconnects and resyncs by itself. */
export class PostgresChangeFeed implements ChangeFeed {
  readonly #options: PostgresChangeFeedOptions;
  #listener: PgSql | undefined;
  #handlers: ChangeFeedHandlers | undefined;
  #listening = false;
  #stopped = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #connections = 0;

  constructor(options: PostgresChangeFeedOptions) {
    this.#options = options;
  }

  get listening(): boolean {
    return this.#listening;
  }

  /** How many times the listener has connected and listened (for tests and metrics). */
  get connections(): number {
    return this.#connections;
  }

  async start(handlers: ChangeFeedHandlers): Promise<void> {
    if (this.#handlers) throw new Error("the change feed has already been started");
    this.#handlers = handlers;
    const { channel } = this.#options;
    this.#listener = connectPostgres({
      url: this.#options.url,
      max: 1,
      onnotify: (from, payload) => {
        const hint = from === channel ? decodeHint(payload) : undefined;
        if (hint) this.#handlers?.hint(hint.docId, hint.seq);
      },
      onclose: () => {
        this.#listening = false;
        this.#wake?.();
      },
    });
    // A database that is down now is not fatal: the supervisor keeps trying, and the relay
    // reports unhealthy (`listening` is false) until it succeeds.
    await this.#listen().catch(() => undefined);
    this.#loop = this.#supervise();
  }

  readLog(input: ReadInput): Promise<ReadItem[]> {
    return readLog(this.#options.sql, input);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#listening = false;
    this.#wake?.();
    await this.#listener?.end({ timeout: 1 });
    await this.#loop;
  }

  /** Runs `LISTEN` (opening the connection if needed), then tells the relay to catch up. */
  async #listen(): Promise<void> {
    const listener = this.#listener;
    if (!listener) return;
    await listener.unsafe(`LISTEN "${this.#options.channel.replace(/"/g, '""')}"`);
    this.#listening = true;
    this.#connections++;
    this.#handlers?.resync();
  }

  /** Waits for the connection to close, then listens again, backing off while it fails. */
  async #supervise(): Promise<void> {
    let backoff = 50;
    const maxBackoff = this.#options.maxBackoffMs ?? 2000;
    while (!this.#stopped) {
      if (this.#listening) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      try {
        await this.#listen();
        backoff = 50;
      } catch {
        // The database is unreachable; the relay reports unhealthy until this succeeds.
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, maxBackoff);
      }
    }
  }
}
