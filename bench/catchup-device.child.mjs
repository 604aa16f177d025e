// A fresh device for bench/catchup.mjs, in its own process so "cold" means cold. Arguments:
// a JSON file { url, invite, ids, savedDir, repo: { url, urls, heads } } and the order of its
// two measurements: "catchup-first" or "floor-first" (ridevault), "repo-first" or
// "floor-then-repo" (automerge-repo):
//   catch-up: openVault({ join: invite }) in memory, then the time from startSync until
//             whenSynced() and every workout opens (vault.workouts.open(id) ok, 60 chunks);
//   repo:     a fresh automerge-repo `Repo` (in-memory storage: ridevault's
//             MemoryStorageAdapter, which has the same StorageAdapter shape) with the
//             WebSocket client adapter to the automerge-repo sync server; the time from
//             creating it until `repo.find(url)` resolved for every document, each holds all
//             of the server's changes (its heads) and every document reads as a workout with
//             its chunks. `repo.flush()` afterwards is timed apart (not in the total);
//   floor:    Automerge.load of the same documents from their saved bytes (read beforehand).
// Prints one JSON object. Not a benchmark on its own.
import { promises as fs } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  startSync,
  webSocketTransport,
} from "../packages/core/dist/index.js";
import { loadSodium } from "../packages/core/dist/protocol.js";
import * as Automerge from "../packages/core/node_modules/@automerge/automerge/dist/mjs/entrypoints/fullfat_node.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../packages/relay/package.json"));
const { WebSocket } = require("ws");

const [configPath, order] = process.argv.slice(2);
const config = JSON.parse(await fs.readFile(configPath, "utf8"));
const ORDERS = ["catchup-first", "floor-first", "repo-first", "floor-then-repo"];
if (!ORDERS.includes(order)) throw new Error(`unknown order "${order}"`);
// automerge-repo is loaded only by the processes that measure it (the ridevault ones stay as
// they were), and before any measurement, as ridevault's modules are.
const repoLib = order.includes("repo")
  ? {
      ...(await import("@automerge/automerge-repo")),
      ...(await import("@automerge/automerge-repo-network-websocket")),
    }
  : undefined;
const saved = await Promise.all(
  config.ids.map(async (id) => new Uint8Array(await fs.readFile(path.join(config.savedDir, id)))),
);

// Where the device's time goes: signature checks and decryption (libsodium), and merging
// (the vault's merge, which runs Automerge). Wrapped here, in the benchmark only.
const sodium = await loadSodium();
const spent = { verifyMs: 0, decryptMs: 0, mergeMs: 0, merges: 0 };
for (const [name, field] of [
  ["crypto_sign_verify_detached", "verifyMs"],
  ["crypto_aead_xchacha20poly1305_ietf_decrypt", "decryptMs"],
]) {
  const original = sodium[name];
  sodium[name] = (...args) => {
    const t = performance.now();
    try {
      return original.apply(sodium, args);
    } finally {
      spent[field] += performance.now() - t;
    }
  };
}

function floor() {
  const t = performance.now();
  for (const bytes of saved) Automerge.load(bytes);
  const ms = performance.now() - t;
  return { ms, documents: saved.length, bytes: saved.reduce((n, b) => n + b.length, 0) };
}

async function catchUp() {
  const vault = (
    await openVault({
      storage: new MemoryStorageAdapter(),
      crashLog: new MemoryCrashLog(),
      join: config.invite,
    })
  ).value;
  const before = { ...spent };
  const received = { frames: 0, bytes: 0, lastAt: 0 };
  const inner = webSocketTransport(WebSocket);
  const transport = (url, events) =>
    inner(url, {
      ...events,
      frame(frame) {
        received.frames++;
        received.bytes += frame.length;
        received.lastAt = performance.now();
        events.frame(frame);
      },
    });
  const syncSource = vault.syncSource.bind(vault);
  vault.syncSource = () => {
    const source = syncSource();
    return {
      ...source,
      async merge(docId, changes) {
        const t = performance.now();
        try {
          return await source.merge(docId, changes);
        } finally {
          spent.mergeMs += performance.now() - t;
          spent.merges++;
        }
      },
    };
  };
  const profiler = await startWindowProfile();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const engine = await startSync(vault, { url: config.url, transport });
  await engine.whenSynced(120_000);
  const syncedAt = performance.now();
  const entries = vault.workouts.list();
  let chunks = 0;
  for (const entry of entries) {
    const opened = await vault.workouts.open(entry.id);
    if (!opened.ok) throw new Error(`open ${entry.id}: ${opened.error.message}`);
    chunks += opened.value.chunkCount;
  }
  const openedAt = performance.now();
  const cpuUsed = process.cpuUsage(cpu);
  await profiler?.stop();
  const missing = config.ids.filter((id) => !entries.some((e) => e.id === id));
  const lastError = engine.status.lastError;
  await engine.stop();
  await vault.close();
  return {
    totalMs: openedAt - t0,
    syncedMs: syncedAt - t0,
    openMs: openedAt - syncedAt,
    lastFrameMs: received.lastAt - t0,
    cpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
    workouts: entries.length,
    chunks,
    missing: missing.length,
    lastError,
    frames: received.frames,
    bytes: received.bytes,
    verifyMs: spent.verifyMs - before.verifyMs,
    decryptMs: spent.decryptMs - before.decryptMs,
    mergeMs: spent.mergeMs - before.mergeMs,
    merges: spent.merges - before.merges,
  };
}

// BENCH_PROFILE_DIR=dir: a CPU profile of just the catch-up window (startSync → all open),
// or of the automerge-repo client's window, written there as catchup-<pid>.cpuprofile.
async function startWindowProfile() {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return undefined;
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return {
    async stop() {
      const { profile } = await session.post("Profiler.stop");
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(
        path.join(dir, `catchup-${process.pid}.cpuprofile`),
        JSON.stringify(profile),
      );
      session.disconnect();
    },
  };
}

// Heads as a comparable string (order-free).
const headsKey = (heads) => [...heads].sort().join(",");

async function repoFetch() {
  const { Repo, WebSocketClientAdapter } = repoLib;
  const { url, urls, heads } = config.repo;
  const received = { frames: 0, bytes: 0, firstAt: 0, lastAt: 0 };
  // Counts every frame from the server as it arrives.
  class CountingAdapter extends WebSocketClientAdapter {
    receiveMessage(bytes) {
      const t = performance.now();
      received.frames++;
      received.bytes += bytes.byteLength;
      if (received.firstAt === 0) received.firstAt = t;
      received.lastAt = t;
      return super.receiveMessage(bytes);
    }
  }
  const spentRepo = { receiveMs: 0, receives: 0 };
  const profiler = await startWindowProfile();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const repo = new Repo({
    storage: new MemoryStorageAdapter(),
    network: [new CountingAdapter(url)],
  });
  repo.on("doc-metrics", (event) => {
    if (event.type !== "receive-sync-message") return;
    spentRepo.receiveMs += event.durationMillis;
    spentRepo.receives++;
  });
  let timer;
  const deadline = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error("automerge-repo: not synced in 120 s")), 120_000);
  });
  // Resolves once the handle holds every change the server has (bounded by `deadline`).
  const hasAll = (handle, expected) =>
    new Promise((resolve) => {
      const want = headsKey(expected);
      const check = () => {
        if (headsKey(Automerge.getHeads(handle.doc())) !== want) return false;
        handle.off("heads-changed", check);
        resolve();
        return true;
      };
      if (!check()) handle.on("heads-changed", check);
    });
  let handles;
  let readyAt;
  try {
    await Promise.race([
      (async () => {
        handles = await Promise.all(urls.map((u) => repo.find(u)));
        readyAt = performance.now();
        await Promise.all(handles.map((handle, i) => hasAll(handle, heads[i])));
      })(),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
  const syncedAt = performance.now();
  let documents = 0;
  let chunks = 0;
  for (const handle of handles) {
    const doc = handle.doc();
    if (doc?.type !== "ridevault/workout") throw new Error(`${handle.url} is not a workout`);
    documents++;
    for (const bucket of Object.values(doc.chunks)) chunks += Object.keys(bucket).length;
  }
  const openedAt = performance.now();
  const cpuUsed = process.cpuUsage(cpu);
  await profiler?.stop();
  const flushFrom = performance.now();
  await repo.flush();
  const flushMs = performance.now() - flushFrom;
  await Promise.race([
    repo.shutdown().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
  ]);
  return {
    totalMs: openedAt - t0,
    readyMs: readyAt - t0,
    syncedMs: syncedAt - t0,
    openMs: openedAt - syncedAt,
    flushMs,
    firstFrameMs: received.firstAt - t0,
    lastFrameMs: received.lastAt - t0,
    cpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
    documents,
    chunks,
    frames: received.frames,
    bytes: received.bytes,
    receiveMs: spentRepo.receiveMs,
    receives: spentRepo.receives,
  };
}

const result = {};
if (order === "floor-first") {
  result.floor = floor();
  result.catchUp = await catchUp();
} else if (order === "catchup-first") {
  result.catchUp = await catchUp();
  result.floor = floor();
} else if (order === "repo-first") {
  result.repo = await repoFetch();
  result.floor = floor();
} else {
  result.floor = floor();
  result.repo = await repoFetch();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
