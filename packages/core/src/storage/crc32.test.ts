/** CRC-32 matches zlib's for any bytes, at every length around the 8-byte stride. */
import zlib from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.js";

describe("crc32", () => {
  it("is zlib's CRC-32", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(7), (bytes, offset) => {
        // Views at odd offsets too: the stride must not assume alignment.
        const view = bytes.subarray(Math.min(offset, bytes.length));
        expect(crc32(view)).toBe(zlib.crc32(view));
      }),
      { numRuns: 500 },
    );
  });
});
