// bench/relay: durable pushes per second and ack latency p50/p99 of the real relay (SQLite
// store in a temp dir: WAL, synchronous=FULL, group commit) at 10, 100 and 1000 connections,
// next to a bare `ws` server (no storage, no checks: one constant ack per frame) measured in
// the same run, with the ratio relay/bare; then the scenario "1,000 recorders pushing one
// chunk every 10 s, spread evenly" (goal: ack p99 ≤ 20 ms).
//
// Each connection is a simulated recorder: its own document and keys, hello → register →
// subscribe, then pushes of signed, encrypted envelopes (500-byte plaintext → 654-byte
// envelope, like one 60-sample chunk change). Envelopes are sealed before each measurement
// (the relay dedupes on author and counter, so every push needs a fresh signature).
// Throughput levels are closed-loop: every connection keeps one push in flight and sends
// the next when the ack comes; latency runs from send to ack, measured by the client.
//
// Processes: the server (relay or bare) runs in a forked process (bench/relay-server.child.mjs)
// and this process generates the load, one core each; the server reports its CPU share,
// event-loop busy share and time spent verifying signatures, so it is visible which side
// saturates. Absolute numbers drift ±40 % here: compare the ratios.
// Run: npm run bench -- relay   (BENCH_SECONDS=n per level, default 5; BENCH_PACED_SECONDS=n
// for the 10-second scenario on the relay, default 20; BENCH_RELAY_PART=levels | stores for
// one part only — "stores" is the SQLite / PostgreSQL ×1 / ×2 table, BENCH_STORE_CONNECTIONS
// connections, default 100)
import { promises as fs } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createDocumentKeys,
  deriveAccessSecret,
} from "../packages/core/dist/crypto/document-keys.js";
import { sealEnvelope } from "../packages/core/dist/crypto/envelope.js";
import {
  decodeEnvelope,
  decodeRelayMessage,
  encodeClientMessage,
  hashAccessSecret,
  loadSodium,
  verifyEnvelope,
} from "../packages/core/dist/protocol.js";
import { closeConnections, forkServer, quantile, serverDelta } from "./relay-server.lib.mjs";
import { compareStoresWith } from "./relay-stores.lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../packages/relay/package.json"));
const { WebSocket } = require("ws");

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 20);
const BARE_PACED_SECONDS = Math.min(PACED_SECONDS, 10);
const WARM_UP_MS = 500;
const LEVELS = [10, 100, 1000];
const PLAINTEXT = new Uint8Array(500).map((_, i) => (i * 131 + 7) % 256);
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

const sodium = await loadSodium();

function randomDocId() {
  const bytes = crypto.getRandomValues(new Uint8Array(22));
  return Array.from(bytes, (b) => BASE58[b % 58]).join("");
}

const randomDeviceId = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");

/** A simulated recorder's identity: document, keys, device. */
function recorder() {
  const keys = createDocumentKeys(sodium);
  return {
    docId: randomDocId(),
    deviceId: randomDeviceId(),
    keys,
    counter: 0,
    frames: [],
    next: 0,
  };
}

/** The recorder's next envelope: a fresh counter, so a fresh signature. */
function sealNext(r) {
  r.counter++;
  const sealed = sealEnvelope(sodium, {
    header: {
      kind: "change",
      docId: r.docId,
      generation: r.keys.generation,
      authorDevice: r.deviceId,
      counter: r.counter,
    },
    plaintext: PLAINTEXT,
    keys: r.keys,
  });
  if (!sealed.ok) throw new Error(sealed.error.message);
  return sealed.value;
}

/** A push frame of the recorder's next envelope. */
function nextPushFrame(r) {
  const envelope = sealNext(r);
  return encodeClientMessage({ type: "push", id: r.counter, docId: r.docId, envelope });
}

/** Opens one connection; for the relay, says hello, registers and subscribes its document. */
async function connect(url, r, kind) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.binaryType = "nodebuffer";
  const conn = { ws, r, onFrame: null, closed: false };
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  ws.on("error", () => undefined);
  ws.on("close", () => {
    conn.closed = true;
  });
  ws.on("message", (data) => conn.onFrame?.(data));
  if (kind === "relay") {
    const request = (message, until) =>
      new Promise((resolve, reject) => {
        conn.onFrame = (data) => {
          const decoded = decodeRelayMessage(
            new Uint8Array(data.buffer, data.byteOffset, data.length),
          );
          if (!decoded.ok) reject(new Error(decoded.error.message));
          else if (decoded.value.type === "error") reject(new Error(decoded.value.message));
          else if (decoded.value.type === until) resolve(decoded.value);
        };
        ws.send(encodeClientMessage(message));
      });
    await request({ type: "hello", id: 1, deviceId: r.deviceId, token: null }, "welcome");
    const accessSecret = deriveAccessSecret(sodium, r.keys.readKey);
    await request(
      {
        type: "register",
        id: 2,
        docId: r.docId,
        writePublicKey: r.keys.writePublicKey,
        accessHash: hashAccessSecret(sodium, accessSecret),
      },
      "ack",
    );
    await request(
      { type: "subscribe", id: 3, docId: r.docId, afterSeq: 0, accessSecret },
      "caught-up",
    );
    conn.onFrame = null;
  }
  return conn;
}

async function connectAll(url, recorders, kind) {
  const conns = [];
  const BATCH = 50;
  for (let i = 0; i < recorders.length; i += BATCH) {
    conns.push(
      ...(await Promise.all(recorders.slice(i, i + BATCH).map((r) => connect(url, r, kind)))),
    );
  }
  return conns;
}

/** Checks an ack from the relay; returns an error message or undefined. */
function checkRelayAck(data) {
  const decoded = decodeRelayMessage(new Uint8Array(data.buffer, data.byteOffset, data.length));
  if (!decoded.ok) return decoded.error.message;
  const m = decoded.value;
  if (m.type === "error") return `${m.code}: ${m.message}`;
  if (m.type !== "ack") return undefined; // not an answer to a push
  if (m.duplicate) return "duplicate ack: the envelope was not stored again";
  return null;
}

/** Seals `perConnection` push frames per recorder ahead of a measurement. */
function preseal(recorders, perConnection) {
  const t = performance.now();
  for (const r of recorders) {
    r.frames = [];
    r.next = 0;
    for (let i = 0; i < perConnection; i++) r.frames.push(nextPushFrame(r));
  }
  return performance.now() - t;
}

/**
 * Closed loop: each connection keeps one push in flight for WARM_UP_MS + SECONDS; acks
 * received in the measured window count, with the latency of each.
 */
async function closedLoop(conns, kind, server) {
  const latencies = [];
  const stats = { acks: 0, errors: 0, firstError: null, sealedDuringRun: 0 };
  const bareFrames = new Map();
  const t0 = performance.now();
  const windowStart = t0 + WARM_UP_MS;
  const windowEnd = windowStart + SECONDS * 1000;
  let outstanding = 0;
  let drained;
  const allDrained = new Promise((resolve) => {
    drained = resolve;
  });
  let stopping = false;
  const send = (c) => {
    let frame;
    if (kind === "bare") {
      // No checks on the bare server: one sealed frame per connection, sent again and again.
      frame = bareFrames.get(c) ?? c.r.frames[0] ?? nextPushFrame(c.r);
      bareFrames.set(c, frame);
    } else {
      frame = c.r.frames[c.r.next++];
      if (frame === undefined) {
        frame = nextPushFrame(c.r);
        stats.sealedDuringRun++;
      }
    }
    c.sentAt = performance.now();
    outstanding++;
    c.ws.send(frame);
  };
  for (const c of conns) {
    c.onFrame = (data) => {
      const now = performance.now();
      if (kind === "relay") {
        const problem = checkRelayAck(data);
        if (problem === undefined) return;
        if (problem !== null) {
          stats.errors++;
          stats.firstError ??= problem;
        }
      }
      outstanding--;
      if (now >= windowStart && now < windowEnd) {
        stats.acks++;
        latencies.push(now - c.sentAt);
      }
      if (!stopping && now < windowEnd) send(c);
      else if (outstanding === 0) drained();
    };
  }
  for (const c of conns) send(c);
  await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
  const before = await server.mark();
  const cpuBefore = process.cpuUsage();
  const measuredFrom = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowEnd - performance.now()));
  const after = await server.mark();
  const cpuAfter = process.cpuUsage();
  const measuredMs = performance.now() - measuredFrom;
  stopping = true;
  if (outstanding > 0) {
    await Promise.race([allDrained, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  for (const c of conns) c.onFrame = null;
  latencies.sort((a, b) => a - b);
  return {
    ...stats,
    perSecond: stats.acks / SECONDS,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    clientCpuShare:
      (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000 / measuredMs,
    server: serverDelta(before, after),
    undrained: outstanding,
  };
}

/**
 * Open loop: connection i pushes at i·(interval/N) and then every `intervalMs`, whatever
 * the acks do, for `seconds`.
 */
async function paced(conns, kind, server, intervalMs, seconds) {
  const latencies = [];
  const lateness = [];
  const slow = [];
  const stats = { acks: 0, sent: 0, errors: 0, firstError: null };
  const timers = new Set();
  const bareFrames = new Map();
  const sentAt = new Map();
  const t0 = performance.now() + 100;
  const end = t0 + seconds * 1000;
  for (const [i, c] of conns.entries()) {
    c.onFrame = (data) => {
      const now = performance.now();
      if (kind === "relay") {
        const problem = checkRelayAck(data);
        if (problem === undefined) return;
        if (problem !== null) {
          stats.errors++;
          stats.firstError ??= problem;
        }
      }
      const queue = sentAt.get(c);
      const at = queue?.shift();
      if (at === undefined) return;
      stats.acks++;
      latencies.push(now - at);
      if (now - at > 20) slow.push({ atS: (at - t0) / 1000, ms: now - at });
    };
    sentAt.set(c, []);
    const offset = (i * intervalMs) / conns.length;
    const fire = (k) => {
      const due = t0 + offset + k * intervalMs;
      if (due >= end) return;
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          const now = performance.now();
          lateness.push(now - due);
          let frame;
          if (kind === "bare") {
            frame = bareFrames.get(c) ?? c.r.frames[0] ?? nextPushFrame(c.r);
            bareFrames.set(c, frame);
          } else frame = c.r.frames[c.r.next++] ?? nextPushFrame(c.r);
          sentAt.get(c).push(now);
          stats.sent++;
          c.ws.send(frame);
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
  const measuredFrom = performance.now();
  await new Promise((resolve) => setTimeout(resolve, end - performance.now()));
  const after = await server.mark();
  const cpuAfter = process.cpuUsage();
  const measuredMs = performance.now() - measuredFrom;
  // Let the last pushes be acknowledged (bounded).
  const deadline = performance.now() + 5000;
  while (stats.acks + stats.errors < stats.sent && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const timer of timers) clearTimeout(timer);
  for (const c of conns) c.onFrame = null;
  latencies.sort((a, b) => a - b);
  lateness.sort((a, b) => a - b);
  return {
    ...stats,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    timerLatenessP99: quantile(lateness, 0.99),
    slowCount: slow.length,
    slow: slow.slice(0, 8),
    clientCpuShare:
      (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000 / measuredMs,
    server: serverDelta(before, after),
  };
}

/** One measurement against a fresh server of `kind` in the server process. */
async function measure(server, kind, n, run) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-bench-relay-"));
  try {
    const started = await server.start(kind, dir);
    const recorders = Array.from({ length: n }, recorder);
    const connectFrom = performance.now();
    const conns = await connectAll(started.url, recorders, kind);
    const connectMs = performance.now() - connectFrom;
    const result = await run(conns, recorders);
    await closeConnections(conns);
    await server.stop();
    return { ...result, connectMs, settings: started.settings };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

// How many pushes per second the relay could verify at most on one core like this one: it
// checks one Ed25519 signature per push. Pre-sealed pools are sized from it.
function verifyCeiling() {
  const r = recorder();
  const decoded = decodeEnvelope(sealNext(r));
  if (!decoded.ok) throw new Error(decoded.error.message);
  let count = 0;
  const t = performance.now();
  while (performance.now() - t < 300) {
    verifyEnvelope(sodium, decoded.value, r.keys.writePublicKey);
    count++;
  }
  return count / ((performance.now() - t) / 1000);
}

/** Commit (WAL write + fsync) and checkpoint times and event-loop delay in the server. */
function storageLine(server) {
  const s = server.storage;
  return `COMMIT avg ${fmt(s.commitMs / (s.commits || 1))} ms, max ${fmt(s.commitMax)} ms, ${s.slowCommits} over 10 ms; checkpoint max ${fmt(s.checkpointMax)} ms (${s.checkpoints}); loop delay p99 ${fmt(server.loop.p99Ms)} / max ${fmt(server.loop.maxMs)} ms`;
}

const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const pct = (x) => `${(x * 100).toFixed(0)} %`;
const line = (label, value) => console.log(`  ${label.padEnd(44)} ${value}`);

// The stores table (bench/relay-stores.lib.mjs) drives the same closed loop.
const storeTools = {
  seconds: SECONDS,
  warmUpMs: WARM_UP_MS,
  measure,
  closedLoop,
  connectAll,
  closeAll: closeConnections,
  preseal,
  recorder,
  fmt,
};
const compareStores = (server, ceiling) => compareStoresWith(storeTools, server, ceiling);

const PART = process.env.BENCH_RELAY_PART ?? "all";
const server = await forkServer();
try {
  const ceiling = verifyCeiling();
  const envelopeBytes = sealNext(recorder()).length;
  console.log(
    `relay throughput: closed loop, one push in flight per connection, ${SECONDS} s per level after ${WARM_UP_MS} ms warm-up`,
  );
  console.log(
    `load generator in this process (pid ${process.pid}), servers in a forked process (pid ${server.pid}); 2 cores`,
  );
  console.log(
    `envelope ${envelopeBytes} bytes (500-byte plaintext); Ed25519 verify here ≈ ${fmt(ceiling, 0)}/s on one core (the relay checks one signature per push)`,
  );
  if (PART === "stores") await compareStores(server, ceiling);
  else {
    const rows = [];
    for (const n of LEVELS) {
      const bare = await measure(server, "bare", n, (conns) => closedLoop(conns, "bare", server));
      let presealMs = 0;
      const relay = await measure(server, "relay", n, (conns, recorders) => {
        // The ceiling measured here can be low on a busy machine; never size below 9,000/s.
        const total = Math.ceil(Math.max(ceiling, 9000) * 1.2 * (SECONDS + WARM_UP_MS / 1000));
        presealMs = preseal(recorders, Math.ceil(total / n) + 2);
        return closedLoop(conns, "relay", server);
      });
      rows.push({ n, bare, relay });
      console.log(`\n${n} connections`);
      for (const [name, r] of [
        ["bare ws (echo ack)", bare],
        ["relay (SQLite, durable)", relay],
      ]) {
        line(`${name}: pushes/s`, `${fmt(r.perSecond, 0)}`);
        line(`${name}: ack p50 / p99 / max`, `${fmt(r.p50)} / ${fmt(r.p99)} / ${fmt(r.max)} ms`);
        line(
          `${name}: server CPU / loop busy`,
          `${pct(r.server.cpuShare)} / ${pct(r.server.loopBusyShare)} of one core; client CPU ${pct(r.clientCpuShare)}`,
        );
        if (r.errors > 0 || r.undrained > 0)
          line(`${name}: ERRORS`, `${r.errors} (${r.firstError}), ${r.undrained} unacknowledged`);
      }
      const c = relay.server.counters;
      line(
        "relay: verify share / commits",
        `${pct(relay.server.verifyShare)} of wall time in Ed25519 verify; ${c?.appends ?? "?"} appends in ${c?.transactions ?? "?"} transactions (${fmt((c?.appends ?? 0) / (c?.transactions || 1), 1)} per commit)`,
      );
      line("relay: disk waits", storageLine(relay.server));
      if (relay.sealedDuringRun > 0)
        line("relay: sealed during the run", `${relay.sealedDuringRun} (pool ran out)`);
      line(
        "ratio relay / bare",
        `throughput ${fmt(relay.perSecond / bare.perSecond)}×, p50 ${fmt(relay.p50 / bare.p50, 1)}×, p99 ${fmt(relay.p99 / bare.p99, 1)}×`,
      );
      line(
        "(setup, not measured)",
        `connect ${fmt(relay.connectMs, 0)} ms, seal pool ${fmt(presealMs, 0)} ms`,
      );
    }

    const INTERVAL_MS = 10_000;
    console.log(
      `\n1,000 recorders, one chunk every 10 s each, spread evenly (100 pushes/s): relay ${PACED_SECONDS} s, bare ${BARE_PACED_SECONDS} s`,
    );
    const pacedBare = await measure(server, "bare", 1000, (conns) =>
      paced(conns, "bare", server, INTERVAL_MS, BARE_PACED_SECONDS),
    );
    const pacedRelay = await measure(server, "relay", 1000, (conns, recorders) => {
      preseal(recorders, Math.ceil((PACED_SECONDS * 1000) / INTERVAL_MS) + 1);
      return paced(conns, "relay", server, INTERVAL_MS, PACED_SECONDS);
    });
    for (const [name, r] of [
      ["bare ws (echo ack)", pacedBare],
      ["relay (SQLite, durable)", pacedRelay],
    ]) {
      line(
        `${name}: acks / sent`,
        `${r.acks} / ${r.sent}${r.errors ? `, ${r.errors} errors (${r.firstError})` : ""}`,
      );
      line(`${name}: ack p50 / p99 / max`, `${fmt(r.p50)} / ${fmt(r.p99)} / ${fmt(r.max)} ms`);
      line(
        `${name}: server CPU / loop busy`,
        `${pct(r.server.cpuShare)} / ${pct(r.server.loopBusyShare)}; client timer lateness p99 ${fmt(r.timerLatenessP99)} ms`,
      );
    }
    const c = pacedRelay.server.counters;
    line(
      "relay: commits",
      `${c?.appends ?? "?"} appends in ${c?.transactions ?? "?"} transactions; server RSS ${fmt(pacedRelay.server.rssMb, 0)} MB`,
    );
    line("relay: disk waits", storageLine(pacedRelay.server));
    line(
      "relay: acks slower than 20 ms",
      `${pacedRelay.slowCount}${pacedRelay.slowCount ? `, first at ${pacedRelay.slow.map((x) => `${fmt(x.atS, 1)} s (${fmt(x.ms, 0)} ms)`).join(", ")}` : ""}`,
    );
    line(
      "relay ack p99 (goal ≤ 20 ms)",
      `${fmt(pacedRelay.p99)} ms — ${pacedRelay.p99 <= 20 ? "met" : "NOT met"}; ${fmt(pacedRelay.p99 / pacedBare.p99, 1)}× bare`,
    );
    const s = rows[0].relay.settings;
    console.log(
      `\nrelay store: journal_mode=${s?.journalMode}, synchronous=${s?.synchronous} (2 = FULL), wal_autocheckpoint=${s?.walAutocheckpoint}; temp dir on ${os.tmpdir()}`,
    );
    if (PART === "all") await compareStores(server, ceiling);
  }
} finally {
  await server.exit();
}
