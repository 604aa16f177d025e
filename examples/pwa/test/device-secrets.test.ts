/**
 * The wrapping of the account secrets under the device's non-extractable AES-GCM key, with
 * Node's WebCrypto and a fake store that structured-clones like IndexedDB; and what
 * `SavedAccount` does without a session saved or without owning the saved session.
 */
import { MemoryStorageAdapter, SESSION_STORAGE_KEY } from "@ridevault/core";
import { AccountClient, AccountSession } from "@ridevault/core/browser";
import { describe, expect, it } from "vitest";
import {
  DEVICE_KEY_NAME,
  type DeviceSecrets,
  forgetDeviceSecrets,
  loadDeviceSecrets,
  saveDeviceSecrets,
  WRAPPED_SECRETS_NAME,
} from "../src/account/device-secrets.js";
import type { KeyValueStore } from "../src/account/key-value-store.js";
import { SavedAccount } from "../src/account/saved-account.js";

/** A `KeyValueStore` over a map, cloning values in and out as IndexedDB does. */
class FakeKeyValueStore implements KeyValueStore {
  readonly values = new Map<string, unknown>();
  async get(name: string): Promise<unknown> {
    const value = this.values.get(name);
    return value === undefined ? undefined : structuredClone(value);
  }
  async set(name: string, value: unknown): Promise<void> {
    this.values.set(name, structuredClone(value));
  }
  async delete(name: string): Promise<void> {
    this.values.delete(name);
  }
}

function bytes(fill: number, length = 32): Uint8Array {
  return new Uint8Array(length).fill(fill);
}

const secrets: DeviceSecrets = {
  accountId: "acc-1",
  vaultKey: crypto.getRandomValues(new Uint8Array(32)),
  shareKeys: { publicKey: bytes(7), secretKey: crypto.getRandomValues(new Uint8Array(32)) },
};

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
    for (let i = 0; i < needle.length; i++) if (haystack[start + i] !== needle[i]) continue outer;
    return true;
  }
  return false;
}

describe("device secrets", () => {
  it("round-trips the vault key and the sharing key pair, and a vault key alone", async () => {
    const store = new FakeKeyValueStore();
    expect(await loadDeviceSecrets({ store })).toEqual({ ok: true, value: undefined });
    await saveDeviceSecrets({ store, secrets });
    expect(await loadDeviceSecrets({ store })).toEqual({ ok: true, value: secrets });
    const alone = { ...secrets, shareKeys: null };
    await saveDeviceSecrets({ store, secrets: alone });
    expect(await loadDeviceSecrets({ store })).toEqual({ ok: true, value: alone });
  });

  it("stores no secret byte in clear, under a device key nobody can export", async () => {
    const store = new FakeKeyValueStore();
    await saveDeviceSecrets({ store, secrets });
    const record = store.values.get(WRAPPED_SECRETS_NAME) as { ciphertext: Uint8Array };
    expect(record.ciphertext.length).toBe(96 + 16);
    expect(contains(record.ciphertext, secrets.vaultKey)).toBe(false);
    expect(contains(record.ciphertext, secrets.shareKeys?.secretKey ?? bytes(0))).toBe(false);
    const key = store.values.get(DEVICE_KEY_NAME) as CryptoKey;
    expect(key).toBeInstanceOf(CryptoKey);
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });
    await expect(crypto.subtle.exportKey("raw", key)).rejects.toThrow();
  });

  it("makes the device key once and keeps it when the secrets are forgotten", async () => {
    const store = new FakeKeyValueStore();
    await saveDeviceSecrets({ store, secrets });
    const first = store.values.get(DEVICE_KEY_NAME);
    await saveDeviceSecrets({ store, secrets: { ...secrets, vaultKey: bytes(9) } });
    expect(store.values.get(DEVICE_KEY_NAME)).toBe(first);
    await forgetDeviceSecrets(store);
    expect(await loadDeviceSecrets({ store })).toEqual({ ok: true, value: undefined });
    expect(store.values.get(DEVICE_KEY_NAME)).toBe(first);
  });

  it("refuses secrets under another device key, moved to another account, or altered", async () => {
    const store = new FakeKeyValueStore();
    await saveDeviceSecrets({ store, secrets });
    const record = store.values.get(WRAPPED_SECRETS_NAME) as Record<string, unknown>;
    const locked = { ok: false, error: expect.objectContaining({ code: "secrets-locked" }) };

    await store.set(WRAPPED_SECRETS_NAME, { ...record, accountId: "acc-2" });
    expect(await loadDeviceSecrets({ store })).toEqual(locked);

    const altered = new Uint8Array(record.ciphertext as Uint8Array);
    altered[3] = (altered[3] ?? 0) ^ 1;
    await store.set(WRAPPED_SECRETS_NAME, { ...record, ciphertext: altered });
    expect(await loadDeviceSecrets({ store })).toEqual(locked);

    await store.set(WRAPPED_SECRETS_NAME, record);
    const other = new FakeKeyValueStore();
    await saveDeviceSecrets({ store: other, secrets });
    await store.set(DEVICE_KEY_NAME, other.values.get(DEVICE_KEY_NAME));
    expect(await loadDeviceSecrets({ store })).toEqual(locked);
  });

  it("calls a record it did not write corrupt", async () => {
    const store = new FakeKeyValueStore();
    for (const value of ["text", { version: 2 }, { version: 1, accountId: "a", iv: bytes(0, 3) }]) {
      await store.set(WRAPPED_SECRETS_NAME, value);
      const loaded = await loadDeviceSecrets({ store });
      expect(loaded.ok || loaded.error.code).toBe("secrets-corrupt");
      expect(loaded.ok || loaded.error.message).toMatch(/log in again/);
    }
  });
});

describe("SavedAccount", () => {
  const client = new AccountClient({ baseUrl: "ws://127.0.0.1:9/sync" });

  it("resumes nothing when nothing is saved, and drops a session without its secrets", async () => {
    const storage = new MemoryStorageAdapter();
    await storage.save([...SESSION_STORAGE_KEY], bytes(1, 80));
    const saved = new SavedAccount({ storage, keys: new FakeKeyValueStore() });
    expect(await saved.resume(client)).toEqual({ kind: "none" });
    expect(await storage.load([...SESSION_STORAGE_KEY])).toBeUndefined();
  });

  it("keeps a sealed session and its secrets while the relay cannot be reached", async () => {
    const storage = new MemoryStorageAdapter();
    const keys = new FakeKeyValueStore();
    const saved = new SavedAccount({ storage, keys });
    const session = new AccountSession({
      client,
      tokens: { accountId: "acc-1", accessToken: "a", refreshToken: "r", expiresIn: 900 },
      email: "a@b.c",
    });
    expect(await saved.save(session, secrets)).toBe(true);
    saved.stop();
    const sealed = await storage.load([...SESSION_STORAGE_KEY]);
    expect(sealed).toBeInstanceOf(Uint8Array);
    const resumed = await saved.resume(client);
    expect(resumed).toMatchObject({ kind: "failed", code: "network" });
    expect(await storage.load([...SESSION_STORAGE_KEY])).toEqual(sealed);
    expect(await loadDeviceSecrets({ store: keys })).toEqual({ ok: true, value: secrets });
  });

  it("removes a session sealed under another vault key, and its secrets", async () => {
    const storage = new MemoryStorageAdapter();
    const keys = new FakeKeyValueStore();
    await saveDeviceSecrets({ store: keys, secrets });
    await storage.save([...SESSION_STORAGE_KEY], bytes(1, 80));
    const resumed = await new SavedAccount({ storage, keys }).resume(client);
    expect(resumed).toMatchObject({ kind: "unusable" });
    expect(await storage.load([...SESSION_STORAGE_KEY])).toBeUndefined();
    expect(await loadDeviceSecrets({ store: keys })).toEqual({ ok: true, value: undefined });
  });

  it("neither resumes nor forgets what another tab owns", async () => {
    const storage = new MemoryStorageAdapter();
    const keys = new FakeKeyValueStore();
    await saveDeviceSecrets({ store: keys, secrets });
    const saved = new SavedAccount({ storage, keys, claimOwnership: async () => false });
    expect(await saved.resume(client)).toEqual({ kind: "other-tab" });
    await saved.forget();
    expect(await loadDeviceSecrets({ store: keys })).toEqual({ ok: true, value: secrets });
  });
});
