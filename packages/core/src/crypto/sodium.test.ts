import { describe, expect, it } from "vitest";
import { loadSodium } from "./sodium.js";

describe("loadSodium", () => {
  it("resolves to one initialised libsodium, however often it is called", async () => {
    const [a, b] = await Promise.all([loadSodium(), loadSodium()]);
    expect(a).toBe(b);
    expect(await loadSodium()).toBe(a);
    expect(a.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES).toBe(24);
  });

  it("is the sumo build, with Argon2id for account keys", async () => {
    const sodium = await loadSodium();
    expect(typeof sodium.crypto_pwhash).toBe("function");
    expect(sodium.crypto_pwhash_ALG_ARGON2ID13).toBeGreaterThan(0);
  });
});
