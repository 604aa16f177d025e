// bench/catchup: a fresh device fetching 100 one-hour rides through our relay. A first device
// records 100 rides of 3,600 samples (bench/ride.mjs, one seed each) live-style into a vault
// syncing through the relay (SQLite store in a temp dir, in a forked process), then goes
// offline. A new device joins with `vault.invite()` in a fresh process
// (bench/catchup-device.child.mjs) and we time from `startSync` until `whenSynced()` and
// every workout opens (`vault.workouts.open(id)` ok, 60 chunks each).
//
// Baselines, same run:
// - `Automerge.load` of the same 100 documents from their saved bytes — the floor any sync
//   must pay to have the documents in memory.
// - An automerge-repo sync server (bench/automerge-repo-server.child.mjs, a forked process: a
//   `Repo` with NodeFS storage in a temp dir and the WebSocket server adapter) holding the
//   same rides: each workout's `workout.save()` bytes from the first device, `repo.import`ed
//   there. A fresh client `Repo` (in-memory storage, WebSocket client adapter) in a fresh
//   process calls `repo.find(url)` for all 100 and we time until every one is ready, holds
//   all of the server's changes and reads as a workout with its 60 chunks.
// Device processes, 4 kinds, interleaved: ridevault catch-up first (cold) then the floor
// (warm); the floor first (cold) then the catch-up (warm); the same two for automerge-repo.
// Ratios are of medians, cold/cold and warm/warm.
// Run: npm run bench -- catchup   (BENCH_RIDES=n rides, default 100; BENCH_REPEATS=n device
// processes per kind, default 3: medians are printed; BENCH_DEVICE_EXEC_ARGV and
// BENCH_SERVER_EXEC_ARGV pass Node options to the device and server processes, e.g.
// "--cpu-prof --cpu-prof-dir=./profiles")
import { execFile, fork } from "node:child_process";
import { promises as fs } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  startSync,
} from "../packages/core/dist/index.js";
import { forkServer, serverDelta } from "./relay-server.lib.mjs";
import { rideSamples } from "./ride.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../packages/relay/package.json"));
const { WebSocket } = require("ws");
const run = promisify(execFile);

const RIDES = Number(process.env.BENCH_RIDES ?? 100);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const SECONDS = 3600;
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1, 6, 0, 0);

/** Forks the automerge-repo sync server process (bench/automerge-repo-server.child.mjs). */
async function forkRepoServer() {
  const execArgv = (process.env.BENCH_SERVER_EXEC_ARGV ?? "").split(" ").filter(Boolean);
  const child = fork(path.join(here, "automerge-repo-server.child.mjs"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv,
  });
  const waiting = new Map();
  let nextId = 1;
  let exited = false;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.on("message", (message) => {
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(`automerge-repo server: ${message.error}`));
    else pending.resolve(message);
  });
  child.once("exit", () => {
    exited = true;
    for (const pending of waiting.values()) pending.reject(new Error("server process exited"));
    waiting.clear();
  });
  await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`server process exited early (${code})`)));
    child.on("message", (message) => message.ready && resolve());
  });
  const call = (cmd, args = {}, timeoutMs = 60_000) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error("automerge-repo server process has exited"));
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`automerge-repo server: no answer to ${cmd} in ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = (f) => (value) => {
        clearTimeout(timer);
        f(value);
      };
      waiting.set(id, { resolve: settle(resolve), reject: settle(reject) });
      child.send({ id, cmd, ...args });
    });
  return {
    start: (args) => call("start", args),
    mark: () => call("mark"),
    async exit() {
      if (exited) return;
      await call("exit", {}, 5_000).catch(() => undefined);
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** The automerge-repo server's CPU and receiveSyncMessage time between two marks. */
function repoServerDelta(before, after) {
  const cpuMs = (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1000;
  return { wallMs: after.at - before.at, cpuMs, receiveMs: after.receiveMs - before.receiveMs };
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const line = (label, value) => console.log(`  ${label.padEnd(46)} ${value}`);

const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-bench-catchup-"));
const server = await forkServer();
let repoServer;
try {
  const { url } = await server.start("relay", dir);

  // The first device records everything and syncs it.
  const seedFrom = performance.now();
  const phone = (
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() })
  ).value;
  // Rides recorded in the past have long been quiet, so the engine has compacted each into a
  // snapshot (after 2 minutes by default); here the quiet period is shortened to 300 ms.
  const phoneSync = await startSync(phone, { url, WebSocket, snapshotIdleMs: 300 });
  const ids = [];
  const savedDir = path.join(dir, "saved");
  await fs.mkdir(savedDir);
  for (let k = 0; k < RIDES; k++) {
    const start = START + k * DAY;
    const workout = (await phone.workouts.create({ title: `Ride ${k + 1}`, startTime: start }))
      .value;
    const recording = (await phone.workouts.record(workout.id)).value;
    for (const sample of rideSamples(start, SECONDS, k + 1)) {
      const appended = await recording.append(sample);
      if (!appended.ok) throw new Error(appended.error.message);
    }
    await recording.finish();
    ids.push(workout.id);
  }
  await phone.workouts.settle();
  await phoneSync.whenSynced(120_000);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await phoneSync.whenSynced(120_000);
  if (phoneSync.status.lastError) throw new Error(JSON.stringify(phoneSync.status.lastError));
  for (const id of ids) {
    const workout = (await phone.workouts.open(id)).value;
    await fs.writeFile(path.join(savedDir, id), workout.save());
  }
  const invite = await phone.invite();
  await phoneSync.stop();
  await phone.close();
  const seedMs = performance.now() - seedFrom;

  // The automerge-repo sync server, holding the same rides.
  const repoDir = path.join(dir, "automerge-repo");
  await fs.mkdir(repoDir);
  repoServer = await forkRepoServer();
  const repo = await repoServer.start({ dir: repoDir, savedDir, ids });
  const configPath = path.join(dir, "config.json");
  await fs.writeFile(
    configPath,
    JSON.stringify({
      url,
      invite,
      ids,
      savedDir,
      repo: { url: repo.url, urls: repo.urls, heads: repo.heads },
    }),
  );

  // Fresh devices, each in a new process.
  const deviceExecArgv = (process.env.BENCH_DEVICE_EXEC_ARGV ?? "").split(" ").filter(Boolean);
  const device = async (order) => {
    const isRepo = order.includes("repo");
    const mark = () => (isRepo ? repoServer.mark() : server.mark());
    const before = await mark();
    const { stdout } = await run(
      process.execPath,
      [...deviceExecArgv, path.join(here, "catchup-device.child.mjs"), configPath, order],
      { timeout: 150_000, maxBuffer: 1 << 20 },
    );
    const after = await mark();
    const result = JSON.parse(stdout);
    return isRepo
      ? { ...result, repoServer: repoServerDelta(before, after) }
      : { ...result, relay: serverDelta(before, after) };
  };
  const catchUpFirst = [];
  const floorFirst = [];
  const repoFirst = [];
  const floorThenRepo = [];
  for (let i = 0; i < REPEATS; i++) {
    catchUpFirst.push(await device("catchup-first"));
    floorFirst.push(await device("floor-first"));
    repoFirst.push(await device("repo-first"));
    floorThenRepo.push(await device("floor-then-repo"));
  }
  const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
  const spread = (values) =>
    `median ${fmt(median(values))} ms (${fmt(Math.min(...values))}–${fmt(Math.max(...values))} over ${values.length})`;
  const medianRun = (runs) => {
    const m = median(runs.map((r) => r.totalMs));
    return runs.find((r) => r.totalMs === m);
  };

  console.log(
    `${RIDES} one-hour rides (${SECONDS} samples each), recorded and synced by a first device in ${fmt(seedMs / 1000, 1)} s (setup, not measured)`,
  );
  console.log(
    `relay: real relay, SQLite store, in a forked process; each fresh device in its own process, ${REPEATS} processes per order`,
  );
  console.log(
    `automerge-repo: sync server Repo (NodeFS storage, WebSocket server adapter) in a forked process, the same ${repo.documents} rides imported from their saved bytes (${fmt(repo.bytes / 1e6, 2)} MB) in ${fmt(repo.importMs)} ms; each fresh client Repo (in-memory storage, WebSocket client adapter) in its own process, ${REPEATS} processes per order`,
  );
  const cold = catchUpFirst.map((d) => d.catchUp);
  const warm = floorFirst.map((d) => d.catchUp);
  for (const [name, runs] of [
    ["cold (first thing the process does)", cold],
    ["warm (after the floor ran in the process)", warm],
  ]) {
    const r = medianRun(runs);
    console.log(`\nfresh device catch-up, ${name}`);
    line("total (startSync → whenSynced → all open)", spread(runs.map((x) => x.totalMs)));
    line("in the median run: startSync → whenSynced", `${fmt(r.syncedMs)} ms`);
    line(
      "                    then open every workout",
      `${fmt(r.openMs, 1)} ms (${r.workouts} workouts, ${r.chunks} chunks)`,
    );
    line(
      "                    received",
      `${r.frames} frames, ${fmt(r.bytes / 1e6, 2)} MB; last frame at ${fmt(r.lastFrameMs)} ms`,
    );
    line(
      "                    verify / decrypt / merge",
      `${fmt(r.verifyMs)} / ${fmt(r.decryptMs)} / ${fmt(r.mergeMs)} ms (${r.merges} merges); device CPU ${fmt(r.cpuMs)} ms`,
    );
    for (const x of runs) {
      if (x.missing > 0 || x.lastError || x.chunks !== RIDES * 60)
        line(
          "PROBLEMS",
          `${x.missing} workouts missing, ${x.chunks} chunks; last error ${JSON.stringify(x.lastError)}`,
        );
    }
  }
  const repoCold = repoFirst.map((d) => d.repo);
  const repoWarm = floorThenRepo.map((d) => d.repo);
  for (const [name, runs] of [
    ["cold (first thing the process does)", repoCold],
    ["warm (after the floor ran in the process)", repoWarm],
  ]) {
    const r = medianRun(runs);
    console.log(`\nautomerge-repo fresh client, ${name}`);
    line("total (new Repo → all found, synced, read)", spread(runs.map((x) => x.totalMs)));
    line(
      "in the median run: every repo.find resolved",
      `${fmt(r.readyMs)} ms; all heads as the server's ${fmt(r.syncedMs)} ms`,
    );
    line(
      "                    then read every document",
      `${fmt(r.openMs, 1)} ms (${r.documents} documents, ${r.chunks} chunks)`,
    );
    line(
      "                    received",
      `${r.frames} frames, ${fmt(r.bytes / 1e6, 2)} MB; first frame at ${fmt(r.firstFrameMs)} ms, last at ${fmt(r.lastFrameMs)} ms`,
    );
    line(
      "                    receiveSyncMessage",
      `${fmt(r.receiveMs)} ms (${r.receives} sync messages); device CPU ${fmt(r.cpuMs)} ms`,
    );
    line("                    then repo.flush() (apart)", `${fmt(r.flushMs)} ms`);
    for (const x of runs) {
      if (x.documents !== RIDES || x.chunks !== RIDES * 60)
        line("PROBLEMS", `${x.documents} documents, ${x.chunks} chunks`);
    }
  }
  const coldFloor = floorFirst.map((d) => d.floor.ms);
  const warmFloor = catchUpFirst.map((d) => d.floor.ms);
  const { documents, bytes } = floorFirst[0].floor;
  console.log(
    `\nbaseline: Automerge.load of the same ${documents} documents from their saved bytes (${fmt(bytes / 1e6, 2)} MB)`,
  );
  line("cold (first thing the process does)", spread(coldFloor));
  line("warm (after a catch-up ran in the process)", spread(warmFloor));
  console.log("\nratio, our catch-up / Automerge.load floor (medians)");
  line("cold / cold", `${fmt(median(cold.map((x) => x.totalMs)) / median(coldFloor), 1)}×`);
  line("warm / warm", `${fmt(median(warm.map((x) => x.totalMs)) / median(warmFloor), 1)}×`);
  const relayCpu = [...catchUpFirst, ...floorFirst].map((d) => d.relay.cpuShare * d.relay.wallMs);
  line(
    "relay process CPU per device run",
    `median ${fmt(median(relayCpu))} ms (whole child run incl. its startup)`,
  );
  const repoColdMs = median(repoCold.map((x) => x.totalMs));
  const repoWarmMs = median(repoWarm.map((x) => x.totalMs));
  console.log(
    "\nratio, automerge-repo / our catch-up (medians; above 1: ours is faster; goal ≥ 2.5×)",
  );
  line("cold / cold", `${fmt(repoColdMs / median(cold.map((x) => x.totalMs)), 2)}×`);
  line("warm / warm", `${fmt(repoWarmMs / median(warm.map((x) => x.totalMs)), 2)}×`);
  const repoServerRuns = [...repoFirst, ...floorThenRepo].map((d) => d.repoServer);
  line(
    "automerge-repo server CPU per client run",
    `median ${fmt(median(repoServerRuns.map((x) => x.cpuMs)))} ms, receiveSyncMessage ${fmt(median(repoServerRuns.map((x) => x.receiveMs)))} ms (whole child run)`,
  );
  const repoFloorCold = floorThenRepo.map((d) => d.floor.ms);
  const repoFloorWarm = repoFirst.map((d) => d.floor.ms);
  line(
    "floor in the automerge-repo processes",
    `cold median ${fmt(median(repoFloorCold))} ms, warm ${fmt(median(repoFloorWarm))} ms (noise check)`,
  );
} finally {
  await repoServer?.exit();
  await server.exit();
  await fs.rm(dir, { recursive: true, force: true });
}
