/**
 * Devices syncing through an in-process Node relay whose store the test inspects or
 * replaces: compaction (snapshots prune the store) and a relay that lost its data. Real
 * WebSockets on port 0, real libsodium, real Automerge. What any relay must do, seen from
 * its URL alone, is in the protocol suite (`protocol-suite.ts`), run against the Node relay
 * and the Workers relay.
 */
import {
  columnsToSamples,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  type Sample,
  startSync,
  unwrap,
  type Vault,
} from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startRelay } from "../src/start-relay.js";
import { MemoryRelayStore } from "../src/store/memory-relay-store.js";
import { eventually } from "./devices.js";

const T0 = Date.UTC(2026, 8, 1, 7, 0, 0);

describe("sync through the relay", () => {
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
