/**
 * Devices syncing through a real relay: real WebSockets on port 0, real libsodium, real
 * Automerge, the relay's store on a real SQLite file.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  columnsToSamples,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  type Sample,
  type SyncEngine,
  startSync,
  unwrap,
  type Vault,
} from "@ridevault/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type RunningRelay, startRelay } from "../src/start-relay.js";
import { MemoryRelayStore } from "../src/store/memory-relay-store.js";
import { closeDevices, eventually } from "./devices.js";

const T0 = Date.UTC(2026, 8, 1, 7, 0, 0);

interface Device {
  vault: Vault;
  sync: SyncEngine;
}

describe("sync through the relay", () => {
  let relay: RunningRelay;
  let dir: string;
  const devices: Device[] = [];

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-relay-"));
    relay = await startRelay({ store: new MemoryRelayStore() });
  });

  afterEach(async () => {
    await closeDevices(devices.splice(0));
    await relay.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function device(join?: string): Promise<Device> {
    const vault = unwrap(
      await openVault({
        storage: new MemoryStorageAdapter(),
        crashLog: new MemoryCrashLog(),
        summaryDelayMs: 10,
        ...(join !== undefined && { join }),
      }),
    );
    const sync = await startSync(vault, {
      url: relay.url,
      WebSocket: WebSocket as never,
      backoff: { minMs: 20, maxMs: 200 },
    });
    const created = { vault, sync };
    devices.push(created);
    return created;
  }

  it("compacts: a writer uploads a snapshot, the relay prunes, a new device catches up from it", async () => {
    const { store, local, vault, sync } = await loneWriter({ snapshotEvery: 10 });
    const ride = unwrap(await vault.workouts.create({ title: "Many changes", startTime: T0 }));
    const recording = unwrap(await vault.workouts.record(ride.id, { chunkSamples: 2 }));
    const samples: Sample[] = Array.from({ length: 80 }, (_, i) => ({
      time: T0 + i * 1000,
      power: 100 + i,
    }));
    for (const sample of samples) unwrap(await recording.append(sample));
    await recording.finish();
    await sync.whenSynced(10_000);
    const stats = await store.stats(ride.id);
    expect(stats.snapshots).toBeGreaterThanOrEqual(1);
    // 40 chunks + metadata were pushed as changes; most are pruned behind the snapshot.
    expect(stats.changes).toBeLessThan(20);

    const fresh = unwrap(
      await openVault({
        storage: new MemoryStorageAdapter(),
        crashLog: new MemoryCrashLog(),
        join: await vault.invite(),
      }),
    );
    const freshSync = await startSync(fresh, { url: local.url, WebSocket: WebSocket as never });
    await eventually(() => fresh.workouts.list().length === 1);
    await freshSync.whenSynced(10_000);
    const copy = unwrap(await fresh.workouts.open(ride.id));
    expect(columnsToSamples(copy.samples().columns)).toEqual(samples);
    for (const s of [sync, freshSync]) await s.stop();
    await vault.close();
    await fresh.close();
    await local.close();
  });

  it("re-uploads everything to a relay that lost its data", async () => {
    const first = await startRelay({ store: new MemoryRelayStore() });
    const port = first.port;
    const vault = unwrap(
      await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
    );
    const url = first.url;
    const sync = await startSync(vault, {
      url,
      WebSocket: WebSocket as never,
      backoff: { minMs: 20, maxMs: 100 },
    });
    const ride = unwrap(await vault.workouts.create({ title: "Before the wipe", startTime: T0 }));
    await sync.whenSynced(10_000);
    await first.close();
    const second = await startRelay({ store: new MemoryRelayStore(), port });
    await eventually(
      () => sync.status.state === "synced" && sync.status.lastError?.code === "unknown-document",
    );
    await sync.whenSynced(10_000);

    const fresh = unwrap(
      await openVault({
        storage: new MemoryStorageAdapter(),
        crashLog: new MemoryCrashLog(),
        join: await vault.invite(),
      }),
    );
    const freshSync = await startSync(fresh, { url, WebSocket: WebSocket as never });
    await eventually(async () => (await fresh.workouts.open(ride.id)).ok);
    expect(fresh.workouts.get(ride.id)?.title).toBe("Before the wipe");
    for (const s of [sync, freshSync]) await s.stop();
    await vault.close();
    await fresh.close();
    await second.close();
  });

  it("compacts a document once it has been quiet (a finished ride)", async () => {
    const { store, local, vault, sync } = await loneWriter({
      snapshotIdleMs: 200,
      snapshotMinChanges: 5,
    });
    const ride = unwrap(await vault.workouts.create({ title: "Short spin", startTime: T0 }));
    await record(vault, ride.id, 40, 4);
    await sync.whenSynced(10_000);
    await eventually(
      async () => (await store.stats(ride.id)).snapshots === 1,
      5_000,
      "snapshot after the ride",
    );
    expect((await store.stats(ride.id)).changes).toBeLessThan(3);
    await sync.stop();
    await vault.close();
    await local.close();
  });

  it("a second device receives the library and every workout, and edits flow both ways", async () => {
    const phone = await device();
    const ride = unwrap(await phone.vault.workouts.create({ title: "Dawn patrol", startTime: T0 }));
    const recording = unwrap(await phone.vault.workouts.record(ride.id, { chunkSamples: 30 }));
    const samples: Sample[] = Array.from({ length: 95 }, (_, i) => ({
      time: T0 + i * 1000,
      power: 180 + (i % 40),
      heartRate: 120 + (i % 30),
    }));
    for (const sample of samples) unwrap(await recording.append(sample));
    await recording.finish();
    await phone.sync.whenSynced(10_000);

    const laptop = await device(await phone.vault.invite());
    await laptop.sync.whenSynced(10_000);
    await eventually(() => laptop.vault.workouts.list().length === 1);
    const copy = unwrap(await laptop.vault.workouts.open(ride.id));
    expect(columnsToSamples(copy.samples().columns)).toEqual(samples);
    expect(laptop.vault.workouts.get(ride.id)?.title).toBe("Dawn patrol");

    unwrap(
      await laptop.vault.workouts.update(ride.id, { title: "Dawn patrol (renamed on the laptop)" }),
    );
    await eventually(
      () => phone.vault.workouts.get(ride.id)?.title === "Dawn patrol (renamed on the laptop)",
    );
    expect(phone.sync.status.lastError).toBeNull();
    expect(laptop.sync.status.lastError).toBeNull();
  });
});

async function record(
  vault: Vault,
  id: string,
  count: number,
  chunkSamples: number,
): Promise<void> {
  const recording = unwrap(await vault.workouts.record(id, { chunkSamples }));
  for (let i = 0; i < count; i++)
    unwrap(await recording.append({ time: T0 + i * 1000, power: 150 + i }));
  await recording.finish();
}

/** A relay of its own (memory store) and one device syncing to it with `options`. */
async function loneWriter(options: {
  snapshotEvery?: number;
  snapshotIdleMs?: number;
  snapshotMinChanges?: number;
}) {
  const store = new MemoryRelayStore();
  const local = await startRelay({ store });
  const vault = unwrap(
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
  );
  const sync = await startSync(vault, {
    url: local.url,
    WebSocket: WebSocket as never,
    ...options,
  });
  return { store, local, vault, sync };
}
