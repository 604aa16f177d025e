import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CyclingPowerFeature,
  type CyclingPowerMeasurement,
  parseCyclingPowerFeature,
  parseCyclingPowerMeasurement,
} from "./cycling-power.js";

const hex = (text: string) => Uint8Array.from(text.split(" "), (byte) => Number.parseInt(byte, 16));
/** Little-endian bytes of `value` in `size` bytes (two's complement for negatives). */
const le = (value: number, size: number) =>
  Array.from(
    { length: size },
    (_, i) => Math.floor((value < 0 ? value + 256 ** size : value) / 256 ** i) % 256,
  );

/** A test-only encoder, written from the spec independently of the parser. */
function encode(m: CyclingPowerMeasurement): Uint8Array {
  const fields: number[] = [];
  let flags = m.offsetCompensationIndicator ? 1 << 12 : 0;
  const put = (bit: number, bytes: number[]) => {
    flags |= 1 << bit;
    fields.push(...bytes);
  };
  if (m.pedalPowerBalance) {
    put(0, le(m.pedalPowerBalance.percentX2, 1));
    if (m.pedalPowerBalance.reference === "left") flags |= 1 << 1;
  }
  if (m.accumulatedTorque) {
    put(2, le(m.accumulatedTorque.nmX32, 2));
    if (m.accumulatedTorque.source === "crank") flags |= 1 << 3;
  }
  if (m.wheel) put(4, [...le(m.wheel.revolutions, 4), ...le(m.wheel.lastEventTime2048, 2)]);
  if (m.crank) put(5, [...le(m.crank.revolutions, 2), ...le(m.crank.lastEventTime1024, 2)]);
  if (m.extremeForce) put(6, [...le(m.extremeForce.maxN, 2), ...le(m.extremeForce.minN, 2)]);
  if (m.extremeTorque) {
    put(7, [...le(m.extremeTorque.maxNmX32, 2), ...le(m.extremeTorque.minNmX32, 2)]);
  }
  if (m.extremeAngles) put(8, le(m.extremeAngles.maxDeg + m.extremeAngles.minDeg * 4096, 3));
  if (m.topDeadSpotAngleDeg !== undefined) put(9, le(m.topDeadSpotAngleDeg, 2));
  if (m.bottomDeadSpotAngleDeg !== undefined) put(10, le(m.bottomDeadSpotAngleDeg, 2));
  if (m.accumulatedEnergyKj !== undefined) put(11, le(m.accumulatedEnergyKj, 2));
  return Uint8Array.from([...le(flags, 2), ...le(m.power, 2), ...fields]);
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u12 = fc.integer({ min: 0, max: 0xfff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const s16 = fc.integer({ min: -0x8000, max: 0x7fff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const measurementArb: fc.Arbitrary<CyclingPowerMeasurement> = fc.record(
  {
    power: s16,
    pedalPowerBalance: fc.record({ percentX2: u8, reference: fc.constantFrom("left", "unknown") }),
    accumulatedTorque: fc.record({ nmX32: u16, source: fc.constantFrom("wheel", "crank") }),
    wheel: fc.record({ revolutions: u32, lastEventTime2048: u16 }),
    crank: fc.record({ revolutions: u16, lastEventTime1024: u16 }),
    extremeForce: fc.record({ maxN: s16, minN: s16 }),
    extremeTorque: fc.record({ maxNmX32: s16, minNmX32: s16 }),
    extremeAngles: fc.record({ maxDeg: u12, minDeg: u12 }),
    topDeadSpotAngleDeg: u16,
    bottomDeadSpotAngleDeg: u16,
    accumulatedEnergyKj: u16,
    offsetCompensationIndicator: fc.boolean(),
  },
  { requiredKeys: ["power", "offsetCompensationIndicator"] },
);

const parse = (text: string) => parseCyclingPowerMeasurement(hex(text));
const value = (text: string) => {
  const result = parse(text);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
};

describe("parseCyclingPowerMeasurement (0x2A63)", () => {
  it("reads the REFERENCE.md example", () => {
    expect(value("30 00 21 00 2A 00 00 00 C4 60 12 00 F7 04")).toEqual({
      power: 33,
      wheel: { revolutions: 42, lastEventTime2048: 24772 },
      crank: { revolutions: 18, lastEventTime1024: 1271 },
      offsetCompensationIndicator: false,
    });
  });

  it("reads power as signed", () => {
    expect(value("00 00 9C FF").power).toBe(-100);
    expect(value("00 00 FF 7F").power).toBe(32767);
  });

  it("reads each optional field on its own", () => {
    expect(value("01 00 64 00 50").pedalPowerBalance).toEqual({
      percentX2: 80,
      reference: "unknown",
    });
    expect(value("03 00 64 00 50").pedalPowerBalance).toEqual({ percentX2: 80, reference: "left" });
    expect(value("04 00 64 00 20 03").accumulatedTorque).toEqual({ nmX32: 800, source: "wheel" });
    expect(value("0C 00 64 00 20 03").accumulatedTorque).toEqual({ nmX32: 800, source: "crank" });
    expect(value("10 00 64 00 FF FF FF FF 00 08").wheel).toEqual({
      revolutions: 0xffff_ffff,
      lastEventTime2048: 2048,
    });
    expect(value("20 00 64 00 FF FF 00 04").crank).toEqual({
      revolutions: 65535,
      lastEventTime1024: 1024,
    });
    expect(value("40 00 64 00 F4 01 38 FF").extremeForce).toEqual({ maxN: 500, minN: -200 });
    expect(value("80 00 64 00 40 06 E0 FF").extremeTorque).toEqual({
      maxNmX32: 1600,
      minNmX32: -32,
    });
    expect(value("00 01 64 00 5A E0 10").extremeAngles).toEqual({ maxDeg: 90, minDeg: 270 });
    expect(value("00 02 64 00 0C 00").topDeadSpotAngleDeg).toBe(12);
    expect(value("00 04 64 00 B4 00").bottomDeadSpotAngleDeg).toBe(180);
    expect(value("00 08 64 00 39 30").accumulatedEnergyKj).toBe(12345);
    expect(value("00 10 64 00").offsetCompensationIndicator).toBe(true);
  });

  it("reads every field at once, in the spec's order", () => {
    const bytes =
      "FF 1F C8 00 64 40 01 0A 00 00 00 00 10 05 00 00 02 E8 03 00 00 80 0C 00 00 5A E0 10 0C 00 B4 00 07 00";
    expect(value(bytes)).toEqual({
      power: 200,
      pedalPowerBalance: { percentX2: 100, reference: "left" },
      accumulatedTorque: { nmX32: 320, source: "crank" },
      wheel: { revolutions: 10, lastEventTime2048: 4096 },
      crank: { revolutions: 5, lastEventTime1024: 512 },
      extremeForce: { maxN: 1000, minN: 0 },
      extremeTorque: { maxNmX32: 3200, minNmX32: 0 },
      extremeAngles: { maxDeg: 90, minDeg: 270 },
      topDeadSpotAngleDeg: 12,
      bottomDeadSpotAngleDeg: 180,
      accumulatedEnergyKj: 7,
      offsetCompensationIndicator: true,
    });
  });

  it("ignores reserved flag bits and bytes after the last announced field", () => {
    expect(value("00 E0 64 00")).toEqual({ power: 100, offsetCompensationIndicator: false });
    expect(value("00 00 64 00 AA BB")).toEqual({ power: 100, offsetCompensationIndicator: false });
  });

  it("names the field that is cut off", () => {
    expect(parse("30 00 21 00 2A 00 00 00 C4 60 12")).toMatchObject({
      ok: false,
      error: { code: "gatt-too-short", field: "crank revolution data", needed: 14, given: 11 },
    });
    expect(parse("00")).toMatchObject({
      ok: false,
      error: { field: "flags", needed: 4, given: 1 },
    });
    expect(parse("00 00 64")).toMatchObject({
      ok: false,
      error: { field: "instantaneous power", needed: 4, given: 3 },
    });
  });

  it("parse(encode(x)) = x for any flag combination", () => {
    fc.assert(
      fc.property(measurementArb, (measurement) => {
        expect(parseCyclingPowerMeasurement(encode(measurement))).toEqual({
          ok: true,
          value: measurement,
        });
      }),
      { numRuns: 500 },
    );
  });

  it("every truncation of a valid payload is a typed error", () => {
    fc.assert(
      fc.property(measurementArb, (measurement) => {
        const bytes = encode(measurement);
        for (let length = 0; length < bytes.length; length++) {
          const result = parseCyclingPowerMeasurement(bytes.slice(0, length));
          expect(result).toMatchObject({
            ok: false,
            error: { code: "gatt-too-short", given: length },
          });
          expect(!result.ok && result.error.needed).toBe(
            Math.max(4, length < 2 ? 4 : bytes.length),
          );
        }
      }),
    );
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const result = parseCyclingPowerMeasurement(bytes);
        if (!result.ok) expect(result.error.code).toBe("gatt-too-short");
      }),
      { numRuns: 1000 },
    );
  });
});

/** The Cycling Power Feature's boolean bits, in bit order, as listed in the spec. */
const FEATURE_BOOLEANS = [
  [0, "pedalPowerBalance"],
  [1, "accumulatedTorque"],
  [2, "wheelRevolutionData"],
  [3, "crankRevolutionData"],
  [4, "extremeMagnitudes"],
  [5, "extremeAngles"],
  [6, "deadSpotAngles"],
  [7, "accumulatedEnergy"],
  [8, "offsetCompensationIndicator"],
  [9, "offsetCompensation"],
  [10, "contentMasking"],
  [11, "multipleSensorLocations"],
  [12, "crankLengthAdjustment"],
  [13, "chainLengthAdjustment"],
  [14, "chainWeightAdjustment"],
  [15, "spanLengthAdjustment"],
  [17, "instantaneousMeasurementDirection"],
  [18, "factoryCalibrationDate"],
  [19, "enhancedOffsetCompensation"],
] as const;
const DISTRIBUTED = [
  "unspecified",
  "not-in-distributed-system",
  "in-distributed-system",
  "reserved",
] as const;

function encodeFeature(feature: CyclingPowerFeature): Uint8Array {
  let bits = 0;
  for (const [bit, name] of FEATURE_BOOLEANS) if (feature[name]) bits += 2 ** bit;
  if (feature.sensorMeasurementContext === "torque") bits += 2 ** 16;
  bits += DISTRIBUTED.indexOf(feature.distributedSystemSupport) * 2 ** 20;
  return Uint8Array.from(le(bits, 4));
}

type FeatureName = (typeof FEATURE_BOOLEANS)[number][1];
const booleanArbs = Object.fromEntries(FEATURE_BOOLEANS.map(([, name]) => [name, fc.boolean()]));
const featureArb: fc.Arbitrary<CyclingPowerFeature> = fc.record({
  ...(booleanArbs as Record<FeatureName, fc.Arbitrary<boolean>>),
  sensorMeasurementContext: fc.constantFrom("force", "torque"),
  distributedSystemSupport: fc.constantFrom(...DISTRIBUTED),
});

describe("parseCyclingPowerFeature (0x2A65)", () => {
  it("names the bits that are set", () => {
    const result = parseCyclingPowerFeature(hex("0C 00 11 00"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const supported = FEATURE_BOOLEANS.filter(([, name]) => result.value[name]).map(
      ([, name]) => name,
    );
    expect(supported).toEqual(["wheelRevolutionData", "crankRevolutionData"]);
    expect(result.value.sensorMeasurementContext).toBe("torque");
    expect(result.value.distributedSystemSupport).toBe("not-in-distributed-system");
  });

  it("ignores reserved bits and rejects fewer than four bytes", () => {
    const reserved = parseCyclingPowerFeature(hex("00 00 C0 FF"));
    expect(reserved.ok && Object.values(reserved.value).filter((v) => v === true)).toEqual([]);
    expect(parseCyclingPowerFeature(hex("0C 00 00"))).toMatchObject({
      ok: false,
      error: { code: "gatt-too-short", needed: 4, given: 3 },
    });
  });

  it("parse(encode(x)) = x", () => {
    fc.assert(
      fc.property(featureArb, (feature) => {
        expect(parseCyclingPowerFeature(encodeFeature(feature))).toEqual({
          ok: true,
          value: feature,
        });
      }),
    );
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), (bytes) => {
        const result = parseCyclingPowerFeature(bytes);
        expect(result.ok).toBe(bytes.length >= 4);
      }),
    );
  });
});
