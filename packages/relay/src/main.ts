#!/usr/bin/env node
/**
 * `ridevault-relay`: reads configuration, opens the store (SQLite under the data directory,
 * or PostgreSQL with `DATABASE_URL`, shared by several instances), serves, and shuts down gracefully on SIGINT/SIGTERM (drains connections, then closes the
 * store). `ridevault-relay backup DEST` backs up a running SQLite relay instead
 * (`admin/backup-command.ts`).
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { openConfiguredAccounts } from "./accounts/open-accounts.js";
import { runBackupCommand } from "./admin/backup-command.js";
import { readConfig } from "./config.js";
import { createLogger } from "./log.js";
import { createStaticFiles } from "./server/static-files.js";
import { startRelay } from "./start-relay.js";
import { openConfiguredStore } from "./store/open-configured-store.js";

if (process.argv[2] === "backup") {
  process.exit(
    await runBackupCommand(process.argv.slice(3), process.env, {
      out: (line) => process.stdout.write(`${line}\n`),
      error: (line) => process.stderr.write(`${line}\n`),
    }),
  );
}

const config = readConfig(process.argv.slice(2), process.env);
if (!config.ok) {
  process.stderr.write(`ridevault-relay: ${config.message}\n`);
  process.exit(2);
}
const { dataDir, host, port, allowedOrigins, maxBufferedBytes, logLevel, appDir } = config.value;
const logger = createLogger(logLevel);
if (appDir !== null && !existsSync(path.join(appDir, "index.html"))) {
  process.stderr.write(
    `ridevault-relay: --app-dir ${appDir} has no index.html; build the app first (npm start does)\n`,
  );
  process.exit(2);
}
mkdirSync(dataDir, { recursive: true });
const opened = await openConfiguredStore(config.value);
if (!opened.ok) {
  logger.log("error", "store-open-failed", { message: opened.error.message });
  process.exit(1);
}
const accounts = await openConfiguredAccounts({ ...config.value });
if (!accounts.ok) {
  logger.log("error", "accounts-open-failed", { message: accounts.error.message });
  process.exit(1);
}
const relay = await startRelay({
  store: opened.value.store,
  ...(opened.value.feed && { feed: opened.value.feed }),
  ...(opened.value.healthy && { healthy: opened.value.healthy }),
  host,
  port,
  allowedOrigins,
  maxBufferedBytes,
  logger,
  ...(appDir !== null && { fallback: createStaticFiles({ root: appDir }) }),
  ...(accounts.value && { accounts: accounts.value }),
});
logger.log("info", "relay-ready", {
  url: relay.url,
  store: opened.value.location,
  app: appDir,
  accounts: config.value.accounts,
});
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
