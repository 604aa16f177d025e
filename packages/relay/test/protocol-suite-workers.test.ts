/**
 * The relay protocol suite (`protocol-suite.ts`) against the Workers relay: the bundled
 * Worker in workerd through miniflare, on 127.0.0.1 and a free port, with its Durable
 * Objects persisted in a temporary directory; a restart disposes workerd and starts it again
 * on the same directory and port.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runRelayProtocolTests, type StartRelayOptions } from "./protocol-suite.js";
import { bundleWorker, startWorkerd, type Workerd } from "./workers-runtime.js";

const entry = fileURLToPath(new URL("../src/workers/worker.ts", import.meta.url));
let script: Promise<string> | undefined;

async function startWorkersRelay(options: StartRelayOptions = {}) {
  script ??= bundleWorker(entry);
  const bundled = await script;
  const persistDir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-protocol-workers-"));
  const bindings: Record<string, string> =
    options.maxBufferedBytes === undefined
      ? {}
      : { MAX_BUFFERED_BYTES: String(options.maxBufferedBytes) };
  const start = async (port?: number) =>
    startWorkerd({
      script: bundled,
      persistDir,
      bindings,
      ...(port !== undefined && { port }),
    });
  let workerd: Workerd | undefined;
  try {
    workerd = await start();
  } catch (error) {
    await fs.rm(persistDir, { recursive: true, force: true });
    throw error;
  }
  const port = Number(workerd.url.port);
  return {
    url: `ws://127.0.0.1:${port}/sync`,
    async restart() {
      await workerd?.dispose();
      workerd = undefined;
      workerd = await start(port);
    },
    async close() {
      await workerd?.dispose();
      await fs.rm(persistDir, { recursive: true, force: true });
    },
  };
}

runRelayProtocolTests("the Workers relay (workerd through miniflare)", startWorkersRelay, {
  watcherCounts: true,
  churnRetries: 3,
});
