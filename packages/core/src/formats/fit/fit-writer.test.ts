/**
 * Tests of the low-level FIT writer: the CRC, the header, definitions and data messages,
 * invalid values for missing fields, and its contract for out-of-range values. Files are
 * read back with Garmin's FIT SDK, a development-only test oracle.
 */
import { Decoder, Stream } from "@garmin/fitsdk";
import { describe, expect, test } from "vitest";
import { FIT_EPOCH_OFFSET_S, FitWriter, fitCrc, toFitTime } from "./fit-writer.js";

describe("fitCrc", () => {
  test('is CRC-16/ARC: "123456789" gives 0xBB3D', () => {
    expect(fitCrc(new TextEncoder().encode("123456789"))).toBe(0xbb3d);
    expect(fitCrc(new Uint8Array())).toBe(0);
  });

  test("continues across pieces", () => {
    const data = new TextEncoder().encode("123456789");
    expect(fitCrc(data.subarray(4), fitCrc(data.subarray(0, 4)))).toBe(0xbb3d);
  });
});

describe("FitWriter", () => {
  test("writes a 14-byte header with data size, .FIT and a header CRC, and a file CRC", () => {
    const fit = new FitWriter();
    fit.define(0, 0, [{ num: 0, type: "enum" }]);
    fit.write(0, [4]);
    const file = fit.finish();
    const view = new DataView(file.buffer);
    expect(file[0]).toBe(14);
    expect(view.getUint32(4, true)).toBe(file.length - 16);
    expect(new TextDecoder().decode(file.subarray(8, 12))).toBe(".FIT");
    expect(view.getUint16(12, true)).toBe(fitCrc(file.subarray(0, 12)));
    // The CRC of a file including its own little-endian CRC is 0.
    expect(fitCrc(file)).toBe(0);
    expect(new Decoder(Stream.fromByteArray(file)).checkIntegrity()).toBe(true);
  });

  test("writes missing values as invalid, which the oracle reads as no value", () => {
    const fit = new FitWriter();
    fit.define(3, 20, [
      { num: 253, type: "uint32" },
      { num: 0, type: "sint32" },
      { num: 3, type: "uint8" },
      { num: 7, type: "uint16" },
    ]);
    fit.write(3, [1_000_000_000, -5, undefined, Number.NaN]);
    fit.write(3, [1_000_000_001, undefined, 150, 300.4]);
    const { messages, errors } = new Decoder(Stream.fromByteArray(fit.finish())).read();
    expect(errors).toEqual([]);
    const [first, second] = messages.recordMesgs ?? [];
    expect(first).toMatchObject({ positionLat: -5 });
    expect(first?.heartRate).toBeUndefined();
    expect(first?.power).toBeUndefined();
    expect(second).toMatchObject({ heartRate: 150, power: 300 });
    expect(second?.positionLat).toBeUndefined();
  });

  test("writes arrays padded with invalid values, and strings truncated with a zero", () => {
    const fit = new FitWriter();
    fit.define(0, 78, [{ num: 0, type: "uint16", count: 3 }]);
    fit.write(0, [[800]]);
    fit.define(1, 23, [{ num: 27, type: "string", count: 6 }]);
    fit.write(1, ["ridevault"]);
    const { messages } = new Decoder(Stream.fromByteArray(fit.finish())).read();
    expect(messages.hrvMesgs?.[0]?.time).toEqual([0.8, null, null]);
    expect(messages.deviceInfoMesgs?.[0]?.productName).toBe("ridev");
  });

  test("refuses values out of range and data before its definition", () => {
    const fit = new FitWriter();
    expect(() => fit.write(0, [1])).toThrow(/before its definition/);
    fit.define(0, 20, [{ num: 3, type: "uint8" }]);
    expect(() => fit.write(0, [255])).toThrow(RangeError);
    expect(() => fit.write(0, [-1])).toThrow(RangeError);
    expect(() => fit.write(0, [1, 2])).toThrow(RangeError);
    expect(() => fit.define(16, 20, [])).toThrow(RangeError);
  });
});

describe("toFitTime", () => {
  test("counts whole seconds from 1989-12-31T00:00:00Z", () => {
    expect(toFitTime(Date.UTC(1989, 11, 31))).toBe(0);
    expect(toFitTime(Date.UTC(2024, 0, 1) + 999)).toBe(
      Date.UTC(2024, 0, 1) / 1000 - FIT_EPOCH_OFFSET_S,
    );
  });
});
