import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type HeartRateMeasurement,
  parseHeartRateMeasurement,
  type SensorContact,
} from "./heart-rate.js";

const hex = (text: string) => Uint8Array.from(text.split(" "), (byte) => Number.parseInt(byte, 16));
/** Little-endian bytes of `value` in `size` bytes (two's complement for negatives). */
const le = (value: number, size: number) =>
  Array.from(
    { length: size },
    (_, i) => Math.floor((value < 0 ? value + 256 ** size : value) / 256 ** i) % 256,
  );

/** A test-only encoder, written from the spec independently of the parser. */
function encode(m: HeartRateMeasurement): Uint8Array {
  const contactBits = { "not-supported": 0b000, "not-detected": 0b100, detected: 0b110 }[
    m.sensorContact
  ];
  let flags = contactBits;
  if (m.heartRateIs16Bit) flags |= 0x01;
  if (m.energyExpendedKj !== undefined) flags |= 0x08;
  if (m.rrIntervals1024.length > 0) flags |= 0x10;
  return Uint8Array.from([
    flags,
    ...le(m.heartRate, m.heartRateIs16Bit ? 2 : 1),
    ...(m.energyExpendedKj === undefined ? [] : le(m.energyExpendedKj, 2)),
    ...m.rrIntervals1024.flatMap((rr) => le(rr, 2)),
  ]);
}

const u16 = fc.integer({ min: 0, max: 0xffff });
const measurementArb: fc.Arbitrary<HeartRateMeasurement> = fc
  .record({
    wide: fc.boolean(),
    heartRate: u16,
    contact: fc.constantFrom<SensorContact>("not-supported", "not-detected", "detected"),
    energy: fc.option(u16, { nil: undefined }),
    rr: fc.array(u16, { maxLength: 9 }),
  })
  .map(({ wide, heartRate, contact, energy, rr }) => ({
    heartRate: wide ? heartRate : heartRate & 0xff,
    heartRateIs16Bit: wide,
    sensorContact: contact,
    ...(energy === undefined ? {} : { energyExpendedKj: energy }),
    rrIntervals1024: rr,
    rrIntervalsMs: rr.map((value) => Math.round((value * 1000) / 1024)),
  }));

describe("parseHeartRateMeasurement (0x2A37)", () => {
  it("reads the REFERENCE.md examples", () => {
    const u8 = parseHeartRateMeasurement(hex("00 51"));
    expect(u8).toEqual({
      ok: true,
      value: {
        heartRate: 81,
        heartRateIs16Bit: false,
        sensorContact: "not-supported",
        rrIntervals1024: [],
        rrIntervalsMs: [],
      },
    });
    const wide = parseHeartRateMeasurement(hex("01 2C 01"));
    expect(wide.ok && wide.value.heartRate).toBe(300);
    expect(wide.ok && wide.value.heartRateIs16Bit).toBe(true);
  });

  it("reads the sensor contact bits", () => {
    const contact = (flags: string) => {
      const result = parseHeartRateMeasurement(hex(`${flags} 48`));
      return result.ok ? result.value.sensorContact : result.error.code;
    };
    expect(contact("00")).toBe("not-supported");
    expect(contact("02")).toBe("not-supported");
    expect(contact("04")).toBe("not-detected");
    expect(contact("06")).toBe("detected");
  });

  it("reads energy expended in kJ", () => {
    const result = parseHeartRateMeasurement(hex("08 8C 39 30"));
    expect(result.ok && result.value.energyExpendedKj).toBe(12345);
    expect(result.ok && result.value.heartRate).toBe(140);
  });

  it("reads every RR interval, in 1/1024 s and in ms", () => {
    const result = parseHeartRateMeasurement(hex("10 48 00 04 00 02 20 03"));
    expect(result.ok && result.value.rrIntervals1024).toEqual([1024, 512, 800]);
    expect(result.ok && result.value.rrIntervalsMs).toEqual([1000, 500, 781]);
  });

  it("reads every field at once, after a 16-bit heart rate", () => {
    const result = parseHeartRateMeasurement(hex("1F 48 00 10 00 00 04"));
    expect(result).toEqual({
      ok: true,
      value: {
        heartRate: 72,
        heartRateIs16Bit: true,
        sensorContact: "detected",
        energyExpendedKj: 16,
        rrIntervals1024: [1024],
        rrIntervalsMs: [1000],
      },
    });
  });

  it("ignores reserved flag bits", () => {
    const result = parseHeartRateMeasurement(hex("E0 51"));
    expect(result.ok && result.value.heartRate).toBe(81);
  });

  it("rejects a dangling half RR interval and says what was needed", () => {
    const result = parseHeartRateMeasurement(hex("10 48 00 04 02"));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({
      code: "gatt-too-short",
      uuid: 0x2a37,
      field: "RR interval 2",
      needed: 6,
      given: 5,
    });
    expect(result.error.message).toContain("Heart Rate Measurement (0x2A37) needs 6 bytes");
    expect(result.error.message).toContain("5 arrived");
  });

  it("rejects an empty payload and one whose flags announce a missing field", () => {
    expect(parseHeartRateMeasurement(new Uint8Array())).toMatchObject({
      ok: false,
      error: { code: "gatt-too-short", field: "flags", needed: 2, given: 0 },
    });
    expect(parseHeartRateMeasurement(hex("01 2C"))).toMatchObject({
      ok: false,
      error: { field: "heart rate", needed: 3, given: 2 },
    });
    expect(parseHeartRateMeasurement(hex("08 50 01"))).toMatchObject({
      ok: false,
      error: { field: "energy expended", needed: 4, given: 3 },
    });
  });

  it("parse(encode(x)) = x for any flag combination", () => {
    fc.assert(
      fc.property(measurementArb, (measurement) => {
        expect(parseHeartRateMeasurement(encode(measurement))).toEqual({
          ok: true,
          value: measurement,
        });
      }),
      { numRuns: 500 },
    );
  });

  it("every truncation is a typed error, or a shorter RR list at an interval boundary", () => {
    fc.assert(
      fc.property(measurementArb, (measurement) => {
        const bytes = encode(measurement);
        const fixed = bytes.length - 2 * measurement.rrIntervals1024.length;
        for (let length = 0; length < bytes.length; length++) {
          const result = parseHeartRateMeasurement(bytes.slice(0, length));
          const hasRr = measurement.rrIntervals1024.length > 0;
          if (hasRr && length >= fixed && (length - fixed) % 2 === 0) {
            const rr = measurement.rrIntervals1024.slice(0, (length - fixed) / 2);
            expect(result.ok && result.value.rrIntervals1024).toEqual(rr);
          } else {
            expect(result).toMatchObject({
              ok: false,
              error: { code: "gatt-too-short", given: length },
            });
            expect(!result.ok && result.error.needed).toBeGreaterThan(length);
          }
        }
      }),
    );
  });

  it("never throws on random bytes, and reads a subarray like a copy", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), fc.nat(4), (bytes, skip) => {
        const view = bytes.subarray(Math.min(skip, bytes.length));
        const result = parseHeartRateMeasurement(view);
        expect(result).toEqual(parseHeartRateMeasurement(Uint8Array.from(view)));
        if (!result.ok) expect(result.error.code).toBe("gatt-too-short");
      }),
      { numRuns: 1000 },
    );
  });
});
