/**
 * Wires a relay together: store, envelope inspector, protocol decisions, metrics, logs and
 * the network server. `main.ts` calls it with configuration; tests call it with a store of
 * their choosing.
 */
import { hashAccessSecret, loadSodium } from "@ridevault/core/protocol";
import { createRelayAccounts, type RelayAccountsOptions } from "./accounts/relay-accounts.js";
import { createEnvelopeInspector } from "./envelope-inspector.js";
import { createShareRoutes } from "./http/share-routes.js";
import { type Logger, silentLogger } from "./log.js";
import { RelayMetrics } from "./metrics.js";
import { type AccessPolicy, Relay } from "./relay.js";
import {
  type RelayServer,
  type RelayServerOptions,
  startRelayServer,
} from "./server/relay-server.js";
import type { ChangeFeed } from "./store/change-feed.js";
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
  /** Serves paths other than the relay's own (e.g. `createStaticFiles` for the app). */
  readonly fallback?: RelayServerOptions["fallback"];
  /**
   * Accounts (endpoints, tokens, account-aware policy, per-account quotas counted in
   * `store`); replaces `policy`. None by default.
   */
  readonly accounts?: Omit<RelayAccountsOptions, "allowedOrigins">;
  /**
   * The store's change feed when several instances share the store (PostgreSQL's
   * `changeFeed()`): started before serving, stopped on close; `/health` is unhealthy while
   * it reconnects.
   */
  readonly feed?: ChangeFeed;
  /** Answers `/health` (default: the store answers `stats()`). */
  readonly healthy?: () => Promise<boolean>;
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
  const accounts =
    options.accounts &&
    createRelayAccounts(
      {
        ...options.accounts,
        ...(options.allowedOrigins !== undefined && { allowedOrigins: options.allowedOrigins }),
      },
      options.store,
    );
  const policy = accounts?.policy ?? options.policy;
  const relay = new Relay({
    store: options.store,
    inspector: createEnvelopeInspector(sodium),
    hashAccessSecret: (secret) => hashAccessSecret(sodium, secret),
    metrics,
    ...(policy && { policy }),
    ...(options.feed && { feed: options.feed }),
  });
  await relay.start();
  const shareRoutes = createShareRoutes({
    store: options.store,
    sodium,
    hashCapability: (capability) => hashAccessSecret(sodium, capability),
    revoked: (grantIds) => relay.revokeGrants(grantIds),
    ...(options.allowedOrigins !== undefined && { allowedOrigins: options.allowedOrigins }),
    ...(accounts && {
      authenticate: async (token: string) => {
        const caller = await accounts.service.authenticate(token);
        return caller.ok ? caller.value.accountId : null;
      },
    }),
  });
  const accountRoutes = accounts?.routes;
  const routes: NonNullable<RelayServerOptions["routes"]> = async (request, response) =>
    (await shareRoutes(request, response)) ||
    (accountRoutes !== undefined && (await accountRoutes(request, response)));
  const storeHealthy =
    options.healthy ??
    (async () =>
      await options.store
        .stats()
        .then(() => true)
        .catch(() => false));
  const server = await startRelayServer({
    relay,
    metrics,
    logger,
    ...(options.host !== undefined && { host: options.host }),
    ...(options.port !== undefined && { port: options.port }),
    ...(options.allowedOrigins !== undefined && { allowedOrigins: options.allowedOrigins }),
    ...(options.maxBufferedBytes !== undefined && { maxBufferedBytes: options.maxBufferedBytes }),
    ...(options.fallback !== undefined && { fallback: options.fallback }),
    routes,
    ...(accounts && {
      authenticateUpgrade: accounts.policy.authenticateUpgrade,
      onSignedOut: accounts.policy.onSignedOut,
      sessionCheck: {
        intervalMs: options.accounts?.sessionCheckMs ?? 5_000,
        inactive: accounts.policy.inactiveSessions,
      },
    }),
    healthy: async () => (options.feed?.listening ?? true) && (await storeHealthy()),
  });
  return {
    url: server.url,
    port: server.port,
    metrics,
    async close() {
      await server.close();
      await accounts?.close();
      await options.feed?.stop();
      await options.store.close();
    },
  };
}
