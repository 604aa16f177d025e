/**
 * What a connection object keeps so that its connection survives hibernation: whether the
 * device said hello, and per followed document the access secret it presented and the
 * highest sequence number it has been sent. Learnt from the frames going in (requests) and
 * out (replies), kept in the object's SQLite storage, cleared when the socket closes.
 *
 * The access secret is a read capability the relay otherwise only holds as a hash; it is
 * kept here for the life of the socket because replaying the subscription needs it.
 */
import type { ClientMessage, RelayMessage } from "@ridevault/core/protocol";

/** A document the connection follows. */
export interface SavedSubscription {
  readonly docId: string;
  readonly accessSecret: Uint8Array;
  /** Everything up to this sequence number has been sent. */
  readonly seq: number;
}

/** The saved state of a connection. */
export interface SavedSession {
  readonly hello: boolean;
  readonly subscriptions: readonly SavedSubscription[];
}

/** A connection's state in its object's storage. */
export class SessionState {
  readonly #storage: DurableObjectStorage;
  /** Subscribe requests awaiting their caught-up reply, by request id. */
  readonly #pending = new Map<number, { docId: string; accessSecret: Uint8Array }>();

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    storage.sql.exec(`CREATE TABLE IF NOT EXISTS subscriptions (
      doc_id TEXT PRIMARY KEY, access_secret BLOB NOT NULL, seq INTEGER NOT NULL)`);
    storage.sql.exec("CREATE TABLE IF NOT EXISTS hello (id INTEGER PRIMARY KEY CHECK (id = 1))");
  }

  /** A frame from the device. */
  received(message: ClientMessage): void {
    if (message.type === "subscribe") {
      this.#pending.set(message.id, {
        docId: message.docId,
        accessSecret: message.accessSecret.slice(),
      });
    } else if (message.type === "unsubscribe") {
      this.#storage.sql.exec("DELETE FROM subscriptions WHERE doc_id = ?", message.docId);
    }
  }

  /** A frame to the device. */
  sent(message: RelayMessage): void {
    const sql = this.#storage.sql;
    switch (message.type) {
      case "welcome":
        sql.exec("INSERT INTO hello (id) VALUES (1) ON CONFLICT DO NOTHING");
        return;
      case "caught-up": {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (pending && pending.docId === message.docId) {
          sql.exec(
            `INSERT INTO subscriptions (doc_id, access_secret, seq) VALUES (?, ?, ?)
             ON CONFLICT (doc_id) DO UPDATE SET access_secret = excluded.access_secret,
               seq = excluded.seq`,
            message.docId,
            pending.accessSecret.slice().buffer,
            message.seq,
          );
        } else {
          sql.exec("UPDATE subscriptions SET seq = ? WHERE doc_id = ?", message.seq, message.docId);
        }
        return;
      }
      case "envelope":
        sql.exec(
          "UPDATE subscriptions SET seq = MAX(seq, ?) WHERE doc_id = ?",
          message.seq,
          message.docId,
        );
        return;
      case "error":
        this.#pending.delete(message.id);
        // A subscription the relay ended (its share revoked or expired): not restored.
        if (message.id === 0 && message.docId !== null) {
          sql.exec("DELETE FROM subscriptions WHERE doc_id = ?", message.docId);
        }
        return;
      default:
        return;
    }
  }

  /** True when the connection follows `docId`. */
  follows(docId: string): boolean {
    return (
      this.#storage.sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM subscriptions WHERE doc_id = ?", docId)
        .one().n > 0 || [...this.#pending.values()].some((pending) => pending.docId === docId)
    );
  }

  /** What to restore after hibernation. */
  load(): SavedSession {
    const sql = this.#storage.sql;
    const hello = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM hello").one().n > 0;
    const subscriptions = sql
      .exec<{ doc_id: string; access_secret: ArrayBuffer; seq: number }>(
        "SELECT doc_id, access_secret, seq FROM subscriptions ORDER BY doc_id",
      )
      .toArray()
      .map((row) => ({
        docId: row.doc_id,
        accessSecret: new Uint8Array(row.access_secret),
        seq: row.seq,
      }));
    return { hello, subscriptions };
  }

  /** Forgets everything (the socket closed, or a new one was accepted). */
  clear(): void {
    this.#pending.clear();
    this.#storage.sql.exec("DELETE FROM subscriptions");
    this.#storage.sql.exec("DELETE FROM hello");
  }
}
