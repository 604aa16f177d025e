/**
 * Keeps the vault's sync engine running as the settings and the network say: off in
 * local-only mode, stopped while the browser is offline (so the status says "offline" at
 * once rather than after a failed reconnect), restarted immediately when it is back online
 * or when the relay URL or the account changes. Signed in, it connects with the account
 * session's token; signed out of an account, it pauses until the rider logs in again.
 * Without an account it connects as a share holder (`shareHolderWebSocket`), so rides shared
 * by link open even on a relay that requires accounts. The status it publishes is what the
 * header shows. It is also the live view's channel (`LiveChannel`): watches and listeners
 * survive the engine being replaced on a restart.
 */
import {
  type LiveChannel,
  ShareClient,
  type SyncEngine,
  shareHolderWebSocket,
  startSync,
  type Vault,
  type WebSocketClass,
  type WebSocketWithProtocols,
} from "@ridevault/core/browser";
import { type AppSettings, sameOriginRelayUrl } from "../settings.js";

/** What the sync indicator shows. */
export type AppSyncStatus =
  | { readonly kind: "local-only" }
  | { readonly kind: "signed-out" }
  /** No account on a relay that requires one: shares sync, the rider's own rides stay here. */
  | { readonly kind: "account-needed"; readonly pending: number }
  | { readonly kind: "offline"; readonly pending: number }
  | { readonly kind: "connecting"; readonly pending: number }
  | { readonly kind: "syncing"; readonly pending: number }
  | { readonly kind: "synced"; readonly at: number | null }
  | { readonly kind: "error"; readonly message: string; readonly pending: number };

/** How sync connects, as the account says (see `AccountController`). */
export interface SyncAuth {
  /** The WebSocket class carrying a session's token; "paused": do not sync; null: anonymous. */
  readonly connection: WebSocketClass | "paused" | null;
  /** Calls `listener` when `connection` may have changed; returns an unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** The connection failed with an error: the session may have ended elsewhere. */
  syncFailed(): void;
  /** The signed-in account's access token for the relay's HTTP side, or null. */
  accessToken(): Promise<string | null>;
}

/** Runs sync for one vault; `dispose` before the vault closes. */
export class SyncController implements LiveChannel {
  readonly #vault: Vault;
  #settings: AppSettings;
  readonly #auth: SyncAuth;
  #connection: WebSocketClass | "paused" | null;
  readonly #stopAuthListener: () => void;
  #engine: SyncEngine | undefined;
  #stopEngineListener: (() => void) | undefined;
  #status: AppSyncStatus = { kind: "local-only" };
  readonly #listeners = new Set<() => void>();
  readonly #watched = new Set<string>();
  readonly #liveListeners = new Set<(docId: string, plaintext: Uint8Array) => void>();
  readonly #watcherListeners = new Set<(docId: string, count: number) => void>();
  #stopLive: (() => void) | undefined;
  /** Starts and stops happen one after another. */
  #queue: Promise<void> = Promise.resolve();
  readonly #onNetwork = () => this.#reconcile();

  constructor(vault: Vault, settings: AppSettings, auth: SyncAuth) {
    this.#vault = vault;
    this.#settings = settings;
    this.#auth = auth;
    this.#connection = auth.connection;
    this.#stopAuthListener = auth.subscribe(() => {
      if (auth.connection === this.#connection) return;
      this.#connection = auth.connection;
      this.#enqueue(() => this.#stop(true));
      this.#reconcile();
    });
    if (!settings.localOnly) {
      this.#status = navigator.onLine
        ? { kind: "connecting", pending: 0 }
        : { kind: "offline", pending: 0 };
    }
    window.addEventListener("online", this.#onNetwork);
    window.addEventListener("offline", this.#onNetwork);
    this.#reconcile();
  }

  /** The current status. */
  get status(): AppSyncStatus {
    return this.#status;
  }

  /** The relay this vault syncs with (whether or not sync is on). */
  get url(): string {
    return this.#settings.relayUrl ?? sameOriginRelayUrl();
  }

  /** Calls `listener` on every status change; returns an unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Applies new settings (restarts sync when the relay or local-only mode changed). */
  update(settings: AppSettings): void {
    const restart =
      settings.relayUrl !== this.#settings.relayUrl ||
      settings.localOnly !== this.#settings.localOnly;
    this.#settings = settings;
    if (restart) {
      this.#enqueue(() => this.#stop(true));
      this.#reconcile();
    }
  }

  /** Resolves when sync is in step, or rejects after `timeoutMs`. */
  async whenSynced(timeoutMs: number): Promise<void> {
    await this.#queue;
    if (!this.#engine) throw new Error("sync is off");
    await this.#engine.whenSynced(timeoutMs);
  }

  /** A client of the relay's share endpoints, presenting the account's token when signed in. */
  shareClient(): ShareClient {
    return new ShareClient({ baseUrl: this.url, accessToken: () => this.#auth.accessToken() });
  }

  /** Starts or stops watching `docId`'s live seconds (kept across restarts of sync). */
  watch(docId: string, on: boolean): void {
    if (on) this.#watched.add(docId);
    else this.#watched.delete(docId);
    this.#engine?.watch(docId, on);
  }

  /** How many devices watch `docId`, as the relay last said (0 while sync is off). */
  watchers(docId: string): number {
    return this.#stopLive ? (this.#engine?.watchers(docId) ?? 0) : 0;
  }

  /** Calls `listener` when a document's watcher count changes; returns an unsubscribe. */
  onWatchers(listener: (docId: string, count: number) => void): () => void {
    this.#watcherListeners.add(listener);
    return () => this.#watcherListeners.delete(listener);
  }

  /** Sends one live message iff connected and watched; says whether it did. */
  sendLive(docId: string, plaintext: Uint8Array): boolean {
    return this.#stopLive ? (this.#engine?.sendLive(docId, plaintext) ?? false) : false;
  }

  /** Calls `listener` with each live message that arrives; returns an unsubscribe. */
  onLive(listener: (docId: string, plaintext: Uint8Array) => void): () => void {
    this.#liveListeners.add(listener);
    return () => this.#liveListeners.delete(listener);
  }

  /** Stops sync for good. */
  async dispose(): Promise<void> {
    this.#stopAuthListener();
    window.removeEventListener("online", this.#onNetwork);
    window.removeEventListener("offline", this.#onNetwork);
    this.#enqueue(() => this.#stop(true));
    await this.#queue;
    this.#listeners.clear();
  }

  #reconcile(): void {
    this.#enqueue(async () => {
      const paused = this.#connection === "paused";
      const wanted = !this.#settings.localOnly && navigator.onLine && !paused;
      if (!wanted) {
        const pending = this.#engine?.status.pending ?? 0;
        await this.#stop();
        this.#publish(
          this.#settings.localOnly
            ? { kind: "local-only" }
            : paused
              ? { kind: "signed-out" }
              : { kind: "offline", pending },
        );
        return;
      }
      await this.#start();
    });
  }

  /** Runs `step` after the previous ones; a failure shows as the sync error, never stalls. */
  #enqueue(step: () => Promise<void>): void {
    this.#queue = this.#queue.then(step).catch((error: unknown) => {
      this.#publish({ kind: "error", message: (error as Error).message, pending: 0 });
    });
  }

  async #start(): Promise<void> {
    if (this.#engine && this.#stopEngineListener) return;
    const connection = this.#connection;
    this.#engine ??= await startSync(this.#vault, {
      url: this.url,
      WebSocket:
        connection === null || connection === "paused"
          ? shareHolderWebSocket(globalThis.WebSocket as unknown as WebSocketWithProtocols)
          : connection,
      shareClient: this.shareClient(),
      backoff: { minMs: 500, maxMs: 15_000 },
    });
    const engine = this.#engine;
    this.#stopEngineListener = engine.onStatus(() => this.#fromEngine(engine));
    this.#attachLive(engine);
    await engine.start();
    this.#fromEngine(engine);
  }

  /** Disconnects; `forget` drops the engine, whose URL is fixed, so a new one is made. */
  async #stop(forget = false): Promise<void> {
    this.#stopEngineListener?.();
    this.#stopEngineListener = undefined;
    this.#stopLive?.();
    this.#stopLive = undefined;
    for (const docId of this.#watched) this.#emitWatchers(docId, 0);
    const engine = this.#engine;
    if (!engine) return;
    await engine.stop();
    if (forget) this.#engine = undefined;
  }

  #attachLive(engine: SyncEngine): void {
    this.#stopLive?.();
    for (const docId of this.#watched) engine.watch(docId, true);
    const stopLive = engine.onLive((docId, plaintext) => {
      for (const listener of this.#liveListeners) listener(docId, plaintext);
    });
    const stopWatchers = engine.onWatchers((docId, count) => this.#emitWatchers(docId, count));
    this.#stopLive = () => {
      stopLive();
      stopWatchers();
    };
  }

  #emitWatchers(docId: string, count: number): void {
    for (const listener of this.#watcherListeners) listener(docId, count);
  }

  #fromEngine(engine: SyncEngine): void {
    const { state, pending, lastError, lastSyncedAt } = engine.status;
    if (state === "synced") this.#publish({ kind: "synced", at: lastSyncedAt });
    else if (
      this.#auth.connection === null &&
      lastError?.code === "forbidden" &&
      /needs an account/.test(lastError.message)
    )
      this.#publish({ kind: "account-needed", pending });
    else if (lastError && state !== "syncing") {
      this.#publish({ kind: "error", message: lastError.message, pending });
      this.#auth.syncFailed();
    } else if (state === "offline") this.#publish({ kind: "connecting", pending });
    else this.#publish({ kind: state, pending });
  }

  #publish(status: AppSyncStatus): void {
    if (JSON.stringify(status) === JSON.stringify(this.#status)) return;
    this.#status = status;
    for (const listener of this.#listeners) listener();
  }
}
