import { describe, expect, it } from "vitest";
import { createSeededRandom } from "../runtime.js";
import {
  ACCESS_SECRET_BYTES,
  assertDocumentKeys,
  canWrite,
  checkDocumentKeys,
  createDocumentKeys,
  deriveAccessSecret,
  hashAccessSecret,
  readOnly,
} from "./document-keys.js";
import { loadSodium } from "./sodium.js";

const sodium = await loadSodium();

describe("createDocumentKeys", () => {
  it("makes a 32-byte read key and a matching Ed25519 key pair", () => {
    const keys = createDocumentKeys(sodium);
    expect(keys.generation).toBe(0);
    expect(keys.readKey).toHaveLength(32);
    expect(keys.writePublicKey).toHaveLength(32);
    expect(keys.writeKey?.secretKey).toHaveLength(64);
    expect(keys.writeKey?.publicKey).toEqual(keys.writePublicKey);
    expect(checkDocumentKeys(keys)).toBeUndefined();
    const message = sodium.from_string("ride");
    const signature = sodium.crypto_sign_detached(
      message,
      keys.writeKey?.secretKey ?? new Uint8Array(64),
    );
    expect(sodium.crypto_sign_verify_detached(signature, message, keys.writePublicKey)).toBe(true);
  });

  it("makes different keys every time, and the same keys from the same seed", () => {
    const a = createDocumentKeys(sodium);
    const b = createDocumentKeys(sodium);
    expect(a.readKey).not.toEqual(b.readKey);
    expect(a.writePublicKey).not.toEqual(b.writePublicKey);
    const c = createDocumentKeys(sodium, 3, createSeededRandom(7));
    const d = createDocumentKeys(sodium, 3, createSeededRandom(7));
    expect(c).toEqual(d);
    expect(c.generation).toBe(3);
  });

  it("refuses a generation that is not an integer ≥ 0", () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(() => createDocumentKeys(sodium, bad)).toThrow(RangeError);
    }
  });
});

describe("readOnly", () => {
  it("drops the write secret key but keeps what verifies", () => {
    const keys = createDocumentKeys(sodium, 2);
    const reader = readOnly(keys);
    expect(reader.writeKey).toBeNull();
    expect(canWrite(reader)).toBe(false);
    expect(canWrite(keys)).toBe(true);
    expect(reader.readKey).toEqual(keys.readKey);
    expect(reader.writePublicKey).toEqual(keys.writePublicKey);
    expect(reader.generation).toBe(2);
    expect(checkDocumentKeys(reader)).toBeUndefined();
  });
});

describe("checkDocumentKeys", () => {
  it("names what is wrong with keys of the wrong shape", () => {
    const keys = createDocumentKeys(sodium);
    const other = createDocumentKeys(sodium);
    expect(checkDocumentKeys({ ...keys, readKey: new Uint8Array(16) })).toMatch(/read key/);
    expect(checkDocumentKeys({ ...keys, generation: -1 })).toMatch(/generation/);
    expect(checkDocumentKeys({ ...keys, writePublicKey: other.writePublicKey })).toMatch(
      /does not match/,
    );
    expect(checkDocumentKeys({ ...keys, writeKey: other.writeKey })).toMatch(/does not match/);
    expect(() => assertDocumentKeys({ ...keys, readKey: new Uint8Array(0) })).toThrow(RangeError);
  });
});

describe("access secrets", () => {
  it("derives a 32-byte secret from the read key, deterministically", () => {
    const keys = createDocumentKeys(sodium);
    const secret = deriveAccessSecret(sodium, keys.readKey);
    expect(secret).toHaveLength(ACCESS_SECRET_BYTES);
    expect(deriveAccessSecret(sodium, keys.readKey)).toEqual(secret);
    expect(secret).not.toEqual(keys.readKey);
  });

  it("changes with the read key, so rotating keys revokes access", () => {
    const before = createDocumentKeys(sodium, 0);
    const after = createDocumentKeys(sodium, 1);
    expect(deriveAccessSecret(sodium, after.readKey)).not.toEqual(
      deriveAccessSecret(sodium, before.readKey),
    );
  });

  it("is keyed BLAKE2b-256 over the context string (a fixed vector)", () => {
    const readKey = Uint8Array.from({ length: 32 }, (_, i) => i);
    const expected = sodium.crypto_generichash(
      32,
      sodium.from_string("ridevault/access-secret/v1"),
      readKey,
    );
    expect(deriveAccessSecret(sodium, readKey)).toEqual(expected);
  });

  it("hashes the secret for the relay: deterministic, not the secret itself", () => {
    const secret = deriveAccessSecret(sodium, createDocumentKeys(sodium).readKey);
    const hash = hashAccessSecret(sodium, secret);
    expect(hash).toHaveLength(32);
    expect(hash).toEqual(sodium.crypto_generichash(32, secret, null));
    expect(hash).not.toEqual(secret);
  });

  it("refuses inputs of the wrong length", () => {
    expect(() => deriveAccessSecret(sodium, new Uint8Array(31))).toThrow(RangeError);
    expect(() => hashAccessSecret(sodium, new Uint8Array(33))).toThrow(RangeError);
  });
});
