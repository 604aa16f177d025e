/**
 * The relay protocol suite (`protocol-suite.ts`) against the Node relay: the built
 * `ridevault-relay` binary as a child process, on a real SQLite file in a temporary
 * directory, on 127.0.0.1 and a free port; a restart stops it (SIGTERM) and starts it again
 * on the same directory and port.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runRelayProtocolTests, type StartRelayOptions } from "./protocol-suite.js";
import { type RelayProcess, startRelayProcess } from "./relay-process.js";

async function startNodeRelay(options: StartRelayOptions = {}) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-protocol-node-"));
  const flags =
    options.maxBufferedBytes === undefined
      ? []
      : ["--max-buffered-bytes", String(options.maxBufferedBytes)];
  let running: RelayProcess | undefined;
  try {
    running = await startRelayProcess(dir, 0, flags);
  } catch (error) {
    await fs.rm(dir, { recursive: true, force: true });
    throw error;
  }
  const url = running.url;
  const port = Number(new URL(url).port);
  return {
    url,
    async restart() {
      await running?.stop();
      running = undefined;
      running = await startRelayProcess(dir, port, flags);
    },
    async close() {
      await running?.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

runRelayProtocolTests("the Node relay (a process on SQLite)", startNodeRelay, {
  watcherCounts: true,
  churnRetries: 0,
});
