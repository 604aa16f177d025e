/**
 * Starting sync for a vault: `startSync(vault, { url, WebSocket })`. In browsers pass
 * `globalThis.WebSocket`; in Node pass the `ws` package's `WebSocket`.
 */
import type { Vault } from "../vault/vault.js";
import { SyncEngine, type SyncOptions } from "./sync-engine.js";
import { type Transport, type WebSocketClass, webSocketTransport } from "./transport.js";

/** Options of `startSync`: a relay URL and a WebSocket class (or any transport). */
export type StartSyncOptions = Omit<SyncOptions, "source" | "transport"> &
  ({ readonly WebSocket: WebSocketClass } | { readonly transport: Transport });

/** Starts keeping `vault` in step with the relay at `options.url`; stop with `engine.stop()`. */
export async function startSync(vault: Vault, options: StartSyncOptions): Promise<SyncEngine> {
  const transport =
    "transport" in options ? options.transport : webSocketTransport(options.WebSocket);
  const engine = new SyncEngine({ ...options, source: vault.syncSource(), transport });
  await engine.start();
  return engine;
}
