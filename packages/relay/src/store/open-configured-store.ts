/**
 * Opens the store the configuration selects: PostgreSQL when a database URL is given (then
 * with its change feed, so several instances can share it), else the SQLite file under the
 * data directory. `main.ts` calls it; the result plugs straight into `startRelay`.
 */
import path from "node:path";
import { err, ok, type Result } from "@ridevault/core/protocol";
import type { ChangeFeed } from "./change-feed.js";
import { describeUrl } from "./postgres/postgres-connection.js";
import { openPostgresRelayStore } from "./postgres/postgres-relay-store.js";
import type { RelayStore } from "./relay-store.js";
import { openSqliteRelayStore } from "./sqlite-relay-store.js";

/** The settings `openConfiguredStore` reads (a subset of `RelayConfig`). */
export interface StoreConfig {
  readonly dataDir: string;
  readonly databaseUrl: string | null;
}

/** An open store, what `startRelay` needs besides it, and a description for the logs. */
export interface ConfiguredStore {
  readonly store: RelayStore;
  readonly feed?: ChangeFeed;
  readonly healthy?: () => Promise<boolean>;
  /** The SQLite file, or the database URL without its password. */
  readonly location: string;
}

/** The store could not be opened; the message says why and what to check. */
export interface ConfiguredStoreError {
  readonly code: "open-failed";
  readonly message: string;
}

/** Opens the configured store (the data directory must exist for SQLite). */
export async function openConfiguredStore(
  config: StoreConfig,
): Promise<Result<ConfiguredStore, ConfiguredStoreError>> {
  if (config.databaseUrl !== null) {
    const opened = await openPostgresRelayStore({ url: config.databaseUrl });
    if (!opened.ok) return err({ code: "open-failed", message: opened.error.message });
    const store = opened.value;
    return ok({
      store,
      feed: store.changeFeed(),
      healthy: () => store.ping().catch(() => false),
      location: describeUrl(config.databaseUrl),
    });
  }
  const file = path.join(config.dataDir, "relay.sqlite");
  const opened = await openSqliteRelayStore({ path: file });
  if (!opened.ok) return err({ code: "open-failed", message: opened.error.message });
  return ok({ store: opened.value, location: file });
}
