// bench/catchup: a fresh device fetching 100 one-hour rides through our relay. A first device
// records 100 rides of 3,600 samples (bench/ride.mjs, one seed each) live-style into a vault
// syncing through the relay (SQLite store in a temp dir, in a forked process), then goes
// offline. A new device joins with `vault.invite()` in a fresh process
// (bench/catchup-device.child.mjs) and we time from `startSync` until `whenSynced()` and
// every workout opens (`vault.workouts.open(id)` ok, 60 chunks each).
//
// Baseline, same run: `Automerge.load` of the same 100 documents from their saved bytes —
// the floor any sync must pay to have the documents in memory. Two device processes: one
// catches up first (cold) and then loads the floor (warm); the other loads the floor first
// (cold) and then catches up (warm); ratios are cold/cold and warm/warm.
// NOT included: the comparison against an automerge-repo sync server, which needs
// @automerge/automerge-repo-network-websocket (not installed in this workspace, and this
// benchmark must not install packages). REFERENCE.md has figures measured elsewhere.
// Run: npm run bench -- catchup   (BENCH_RIDES=n rides, default 100; BENCH_REPEATS=n device
// processes per order, default 3: medians are printed)
import { execFile } from "node:child_process";
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

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const line = (label, value) => console.log(`  ${label.padEnd(46)} ${value}`);

const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-bench-catchup-"));
const server = await forkServer();
try {
  const { url } = await server.start("relay", dir);

  // The first device records everything and syncs it.
  const seedFrom = performance.now();
  const phone = (
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() })
  ).value;
  const phoneSync = await startSync(phone, { url, WebSocket });
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
  if (phoneSync.status.lastError) throw new Error(JSON.stringify(phoneSync.status.lastError));
  for (const id of ids) {
    const workout = (await phone.workouts.open(id)).value;
    await fs.writeFile(path.join(savedDir, id), workout.save());
  }
  const invite = await phone.invite();
  await phoneSync.stop();
  await phone.close();
  const seedMs = performance.now() - seedFrom;
  const configPath = path.join(dir, "config.json");
  await fs.writeFile(configPath, JSON.stringify({ url, invite, ids, savedDir }));

  // Fresh devices, each in a new process.
  const device = async (order) => {
    const before = await server.mark();
    const { stdout } = await run(
      process.execPath,
      [path.join(here, "catchup-device.child.mjs"), configPath, order],
      { timeout: 150_000, maxBuffer: 1 << 20 },
    );
    const after = await server.mark();
    return { ...JSON.parse(stdout), relay: serverDelta(before, after) };
  };
  const catchUpFirst = [];
  const floorFirst = [];
  for (let i = 0; i < REPEATS; i++) {
    catchUpFirst.push(await device("catchup-first"));
    floorFirst.push(await device("floor-first"));
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
  console.log(
    "\nNot included: the comparison against an automerge-repo sync server. It needs\n" +
      "@automerge/automerge-repo-network-websocket, which is not installed in this workspace, and\n" +
      "this benchmark does not install packages. REFERENCE.md reports 1.7 s warm / 3.0 s cold for\n" +
      "that setup on this kind of machine (not measured in this run, so not comparable as a ratio).",
  );
} finally {
  await server.exit();
  await fs.rm(dir, { recursive: true, force: true });
}
