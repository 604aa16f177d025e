// bench/recorder: what recording costs outside Automerge. Three sensors (heart rate strap
// with RR intervals, power meter with crank and wheel counters, speed/cadence sensor) each
// notify at 4 Hz — real GATT bytes — into a recording session on a manual clock.
//   1. a 4-hour ride, session and parsing only (samples go to a fake target): CPU in total,
//      per notification and per recorded second (goal: under 1 s of CPU for the 4 hours);
//   2. the same 4 hours into a real in-memory vault: the vault append (validation, crash
//      log, Automerge chunk commits) measured on its own;
//   3. a 24-hour ride, session only: heap after GC every 4 hours (goal: flat).
// Run: npm run bench -- recorder
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  ManualClock,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  unwrap,
  Workout,
} from "../packages/core/dist/index.js";
import {
  createRecordingSession,
  createSourceEvents,
  FakeTarget,
} from "../packages/recorder/dist/index.js";
import {
  encodeCscMeasurement,
  encodeCyclingPowerMeasurement,
  encodeHeartRateMeasurement,
} from "../packages/recorder/dist/sources/gatt-encoders.js";
import { timeChunkCommits } from "./chunk-commits.lib.mjs";

if (typeof globalThis.gc !== "function") {
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(process.execPath, ["--expose-gc", self], { stdio: "inherit" });
  process.exit(run.status ?? 1);
}

const START = Date.UTC(2026, 5, 1, 6, 0, 0);
const HZ = 4;
const CRANK_PER_S = 1.5; // 90 rpm
const WHEEL_PER_S = 9000 / 2105; // 9 m/s on a 2105 mm wheel

/** The three sensors' notifications of the slots in (fromMs, toMs], in time order. */
function* notifications(fromMs, toMs) {
  const step = 1000 / HZ;
  for (let t = Math.floor(fromMs / step) * step; t <= toMs; t += step) {
    if (t <= fromMs) continue;
    const crankRevs = Math.floor((t / 1000) * CRANK_PER_S);
    const wheelRevs = Math.floor((t / 1000) * WHEEL_PER_S);
    const crank = {
      revolutions: crankRevs % 0x1_0000,
      eventTime: Math.round((crankRevs / CRANK_PER_S) * 1024) % 0x1_0000,
    };
    const wheel = (ticks) => ({
      revolutions: wheelRevs % 0x1_0000_0000,
      eventTime: Math.round((wheelRevs / WHEEL_PER_S) * ticks) % 0x1_0000,
    });
    const rr = (t / step) % 2 === 0 ? [439] : [];
    yield {
      characteristic: "2a37",
      time: START + t,
      bytes: encodeHeartRateMeasurement({ heartRate: 140, wide: false, rrIntervals1024: rr }),
    };
    yield {
      characteristic: "2a63",
      time: START + t - 60,
      bytes: encodeCyclingPowerMeasurement({ power: 220, wheel: wheel(2048), crank }),
    };
    yield {
      characteristic: "2a5b",
      time: START + t - 120,
      bytes: encodeCscMeasurement({ wheel: wheel(1024), crank }),
    };
  }
}

function createBenchSource() {
  const events = createSourceEvents();
  return {
    events,
    source: {
      async start() {},
      async stop() {},
      onNotification: events.onNotification,
      onConnection: events.onConnection,
    },
  };
}

/** The notifications of each second of a `seconds`-long ride, made before timing. */
function prepare(seconds) {
  const perSecond = [];
  for (let s = 0; s < seconds; s++) perSecond.push([...notifications(s * 1000, (s + 1) * 1000)]);
  return perSecond;
}

/**
 * Rides through a session into `target`: `seconds` of prepared notifications, or made on
 * the fly when `prepared` is a number (the 24-hour run, so the bench itself holds no ride).
 * `every(second, session)` runs every simulated minute, outside the timed part.
 */
async function rideSession(target, prepared, every = async () => {}) {
  const seconds = typeof prepared === "number" ? prepared : prepared.length;
  const clock = new ManualClock(START);
  const { events, source } = createBenchSource();
  const session = createRecordingSession({
    target,
    sources: { bike: source },
    clock,
    timers: "manual",
  });
  events.emitConnection({
    type: "connected",
    sensor: "bike",
    characteristics: ["2a37", "2a63", "2a5b"],
    time: START,
  });
  session.start();
  globalThis.gc();
  let timedMs = 0;
  let cpu = 0;
  let count = 0;
  let cpuFrom = process.cpuUsage();
  for (let s = 0; s < seconds; s++) {
    const due =
      typeof prepared === "number" ? [...notifications(s * 1000, (s + 1) * 1000)] : prepared[s];
    clock.advance(1000);
    const t = performance.now();
    for (const n of due) events.emitNotification(n);
    session.tick();
    timedMs += performance.now() - t;
    count += due.length;
    if (s % 60 === 59) {
      cpu += cpuMs(process.cpuUsage(cpuFrom));
      await every(s + 1, session);
      cpuFrom = process.cpuUsage();
    }
  }
  await session.stop();
  cpu += cpuMs(process.cpuUsage(cpuFrom));
  return { timedMs, cpu, count };
}

function cpuMs(usage) {
  return (usage.user + usage.system) / 1000;
}

const fmt = (n, digits = 2) => n.toFixed(digits);

// 1. Session and parsing only.
async function sessionOnly() {
  const seconds = 4 * 3600;
  const ride = prepare(seconds);
  const target = new FakeTarget({ keep: false });
  const r = await rideSession(target, ride);
  console.log(
    `\n1. 4-hour ride, 3 sensors × ${HZ} Hz = ${r.count} notifications, ${target.count} samples`,
  );
  console.log(`  session + parsing, process CPU          ${fmt(r.cpu, 0)} ms (goal < 1000 ms)`);
  console.log(`  session + parsing, wall time in calls   ${fmt(r.timedMs, 0)} ms`);
  console.log(
    `  per notification (incl. its share of the 1 Hz tick)  ${fmt((r.cpu / r.count) * 1000, 2)} µs CPU`,
  );
  console.log(
    `  per recorded second                     ${fmt((r.cpu / seconds) * 1000, 1)} µs CPU`,
  );
}

// 2. The same ride into a real vault: the append measured on its own.
async function intoVault() {
  const { commits, stop } = timeChunkCommits(Workout);
  const vault = unwrap(
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
  );
  const workout = unwrap(await vault.workouts.create({ title: "bench", startTime: START }));
  const recording = unwrap(await vault.workouts.record(workout.id));
  let appendMs = 0;
  const target = {
    workout: recording.workout,
    finish: (o) => recording.finish(o),
    append(sample) {
      const t = performance.now();
      const promise = recording.append(sample);
      appendMs += performance.now() - t;
      return promise;
    },
  };
  const seconds = 4 * 3600;
  const ride = prepare(seconds);
  const t = performance.now();
  await rideSession(target, ride, async (_s, session) => {
    const a = performance.now();
    await session.whenAppended();
    appendMs += performance.now() - a;
  });
  const total = performance.now() - t;
  const automerge = commits.reduce((a, b) => a + b, 0);
  console.log(
    `\n2. the same 4 hours into an in-memory vault (${workout.summary().samples} samples, ${commits.length} chunks)`,
  );
  console.log(`  whole run (session + append, wall)      ${fmt(total, 0)} ms`);
  console.log(`  of which vault append (validate, crash log, seal)  ${fmt(appendMs, 0)} ms`);
  console.log(`    of which Automerge chunk commits      ${fmt(automerge, 0)} ms`);
  console.log(
    `  vault append outside Automerge, per second  ${fmt(((appendMs - automerge) / seconds) * 1000, 1)} µs`,
  );
  stop();
  await vault.close();
}

// 3. Memory over 24 hours.
async function memory() {
  const mb = () => process.memoryUsage().heapUsed / 2 ** 20;
  const target = new FakeTarget({ keep: false });
  const heap = [];
  globalThis.gc();
  heap.push([0, mb()]);
  await rideSession(target, 24 * 3600, async (s) => {
    if (s % (4 * 3600) === 0) {
      globalThis.gc();
      heap.push([s / 3600, mb()]);
    }
  });
  console.log(`\n3. 24-hour ride, session only (${target.count} samples): heap used after GC`);
  for (const [hour, used] of heap)
    console.log(`  hour ${String(hour).padStart(2)}   ${fmt(used, 2)} MB`);
}

await sessionOnly();
await intoVault();
await memory();
