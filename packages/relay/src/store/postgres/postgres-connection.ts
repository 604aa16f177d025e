/**
 * Connecting to PostgreSQL with postgres.js: the connection pool's settings, 64-bit
 * integers read as numbers (sequence numbers and counters stay far below 2^53), a database
 * URL that can be shown in logs (no password), and the mapping of connection failures to a
 * clear `store-unavailable` error.
 */
import postgres from "postgres";
import { RelayStoreError } from "../relay-store.js";

const int8 = {
  to: 20,
  from: [20],
  serialize: (value: number) => String(value),
  parse: (value: string) => Number(value),
};

/** A postgres.js client whose BIGINT columns come back as numbers. */
export type PgSql = postgres.Sql<{ int8: number }>;

/** Options of `connectPostgres`. */
export interface PostgresConnectOptions {
  /** A `postgres://user:password@host:port/database` URL. */
  readonly url: string;
  /** Connections in the pool (default 10). */
  readonly max?: number;
  /** Seconds to wait for a connection before a query fails (default 5). */
  readonly connectTimeoutSeconds?: number;
  /** Called with the id of a connection that closed (for tests and the change feed). */
  readonly onclose?: (connectionId: number) => void;
  /** Called with each notification (`LISTEN` connections only). */
  readonly onnotify?: (channel: string, payload: string) => void;
}

/**
 * A pool of connections, opened lazily and reopened by postgres.js when one breaks. Server
 * notices are dropped (the relay logs what matters itself).
 */
export function connectPostgres(options: PostgresConnectOptions): PgSql {
  return postgres(options.url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    types: { int8 },
    onnotice: () => undefined,
    // Relay queries are short; a prepared statement per shape saves a parse on each call.
    prepare: true,
    ...(options.onclose && { onclose: options.onclose }),
    ...(options.onnotify && { onnotify: options.onnotify }),
  }) as unknown as PgSql;
}

/** The URL without its password, for messages and logs. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "(an unparsable database URL)";
  }
}

const CONNECTION_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown: the backend was terminated
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "08000",
  "08003",
  "08006",
]);

/**
 * Rethrows a failure to reach the database as `store-unavailable` (the relay answers
 * `internal` and the device retries); anything else unchanged.
 */
export function unavailable(error: unknown, url: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string" || !CONNECTION_ERRORS.has(code)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new RelayStoreError(
    "store-unavailable",
    `the PostgreSQL database at ${describeUrl(url)} is unreachable (${reason}); the relay reconnects by itself, retry shortly`,
  );
}
