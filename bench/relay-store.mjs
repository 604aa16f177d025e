// bench/relay-store: durable appends per second and append latency p50/p99 of the SQLite
// relay store (WAL, synchronous=FULL) with one transaction per append against group commit
// (one transaction per event-loop turn), in the same run: 500-byte envelopes, 10 and 100
// concurrent writers over 10 documents. Each writer sends its next append when the previous
// one is acknowledged, and it arrives in a later event-loop turn, as a frame from a socket
// would; latency runs from sending to the acknowledgement, so it includes waiting behind
// other writers' commits. Absolute numbers drift between runs here; compare the ratios. Run: npm run bench -- relay-store   (BENCH_SECONDS=n to change the 3 s per case)
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openSqliteRelayStore } from "../packages/relay/dist/store/sqlite-relay-store.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARM_UP_MS = 300;
const DOCUMENTS = 10;
const ENVELOPE = new Uint8Array(500).map((_, i) => (i * 31) % 256);

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Appends from `writers` concurrent writers for SECONDS; returns throughput and latency. */
async function measure({ writers, groupCommit }) {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-bench-relay-"));
  const opened = await openSqliteRelayStore({
    path: path.join(directory, "relay.db"),
    groupCommit,
  });
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
  for (let d = 0; d < DOCUMENTS; d++) {
    const registered = await store.registerDocument({
      docId: `doc-${d}`,
      writePublicKey: new Uint8Array(32).fill(1),
      accessHash: new Uint8Array(32).fill(2),
      owner: null,
      createdAt: Date.now(),
    });
    if (!registered.ok) throw new Error(registered.error.message);
  }
  const latencies = [];
  const start = performance.now();
  const measureFrom = start + WARM_UP_MS;
  const end = measureFrom + SECONDS * 1000;
  let before;
  async function writer(w) {
    const docId = `doc-${w % DOCUMENTS}`;
    const author = w.toString(16).padStart(16, "0");
    for (let counter = 1; ; counter++) {
      const t = performance.now();
      if (t >= end) return;
      await nextTurn();
      await store.append({
        docId,
        author,
        counter,
        kind: "change",
        coversSeq: null,
        envelope: ENVELOPE,
        receivedAt: Date.now(),
      });
      if (t >= measureFrom) latencies.push(performance.now() - t);
      else before = store.counters;
    }
  }
  await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
  const elapsed = (performance.now() - measureFrom) / 1000;
  const after = store.counters;
  await store.close();
  await fs.rm(directory, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const transactions = after.transactions - (before?.transactions ?? 0);
  return {
    perSecond: latencies.length / elapsed,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    perTransaction: latencies.length / Math.max(1, transactions),
  };
}

const fmt = (n, digits = 1) => n.toFixed(digits);
const line = (label, r) =>
  `  ${label.padEnd(26)} ${fmt(r.perSecond, 0).padStart(7)} appends/s   p50 ${fmt(r.p50, 2).padStart(6)} ms   p99 ${fmt(r.p99, 2).padStart(6)} ms   ${fmt(r.perTransaction)} appends/transaction`;

console.log(
  `SQLite relay store, durable appends (WAL, synchronous=FULL), ${ENVELOPE.length}-byte envelopes, ${SECONDS} s per case`,
);
for (const writers of [10, 100]) {
  const single = await measure({ writers, groupCommit: false });
  const group = await measure({ writers, groupCommit: true });
  console.log(`\n${writers} concurrent writers`);
  console.log(line("one transaction per append", single));
  console.log(line("group commit", group));
  console.log(
    `  group / single: throughput ×${fmt(group.perSecond / single.perSecond, 2)}, p50 ×${fmt(group.p50 / single.p50, 2)}, p99 ×${fmt(group.p99 / single.p99, 2)}`,
  );
}
