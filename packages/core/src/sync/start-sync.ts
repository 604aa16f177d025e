/**
 * Starting sync for a vault: `startSync(vault, { url, WebSocket })`. In browsers pass
 * `globalThis.WebSocket`; in Node pass the `ws` package's `WebSocket`.
 */
import { ShareClient } from "../sharing/share-client.js";
import type { Vault } from "../vault/vault.js";
import { SyncEngine, type SyncOptions } from "./sync-engine.js";
import { type Transport, type WebSocketClass, webSocketTransport } from "./transport.js";

/** Options of `startSync`: a relay URL and a WebSocket class (or any transport). */
export type StartSyncOptions = Omit<SyncOptions, "source" | "transport"> &
  ({ readonly WebSocket: WebSocketClass } | { readonly transport: Transport }) & {
    /**
     * Where shares' keys are fetched again after a rotation; by default the relay at `url`,
     * with `token`. Pass one with the account's access token when the token travels in the
     * WebSocket (an `AccountSession`), so shares made for this rider's account refresh too.
     */
    readonly shareClient?: ShareClient;
  };

/** Starts keeping `vault` in step with the relay at `options.url`; stop with `engine.stop()`. */
export async function startSync(vault: Vault, options: StartSyncOptions): Promise<SyncEngine> {
  const transport =
    "transport" in options ? options.transport : webSocketTransport(options.WebSocket);
  // Holders of shares fetch keys again through the same relay's HTTP side.
  const shareClient =
    options.shareClient ??
    new ShareClient({ baseUrl: options.url, ...(options.token && { accessToken: options.token }) });
  const engine = new SyncEngine({
    ...options,
    source: vault.syncSource({ shareClient }),
    transport,
  });
  await engine.start();
  return engine;
}
