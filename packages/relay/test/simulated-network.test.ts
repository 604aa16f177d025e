/**
 * Convergence on a seeded simulated network (STYLE.md, Tests): per seed, three devices of
 * one rider create, edit, record into, remove and restore workouts while `SimulatedNetwork`
 * interleaves their frames, cuts connections, duplicates pushes and envelopes, holds queues
 * back and takes devices offline. Then the network heals, every engine reaches "synced", and
 * the three devices must hold the same library and the same workouts — with every sample
 * that was recorded.
 *
 * Time: vitest's fake `setTimeout` runs the engines' reconnect backoff and the vaults' save
 * and summary timers; the network fires the next timer as one of its seeded actions (and
 * whenever nothing else can happen), so backoff is realistic and costs no wall time. During
 * a run the seed also drives `crypto.getRandomValues`, so Automerge's actor ids — which break
 * ties between concurrent edits — repeat, and a replay repeats the run exactly.
 *
 * Replay one seed:  RIDEVAULT_SEED=N npx vitest run packages/relay/test/simulated-network.test.ts
 * (RIDEVAULT_TRACE=1 also writes the network's log to a file). More seeds: RIDEVAULT_SEEDS=5000.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  columnsToSamples,
  ManualClock,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  type SyncEngine,
  startSync,
  unwrap,
  type Vault,
} from "@ridevault/core";
import { loadSodium } from "@ridevault/core/protocol";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { Dice, SimulatedNetwork, seededRandom } from "./simulated-network.js";

const TEST_FILE = "packages/relay/test/simulated-network.test.ts";
const T0 = Date.UTC(2026, 9, 3, 6, 0, 0);
const BATCH = 50;

interface SimDevice {
  readonly name: string;
  readonly vault: Vault;
  readonly engine: SyncEngine;
  /** Every `lastError` the engine reported, as "code: message". */
  readonly errors: string[];
  /** The workout this device created, once it has. */
  workout: string | undefined;
  creating: boolean;
  /** The operation running on this device; the next one waits for it. */
  busy: Promise<void>;
}

interface Scenario {
  readonly seed: number;
  readonly network: SimulatedNetwork;
  readonly dice: Dice;
  readonly clock: ManualClock;
  readonly devices: SimDevice[];
  /** Workouts in the order they were created. */
  readonly workoutIds: string[];
  /** Samples recorded into each workout (the whole recording finished). */
  readonly samplesByWorkout: Map<string, number>;
  readonly ops: Promise<void>[];
  /** Operations that failed in a way they should not have. */
  readonly failures: string[];
  nextRideStart: number;
}

describe("devices converging through a relay on a simulated network", () => {
  beforeAll(async () => {
    // Loaded once with real timers and real randomness; every run then shares it.
    await loadSodium();
  });

  const replay = envInteger("RIDEVAULT_SEED");
  if (replay !== undefined) {
    it(`replays seed=${replay}`, async () => {
      await checkSeeds([replay], process.env.RIDEVAULT_TRACE === "1");
    }, 120_000);
    return;
  }

  const count = envInteger("RIDEVAULT_SEEDS") ?? 500;
  const batches: { from: number; to: number }[] = [];
  for (let from = 1; from <= count; from += BATCH)
    batches.push({ from, to: Math.min(count, from + BATCH - 1) });

  it.each(batches)(
    "seeds $from–$to converge",
    async ({ from, to }) => {
      const seeds = Array.from({ length: to - from + 1 }, (_, i) => from + i);
      await checkSeeds(seeds, false);
    },
    120_000,
  );

  it("replays a seed exactly: the same actions, frames and operations", async () => {
    const first = await runSeed(7, { trace: true });
    const second = await runSeed(7, { trace: true });
    expect(first.trace.length).toBeGreaterThan(100);
    expect(second.trace).toEqual(first.trace);
    expect(String(second.failure)).toEqual(String(first.failure));
  }, 30_000);
});

/** A non-negative integer from the environment, if set. */
function envInteger(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, not "${text}"`);
  return value;
}

/** Runs each seed; fails with the first failure (its diff intact), naming every failed seed. */
async function checkSeeds(seeds: readonly number[], trace: boolean): Promise<void> {
  const failed: { seed: number; error: Error }[] = [];
  for (const seed of seeds) {
    const { failure } = await runSeed(seed, { trace, writeTrace: trace });
    if (failure !== undefined) failed.push({ seed, error: failure });
  }
  const first = failed[0];
  if (!first) return;
  const list = failed.map((f) => `seed=${f.seed}`).join(", ");
  first.error.message =
    `${failed.length} of ${seeds.length} seed(s) failed: ${list}. Replay one with ` +
    `RIDEVAULT_SEED=${first.seed} npx vitest run ${TEST_FILE} ` +
    "(add RIDEVAULT_TRACE=1 for its network log)\n" +
    `seed=${first.seed}: ${first.error.message}`;
  throw first.error;
}

/** What one seed did: the network's trace (when asked for) and how it failed, if it did. */
interface SeedRun {
  readonly trace: readonly string[];
  readonly failure: Error | undefined;
}

/** Runs one seed's scenario; `writeTrace` also writes the trace to the temporary directory. */
async function runSeed(
  seed: number,
  options: { readonly trace: boolean; readonly writeTrace?: boolean },
): Promise<SeedRun> {
  const network = await SimulatedNetwork.create({
    seed,
    trace: options.trace,
    advanceTime: () => {
      if (vi.getTimerCount() === 0) return false;
      vi.advanceTimersToNextTimer();
      return true;
    },
  });
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  const random = seededRandom(seed, 3);
  const getRandomValues = vi
    .spyOn(globalThis.crypto, "getRandomValues")
    .mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      if (array) {
        const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
        view.set(random.bytes(view.length));
      }
      return array;
    });
  const s: Scenario = {
    seed,
    network,
    dice: new Dice(seed, 4),
    clock: new ManualClock(T0),
    devices: [],
    workoutIds: [],
    samplesByWorkout: new Map(),
    ops: [],
    failures: [],
    nextRideStart: T0,
  };
  const traceFile = path.join(os.tmpdir(), `ridevault-seed-${seed}.trace`);
  let failure: Error | undefined;
  try {
    await play(s);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    failure.message += `\n${describeDevices(s)}`;
    if (options.writeTrace) failure.message += `\n(network trace in ${traceFile})`;
  } finally {
    if (options.writeTrace) await fs.writeFile(traceFile, `${network.trace.join("\n")}\n`);
    await Promise.allSettled(s.ops);
    for (const device of s.devices) {
      await device.engine.stop();
      await device.vault.close();
    }
    network.close();
    vi.clearAllTimers();
    vi.useRealTimers();
    getRandomValues.mockRestore();
  }
  return { trace: network.trace, failure };
}

async function play(s: Scenario): Promise<void> {
  const { network, dice } = s;
  const snapshotEvery = dice.pick([4, 200]);
  network.note(`faults ${JSON.stringify(network.faults)}; snapshots every ${snapshotEvery}`);
  const first = await openDevice(s, 0, undefined, snapshotEvery);
  const invite = await first.vault.invite();
  await network.runUntil(() => first.engine.status.state === "synced", "device-0 syncs");
  await openDevice(s, 1, invite, snapshotEvery);
  await openDevice(s, 2, invite, snapshotEvery);

  // Faults for 60–120 steps. Operations — each device's create (retried until it has the
  // library), then updates, recordings, removes, restores — fall in the first two thirds,
  // so what they send meets faults too.
  const steps = 60 + dice.int(61);
  const opsByStep = new Map<number, number>();
  for (let n = 3 + 2 + dice.int(5); n > 0; n--) {
    const at = dice.int(Math.floor((steps * 2) / 3));
    opsByStep.set(at, (opsByStep.get(at) ?? 0) + 1);
  }
  for (let i = 0; i < steps; i++) {
    for (let n = opsByStep.get(i) ?? 0; n > 0; n--) operate(s, dice.pick(s.devices));
    await network.step();
    s.clock.advance(1000);
  }

  await Promise.all(s.ops);
  network.heal();
  await network.runUntil(() => quiet(s), "the healed network settles");
  for (const device of s.devices) if (!device.workout) await create(s, device);
  await network.runUntil(() => quiet(s), "the last workouts sync");
  // Summaries are refreshed after a delay; settle them, and sync what that changes.
  for (let round = 0; ; round++) {
    await Promise.all(s.devices.map((d) => d.vault.workouts.settle()));
    if (quiet(s)) break;
    if (round === 3) throw new Error("settling summaries keeps changing the libraries");
    await network.runUntil(() => quiet(s), "settled summaries sync");
  }
  await Promise.all(s.devices.map((d) => d.engine.whenSynced()));

  const [a, b, c] = await Promise.all(s.devices.map((d) => contents(d.vault)));
  expect(b).toEqual(a);
  expect(c).toEqual(a);
  // Not only the same on all three: every workout, with every sample recorded into it.
  const samplesById = Object.fromEntries(
    (a?.workouts ?? []).map((w) => [w.id, "samples" in w ? w.samples.length : w.error]),
  );
  expect(samplesById).toEqual(
    Object.fromEntries(s.workoutIds.map((id) => [id, s.samplesByWorkout.get(id) ?? 0])),
  );
  expect(s.failures).toEqual([]);
  expect(network.problems).toEqual([]);
  for (const device of s.devices) {
    // Cut connections are reported (closed-1006); nothing else may go wrong.
    expect(device.errors.filter((e) => !e.startsWith("closed-1006"))).toEqual([]);
    expect(device.vault.workouts.takeErrors()).toEqual([]);
  }
}

/** Where each engine stands and what it reported, for failure messages. */
function describeDevices(s: Scenario): string {
  return s.devices
    .map((d) => {
      const { state, pending } = d.engine.status;
      const errors = d.errors.filter((e) => !e.startsWith("closed-1006"));
      return `${d.name}: ${state}, ${pending} pending${errors.length > 0 ? `; errors: ${errors.join(" | ")}` : ""}`;
    })
    .join("\n");
}

/** Every engine synced and nothing in flight. */
function quiet(s: Scenario): boolean {
  return s.network.idle() && s.devices.every((d) => d.engine.status.state === "synced");
}

async function openDevice(
  s: Scenario,
  index: number,
  join: string | undefined,
  snapshotEvery: number,
): Promise<SimDevice> {
  const name = `device-${index}`;
  const vault = unwrap(
    await openVault({
      storage: new MemoryStorageAdapter(),
      crashLog: new MemoryCrashLog(),
      deviceName: name,
      summaryDelayMs: 500,
      clock: s.clock,
      random: seededRandom(s.seed, 10 + index),
      ...(join !== undefined && { join }),
    }),
  );
  const engine = await startSync(vault, {
    url: "sim://relay/sync",
    transport: s.network.transport(name),
    backoff: { minMs: 10, maxMs: 1000 },
    snapshotEvery,
    clock: s.clock,
    random: seededRandom(s.seed, 20 + index),
  });
  const device: SimDevice = {
    name,
    vault,
    engine,
    errors: [],
    workout: undefined,
    creating: false,
    busy: Promise.resolve(),
  };
  let last = engine.status.lastError;
  engine.onStatus((status) => {
    if (status.lastError === last || !status.lastError) return;
    last = status.lastError;
    device.errors.push(`${last.code}: ${last.message}`);
  });
  s.devices.push(device);
  return device;
}

type Op = () => Promise<void>;

/**
 * Queues one operation on `device`, its choices drawn now: the first creates the device's
 * workout; later ones update, record into, remove or restore any workout. A device does one
 * thing at a time, as its rider would. An operation on a workout the device has not
 * received yet does nothing.
 */
function operate(s: Scenario, device: SimDevice): void {
  let op: Op;
  if (!device.workout && !device.creating) {
    device.creating = true;
    op = () => create(s, device, true);
  } else if (s.workoutIds.length === 0) {
    return;
  } else {
    const id = s.dice.pick(s.workoutIds);
    const roll = s.dice.int(10);
    if (roll < 4) op = update(s, device, id);
    else if (roll < 7) op = recordInto(s, device, id);
    else op = removeOrRestore(s, device, id, roll < 9);
  }
  const run = device.busy.then(async () => {
    try {
      await op();
    } catch (error) {
      s.failures.push(`${device.name}: ${(error as Error).stack ?? String(error)}`);
    }
  });
  device.busy = run;
  s.ops.push(run);
}

async function create(s: Scenario, device: SimDevice, mayWait = false): Promise<void> {
  device.creating = true;
  const index = s.devices.indexOf(device);
  const created = await device.vault.workouts.create({
    title: `Ride of ${device.name}`,
    startTime: T0 + index * 86_400_000,
  });
  device.creating = false;
  if (created.ok) {
    device.workout = created.value.id;
    s.workoutIds.push(created.value.id);
    s.network.note(`${device.name} creates ${created.value.id}`);
  } else if (!(mayWait && created.error.field === "library")) {
    s.failures.push(`${device.name} could not create its workout: ${created.error.message}`);
  }
}

function update(s: Scenario, device: SimDevice, id: string): Op {
  const n = s.dice.int(1000);
  const patch = s.dice.pick([
    { notes: `notes ${n} by ${device.name}` },
    { title: `Title ${n}` },
    { tags: [`tag-${n % 7}`, device.name] },
    { settings: { ftp: 200 + (n % 150) } },
  ]);
  return async () => {
    s.network.note(`${device.name} updates ${id} with ${JSON.stringify(patch)}`);
    const updated = await device.vault.workouts.update(id, patch);
    if (!updated.ok) expectUnsynced(s, device, updated.error.code);
  };
}

function recordInto(s: Scenario, device: SimDevice, id: string): Op {
  const chunkSamples = 2 + s.dice.int(4);
  const count = 3 + s.dice.int(6);
  const start = s.nextRideStart;
  s.nextRideStart += 3_600_000;
  const power = s.dice.int(400);
  return async () => {
    s.network.note(
      `${device.name} records ${count} samples into ${id} (chunks of ${chunkSamples})`,
    );
    const opened = await device.vault.workouts.record(id, { chunkSamples });
    if (!opened.ok) {
      expectUnsynced(s, device, opened.error.code);
      return;
    }
    const recording = opened.value;
    for (let i = 0; i < count; i++) {
      const sample = { time: start + i * 1000, power: power + i, heartRate: 120 + i, cadence: 90 };
      unwrap(await recording.append(sample));
    }
    await recording.finish();
    s.samplesByWorkout.set(id, (s.samplesByWorkout.get(id) ?? 0) + count);
  };
}

function removeOrRestore(s: Scenario, device: SimDevice, id: string, remove: boolean): Op {
  return async () => {
    s.network.note(`${device.name} ${remove ? "removes" : "restores"} ${id}`);
    const workouts = device.vault.workouts;
    const done = remove ? await workouts.remove(id) : await workouts.restore(id);
    if (!done.ok) expectUnsynced(s, device, done.error.code);
  };
}

/** Only "not here yet" may stop an operation on a workout another device created. */
function expectUnsynced(s: Scenario, device: SimDevice, code: string): void {
  if (code === "not-found" || code === "not-synced") return;
  s.failures.push(`${device.name}: an operation failed with ${code}`);
}

/** Everything a device holds, comparable across devices (`updatedAt` of entries aside). */
async function contents(vault: Vault) {
  const library = vault.workouts
    .list({ deleted: true })
    .map((e) => ({ ...e, updatedAt: 0 }))
    .sort((x, y) => (x.id < y.id ? -1 : 1));
  const workouts = [];
  for (const entry of library) {
    const opened = await vault.workouts.open(entry.id);
    if (!opened.ok) {
      workouts.push({ id: entry.id, error: opened.error.code });
      continue;
    }
    const workout = opened.value;
    workouts.push({
      id: entry.id,
      heads: workout.heads().sort(),
      metadata: workout.metadata(),
      samples: columnsToSamples(workout.samples().columns),
    });
  }
  return { library, workouts };
}
