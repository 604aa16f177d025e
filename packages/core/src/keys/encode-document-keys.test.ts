import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDocumentKeys, readOnly } from "../crypto/document-keys.js";
import { loadSodium } from "../crypto/sodium.js";
import { createSeededRandom } from "../runtime.js";
import { decodeDocumentKeys, encodeDocumentKeys } from "./encode-document-keys.js";

const sodium = await loadSodium();

describe("encodeDocumentKeys", () => {
  it("decode ∘ encode is the identity, for writers and read-only holders", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.integer(), fc.boolean(), (generation, seed, writer) => {
        const keys = createDocumentKeys(sodium, generation, createSeededRandom(seed));
        const held = writer ? keys : readOnly(keys);
        const bytes = encodeDocumentKeys(held);
        expect(bytes).toHaveLength(writer ? 138 : 74);
        expect(decodeDocumentKeys(bytes)).toEqual(held);
      }),
      { numRuns: 200 },
    );
  });

  it("copies, so the decoded keys do not change with the bytes", () => {
    const bytes = encodeDocumentKeys(createDocumentKeys(sodium));
    const keys = decodeDocumentKeys(bytes);
    const before = typeof keys === "string" ? "" : sodium.to_hex(keys.readKey);
    bytes.fill(0);
    expect(typeof keys === "string" ? keys : sodium.to_hex(keys.readKey)).toBe(before);
  });

  it("explains, never throws, for bytes that are not keys", () => {
    const bytes = encodeDocumentKeys(createDocumentKeys(sodium));
    for (let length = 0; length < bytes.length; length++) {
      expect(typeof decodeDocumentKeys(bytes.subarray(0, length))).toBe("string");
    }
    const version = bytes.slice();
    version[0] = 2;
    expect(decodeDocumentKeys(version)).toMatch(/version/);
    const flags = bytes.slice();
    flags[1] = 3;
    expect(decodeDocumentKeys(flags)).toMatch(/flags/);
    const mismatched = bytes.slice();
    mismatched[42] = (mismatched[42] ?? 0) ^ 1;
    expect(decodeDocumentKeys(mismatched)).toMatch(/does not match/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (random) => {
        decodeDocumentKeys(random);
      }),
    );
  });

  it("refuses to encode keys of the wrong shape", () => {
    const keys = createDocumentKeys(sodium);
    expect(() => encodeDocumentKeys({ ...keys, readKey: new Uint8Array(3) })).toThrow(RangeError);
  });
});
