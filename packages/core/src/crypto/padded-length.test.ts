import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPaddedLength, paddedLength, paddingBlockSize } from "./padded-length.js";
import { loadSodium } from "./sodium.js";

const MIB = 1024 * 1024;

describe("paddedLength", () => {
  it("pads tiny plaintexts to 64-byte steps, small ones to 256 and large ones by Padmé", () => {
    expect(paddedLength(0)).toBe(64);
    expect(paddedLength(63)).toBe(64);
    expect(paddedLength(64)).toBe(128);
    expect(paddedLength(430)).toBe(448);
    expect(paddedLength(1023)).toBe(1024);
    expect(paddedLength(1024)).toBe(1280);
    expect(paddedLength(4095)).toBe(4096);
    expect(paddedLength(4096)).toBe(4352);
    expect(paddedLength(60_000)).toBe(61_440);
    expect(paddedLength(61_440)).toBe(63_488);
    expect(paddedLength(MIB)).toBe(1_081_344);
  });

  it("hides the exact size: 300 and 310 bytes pad alike, 28 sizes below 4 KiB", () => {
    expect(paddedLength(300)).toBe(paddedLength(310));
    const sizes = new Set(Array.from({ length: 4095 }, (_, n) => paddedLength(n)));
    expect(sizes.size).toBe(28);
  });

  it("always leaves room for the padding marker, and is monotone", () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 * MIB }), fc.nat({ max: 2 * MIB }), (a, b) => {
        expect(paddedLength(a)).toBeGreaterThan(a);
        if (a <= b) expect(paddedLength(a)).toBeLessThanOrEqual(paddedLength(b));
      }),
      { numRuns: 2000 },
    );
  });

  it("costs at most 6.25 % above 4 KiB", () => {
    fc.assert(
      fc.property(fc.integer({ min: 4096, max: 16 * MIB }), (length) => {
        expect(paddedLength(length) - length).toBeLessThanOrEqual(length * 0.0625);
      }),
      { numRuns: 5000 },
    );
  });

  it("leaves 221 possible sizes up to 1 MiB", () => {
    const sizes = new Set<number>();
    for (let length = 0; length <= MIB; length++) sizes.add(paddedLength(length));
    expect(sizes.size).toBe(221);
  });

  it("refuses lengths it cannot pad", () => {
    for (const bad of [-1, 0.5, Number.NaN, 2 ** 31]) {
      expect(() => paddedLength(bad)).toThrow(RangeError);
    }
  });
});

describe("isPaddedLength", () => {
  it("accepts exactly the lengths paddedLength produces", () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 * MIB }), (length) => {
        expect(isPaddedLength(paddedLength(length))).toBe(true);
        expect(isPaddedLength(length + 1)).toBe(paddedLength(length) === length + 1);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws, and rejects what cannot be a length", () => {
    for (const bad of [0, -256, 256.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 40]) {
      expect(isPaddedLength(bad)).toBe(false);
    }
    expect(isPaddedLength(300)).toBe(false);
    expect(isPaddedLength(512)).toBe(true);
  });
});

describe("paddingBlockSize", () => {
  it("makes sodium.pad produce exactly paddedLength, and sodium.unpad undo it", async () => {
    const sodium = await loadSodium();
    const lengths = fc.oneof(fc.nat({ max: 5000 }), fc.nat({ max: 300_000 }));
    fc.assert(
      fc.property(lengths, (length) => {
        const padded = sodium.pad(new Uint8Array(length).fill(0x80), paddingBlockSize(length));
        expect(padded.length).toBe(paddedLength(length));
        expect(sodium.unpad(padded, paddingBlockSize(padded.length - 1)).length).toBe(length);
      }),
      { numRuns: 300 },
    );
  });
});
