import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CscFeature,
  type CscMeasurement,
  parseCscFeature,
  parseCscMeasurement,
} from "./csc.js";

const hex = (text: string) => Uint8Array.from(text.split(" "), (byte) => Number.parseInt(byte, 16));
/** Little-endian bytes of an unsigned `value` in `size` bytes. */
const le = (value: number, size: number) =>
  Array.from({ length: size }, (_, i) => Math.floor(value / 256 ** i) % 256);

/** A test-only encoder, written from the spec independently of the parser. */
function encode(m: CscMeasurement): Uint8Array {
  const flags = (m.wheel ? 1 : 0) | (m.crank ? 2 : 0);
  return Uint8Array.from([
    flags,
    ...(m.wheel ? [...le(m.wheel.revolutions, 4), ...le(m.wheel.lastEventTime1024, 2)] : []),
    ...(m.crank ? [...le(m.crank.revolutions, 2), ...le(m.crank.lastEventTime1024, 2)] : []),
  ]);
}

const u16 = fc.integer({ min: 0, max: 0xffff });
const measurementArb: fc.Arbitrary<CscMeasurement> = fc.record(
  {
    wheel: fc.record({
      revolutions: fc.integer({ min: 0, max: 0xffff_ffff }),
      lastEventTime1024: u16,
    }),
    crank: fc.record({ revolutions: u16, lastEventTime1024: u16 }),
  },
  { requiredKeys: [] },
);

describe("parseCscMeasurement (0x2A5B)", () => {
  it("reads the REFERENCE.md examples", () => {
    expect(parseCscMeasurement(hex("01 0C 00 00 00 44 1A"))).toEqual({
      ok: true,
      value: { wheel: { revolutions: 12, lastEventTime1024: 6724 } },
    });
    expect(parseCscMeasurement(hex("02 02 00 99 1D"))).toEqual({
      ok: true,
      value: { crank: { revolutions: 2, lastEventTime1024: 7577 } },
    });
  });

  it("reads wheel then crank data when both flags are set", () => {
    expect(parseCscMeasurement(hex("03 FF FF FF FF 00 04 FF FF 00 08"))).toEqual({
      ok: true,
      value: {
        wheel: { revolutions: 0xffff_ffff, lastEventTime1024: 1024 },
        crank: { revolutions: 0xffff, lastEventTime1024: 2048 },
      },
    });
  });

  it("accepts no data, ignores reserved bits and extra bytes", () => {
    expect(parseCscMeasurement(hex("00"))).toEqual({ ok: true, value: {} });
    expect(parseCscMeasurement(hex("FE 02 00 99 1D 77"))).toEqual({
      ok: true,
      value: { crank: { revolutions: 2, lastEventTime1024: 7577 } },
    });
  });

  it("names the field that is cut off", () => {
    expect(parseCscMeasurement(new Uint8Array())).toMatchObject({
      ok: false,
      error: { code: "gatt-too-short", uuid: 0x2a5b, field: "flags", needed: 1, given: 0 },
    });
    const result = parseCscMeasurement(hex("03 0C 00 00 00 44 1A 02 00"));
    expect(result).toMatchObject({
      ok: false,
      error: { field: "crank revolution data", needed: 11, given: 9 },
    });
    expect(!result.ok && result.error.message).toMatch(
      /^CSC Measurement \(0x2A5B\) needs 11 bytes but 9/,
    );
  });

  it("parse(encode(x)) = x for any flag combination", () => {
    fc.assert(
      fc.property(measurementArb, (measurement) => {
        expect(parseCscMeasurement(encode(measurement))).toEqual({ ok: true, value: measurement });
      }),
      { numRuns: 300 },
    );
  });

  it("every truncation of a valid payload is a typed error", () => {
    fc.assert(
      fc.property(measurementArb, (measurement) => {
        const bytes = encode(measurement);
        for (let length = 0; length < bytes.length; length++) {
          const result = parseCscMeasurement(bytes.slice(0, length));
          expect(result).toMatchObject({
            ok: false,
            error: {
              code: "gatt-too-short",
              given: length,
              needed: length === 0 ? 1 : bytes.length,
            },
          });
        }
      }),
    );
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => {
        const result = parseCscMeasurement(bytes);
        if (!result.ok) expect(result.error.code).toBe("gatt-too-short");
      }),
      { numRuns: 1000 },
    );
  });
});

describe("parseCscFeature (0x2A5C)", () => {
  const feature = (text: string) => parseCscFeature(hex(text));

  it("names each bit", () => {
    const none = {
      wheelRevolutionData: false,
      crankRevolutionData: false,
      multipleSensorLocations: false,
    };
    expect(feature("01 00")).toEqual({ ok: true, value: { ...none, wheelRevolutionData: true } });
    expect(feature("02 00")).toEqual({ ok: true, value: { ...none, crankRevolutionData: true } });
    expect(feature("04 00")).toEqual({
      ok: true,
      value: { ...none, multipleSensorLocations: true },
    });
    expect(feature("F8 FF")).toEqual({ ok: true, value: none });
  });

  it("parse(encode(x)) = x, and short payloads are typed errors", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), (wheel, crank, multiple) => {
        const value: CscFeature = {
          wheelRevolutionData: wheel,
          crankRevolutionData: crank,
          multipleSensorLocations: multiple,
        };
        const bytes = Uint8Array.from([(wheel ? 1 : 0) | (crank ? 2 : 0) | (multiple ? 4 : 0), 0]);
        expect(parseCscFeature(bytes)).toEqual({ ok: true, value });
        expect(parseCscFeature(bytes.slice(0, 1))).toMatchObject({
          ok: false,
          error: { code: "gatt-too-short", needed: 2, given: 1 },
        });
      }),
    );
  });
});
