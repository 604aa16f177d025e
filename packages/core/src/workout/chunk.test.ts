import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rideArbitrary } from "../testing/arbitraries.js";
import { decodeChunk, encodeChunk, readChunkHeader } from "./chunk.js";
import { columnsToSamples, mergeColumns } from "./columns.js";
import type { Sample } from "./sample.js";

const t0 = 1_700_000_000_000;

describe("sample chunks", () => {
  it("decode(encode(samples)) is the identity for any valid ride", () => {
    fc.assert(
      fc.property(rideArbitrary(), (samples) => {
        const decoded = decodeChunk(encodeChunk(samples));
        expect(decoded.ok).toBe(true);
        if (decoded.ok) expect(columnsToSamples(decoded.value)).toEqual(samples);
      }),
      { numRuns: 300 },
    );
  });

  it("reads the time span from the header alone", () => {
    const bytes = encodeChunk([
      { time: t0, power: 100 },
      { time: t0 + 1000, power: 110 },
      { time: t0 + 5000, heartRate: 120 },
    ]);
    expect(readChunkHeader(bytes)).toEqual({
      ok: true,
      value: { count: 3, firstTime: t0, lastTime: t0 + 5000 },
    });
  });

  it("keeps a steady 1 Hz ride small (time and slow fields collapse to runs)", () => {
    const samples: Sample[] = Array.from({ length: 60 }, (_, i) => ({
      time: t0 + i * 1000,
      power: 200 + (i % 7),
      heartRate: 140,
      cadence: 90,
      speed: 9000,
      distance: i * 9000,
    }));
    const bytes = encodeChunk(samples);
    expect(bytes.length).toBeLessThan(60 * 2);
  });

  it("rejects every truncation of a chunk with a chunk-corrupt error, never a throw", () => {
    fc.assert(
      fc.property(rideArbitrary({ maxLength: 40 }), fc.nat(), (samples, cut) => {
        const bytes = encodeChunk(samples);
        const truncated = bytes.subarray(0, cut % bytes.length);
        const decoded = decodeChunk(truncated);
        expect(decoded.ok).toBe(false);
        if (!decoded.ok) expect(decoded.error.code).toBe("chunk-corrupt");
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const decoded = decodeChunk(bytes);
        if (!decoded.ok) expect(["chunk-corrupt", "chunk-version"]).toContain(decoded.error.code);
      }),
      { numRuns: 1000 },
    );
  });

  it("names an unknown format version", () => {
    const bytes = encodeChunk([{ time: t0, power: 1 }]);
    bytes[0] = 9;
    const decoded = decodeChunk(bytes);
    expect(decoded.ok ? undefined : decoded.error.code).toBe("chunk-version");
  });
});

describe("merging chunks", () => {
  it("merges two devices' samples of one ride field by field, independent of order", () => {
    const a = decodeChunk(
      encodeChunk([
        { time: t0, power: 200 },
        { time: t0 + 1000, power: 210 },
      ]),
    );
    const b = decodeChunk(
      encodeChunk([
        { time: t0, heartRate: 120, power: 999 },
        { time: t0 + 500, heartRate: 121 },
      ]),
    );
    if (!a.ok || !b.ok) throw new Error("decode failed");
    const ab = mergeColumns([
      { deviceId: "aaaa", columns: a.value },
      { deviceId: "bbbb", columns: b.value },
    ]);
    const ba = mergeColumns([
      { deviceId: "bbbb", columns: b.value },
      { deviceId: "aaaa", columns: a.value },
    ]);
    expect(columnsToSamples(ab)).toEqual([
      { time: t0, power: 200, heartRate: 120 },
      { time: t0 + 500, heartRate: 121 },
      { time: t0 + 1000, power: 210 },
    ]);
    expect(columnsToSamples(ba)).toEqual(columnsToSamples(ab));
  });

  it("keeps only the requested time range", () => {
    const a = decodeChunk(
      encodeChunk([0, 1, 2, 3].map((i) => ({ time: t0 + i * 1000, power: i, rr: [800 + i] }))),
    );
    if (!a.ok) throw new Error("decode failed");
    const merged = mergeColumns([{ deviceId: "a", columns: a.value }], {
      from: t0 + 1000,
      to: t0 + 3000,
    });
    expect(columnsToSamples(merged)).toEqual([
      { time: t0 + 1000, power: 1, rr: [801] },
      { time: t0 + 2000, power: 2, rr: [802] },
    ]);
  });
});
