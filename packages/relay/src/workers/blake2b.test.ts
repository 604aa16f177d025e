/** The Workers relay's BLAKE2b against libsodium's `crypto_generichash`, byte for byte. */
import { loadSodium } from "@ridevault/core/protocol";
import { describe, expect, it } from "vitest";
import { blake2b } from "./blake2b.js";

describe("blake2b", () => {
  it("matches the RFC 7693 test vector for 'abc'", () => {
    const hex = Buffer.from(blake2b(new TextEncoder().encode("abc"), 64)).toString("hex");
    expect(hex).toBe(
      "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1" +
        "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    );
  });

  it("equals libsodium for inputs around the block size and for every output length", async () => {
    const sodium = await loadSodium();
    for (const length of [0, 1, 31, 32, 33, 127, 128, 129, 255, 256, 257, 1000]) {
      const input = Uint8Array.from({ length }, (_, i) => (i * 73 + length) % 256);
      for (const outputLength of [16, 32, 64]) {
        expect(blake2b(input, outputLength)).toEqual(
          sodium.crypto_generichash(outputLength, input, null),
        );
      }
    }
  });

  it("refuses an output length outside 1–64", () => {
    expect(() => blake2b(new Uint8Array(1), 0)).toThrow(RangeError);
    expect(() => blake2b(new Uint8Array(1), 65)).toThrow(RangeError);
  });
});
