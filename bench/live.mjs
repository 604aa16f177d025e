// bench/live: the live ride view (issue #5) — how long a live second takes from the rider's
// device to a watching coach through the real relay (SQLite store in a temp dir), with
// 1,000 rides live at once, and 100 rides in the same run as the ratio baseline.
//
// Each ride is two raw `ws` connections (full sync engines would measure the client, not
// the relay): a rider that registers and subscribes its document, and a watcher that
// subscribes with the document's access secret and sends `watch`. Once every rider has heard
// `watchers 1`, each rider sends one live second per second, spread evenly over the second
// (ride i at i/N s), for BENCH_SECONDS (default 20). Each second is encoded with core's live
// sample codec and sealed as an ephemeral envelope (XChaCha20 + Ed25519, its own counter)
// before the run: sealing 1,000 a second here would load the generator's event loop, which
// also stamps arrivals. A rider stamps performance.now() as it sends second k; the watcher
// stamps the frame on arrival, and after the run opens and decodes it — the sample's
// `timerMs` names the second, so latency = arrival − send stamp on the same process clock.
// A second that does not arrive within 3 s of the end, open or decode is lost.
//
// The server runs in a forked process (bench/relay-server.child.mjs), this process is the
// load generator; both report their CPU share. Absolute numbers drift ±40 % on these shared
// cores: compare the 1,000-ride figures with the 100-ride baseline of the same run.
// Run: npm run bench -- live   (BENCH_SECONDS=n, BENCH_LIVE_RIDES="100,1000")
import { promises as fs } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  createDocumentKeys,
  deriveAccessSecret,
} from "../packages/core/dist/crypto/document-keys.js";
import { openEnvelope, sealEnvelope } from "../packages/core/dist/crypto/envelope.js";
import {
  decodeLiveSample,
  encodeLiveSample,
} from "../packages/core/dist/live/live-sample-codec.js";
import {
  decodeRelayMessage,
  encodeClientMessage,
  hashAccessSecret,
  loadSodium,
} from "../packages/core/dist/protocol.js";
import { closeConnections, forkServer, quantile, serverDelta } from "./relay-server.lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../packages/relay/package.json"));
const { WebSocket } = require("ws");

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const RIDES = (process.env.BENCH_LIVE_RIDES ?? "100,1000").split(",").map(Number);
const DRAIN_MS = 3000;
/** Seconds slower than this are counted per second of the run, to show when they happen. */
const SLOW_MS = 100;
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const T0 = Date.UTC(2026, 6, 4, 5, 0, 0);

const sodium = await loadSodium();

const randomDocId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(22)), (b) => BASE58[b % 58]).join("");
const randomDeviceId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");

/** Opens a raw connection and says hello; `request` sends a frame and awaits a reply type. */
async function open(url, deviceId = randomDeviceId()) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.binaryType = "nodebuffer";
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  ws.on("error", () => undefined);
  const conn = { ws, deviceId, onMessage: null, closed: false };
  ws.on("close", () => {
    conn.closed = true;
  });
  ws.on("message", (data) => {
    const decoded = decodeRelayMessage(new Uint8Array(data.buffer, data.byteOffset, data.length));
    if (!decoded.ok) throw new Error(`the relay sent a bad frame: ${decoded.error.message}`);
    conn.onMessage?.(decoded.value);
  });
  conn.request = (message, until) =>
    new Promise((resolve, reject) => {
      conn.onMessage = (m) => {
        if (m.type === "error") reject(new Error(`${m.code}: ${m.message}`));
        else if (until(m)) resolve(m);
      };
      ws.send(encodeClientMessage(message));
    });
  await conn.request({ type: "hello", id: 1, deviceId, token: null }, (m) => m.type === "welcome");
  return conn;
}

/** One live ride: its document and keys, a rider and a watcher connection. */
async function startRide(url) {
  const keys = createDocumentKeys(sodium);
  const docId = randomDocId();
  const accessSecret = deriveAccessSecret(sodium, keys.readKey);
  const rider = await open(url);
  await rider.request(
    {
      type: "register",
      id: 2,
      docId,
      writePublicKey: keys.writePublicKey,
      accessHash: hashAccessSecret(sodium, accessSecret),
    },
    (m) => m.type === "ack",
  );
  await rider.request(
    { type: "subscribe", id: 3, docId, afterSeq: 0, accessSecret },
    (m) => m.type === "caught-up",
  );
  const watcher = await open(url);
  await watcher.request(
    { type: "subscribe", id: 2, docId, afterSeq: 0, accessSecret },
    (m) => m.type === "caught-up",
  );
  // Like the sync engine, the rider sends only once the relay says somebody watches.
  const watched = new Promise((resolve) => {
    rider.onMessage = (m) => {
      if (m.type === "watchers" && m.count > 0) resolve();
    };
  });
  await watcher.request({ type: "watch", id: 3, docId, on: true }, (m) => m.type === "ack");
  await watched;
  rider.onMessage = null;
  watcher.onMessage = null;
  return { docId, keys, rider, watcher, counter: 0 };
}

async function startRides(url, n) {
  const rides = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Math.min(50, n - i);
    rides.push(...(await Promise.all(Array.from({ length: batch }, () => startRide(url)))));
  }
  return rides;
}

/** The ride's live second `k`, sealed as an ephemeral frame. */
function liveFrame(ride, k) {
  const sample = encodeLiveSample({
    time: T0 + k * 1000,
    timerMs: k * 1000,
    lap: 1,
    state: "recording",
    power: 200 + (k % 50),
    heartRate: 140,
    cadence: 90,
    speed: 9000,
    distance: k * 9000,
  });
  if (!sample.ok) throw new Error(sample.error.message);
  ride.counter++;
  const envelope = sealEnvelope(sodium, {
    header: {
      kind: "ephemeral",
      docId: ride.docId,
      generation: ride.keys.generation,
      authorDevice: ride.rider.deviceId,
      counter: ride.counter,
    },
    plaintext: sample.value,
    keys: ride.keys,
  });
  if (!envelope.ok) throw new Error(envelope.error.message);
  return encodeClientMessage({
    type: "ephemeral",
    id: ride.counter,
    docId: ride.docId,
    envelope: envelope.value,
  });
}

/** Seals every second each ride will send, so the run itself only sends and stamps. */
function preseal(rides) {
  const from = performance.now();
  for (const ride of rides)
    ride.frames = Array.from({ length: SECONDS }, (_, k) => liveFrame(ride, k));
  return performance.now() - from;
}

/** Every rider sends one second per second for SECONDS; returns what the watchers saw. */
async function live(rides, server) {
  const stats = { sent: 0, errors: 0, firstError: null };
  const sentAt = new Map();
  const arrivals = [];
  const timers = new Set();
  for (const ride of rides) {
    ride.rider.onMessage = (m) => {
      if (m.type !== "error") return;
      stats.errors++;
      stats.firstError ??= `${m.code}: ${m.message}`;
    };
    ride.watcher.onMessage = (m) => {
      if (m.type === "ephemeral")
        arrivals.push({ ride, envelope: m.envelope, at: performance.now() });
    };
  }
  const t0 = performance.now() + 200;
  const end = t0 + SECONDS * 1000;
  for (const [i, ride] of rides.entries()) {
    const offset = (i * 1000) / rides.length;
    const fire = (k) => {
      const due = t0 + offset + k * 1000;
      if (due >= end) return;
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          sentAt.set(`${ride.docId}/${k * 1000}`, performance.now());
          stats.sent++;
          ride.rider.ws.send(ride.frames[k]);
          fire(k + 1);
        },
        Math.max(0, due - performance.now()),
      );
      timers.add(timer);
    };
    fire(0);
  }
  const before = await server.mark();
  const cpuBefore = process.cpuUsage();
  const from = performance.now();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  await new Promise((resolve) => setTimeout(resolve, end - performance.now()));
  const after = await server.mark();
  const cpuAfter = process.cpuUsage();
  const measuredMs = performance.now() - from;
  loop.disable();
  const deadline = performance.now() + DRAIN_MS;
  while (arrivals.length < stats.sent && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const timer of timers) clearTimeout(timer);
  // Only now open and decode what arrived: a watcher's work, kept out of the timed loop.
  const latencies = [];
  const slowBySecond = new Map();
  let unreadable = 0;
  for (const { ride, envelope, at } of arrivals) {
    const opened = openEnvelope(sodium, envelope, ride.keys);
    const sample = opened.ok ? decodeLiveSample(opened.value.plaintext) : opened;
    const key = sample.ok ? `${ride.docId}/${sample.value.timerMs}` : "";
    const sent = sentAt.get(key);
    if (sent === undefined) {
      unreadable++;
      continue;
    }
    sentAt.delete(key);
    latencies.push(at - sent);
    if (at - sent > SLOW_MS) {
      const second = Math.floor((sent - t0) / 1000);
      slowBySecond.set(second, (slowBySecond.get(second) ?? 0) + 1);
    }
  }
  latencies.sort((a, b) => a - b);
  return {
    ...stats,
    received: latencies.length,
    unreadable,
    lost: stats.sent - latencies.length,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    slowBySecond: [...slowBySecond].sort((a, b) => a[0] - b[0]),
    clientLoop: { p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 },
    clientCpuShare:
      (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000 / measuredMs,
    server: serverDelta(before, after),
  };
}

function closeAll(rides) {
  return closeConnections(rides.flatMap((r) => [r.rider, r.watcher]));
}

/** One measurement with `n` live rides against a fresh relay in the server process. */
async function measure(server, n) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-bench-live-"));
  try {
    const { url } = await server.start("relay", dir);
    const setupFrom = performance.now();
    const rides = await startRides(url, n);
    const setupMs = performance.now() - setupFrom;
    const presealMs = preseal(rides);
    // npm run bench passes --expose-gc: start the run without the set-up's garbage.
    globalThis.gc?.();
    const idle = await server.mark();
    const result = await live(rides, server);
    await closeAll(rides);
    await server.stop();
    return { ...result, n, setupMs, presealMs, idleRssMb: idle.rssMb };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
const pct = (x) => `${(x * 100).toFixed(0)} %`;
const line = (label, value) => console.log(`  ${label.padEnd(40)} ${value}`);

function report(r) {
  console.log(
    `\n${r.n} live rides (${r.n * 2} connections), ${SECONDS} s at 1 Hz per ride (load average ${fmt(r.load, 1)} on ${os.availableParallelism()} cores):`,
  );
  line("set-up (hello, register, subscribe, watch)", `${fmt(r.setupMs / 1000, 1)} s`);
  line("sealing every second beforehand", `${fmt(r.presealMs / 1000, 1)} s`);
  line(
    "sample → watcher latency p50/p95/p99/max",
    `${fmt(r.p50)} / ${fmt(r.p95)} / ${fmt(r.p99)} / ${fmt(r.max)} ms`,
  );
  line(
    "samples sent / received / lost",
    `${r.sent} / ${r.received} / ${r.lost}${r.unreadable ? ` (${r.unreadable} unreadable)` : ""}`,
  );
  if (r.errors) line("relay errors", `${r.errors} (first: ${r.firstError})`);
  line("relay RSS idle → after the run", `${fmt(r.idleRssMb, 0)} → ${fmt(r.server.rssMb, 0)} MB`);
  line(
    "relay CPU / loop busy; client CPU",
    `${pct(r.server.cpuShare)} / ${pct(r.server.loopBusyShare)}; ${pct(r.clientCpuShare)}`,
  );
  const cpuMsPerSecond = (r.server.cpuShare * r.server.wallMs) / r.server.verifies;
  line(
    "relay CPU per live second (ceiling)",
    `${fmt(cpuMsPerSecond, 3)} ms (≈ ${fmt(1000 / cpuMsPerSecond / 1000, 1)}k live seconds/s per core)`,
  );
  line("relay signature checks", `${r.server.verifies} (${pct(r.server.verifyShare)} of a core)`);
  line(
    "loop delay p99 / max: relay; load generator",
    `${fmt(r.server.loop.p99Ms)} / ${fmt(r.server.loop.maxMs)} ms; ${fmt(r.clientLoop.p99Ms)} / ${fmt(r.clientLoop.maxMs)} ms`,
  );
  const slow = r.slowBySecond.map(([second, count]) => `${count} in s${second}`).join(", ");
  line(`seconds over ${SLOW_MS} ms, by second sent`, slow || "none");
}

const server = await forkServer();
try {
  console.log(
    `bench/live: live seconds through the relay (SQLite), rider → relay → watcher on 127.0.0.1`,
  );
  const results = [];
  for (const n of RIDES) {
    const load = os.loadavg()[0];
    const result = await measure(server, n);
    result.load = load;
    report(result);
    results.push(result);
  }
  const [base, top] = [results[0], results[results.length - 1]];
  if (base && top && base !== top) {
    console.log(`\n${top.n} vs ${base.n} rides (same run):`);
    line("p50 / p99 ratio", `${fmt(top.p50 / base.p50)}× / ${fmt(top.p99 / base.p99)}×`);
    line("relay CPU ratio", `${fmt(top.server.cpuShare / base.server.cpuShare)}×`);
  }
} finally {
  await server.exit();
}
