import { describe, expect, it } from "vitest";
import { createDocumentKeys, readOnly } from "../crypto/document-keys.js";
import { loadSodium } from "../crypto/sodium.js";
import { createSeededRandom, systemRandom } from "../runtime.js";
import { createVaultLock } from "./vault-lock.js";

const sodium = await loadSodium();
const lock = createVaultLock(sodium, createSeededRandom(1).bytes(32), systemRandom);
const keys = createDocumentKeys(sodium, 4);

function codeOf(result: { ok: boolean; error?: { code: string } }): string | undefined {
  return result.ok ? "ok" : result.error?.code;
}

describe("createVaultLock", () => {
  it("opens what it sealed, for the same document and generation only", () => {
    const value = lock.seal("doc", keys);
    expect(lock.open("doc", 4, value)).toEqual({ ok: true, value: keys });
    expect(codeOf(lock.open("doc2", 4, value))).toBe("key-store-corrupt");
    expect(codeOf(lock.open("doc", 5, value))).toBe("key-store-corrupt");
    const reader = readOnly(keys);
    expect(lock.open("doc", 4, lock.seal("doc", reader))).toEqual({ ok: true, value: reader });
  });

  it("tells a wrong vault key from a damaged value", () => {
    const value = lock.seal("doc", keys);
    const other = createVaultLock(sodium, createSeededRandom(2).bytes(32), systemRandom);
    expect(codeOf(other.open("doc", 4, value))).toBe("key-store-locked");
    const damaged = value.slice();
    damaged[value.length - 1] = (damaged[value.length - 1] ?? 0) ^ 1;
    expect(codeOf(lock.open("doc", 4, damaged))).toBe("key-store-corrupt");
    for (let length = 0; length < value.length; length++) {
      expect(codeOf(lock.open("doc", 4, value.subarray(0, length)))).toBe("key-store-corrupt");
    }
  });

  it("does not see later changes to the vault key it was given", () => {
    const vaultKey = createSeededRandom(3).bytes(32);
    const copy = createVaultLock(sodium, vaultKey, systemRandom);
    const value = copy.seal("doc", keys);
    vaultKey.fill(0);
    expect(codeOf(copy.open("doc", 4, value))).toBe("ok");
    expect(() => createVaultLock(sodium, new Uint8Array(31), systemRandom)).toThrow(RangeError);
  });
});
