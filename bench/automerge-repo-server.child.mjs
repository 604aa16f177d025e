// An automerge-repo sync server for bench/catchup.mjs, in its own process, driven over IPC:
//   { cmd: "start", dir, savedDir, ids } → { url, urls, heads, documents, bytes, importMs }
//       a `Repo` with NodeFS storage in `dir` and the WebSocket server adapter on a `ws`
//       server at 127.0.0.1 (port 0), sharing only what a peer asks for by id (a sync
//       server's share policy); then `repo.import(bytes)` of every saved workout
//       (`workout.save()` from the recording device, one file per id in `savedDir`) and
//       `repo.flush()`. `urls[i]` is the document imported from `ids[i]`, `heads[i]` its heads
//       (hex), so a client can tell when it holds all of it.
//   { cmd: "mark" } → this process's CPU time and event-loop utilisation, plus the time spent
//       in Automerge.receiveSyncMessage (the repo's own "doc-metrics"), for deltas.
//   { cmd: "exit" } → shuts the repo and the server down and ends the process.
// Not a benchmark on its own (the dot in its name keeps `npm run bench` from running it).
import { promises as fs } from "node:fs";
import path from "node:path";
import * as Automerge from "@automerge/automerge";
import { Repo } from "@automerge/automerge-repo";
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { WebSocketServer } from "ws";

let repo;
let wss;
const metrics = { receiveMs: 0, receives: 0 };

async function start({ dir, savedDir, ids }) {
  wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const { port } = wss.address();
  repo = new Repo({
    storage: new NodeFSStorageAdapter(dir),
    network: [new WebSocketServerAdapter(wss)],
    sharePolicy: async () => false,
  });
  repo.on("doc-metrics", (event) => {
    if (event.type !== "receive-sync-message") return;
    metrics.receiveMs += event.durationMillis;
    metrics.receives++;
  });
  const t = performance.now();
  const urls = [];
  const heads = [];
  let bytes = 0;
  for (const id of ids) {
    const saved = new Uint8Array(await fs.readFile(path.join(savedDir, id)));
    bytes += saved.length;
    const handle = repo.import(saved);
    urls.push(handle.url);
    heads.push(Automerge.getHeads(handle.doc()));
  }
  await repo.flush();
  const importMs = performance.now() - t;
  return { url: `ws://127.0.0.1:${port}`, urls, heads, documents: ids.length, bytes, importMs };
}

function mark() {
  return {
    cpu: process.cpuUsage(),
    elu: performance.eventLoopUtilization(),
    at: performance.now(),
    receiveMs: metrics.receiveMs,
    receives: metrics.receives,
    rssMb: process.memoryUsage().rss / 1024 / 1024,
  };
}

async function close() {
  const closing = repo?.shutdown().catch(() => undefined);
  repo = undefined;
  if (wss) {
    for (const ws of wss.clients) ws.terminate();
    await new Promise((resolve) => wss.close(() => resolve()));
    wss = undefined;
  }
  // Bounded: a shutdown that hangs must not keep the process alive.
  await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
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
    case "exit":
      // Replies once closed; disconnecting then ends the process (below).
      void close().finally(() => {
        reply({});
        process.disconnect();
      });
      break;
  }
});
// Never outlive the parent.
process.on("disconnect", () => {
  void close().finally(() => process.exit(0));
});
process.send({ ready: true });
