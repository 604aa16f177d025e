import * as Automerge from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { createSeededRandom } from "../runtime.js";
import { createCheckedStorage, StorageCorruptError } from "./checked-storage.js";
import { base58, DocStore } from "./doc-store.js";
import { MemoryStorageAdapter, type StorageAdapter } from "./storage-adapter.js";

interface Counter {
  values: Record<string, number>;
}

function store(storage: StorageAdapter = new MemoryStorageAdapter()): DocStore {
  return new DocStore(storage, { random: createSeededRandom(7) });
}

describe("DocStore", () => {
  it("stores a document on flush and loads it in another store", async () => {
    const storage = new MemoryStorageAdapter();
    const first = store(storage);
    const handle = first.create<Counter>({ values: {} });
    handle.change((d) => {
      d.values.a = 1;
    });
    await first.flush();
    const loaded = await store(storage).find<Counter>(handle.documentId);
    expect(loaded?.doc().values).toEqual({ a: 1 });
    expect(loaded?.doc() && Automerge.getHeads(loaded.doc())).toEqual(
      Automerge.getHeads(handle.doc()),
    );
  });

  it("saves incrementally, then compacts once incrementals outweigh the snapshot", async () => {
    const storage = new MemoryStorageAdapter();
    const docs = store(storage);
    const handle = docs.create<Counter>({ values: {} });
    // Incompressible filler, so the snapshot is past the 1 KiB "always compact" size.
    const filler = createSeededRandom(3).bytes(3000);
    handle.change((d) => {
      (d as unknown as { filler: Uint8Array }).filler = filler;
    });
    await docs.flush();
    const kinds = () =>
      storage
        .keys()
        .map((k) => k[1])
        .sort();
    expect(kinds()).toEqual(["snapshot"]);
    for (let i = 0; i < 5; i++) {
      handle.change((d) => {
        d.values[`k${i}`] = i;
      });
      await docs.flush();
    }
    expect(kinds().filter((k) => k === "incremental").length).toBe(5);
    for (let i = 0; i < 200; i++) {
      handle.change((d) => {
        d.values[`big${i}`] = i;
      });
      await docs.flush();
    }
    // Compaction left one snapshot and fewer incrementals than changes made.
    expect(kinds().filter((k) => k === "snapshot")).toHaveLength(1);
    expect(kinds().length).toBeLessThan(100);
    const loaded = await store(storage).find<Counter>(handle.documentId);
    expect(Object.keys(loaded?.doc().values ?? {})).toHaveLength(205);
  });

  it("returns undefined for an unknown id and rejects damaged bytes", async () => {
    const inner = new MemoryStorageAdapter();
    const storage = createCheckedStorage(inner);
    const docs = store(storage);
    expect(await docs.find("nothingHere")).toBeUndefined();
    const handle = docs.create<Counter>({ values: { a: 1 } });
    await docs.flush();
    const [key] = inner.keys();
    const bytes = (await inner.load(key as string[])) as Uint8Array;
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    await inner.save(key as string[], bytes);
    await expect(store(storage).find(handle.documentId)).rejects.toBeInstanceOf(
      StorageCorruptError,
    );
  });

  it("removes everything stored for a document, even with a save pending", async () => {
    const storage = new MemoryStorageAdapter();
    const docs = store(storage);
    const handle = docs.create<Counter>({ values: {} });
    await docs.flush();
    handle.change((d) => {
      d.values.late = 1;
    });
    await docs.remove(handle.documentId);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(storage.keys()).toEqual([]);
    expect(await docs.find(handle.documentId)).toBeUndefined();
  });

  it("merges an imported copy into a loaded document", async () => {
    const docs = store();
    const handle = docs.create<Counter>({ values: {} });
    let other = Automerge.clone(handle.doc());
    other = Automerge.change(other, (d) => {
      d.values.remote = 2;
    });
    handle.change((d) => {
      d.values.local = 1;
    });
    let changes = 0;
    handle.onChange(() => changes++);
    await docs.import(handle.documentId, Automerge.save(other));
    expect(handle.doc().values).toEqual({ local: 1, remote: 2 });
    expect(changes).toBe(1);
  });

  it("stores bytes merged into an empty document as they are, unless it changed since", async () => {
    const source = Automerge.change(Automerge.init<Counter>(), (d) => {
      d.values = { a: 1, b: 2 };
    });
    const saved = Automerge.save(source);
    // A copy with other bytes for the same state: what `merge` got must be what is stored.
    const changes = Automerge.saveSince(source, []);
    expect(changes).not.toEqual(saved);

    const storage = new MemoryStorageAdapter();
    const docs = store(storage);
    const untouched = await docs.ensure<Counter>("untouched");
    untouched.merge(changes);
    const edited = await docs.ensure<Counter>("edited");
    edited.merge(changes);
    edited.change((d) => {
      d.values.c = 3;
    });
    await docs.flush();

    const [stored] = await storage.loadRange(["untouched", "snapshot"]);
    expect(stored?.data).toEqual(changes);
    const [resaved] = await storage.loadRange(["edited", "snapshot"]);
    expect(resaved?.data).toEqual(Automerge.save(edited.doc()));
    const reloaded = store(storage);
    expect((await reloaded.find<Counter>("untouched"))?.doc().values).toEqual({ a: 1, b: 2 });
    expect((await reloaded.find<Counter>("edited"))?.doc().values).toEqual({ a: 1, b: 2, c: 3 });
  });

  it("rejects bytes that are not Automerge and keeps the document as it was", async () => {
    const docs = store();
    const handle = await docs.ensure<Counter>("doc");
    expect(() => handle.merge(new Uint8Array([1, 2, 3]))).toThrow();
    expect(Automerge.getHeads(handle.doc())).toEqual([]);
  });

  it("encodes ids in base58 without look-alike characters", () => {
    expect(base58(new Uint8Array([0, 0, 1]))).toBe("112");
    expect(base58(new Uint8Array([255, 255]))).toBe("LUv");
    expect(base58(createSeededRandom(1).bytes(16))).toMatch(/^[1-9A-HJ-NP-Za-km-z]{20,23}$/);
  });
});
