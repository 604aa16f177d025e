/**
 * The Durable Object of one document: its `DocumentLog` in SQLite, and the connection
 * objects that follow it. After a commit, the connection that pushed asks it to fan the
 * envelope out to the other followers; a follower that is gone is forgotten.
 */
import { DurableObject } from "cloudflare:workers";
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

  constructor(ctx: DurableObjectState, env: RelayEnv) {
    super(ctx, env);
    this.#log = new DocumentLog(ctx.storage);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS subscribers (session TEXT PRIMARY KEY)");
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
    return existed;
  }

  async subscribe(session: string): Promise<void> {
    this.ctx.storage.sql.exec(
      "INSERT INTO subscribers (session) VALUES (?) ON CONFLICT DO NOTHING",
      session,
    );
  }

  async unsubscribe(session: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM subscribers WHERE session = ?", session);
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

  async #toFollowers(
    except: string,
    send: (stub: ReturnType<RelayEnv["SESSIONS"]["get"]>) => Promise<boolean>,
  ): Promise<void> {
    const sessions = this.ctx.storage.sql
      .exec<{ session: string }>("SELECT session FROM subscribers")
      .toArray()
      .map((row) => row.session)
      .filter((session) => session !== except);
    await Promise.all(
      sessions.map(async (session) => {
        const stub = this.env.SESSIONS.get(this.env.SESSIONS.idFromString(session));
        const alive = await send(stub).catch(() => false);
        if (!alive) await this.unsubscribe(session);
      }),
    );
  }
}
