import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDocumentKeys, type DocumentKeys, readOnly } from "../crypto/document-keys.js";
import { loadSodium } from "../crypto/sodium.js";
import { createSeededRandom } from "../runtime.js";
import { createCheckedStorage } from "../storage/checked-storage.js";
import { MemoryStorageAdapter, type StorageAdapter } from "../storage/storage-adapter.js";
import { createKeyStore, KEY_STORE_PREFIX, type KeyStore } from "./key-store.js";

const sodium = await loadSodium();
const vaultKey = createSeededRandom(1).bytes(32);
const A = "4NMNnkH1Xh3Sy8pMTa5Lw6wZAuLG";
const B = "2kT9qvC6b3mFhR8xWzYp1LdNsEaJ";

function setup(storage: StorageAdapter = new MemoryStorageAdapter(), key = vaultKey) {
  return { storage, store: createKeyStore({ storage, vaultKey: key, sodium }) };
}

async function codeOf(read: Promise<{ ok: boolean; error?: { code: string } }>) {
  const result = await read;
  return result.ok ? "ok" : result.error?.code;
}

async function fill(store: KeyStore): Promise<DocumentKeys[]> {
  const keys = [0, 1, 2].map((g) => createDocumentKeys(sodium, g));
  for (const generation of keys) await store.put(A, generation);
  await store.put(B, readOnly(createDocumentKeys(sodium, 5)));
  return keys;
}

describe("KeyStore", () => {
  it("round-trips every generation; get returns the newest", async () => {
    const { store } = setup();
    const keys = await fill(store);
    expect(await store.get(A)).toEqual({ ok: true, value: keys[2] });
    expect(await store.getGeneration(A, 1)).toEqual({ ok: true, value: keys[1] });
    expect(await store.getGeneration(A, 7)).toEqual({ ok: true, value: undefined });
    expect(await store.get("unknown")).toEqual({ ok: true, value: undefined });
    const generations = await store.generations(A);
    expect(generations.ok && [...generations.value.keys()].sort()).toEqual([0, 1, 2]);
    const b = await store.get(B);
    expect(b.ok && b.value?.writeKey).toBeNull();
  });

  it("round-trips any document id and generation", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ minLength: 1, maxLength: 64, unit: "binary" })
          .filter((id) => !id.includes("\0")),
        fc.maxSafeNat(),
        fc.boolean(),
        async (docId, generation, writer) => {
          const { storage, store } = setup();
          const keys = createDocumentKeys(sodium, generation);
          await store.put(docId, writer ? keys : readOnly(keys));
          const reopened = setup(storage).store;
          const read = await reopened.getGeneration(docId, generation);
          expect(read.ok && read.value).toEqual(writer ? keys : readOnly(keys));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("lists every document's keys with all()", async () => {
    const { store } = setup();
    const keys = await fill(store);
    const all = await store.all();
    if (!all.ok) throw new Error(all.error.message);
    expect(all.value.damaged).toEqual([]);
    expect([...all.value.keysByDocId.keys()].sort()).toEqual([B, A].sort());
    expect(all.value.keysByDocId.get(A)?.get(0)).toEqual(keys[0]);
    expect(all.value.keysByDocId.get(B)?.get(5)?.generation).toBe(5);
  });

  it("survives a new key store over the same storage", async () => {
    const { storage, store } = setup();
    const keys = await fill(store);
    const reopened = createKeyStore({ storage, vaultKey: vaultKey.slice(), sodium });
    expect(await reopened.get(A)).toEqual({ ok: true, value: keys[2] });
  });

  it("keeps keys encrypted at rest", async () => {
    const { storage, store } = setup();
    const keys = createDocumentKeys(sodium);
    await store.put(A, keys);
    const stored = await storage.load([KEY_STORE_PREFIX, A, "0"]);
    const hex = sodium.to_hex(stored ?? new Uint8Array(0));
    expect(hex).not.toContain(sodium.to_hex(keys.readKey));
    expect(hex).not.toContain(
      sodium.to_hex(keys.writeKey?.secretKey.subarray(0, 32) ?? keys.readKey),
    );
  });

  it("says key-store-locked for a wrong vault key, and changes nothing", async () => {
    const { storage, store } = setup();
    await fill(store);
    const wrong = setup(storage, createSeededRandom(2).bytes(32)).store;
    expect(await codeOf(wrong.get(A))).toBe("key-store-locked");
    expect(await codeOf(wrong.getGeneration(A, 0))).toBe("key-store-locked");
    expect(await codeOf(wrong.generations(A))).toBe("key-store-locked");
    expect(await codeOf(wrong.all())).toBe("key-store-locked");
    expect(await codeOf(store.get(A))).toBe("ok");
  });

  it("detects values swapped between documents or generations", async () => {
    const { storage, store } = setup();
    await store.put(A, createDocumentKeys(sodium, 0));
    await store.put(B, createDocumentKeys(sodium, 0));
    await store.put(B, createDocumentKeys(sodium, 1));
    const a = await storage.load([KEY_STORE_PREFIX, A, "0"]);
    const b0 = await storage.load([KEY_STORE_PREFIX, B, "0"]);
    if (a === undefined || b0 === undefined) throw new Error("fixture");
    await storage.save([KEY_STORE_PREFIX, A, "0"], b0);
    await storage.save([KEY_STORE_PREFIX, B, "0"], a);
    const swapped = await store.get(A);
    expect(swapped.ok ? "ok" : swapped.error).toMatchObject({
      code: "key-store-corrupt",
      docId: A,
      generation: 0,
    });
    expect(await codeOf(store.getGeneration(B, 0))).toBe("key-store-corrupt");
    await storage.save([KEY_STORE_PREFIX, B, "1"], b0);
    expect(await codeOf(store.get(B))).toBe("key-store-corrupt");
  });

  it("reports a damaged value and still returns the rest from all()", async () => {
    const { storage, store } = setup();
    await fill(store);
    // Byte 0 is the version, 1–8 the vault key's id (damage there reads as a wrong vault
    // key), 9–32 the nonce, then the ciphertext.
    for (const [index, expected] of [
      [0, "key-store-corrupt"],
      [3, "key-store-locked"],
      [20, "key-store-corrupt"],
      [100, "key-store-corrupt"],
    ] as const) {
      const key = [KEY_STORE_PREFIX, A, "2"];
      const value = (await storage.load(key)) ?? new Uint8Array(0);
      const damaged = value.slice();
      damaged[index] = (damaged[index] ?? 0) ^ 0x10;
      await storage.save(key, damaged);
      expect(await codeOf(store.get(A))).toBe(expected);
      await storage.save(key, value);
    }
    await storage.save([KEY_STORE_PREFIX, A, "2"], new Uint8Array(10));
    await storage.save([KEY_STORE_PREFIX, A, "x"], new Uint8Array(10));
    const all = await store.all();
    if (!all.ok) throw new Error(all.error.message);
    const damaged = all.value.damaged.map((e) => [e.code, e.generation]);
    expect(damaged).toHaveLength(2);
    expect(damaged).toContainEqual(["key-store-corrupt", 2]);
    expect(damaged).toContainEqual(["key-store-corrupt", null]);
    expect([...(all.value.keysByDocId.get(A)?.keys() ?? [])].sort()).toEqual([0, 1]);
    expect(all.value.keysByDocId.has(B)).toBe(true);
  });

  it("maps a checksummed adapter's storage-corrupt to key-store-corrupt", async () => {
    const inner = new MemoryStorageAdapter();
    const { store } = setup(createCheckedStorage(inner));
    await store.put(A, createDocumentKeys(sodium));
    const [key] = inner.keys();
    if (key === undefined) throw new Error("fixture");
    await inner.save(key, new Uint8Array(12));
    expect(await codeOf(store.get(A))).toBe("key-store-corrupt");
    expect(await codeOf(store.getGeneration(A, 0))).toBe("key-store-corrupt");
  });

  it("removes one document's keys only, even when ids share a prefix", async () => {
    const { store } = setup();
    await store.put("doc", createDocumentKeys(sodium));
    await store.put("doc2", createDocumentKeys(sodium));
    await store.remove("doc");
    expect(await store.get("doc")).toEqual({ ok: true, value: undefined });
    expect(await codeOf(store.get("doc2"))).toBe("ok");
    const all = await store.all();
    expect(all.ok && [...all.value.keysByDocId.keys()]).toEqual(["doc2"]);
  });

  it("refuses a vault key that is not 32 bytes", () => {
    const storage = new MemoryStorageAdapter();
    expect(() => createKeyStore({ storage, vaultKey: new Uint8Array(16), sodium })).toThrow(
      RangeError,
    );
  });
});
