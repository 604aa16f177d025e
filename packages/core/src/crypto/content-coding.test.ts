import fc from "fast-check";
import { deflateSync } from "fflate";
import { describe, expect, it } from "vitest";
import { decodeContent, encodeContent } from "./content-coding.js";

const MIB = 1024 * 1024;

describe("content coding", () => {
  it("decode(encode(bytes)) is the identity, and never longer than one byte more", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }),
          fc
            .array(fc.integer({ min: 0, max: 3 }), { maxLength: 3000 })
            .map((values) => Uint8Array.from(values)),
        ),
        (bytes) => {
          const coded = encodeContent(bytes);
          expect(coded.length).toBeLessThanOrEqual(bytes.length + 1);
          expect(decodeContent(coded, MIB)).toEqual({ ok: true, value: bytes });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("deflates what shrinks and leaves the rest as it is", () => {
    expect(encodeContent(new Uint8Array(500))[0]).toBe(1);
    expect(encodeContent(new Uint8Array(10))[0]).toBe(0);
  });

  it("refuses a stated length over the limit, a bomb, a short stream and an unknown coding", () => {
    const bomb = deflateSync(new Uint8Array(4 * MIB));
    const coded = (length: number, stream: Uint8Array) => {
      const varint: number[] = [];
      for (let rest = length; ; rest = Math.floor(rest / 128)) {
        varint.push(rest >= 128 ? (rest % 128) | 128 : rest);
        if (rest < 128) break;
      }
      return Uint8Array.from([1, ...varint, ...stream]);
    };
    const cases = [
      coded(4 * MIB, bomb), // honest about its size, over the limit
      coded(1000, bomb), // lies about its size
      coded(1000, deflateSync(new Uint8Array(10))), // inflates short
      coded(10, new Uint8Array([0xff, 0xff, 0xff])), // not DEFLATE
      Uint8Array.from([7, 1, 2, 3]),
      new Uint8Array(0),
    ];
    for (const content of cases) {
      const decoded = decodeContent(content, MIB);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.message.length).toBeGreaterThan(10);
    }
  });

  it("never throws on random content", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(() => decodeContent(bytes, 4096)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });
});
