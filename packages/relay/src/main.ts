#!/usr/bin/env node
/**
 * `ridevault-relay`: reads configuration, opens the SQLite store under the data directory,
 * serves, and shuts down gracefully on SIGINT/SIGTERM (drains connections, then closes the
 * store).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { readConfig } from "./config.js";
import { createLogger } from "./log.js";
import { startRelay } from "./start-relay.js";
import { openSqliteRelayStore } from "./store/sqlite-relay-store.js";

const config = readConfig(process.argv.slice(2), process.env);
if (!config.ok) {
  process.stderr.write(`ridevault-relay: ${config.message}\n`);
  process.exit(2);
}
const { dataDir, host, port, allowedOrigins, maxBufferedBytes, logLevel } = config.value;
const logger = createLogger(logLevel);
mkdirSync(dataDir, { recursive: true });
const file = path.join(dataDir, "relay.sqlite");
const opened = await openSqliteRelayStore({ path: file });
if (!opened.ok) {
  logger.log("error", "store-open-failed", { message: opened.error.message });
  process.exit(1);
}
const relay = await startRelay({
  store: opened.value,
  host,
  port,
  allowedOrigins,
  maxBufferedBytes,
  logger,
});
logger.log("info", "relay-ready", { url: relay.url, store: file });
// Machine-readable for scripts and tests that start the relay on port 0.
process.stdout.write(`${JSON.stringify({ ready: relay.url })}\n`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.log("info", "shutting-down", { signal });
    void relay.close().then(() => process.exit(0));
  });
}
