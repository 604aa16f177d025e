/** The device's KDF check and derivation: minimum enforced, keys split and deterministic. */
import { beforeAll, describe, expect, it } from "vitest";
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import {
  checkKdf,
  DEFAULT_KDF,
  derivePasswordKeys,
  MIN_KDF,
  newKdf,
  signLoginChallenge,
  TEST_KDF,
} from "./account-kdf.js";

let sodium: Sodium;
beforeAll(async () => {
  sodium = await loadSodium();
});

const salt = new Uint8Array(16).fill(4);
const kdf = (params: { opsLimit: number; memLimit: number }) => ({
  algorithm: "argon2id13" as const,
  salt,
  ...params,
});

describe("account KDF", () => {
  it("refuses parameters below the minimum unless tests ask for tiny ones explicitly", () => {
    expect(checkKdf(kdf(DEFAULT_KDF)).ok).toBe(true);
    expect(checkKdf(kdf(MIN_KDF)).ok).toBe(true);
    const weak = checkKdf(kdf(TEST_KDF));
    expect(weak.ok ? "" : weak.error.code).toBe("kdf-rejected");
    expect(weak.ok ? "" : weak.error.message).toMatch(/at least 2 required/);
    expect(checkKdf(kdf({ ...MIN_KDF, memLimit: MIN_KDF.memLimit - 1 })).ok).toBe(false);
    expect(checkKdf(kdf(TEST_KDF), { unsafeTestKdf: true }).ok).toBe(true);
    expect(checkKdf(kdf({ opsLimit: 11, memLimit: MIN_KDF.memLimit })).ok).toBe(false);
    expect(checkKdf({ ...kdf(DEFAULT_KDF), salt: new Uint8Array(8) }).ok).toBe(false);
    expect(checkKdf({ ...kdf(DEFAULT_KDF), algorithm: "argon2i13" as "argon2id13" }).ok).toBe(
      false,
    );
  });

  it("derives the same keys from the same password and salt, other keys otherwise", () => {
    const params = kdf(TEST_KDF);
    const a = derivePasswordKeys(sodium, "correct horse", params);
    const b = derivePasswordKeys(sodium, "correct horse", params);
    const c = derivePasswordKeys(sodium, "correct horsf", params);
    const d = derivePasswordKeys(sodium, "correct horse", { ...params, salt: new Uint8Array(16) });
    expect(a.loginPublicKey).toEqual(b.loginPublicKey);
    expect(a.wrappingKey).toEqual(b.wrappingKey);
    expect(a.loginPublicKey).not.toEqual(c.loginPublicKey);
    expect(a.wrappingKey).not.toEqual(d.wrappingKey);
    // The login key and the wrapping key are independent halves.
    expect(a.wrappingKey).not.toEqual(a.loginSecretKey.subarray(0, 32));
  });

  it("normalizes the password to NFC", () => {
    const params = kdf(TEST_KDF);
    const composed = derivePasswordKeys(sodium, "caf\u00e9", params);
    const decomposed = derivePasswordKeys(sodium, "cafe\u0301", params);
    expect(composed.loginPublicKey).toEqual(decomposed.loginPublicKey);
  });

  it("signs challenges the login public key verifies", () => {
    const keys = derivePasswordKeys(sodium, "pw", kdf(TEST_KDF));
    const challenge = new Uint8Array(32).fill(9);
    const signature = signLoginChallenge(sodium, keys.loginSecretKey, "c1", challenge);
    const message = sodium.from_string("ridevault/login/v1\nc1\n");
    const full = new Uint8Array([...message, ...challenge]);
    expect(sodium.crypto_sign_verify_detached(signature, full, keys.loginPublicKey)).toBe(true);
  });

  it("makes fresh salts at the default parameters", () => {
    const a = newKdf(sodium);
    expect(a).toMatchObject({ algorithm: "argon2id13", ...DEFAULT_KDF });
    expect(a.salt).not.toEqual(newKdf(sodium).salt);
    expect(newKdf(sodium, { unsafeTestKdf: true })).toMatchObject(TEST_KDF);
  });
});
