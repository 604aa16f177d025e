/**
 * The acceptance suites of the storage seams: every `StorageAdapter` and every `CrashLog`
 * implementation runs these (as automerge-repo's adapters run its storage suite).
 */
import { describe, expect, it } from "vitest";
import type { CrashLog } from "../storage/crash-log.js";
import type { StorageAdapter } from "../storage/storage-adapter.js";

/** Makes a fresh, empty store; `reopen` gives a second instance over the same data. */
export interface StoreFactory<T> {
  create(): Promise<{ store: T; reopen: () => Promise<T>; teardown?: () => Promise<void> }>;
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

/** Runs the storage-adapter acceptance suite. */
export function runStorageAdapterTests(name: string, factory: StoreFactory<StorageAdapter>): void {
  describe(`storage adapter: ${name}`, () => {
    it("saves, loads and overwrites values by key", async () => {
      const { store, teardown } = await factory.create();
      expect(await store.load(["doc", "snapshot", "a"])).toBeUndefined();
      await store.save(["doc", "snapshot", "a"], bytes(1, 2, 3));
      expect(await store.load(["doc", "snapshot", "a"])).toEqual(bytes(1, 2, 3));
      await store.save(["doc", "snapshot", "a"], bytes(4));
      expect(await store.load(["doc", "snapshot", "a"])).toEqual(bytes(4));
      await teardown?.();
    });

    it("loads and removes ranges by key prefix, leaving other documents alone", async () => {
      const { store, teardown } = await factory.create();
      await store.save(["doc1", "incremental", "x"], bytes(1));
      await store.save(["doc1", "snapshot", "y"], bytes(2));
      await store.save(["doc2", "incremental", "z"], bytes(3));
      const range = await store.loadRange(["doc1"]);
      expect(range.map((c) => c.key.join("/")).sort()).toEqual([
        "doc1/incremental/x",
        "doc1/snapshot/y",
      ]);
      const narrower = await store.loadRange(["doc1", "incremental"]);
      expect(narrower).toEqual([{ key: ["doc1", "incremental", "x"], data: bytes(1) }]);
      await store.removeRange(["doc1"]);
      expect(await store.loadRange(["doc1"])).toEqual([]);
      expect(await store.load(["doc2", "incremental", "z"])).toEqual(bytes(3));
      await store.remove(["doc2", "incremental", "z"]);
      expect(await store.load(["doc2", "incremental", "z"])).toBeUndefined();
      await teardown?.();
    });

    it("keeps values across a reopen, including empty and large ones", async () => {
      const { store, reopen, teardown } = await factory.create();
      const large = new Uint8Array(300_000).map((_, i) => (i * 7) % 256);
      await store.save(["doc", "big"], large);
      await store.save(["doc", "empty"], new Uint8Array(0));
      await store.save(["single"], bytes(9));
      const again = await reopen();
      expect(await again.load(["doc", "big"])).toEqual(large);
      expect(await again.load(["doc", "empty"])).toEqual(new Uint8Array(0));
      expect(await again.load(["single"])).toEqual(bytes(9));
      await teardown?.();
    });
  });
}

/** Runs the crash-log acceptance suite. */
export function runCrashLogTests(name: string, factory: StoreFactory<CrashLog>): void {
  describe(`crash log: ${name}`, () => {
    const key = { workoutId: "w1", deviceId: "d1", seq: 3 };

    it("appends records in order and reads them back after a reopen", async () => {
      const { store, reopen, teardown } = await factory.create();
      for (let i = 0; i < 50; i++) await store.append(key, bytes(i, i + 1));
      await store.append({ ...key, seq: 4 }, bytes(99));
      await store.close();
      const again = await reopen();
      const records = await again.read(key);
      expect(records).toHaveLength(50);
      expect(records[49]).toEqual(bytes(49, 50));
      expect((await again.keys()).map((k) => k.seq).sort()).toEqual([3, 4]);
      await again.close();
      await teardown?.();
    });

    it("removes one log without touching the others", async () => {
      const { store, teardown } = await factory.create();
      await store.append(key, bytes(1));
      await store.append({ ...key, workoutId: "w2" }, bytes(2));
      await store.remove(key);
      expect(await store.read(key)).toEqual([]);
      expect(await store.keys()).toEqual([{ ...key, workoutId: "w2" }]);
      await store.append(key, bytes(5));
      expect(await store.read(key)).toEqual([bytes(5)]);
      await store.close();
      await teardown?.();
    });
  });
}
