/**
 * The Durable Object of one document: its `DocumentLog` in SQLite, and the connection
 * objects that follow it. After a commit, the connection that pushed asks it to fan the
 * envelope out to the other followers; a follower that is gone is forgotten.
 *
 * It also counts which followers watch the document live (`watch`), as the Node relay does
 * in memory: every follower is sent `watchers {docId, count}` when the count changes, and a
 * new follower is sent it while above 0, so a recording device sends its live ride only
 * while watched. Followers and watchers are kept in the object's SQLite storage, so both
 * survive its eviction and the hibernation of the connection objects; a follower that
 * unsubscribes, closes or turns out to be gone stops watching. Frames to one connection
 * object go through one cached stub, so its counts arrive in the order they were sent.
 */
import { DurableObject } from "cloudflare:workers";
import { encodeRelayMessage } from "@ridevault/core/protocol";
import type {
  AppendInput,
  AppendResult,
  DocumentRecord,
  DocumentRegistration,
  ReadItem,
  StoreStats,
} from "../store/relay-store.js";
import { callError, DocumentLog, type KeyGeneration } from "./document-log.js";
import type { CallOutcome, DocumentRpc, RegisterOutcome, RelayEnv } from "./document-rpc.js";

/**
 * What a document's object answers about its keys and owner, besides `DocumentRpc`: the
 * generation check and the key update happen in one transaction in the object.
 */
export interface DocumentKeysRpc {
  rotate(keys: KeyGeneration): Promise<"rotated" | "stale-generation" | "unknown">;
  claim(owner: string): Promise<"claimed" | "already" | "taken" | "unknown">;
}

/** One document's registration, envelope log and followers. */
export class DocumentObject
  extends DurableObject<RelayEnv>
  implements DocumentRpc, DocumentKeysRpc
{
  readonly #log: DocumentLog;
  /** One stub per connection object, so that what is sent to it arrives in order. */
  readonly #sessionStubs = new Map<string, SessionStub>();

  constructor(ctx: DurableObjectState, env: RelayEnv) {
    super(ctx, env);
    this.#log = new DocumentLog(ctx.storage);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS subscribers (session TEXT PRIMARY KEY)");
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS watchers (session TEXT PRIMARY KEY)");
  }

  async register(registration: DocumentRegistration): Promise<RegisterOutcome> {
    return this.#log.register(registration);
  }

  async get(): Promise<DocumentRecord | undefined> {
    return this.#log.get();
  }

  async rotate(keys: KeyGeneration): Promise<"rotated" | "stale-generation" | "unknown"> {
    return this.#log.rotate(keys);
  }

  async claim(owner: string): Promise<"claimed" | "already" | "taken" | "unknown"> {
    return this.#log.claim(owner);
  }

  async append(input: AppendInput): Promise<CallOutcome<AppendResult>> {
    try {
      return { ok: true, value: this.#log.append(input) };
    } catch (error) {
      return { ok: false, error: callError(error) };
    }
  }

  async read(afterSeq: number, limit: number): Promise<ReadItem[]> {
    return this.#log.read(afterSeq, limit);
  }

  async prune(): Promise<number> {
    return this.#log.prune();
  }

  async stats(): Promise<StoreStats> {
    return this.#log.stats();
  }

  async delete(): Promise<boolean> {
    const existed = this.#log.delete();
    this.ctx.storage.sql.exec("DELETE FROM subscribers");
    this.ctx.storage.sql.exec("DELETE FROM watchers");
    return existed;
  }

  async subscribe(session: string, tellWatchers: boolean): Promise<void> {
    this.ctx.storage.sql.exec(
      "INSERT INTO subscribers (session) VALUES (?) ON CONFLICT DO NOTHING",
      session,
    );
    const frame = this.#watchersFrame();
    if (tellWatchers && frame && this.#watcherCount() > 0) {
      await this.#send([session], (stub) => stub.deliverFrame(frame));
    }
  }

  async unsubscribe(session: string): Promise<void> {
    await this.#forget([session]);
  }

  async watch(session: string, on: boolean): Promise<void> {
    const sql = this.ctx.storage.sql;
    const before = this.#watcherCount();
    if (on) {
      sql.exec(
        "INSERT OR IGNORE INTO watchers (session) SELECT session FROM subscribers WHERE session = ?",
        session,
      );
    } else {
      sql.exec("DELETE FROM watchers WHERE session = ?", session);
    }
    if (this.#watcherCount() !== before) await this.#announceWatchers();
  }

  async broadcast(seq: number, envelope: Uint8Array, except: string): Promise<void> {
    const docId = this.#log.get()?.docId;
    if (docId === undefined) return;
    await this.#toFollowers(except, (stub) => stub.deliver(docId, seq, envelope));
  }

  async broadcastFrame(frame: Uint8Array, except: string): Promise<void> {
    await this.#toFollowers(except, (stub) => stub.deliverFrame(frame));
  }

  async revokeGrants(grantIds: readonly string[]): Promise<void> {
    await this.#toFollowers("", (stub) => stub.revokeGrants(grantIds));
  }

  /** Drops followers (and their watching); tells the rest if the watcher count changed. */
  async #forget(sessions: readonly string[]): Promise<void> {
    const sql = this.ctx.storage.sql;
    const before = this.#watcherCount();
    for (const session of sessions) {
      sql.exec("DELETE FROM subscribers WHERE session = ?", session);
      sql.exec("DELETE FROM watchers WHERE session = ?", session);
      this.#sessionStubs.delete(session);
    }
    if (this.#watcherCount() !== before) await this.#announceWatchers();
  }

  /** Sends every follower the current watcher count. */
  async #announceWatchers(): Promise<void> {
    const frame = this.#watchersFrame();
    if (frame) await this.#toFollowers("", (stub) => stub.deliverFrame(frame));
  }

  /** The `watchers` frame with the current count; undefined for an unregistered document. */
  #watchersFrame(): Uint8Array | undefined {
    const docId = this.#log.get()?.docId;
    if (docId === undefined) return undefined;
    return encodeRelayMessage({ type: "watchers", docId, count: this.#watcherCount() });
  }

  #watcherCount(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM watchers").one().n;
  }

  async #toFollowers(except: string, send: (stub: SessionStub) => Promise<boolean>): Promise<void> {
    const sessions = this.ctx.storage.sql
      .exec<{ session: string }>("SELECT session FROM subscribers")
      .toArray()
      .map((row) => row.session)
      .filter((session) => session !== except);
    await this.#send(sessions, send);
  }

  /**
   * Calls `send` on each session's stub; the sessions that are gone are forgotten. A call
   * that throws (a stub broken by a failed call, an overloaded runtime) is tried once more
   * with a fresh stub before the session is given up: forgetting a live follower would leave
   * its device subscribed but deaf, missing envelopes while it believes itself in step.
   */
  async #send(
    sessions: readonly string[],
    send: (stub: SessionStub) => Promise<boolean>,
  ): Promise<void> {
    const gone: string[] = [];
    await Promise.all(
      sessions.map(async (session) => {
        let alive: boolean;
        try {
          alive = await send(this.#sessionStub(session));
        } catch {
          this.#sessionStubs.delete(session);
          alive = await send(this.#sessionStub(session)).catch(() => false);
        }
        if (!alive) gone.push(session);
      }),
    );
    if (gone.length > 0) await this.#forget(gone);
  }

  #sessionStub(session: string): SessionStub {
    let stub = this.#sessionStubs.get(session);
    if (!stub) {
      stub = this.env.SESSIONS.get(this.env.SESSIONS.idFromString(session));
      this.#sessionStubs.set(session, stub);
    }
    return stub;
  }
}

type SessionStub = ReturnType<RelayEnv["SESSIONS"]["get"]>;
