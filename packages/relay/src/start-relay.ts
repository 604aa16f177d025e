/**
 * Wires a relay together: store, envelope inspector, protocol decisions, metrics, logs and
 * the network server. `main.ts` calls it with configuration; tests call it with a store of
 * their choosing.
 */
import { hashAccessSecret, loadSodium } from "@ridevault/core/protocol";
import { createEnvelopeInspector } from "./envelope-inspector.js";
import { type Logger, silentLogger } from "./log.js";
import { RelayMetrics } from "./metrics.js";
import { type AccessPolicy, Relay } from "./relay.js";
import { type RelayServer, startRelayServer } from "./server/relay-server.js";
import type { RelayStore } from "./store/relay-store.js";

/** Options of `startRelay`. */
export interface StartRelayOptions {
  readonly store: RelayStore;
  readonly host?: string;
  readonly port?: number;
  readonly allowedOrigins?: readonly string[] | null;
  readonly maxBufferedBytes?: number;
  readonly policy?: AccessPolicy;
  readonly logger?: Logger;
}

/** A running relay: its server, metrics, and a `close` that drains and closes the store. */
export interface RunningRelay extends RelayServer {
  readonly metrics: RelayMetrics;
}

/** Starts a relay over `options.store`. `close()` stops the server, then closes the store. */
export async function startRelay(options: StartRelayOptions): Promise<RunningRelay> {
  const sodium = await loadSodium();
  const metrics = new RelayMetrics();
  const logger = options.logger ?? silentLogger;
  const relay = new Relay({
    store: options.store,
    inspector: createEnvelopeInspector(sodium),
    hashAccessSecret: (secret) => hashAccessSecret(sodium, secret),
    metrics,
    ...(options.policy && { policy: options.policy }),
  });
  const server = await startRelayServer({
    relay,
    metrics,
    logger,
    ...(options.host !== undefined && { host: options.host }),
    ...(options.port !== undefined && { port: options.port }),
    ...(options.allowedOrigins !== undefined && { allowedOrigins: options.allowedOrigins }),
    ...(options.maxBufferedBytes !== undefined && { maxBufferedBytes: options.maxBufferedBytes }),
    healthy: async () =>
      await options.store
        .stats()
        .then(() => true)
        .catch(() => false),
  });
  return {
    url: server.url,
    port: server.port,
    metrics,
    async close() {
      await server.close();
      await options.store.close();
    },
  };
}
