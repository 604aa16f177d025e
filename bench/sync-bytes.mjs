// bench/sync-bytes: what syncing the reference 4-hour ride costs on the wire. The ride
// (bench/ride.mjs, 14,400 samples at 1 Hz, no GPS) is recorded into an in-memory vault that
// syncs through a local relay (SQLite store in a temp dir) as it would live: after every
// sealed 60-sample chunk the library summary is refreshed (the 2 s timer fires between
// chunks in real time) and the device waits until the relay has acknowledged everything.
// Every frame the device sends is counted by wrapping its transport's `send`. Prints bytes
// sent in total and per sample, the ratio to the FIT file of the same ride (158 KB,
// REFERENCE.md; goal ≤ 1.0×) and to the FIT file the project's own encoder writes, a
// breakdown by message and envelope kind, the envelope overhead (envelope bytes against the
// plaintext Automerge bytes inside, found by opening every envelope sent with the vault's
// keys), and what the relay stores. Run: npm run bench -- sync-bytes
import { promises as fs } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encodeContent } from "../packages/core/dist/crypto/content-coding.js";
import { openEnvelope } from "../packages/core/dist/crypto/envelope.js";
import { paddedLength } from "../packages/core/dist/crypto/padded-length.js";
import {
  exportFit,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  startSync,
  webSocketTransport,
} from "../packages/core/dist/index.js";
import {
  decodeClientMessage,
  decodeRelayMessage,
  loadSodium,
} from "../packages/core/dist/protocol.js";
import { startRelay } from "../packages/relay/dist/start-relay.js";
import { openSqliteRelayStore } from "../packages/relay/dist/store/sqlite-relay-store.js";
import { rideSamples } from "./ride.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../packages/relay/package.json"));
const { WebSocket } = require("ws");

const START = Date.UTC(2026, 5, 1, 6, 0, 0);
const SECONDS = 4 * 3600;
const FIT_BYTES = 158_000; // REFERENCE.md, "Reference sizes for the same 4 h ride"
const RAW_BYTES = SECONDS * 10; // REFERENCE.md: raw 10 bytes/sample

const sodium = await loadSodium();

// Everything the device sends and receives, frame by frame.
const sent = { frames: 0, bytes: 0, wsHeaderBytes: 0, byType: new Map() };
const received = { frames: 0, bytes: 0, byType: new Map() };
const pushes = []; // { docId, kind, envelope, frameBytes }
const bump = (map, key, bytes) => {
  const entry = map.get(key) ?? { frames: 0, bytes: 0 };
  entry.frames++;
  entry.bytes += bytes;
  map.set(key, entry);
};
const inner = webSocketTransport(WebSocket);
const countingTransport = (url, events) => {
  const connection = inner(url, {
    open: () => events.open(),
    closed: (code, reason) => events.closed(code, reason),
    frame(frame) {
      received.frames++;
      received.bytes += frame.length;
      const decoded = decodeRelayMessage(frame);
      bump(received.byType, decoded.ok ? decoded.value.type : "undecodable", frame.length);
      events.frame(frame);
    },
  });
  return {
    send(frame) {
      sent.frames++;
      sent.bytes += frame.length;
      // RFC 6455 header of a client frame: 2 bytes, + 2 or 8 for the length, + 4 for the mask.
      sent.wsHeaderBytes += 6 + (frame.length > 65_535 ? 8 : frame.length > 125 ? 2 : 0);
      const decoded = decodeClientMessage(frame);
      const type = decoded.ok ? decoded.value.type : "undecodable";
      bump(sent.byType, type, frame.length);
      if (decoded.ok && decoded.value.type === "push") {
        pushes.push({
          docId: decoded.value.docId,
          envelope: decoded.value.envelope,
          frameBytes: frame.length,
        });
      }
      connection.send(frame);
    },
    close: (code, reason) => connection.close(code, reason),
  };
};

const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-bench-sync-bytes-"));
const dbPath = path.join(dir, "relay.db");
const opened = await openSqliteRelayStore({ path: dbPath });
if (!opened.ok) throw new Error(opened.error.message);
const store = opened.value;
const relay = await startRelay({ store, port: 0 });
let engine;
try {
  const vault = (
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() })
  ).value;
  engine = await startSync(vault, { url: relay.url, transport: countingTransport });
  await engine.whenSynced(10_000);
  const workout = (await vault.workouts.create({ title: "4 h reference ride", startTime: START }))
    .value;
  const recording = (await vault.workouts.record(workout.id)).value;
  const t0 = performance.now();
  let chunks = 0;
  for (const sample of rideSamples(START, SECONDS)) {
    const result = await recording.append(sample);
    if (!result.ok) throw new Error(result.error.message);
    if (result.value.sealed) {
      chunks++;
      // Live, the library summary is refreshed at most every 15 minutes of riding
      // (summaryIntervalMs): every 15th chunk of 60 s.
      if (chunks % 15 === 0) await vault.workouts.settle();
      await engine.whenSynced(10_000);
    }
  }
  await recording.finish();
  await vault.workouts.settle();
  await engine.whenSynced(10_000);
  const elapsed = performance.now() - t0;
  if (engine.status.lastError) throw new Error(JSON.stringify(engine.status.lastError));
  const ownFitBytes = exportFit({
    metadata: workout.metadata(),
    columns: workout.samples().columns,
  }).length;

  // Open every envelope sent, to weigh the Automerge bytes inside.
  const keysByDoc = new Map(
    (await vault.syncSource().documents()).map((doc) => [doc.docId, doc.keys]),
  );
  const groups = new Map(); // "workout change" → { count, envelope, plaintext, frame }
  for (const push of pushes) {
    const keys = keysByDoc.get(push.docId);
    const openedEnvelope = openEnvelope(sodium, push.envelope, keys);
    if (!openedEnvelope.ok) throw new Error(openedEnvelope.error.message);
    const doc = push.docId === workout.id ? "workout" : "library";
    const key = `${doc} ${openedEnvelope.value.header.kind}`;
    const group = groups.get(key) ?? {
      count: 0,
      envelope: 0,
      plaintext: 0,
      coded: 0,
      padding: 0,
      frame: 0,
      min: Number.POSITIVE_INFINITY,
      max: 0,
    };
    const plaintextBytes = openedEnvelope.value.plaintext.length;
    group.count++;
    group.envelope += push.envelope.length;
    group.plaintext += plaintextBytes;
    // What was padded: the content as coded (deflated when smaller), not the plaintext.
    const codedBytes = encodeContent(openedEnvelope.value.plaintext).length;
    group.coded += codedBytes;
    group.padding += paddedLength(codedBytes) - codedBytes;
    group.frame += push.frameBytes;
    group.min = Math.min(group.min, plaintextBytes);
    group.max = Math.max(group.max, plaintextBytes);
    groups.set(key, group);
  }
  const relayStats = await store.stats();
  const workoutStats = await store.stats(workout.id);
  const savedBytes = workout.save().length;
  await engine.stop();
  engine = undefined;
  await vault.close();
  await relay.close();
  const fileBytes = async (p) => (await fs.stat(p).catch(() => ({ size: 0 }))).size;
  const dbFile = await fileBytes(dbPath);
  const walFile = await fileBytes(`${dbPath}-wal`);

  const fmt = (n, digits = 0) => n.toFixed(digits);
  const kb = (n) => `${fmt(n / 1000, 1)} KB`;
  const line = (label, value) => console.log(`  ${label.padEnd(46)} ${value}`);
  console.log(
    `4-hour ride, ${SECONDS} samples at 1 Hz, no GPS, ${chunks} chunks of 60 (recorded and synced in ${fmt(elapsed / 1000, 1)} s)`,
  );
  console.log("\nbytes the device sent (every frame, WebSocket payloads)");
  line("total", `${sent.bytes} bytes in ${sent.frames} frames (${kb(sent.bytes)})`);
  line("per sample", `${fmt(sent.bytes / SECONDS, 2)} bytes`);
  line(
    "ratio to the FIT file (158 KB, REFERENCE.md)",
    `${fmt(sent.bytes / FIT_BYTES, 2)}× (goal ≤ 1.0×: ${sent.bytes <= FIT_BYTES ? "met" : "NOT met"})`,
  );
  line(
    `ratio to this ride's FIT export (${kb(ownFitBytes)})`,
    `${fmt(sent.bytes / ownFitBytes, 2)}× (exportFit: records, laps, session, activity)`,
  );
  line("ratio to raw 10 bytes/sample (144 KB)", `${fmt(sent.bytes / RAW_BYTES, 2)}×`);
  line(
    "with WebSocket frame headers (client masks)",
    `${sent.bytes + sent.wsHeaderBytes} bytes (${fmt((sent.bytes + sent.wsHeaderBytes) / FIT_BYTES, 2)}× FIT; TCP/IP not counted)`,
  );
  for (const [type, { frames, bytes }] of sent.byType) {
    line(`  ${type} frames`, `${frames} frames, ${bytes} bytes`);
  }
  console.log("\npushes by document and envelope kind");
  let totalEnvelope = 0;
  let totalPlaintext = 0;
  let totalPadding = 0;
  let totalCoded = 0;
  for (const [key, g] of [...groups].sort()) {
    totalEnvelope += g.envelope;
    totalPlaintext += g.plaintext;
    totalPadding += g.padding;
    totalCoded += g.coded;
    line(
      `${key}s`,
      `${g.count} × avg ${fmt(g.envelope / g.count)} B envelope (${fmt(g.plaintext / g.count)} B Automerge inside), ${g.envelope} B total, +${fmt((g.envelope / g.plaintext - 1) * 100, 1)} %`,
    );
    line(
      "",
      `Automerge ${g.min}–${g.max} B each, coded (deflated when smaller) avg ${fmt(g.coded / g.count)} B; padding avg ${fmt(g.padding / g.count)} B, fixed framing avg ${fmt((g.envelope - g.coded - g.padding) / g.count)} B`,
    );
  }
  line(
    "envelope overhead, all pushes",
    `${totalEnvelope} B envelopes / ${totalPlaintext} B Automerge = ${fmt(totalEnvelope / totalPlaintext, 3)}× (content coded to ${totalCoded} B, then ${totalPadding} B padding and ${totalEnvelope - totalCoded - totalPadding} B header, nonce, tag, signature)`,
  );
  const pushFrames = [...groups.values()].reduce((n, g) => n + g.frame, 0);
  line("push framing (frame − envelope)", `${pushFrames - totalEnvelope} B`);
  console.log("\nbytes the device received");
  line("total", `${received.bytes} bytes in ${received.frames} frames`);
  for (const [type, { frames, bytes }] of received.byType) {
    line(`  ${type} frames`, `${frames} frames, ${bytes} bytes`);
  }
  console.log("\nwhat the relay stores (after snapshots pruned what they cover)");
  line(
    "envelopes, all documents",
    `${relayStats.changes} changes + ${relayStats.snapshots} snapshots = ${relayStats.bytes} bytes (${fmt(relayStats.bytes / SECONDS, 2)} B/sample)`,
  );
  line(
    "of which the workout",
    `${workoutStats.changes} changes + ${workoutStats.snapshots} snapshots = ${workoutStats.bytes} bytes`,
  );
  line("SQLite files after close", `relay.db ${dbFile} bytes, WAL ${walFile} bytes`);
  line(
    "for scale: Automerge.save of the ride",
    `${savedBytes} bytes (${fmt(savedBytes / SECONDS, 2)} B/sample)`,
  );
} finally {
  await engine?.stop();
  await relay.close().catch(() => undefined);
  await fs.rm(dir, { recursive: true, force: true });
}
