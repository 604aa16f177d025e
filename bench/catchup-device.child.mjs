// A fresh device for bench/catchup.mjs, in its own process so "cold" means cold. Arguments:
// a JSON file { url, invite, ids, savedDir } and the order of its two measurements,
// "catchup-first" or "floor-first":
//   catch-up: openVault({ join: invite }) in memory, then the time from startSync until
//             whenSynced() and every workout opens (vault.workouts.open(id) ok, 60 chunks);
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

const result = {};
if (order === "floor-first") {
  result.floor = floor();
  result.catchUp = await catchUp();
} else {
  result.catchUp = await catchUp();
  result.floor = floor();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
