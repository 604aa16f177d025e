/**
 * How a connection's identity travels from the entry Worker to its connection object, and
 * how the object keeps it across hibernation. The entry Worker authenticates the upgrade and
 * sets `IDENTITY_HEADER` (JSON of a `ConnectionIdentity`) on the request it forwards, after
 * deleting any such header the client sent; the object decodes it (never casts), keeps it in
 * its SQLite storage for the life of the socket, and gives it to its `RelayConnection`, also
 * when it restores the connection after hibernation.
 */
import type { ConnectionIdentity } from "../relay-types.js";

/** The subprotocol the connection object answers (set by the entry Worker only). */
export const PROTOCOL_HEADER = "x-ridevault-protocol";
/** The authenticated identity of the connection (set by the entry Worker only). */
export const IDENTITY_HEADER = "x-ridevault-identity";

/** The identity in a header value, or undefined when absent or malformed. */
export function decodeIdentity(text: string | null): ConnectionIdentity | undefined {
  if (text === null) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { principal, expiresAt, session } = value as Record<string, unknown>;
  if (principal !== null && typeof principal !== "string") return undefined;
  if (expiresAt !== undefined && !Number.isSafeInteger(expiresAt)) return undefined;
  if (session !== undefined && typeof session !== "string") return undefined;
  return {
    principal,
    ...(expiresAt !== undefined && { expiresAt: expiresAt as number }),
    ...(session !== undefined && { session }),
  };
}

/** The identity of a connection object's socket, in the object's storage. */
export class StoredIdentity {
  readonly #storage: DurableObjectStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS identity (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)",
    );
  }

  /** Keeps `identity` for the socket just accepted (none: forgets the previous one). */
  save(identity: ConnectionIdentity | undefined): void {
    this.#storage.sql.exec("DELETE FROM identity");
    if (identity) {
      this.#storage.sql.exec(
        "INSERT INTO identity (id, json) VALUES (1, ?)",
        JSON.stringify(identity),
      );
    }
  }

  /** The socket's identity, or undefined (accounts off). */
  load(): ConnectionIdentity | undefined {
    const row = this.#storage.sql.exec<{ json: string }>("SELECT json FROM identity").toArray()[0];
    return row ? decodeIdentity(row.json) : undefined;
  }
}
