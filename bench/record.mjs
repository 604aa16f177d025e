// bench/record: a 4-hour and a 24-hour ride at 1 Hz recorded as a live recorder would (one
// sample per tick) into a vault on disk. Prints the cost per sample outside Automerge,
// chunk-commit p50/p99 in the first and last hour and their ratio, total Automerge time,
// saved size and bytes per sample, and the open time and memory of the saved 4-hour ride
// (measured in a fresh process). Run: npm run bench -- record
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openNodeVault, Workout } from "../packages/core/dist/node.js";
import { timeChunkCommits } from "./chunk-commits.lib.mjs";
import { rideSamples } from "./ride.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const START = Date.UTC(2026, 5, 1, 6, 0, 0);

// Time every chunk commit: the one Automerge change per sealed chunk.
const { commits } = timeChunkCommits(Workout);

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

async function record(hours) {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-bench-"));
  const opened = await openNodeVault({ directory });
  if (!opened.ok) throw new Error(opened.error.message);
  const vault = opened.value;
  const created = await vault.workouts.create({ title: `${hours} h`, startTime: START });
  if (!created.ok) throw new Error(created.error.message);
  const workout = created.value;
  const recording = (await vault.workouts.record(workout.id)).value;
  commits.length = 0;
  const seconds = hours * 3600;
  let appendTotal = 0;
  for (const sample of rideSamples(START, seconds)) {
    const t = performance.now();
    const result = await recording.append(sample);
    appendTotal += performance.now() - t;
    if (!result.ok) throw new Error(result.error.message);
  }
  await recording.finish();
  const commitTimes = [...commits];
  const automergeTotal = commitTimes.reduce((a, b) => a + b, 0);
  const perHour = commitTimes.length / hours;
  const first = commitTimes.slice(0, perHour);
  const last = commitTimes.slice(-perHour);
  const saved = workout.save();
  await vault.close();
  return {
    directory,
    id: workout.id,
    seconds,
    chunks: commitTimes.length,
    perSampleOutsideUs: ((appendTotal - automergeTotal) / seconds) * 1000,
    firstP50: quantile(first, 0.5),
    firstP99: quantile(first, 0.99),
    lastP50: quantile(last, 0.5),
    lastP99: quantile(last, 0.99),
    automergeTotal,
    savedBytes: saved.length,
  };
}

function openInFreshProcess(directory, id) {
  const out = execFileSync(
    process.execPath,
    ["--expose-gc", path.join(here, "open-child.mjs"), directory, id],
    {
      encoding: "utf8",
    },
  );
  return JSON.parse(out);
}

const fmt = (n, digits = 2) => n.toFixed(digits);
const results = [];
for (const hours of [4, 24]) {
  const r = await record(hours);
  results.push(r);
  console.log(`\n${hours}-hour ride, 1 Hz, ${r.seconds} samples, ${r.chunks} chunks of 60`);
  console.log(
    `  cost per sample outside Automerge   ${fmt(r.perSampleOutsideUs, 1)} µs (validate, crash log, buffer)`,
  );
  console.log(`  chunk commit first hour p50 / p99   ${fmt(r.firstP50)} / ${fmt(r.firstP99)} ms`);
  console.log(`  chunk commit last hour  p50 / p99   ${fmt(r.lastP50)} / ${fmt(r.lastP99)} ms`);
  console.log(`  last-hour / first-hour p50          ${fmt(r.lastP50 / r.firstP50)} (goal ≤ 1.3)`);
  console.log(`  total Automerge time                ${fmt(r.automergeTotal, 0)} ms`);
  console.log(
    `  saved document                      ${r.savedBytes} bytes, ${fmt(r.savedBytes / r.seconds)} bytes/sample (goal ≤ 6)`,
  );
}
const { cold, warm } = openInFreshProcess(results[0].directory, results[0].id);
console.log("\nopening the saved 4-hour ride (a fresh process; goal ≤ 50 ms and ≤ 5 MB)");
console.log(`  first open in the process (cold)    ${fmt(cold.openMs, 1)} ms`);
console.log(`  open again, new vault instance      ${fmt(warm.openMs, 1)} ms`);
console.log(
  `  memory held after open              ${fmt(cold.heapMb + cold.buffersMb)} MB (JS heap ${fmt(cold.heapMb)} + buffers/WASM ${fmt(cold.buffersMb)})`,
);
console.log(
  `  read all ${cold.samples} samples as columns  ${fmt(cold.readMs, 1)} ms cold, ${fmt(warm.readMs, 1)} ms warm`,
);
for (const r of results) await fs.rm(r.directory, { recursive: true, force: true });
