// A server process for the relay benchmarks (bench/relay.mjs, bench/catchup.mjs), driven over
// IPC by the parent, so the load generator or device under test runs on the other core:
//   { cmd: "start", kind: "relay" | "relay-postgres" | "bare", dir, databaseUrl? } → { url }
//       relay: the real relay (startRelay) over openSqliteRelayStore in `dir`;
//       relay-postgres: the real relay over openPostgresRelayStore at `databaseUrl`, with
//              its change feed (one of several instances sharing the database);
//       bare:  a bare `ws` server on the same options (no storage, no checks) that answers
//              every frame with one constant ack frame.
//   { cmd: "mark" } → this process's CPU time, event-loop utilisation, time spent in Ed25519
//       verification (the relay's only crypto) and store counters, for deltas between marks;
//       and, since the previous mark, the slowest SQLite commit and WAL checkpoint (timed by
//       wrapping better-sqlite3 here, in the benchmark only) and event-loop delay p99/max.
//   { cmd: "stop" } → closes the server (and the store); { cmd: "exit" } ends the process.
// Not a benchmark on its own (the dot in its name keeps `npm run bench` from running it).

import { createServer } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { encodeRelayMessage, loadSodium, MAX_FRAME_BYTES } from "../packages/core/dist/protocol.js";
import { startRelay } from "../packages/relay/dist/start-relay.js";
import { openPostgresRelayStore } from "../packages/relay/dist/store/postgres/postgres-relay-store.js";
import { openSqliteRelayStore } from "../packages/relay/dist/store/sqlite-relay-store.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../packages/relay/package.json"));
const { WebSocketServer } = require("ws");
// The same module instance the store imports.
const Database = require("better-sqlite3");

// Commit and checkpoint durations since the last mark (the store's transactions and its
// `wal_checkpoint` pragma are the only places it waits for the disk).
let window = freshWindow();
function freshWindow() {
  return {
    commits: 0,
    commitMs: 0,
    commitMax: 0,
    slowCommits: 0,
    checkpoints: 0,
    checkpointMax: 0,
  };
}
// A transaction ends with its COMMIT statement's run(): that is where SQLite writes and
// syncs the WAL (synchronous=FULL).
const probe = new Database(":memory:");
const statementPrototype = Object.getPrototypeOf(probe.prepare("SELECT 1"));
probe.close();
const run = statementPrototype.run;
statementPrototype.run = function timedRun(...args) {
  if (this.source !== "COMMIT") return run.apply(this, args);
  const t = performance.now();
  try {
    return run.apply(this, args);
  } finally {
    const ms = performance.now() - t;
    window.commits++;
    window.commitMs += ms;
    window.commitMax = Math.max(window.commitMax, ms);
    if (ms > 10) window.slowCommits++;
  }
};
const pragma = Database.prototype.pragma;
Database.prototype.pragma = function timedPragma(source, options) {
  const t = performance.now();
  try {
    return pragma.call(this, source, options);
  } finally {
    if (String(source).startsWith("wal_checkpoint")) {
      window.checkpoints++;
      window.checkpointMax = Math.max(window.checkpointMax, performance.now() - t);
    }
  }
};
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

// Time every signature check the relay makes. startRelay loads the same (cached) sodium object.
const sodium = await loadSodium();
const verifyDetached = sodium.crypto_sign_verify_detached;
let verifyMs = 0;
let verifyCount = 0;
sodium.crypto_sign_verify_detached = (...args) => {
  const t = performance.now();
  try {
    return verifyDetached.apply(sodium, args);
  } finally {
    verifyMs += performance.now() - t;
    verifyCount++;
  }
};

let server;
let store;

async function startBare() {
  const ack = encodeRelayMessage({
    type: "ack",
    id: 1,
    docId: "BareServerDocument1234",
    seq: 1,
    duplicate: false,
  });
  const http = createServer((_request, response) => {
    response.writeHead(404);
    response.end();
  });
  const wss = new WebSocketServer({
    server: http,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
  });
  wss.on("connection", (ws) => {
    ws.on("message", () => ws.send(ack));
    ws.on("error", () => undefined);
  });
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address();
  return {
    url: `ws://127.0.0.1:${port}/sync`,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

async function start({ kind, dir, databaseUrl }) {
  if (kind === "bare") {
    server = await startBare();
    store = undefined;
    return { url: server.url };
  }
  if (kind === "relay-postgres") {
    const opened = await openPostgresRelayStore({ url: databaseUrl });
    if (!opened.ok) throw new Error(opened.error.message);
    store = opened.value;
    server = await startRelay({ store, port: 0, feed: store.changeFeed() });
    return { url: server.url };
  }
  const opened = await openSqliteRelayStore({ path: path.join(dir, "relay.db") });
  if (!opened.ok) throw new Error(opened.error.message);
  store = opened.value;
  const settings = store.settings();
  server = await startRelay({ store, port: 0 });
  return { url: server.url, settings };
}

function mark() {
  const since = window;
  window = freshWindow();
  const loop = { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 };
  loopDelay.reset();
  return {
    since,
    loop,
    cpu: process.cpuUsage(),
    elu: performance.eventLoopUtilization(),
    at: performance.now(),
    verifyMs,
    verifyCount,
    counters: store?.counters ?? null,
    rssMb: process.memoryUsage().rss / 1024 / 1024,
  };
}

process.on("message", (message) => {
  const reply = (value) => process.send({ id: message.id, ...value });
  const fail = (error) => reply({ error: String(error?.stack ?? error) });
  switch (message.cmd) {
    case "start":
      start(message).then(reply, fail);
      break;
    case "mark":
      reply(mark());
      break;
    case "stop":
      Promise.resolve(server?.close())
        .then(() => {
          server = undefined;
          store = undefined;
          reply({});
        })
        .catch(fail);
      break;
    case "exit":
      reply({});
      process.disconnect();
      break;
  }
});
// Never outlive the parent.
process.on("disconnect", () => {
  void Promise.resolve(server?.close()).finally(() => process.exit(0));
});
process.send({ ready: true });
