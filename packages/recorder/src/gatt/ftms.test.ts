import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type FitnessMachineFeature,
  type IndoorBikeData,
  kmhX100ToMmPerSecond,
  parseFitnessMachineFeature,
  parseIndoorBikeData,
  rpmX2ToRpm,
} from "./ftms.js";

const hex = (text: string) => Uint8Array.from(text.split(" "), (byte) => Number.parseInt(byte, 16));
/** Little-endian bytes of `value` in `size` bytes (two's complement for negatives). */
const le = (value: number, size: number) =>
  Array.from(
    { length: size },
    (_, i) => Math.floor((value < 0 ? value + 256 ** size : value) / 256 ** i) % 256,
  );

/** A test-only encoder, written from the spec independently of the parser. */
function encode(d: IndoorBikeData): Uint8Array {
  let flags = d.moreData ? 1 : 0;
  const fields: number[] = [];
  const put = (bit: number, value: number | undefined, size: number) => {
    if (value === undefined) return;
    flags |= 1 << bit;
    fields.push(...le(value, size));
  };
  if (!d.moreData) fields.push(...le(d.speedKmhX100 ?? 0, 2));
  put(1, d.averageSpeedKmhX100, 2);
  put(2, d.cadenceRpmX2, 2);
  put(3, d.averageCadenceRpmX2, 2);
  put(4, d.totalDistanceM, 3);
  put(5, d.resistanceLevel, 2);
  put(6, d.power, 2);
  put(7, d.averagePower, 2);
  if (d.energy) {
    flags |= 1 << 8;
    fields.push(
      ...le(d.energy.totalKcal, 2),
      ...le(d.energy.perHourKcal, 2),
      ...le(d.energy.perMinuteKcal, 1),
    );
  }
  put(9, d.heartRate, 1);
  put(10, d.metabolicEquivalentX10, 1);
  put(11, d.elapsedTimeS, 2);
  put(12, d.remainingTimeS, 2);
  return Uint8Array.from([...le(flags, 2), ...fields]);
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const s16 = fc.integer({ min: -0x8000, max: 0x7fff });
const dataArb: fc.Arbitrary<IndoorBikeData> = fc
  .record(
    {
      moreData: fc.boolean(),
      speedKmhX100: u16,
      averageSpeedKmhX100: u16,
      cadenceRpmX2: u16,
      averageCadenceRpmX2: u16,
      totalDistanceM: fc.integer({ min: 0, max: 0xff_ffff }),
      resistanceLevel: s16,
      power: s16,
      averagePower: s16,
      energy: fc.record({ totalKcal: u16, perHourKcal: u16, perMinuteKcal: u8 }),
      heartRate: u8,
      metabolicEquivalentX10: u8,
      elapsedTimeS: u16,
      remainingTimeS: u16,
    },
    { requiredKeys: ["moreData", "speedKmhX100"] },
  )
  .map(({ moreData, speedKmhX100, ...rest }) =>
    moreData ? { moreData, ...rest } : { moreData, speedKmhX100, ...rest },
  );

const value = (text: string) => {
  const result = parseIndoorBikeData(hex(text));
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
};

describe("parseIndoorBikeData (0x2AD2)", () => {
  it("reads the REFERENCE.md examples", () => {
    expect(value("44 00 CA 0C A0 00 2C 01")).toEqual({
      moreData: false,
      speedKmhX100: 3274,
      cadenceRpmX2: 160,
      power: 300,
    });
    expect(value("41 00 2C 01")).toEqual({ moreData: true, power: 300 });
  });

  it("treats bit 0 as inverted: clear means the speed is present", () => {
    expect(value("00 00 10 27")).toEqual({ moreData: false, speedKmhX100: 10000 });
    expect(value("01 00")).toEqual({ moreData: true });
    expect(parseIndoorBikeData(hex("00 00"))).toMatchObject({
      ok: false,
      error: { code: "gatt-too-short", field: "instantaneous speed", needed: 4, given: 2 },
    });
  });

  it("reads each optional field on its own", () => {
    expect(value("03 00 E8 03").averageSpeedKmhX100).toBe(1000);
    expect(value("05 00 A1 00").cadenceRpmX2).toBe(161);
    expect(value("09 00 B4 00").averageCadenceRpmX2).toBe(180);
    expect(value("11 00 40 42 0F").totalDistanceM).toBe(1_000_000);
    expect(value("21 00 F6 FF").resistanceLevel).toBe(-10);
    expect(value("41 00 38 FF").power).toBe(-200);
    expect(value("81 00 FA 00").averagePower).toBe(250);
    expect(value("01 01 E8 03 58 02 0A").energy).toEqual({
      totalKcal: 1000,
      perHourKcal: 600,
      perMinuteKcal: 10,
    });
    expect(value("01 01 FF FF FF FF FF").energy).toEqual({
      totalKcal: 65535,
      perHourKcal: 65535,
      perMinuteKcal: 255,
    });
    expect(value("01 02 8C").heartRate).toBe(140);
    expect(value("01 04 5A").metabolicEquivalentX10).toBe(90);
    expect(value("01 08 10 0E").elapsedTimeS).toBe(3600);
    expect(value("01 10 2C 01").remainingTimeS).toBe(300);
  });

  it("reads every field at once, in the spec's order", () => {
    const bytes =
      "FE 1F 10 27 10 27 A0 00 9A 00 40 42 0F 05 00 2C 01 FA 00 E8 03 58 02 0A 8C 5A 10 0E 2C 01";
    expect(value(bytes)).toEqual({
      moreData: false,
      speedKmhX100: 10000,
      averageSpeedKmhX100: 10000,
      cadenceRpmX2: 160,
      averageCadenceRpmX2: 154,
      totalDistanceM: 1_000_000,
      resistanceLevel: 5,
      power: 300,
      averagePower: 250,
      energy: { totalKcal: 1000, perHourKcal: 600, perMinuteKcal: 10 },
      heartRate: 140,
      metabolicEquivalentX10: 90,
      elapsedTimeS: 3600,
      remainingTimeS: 300,
    });
  });

  it("ignores reserved flag bits and bytes after the last announced field", () => {
    expect(value("41 E0 2C 01 99")).toEqual({ moreData: true, power: 300 });
  });

  it("converts speed and cadence to the sample units", () => {
    expect(kmhX100ToMmPerSecond(3274)).toBe(9094);
    expect(kmhX100ToMmPerSecond(3600)).toBe(10_000);
    expect(rpmX2ToRpm(160)).toBe(80);
    expect(rpmX2ToRpm(161)).toBe(81);
  });

  it("parse(encode(x)) = x for any flag combination", () => {
    fc.assert(
      fc.property(dataArb, (data) => {
        expect(parseIndoorBikeData(encode(data))).toEqual({ ok: true, value: data });
      }),
      { numRuns: 500 },
    );
  });

  it("every truncation of a valid payload is a typed error", () => {
    fc.assert(
      fc.property(dataArb, (data) => {
        const bytes = encode(data);
        for (let length = 0; length < bytes.length; length++) {
          const result = parseIndoorBikeData(bytes.slice(0, length));
          expect(result).toMatchObject({
            ok: false,
            error: { code: "gatt-too-short", given: length, needed: length < 2 ? 2 : bytes.length },
          });
        }
      }),
    );
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const result = parseIndoorBikeData(bytes);
        if (!result.ok) expect(result.error.code).toBe("gatt-too-short");
      }),
      { numRuns: 1000 },
    );
  });
});

/** The spec's bit order of both Fitness Machine Feature fields, independent of the parser. */
const MACHINE_BITS = [
  "averageSpeed",
  "cadence",
  "totalDistance",
  "inclination",
  "elevationGain",
  "pace",
  "stepCount",
  "resistanceLevel",
  "strideCount",
  "expendedEnergy",
  "heartRateMeasurement",
  "metabolicEquivalent",
  "elapsedTime",
  "remainingTime",
  "powerMeasurement",
  "forceOnBeltAndPowerOutput",
  "userDataRetention",
] as const;
const TARGET_BITS = [
  "speed",
  "inclination",
  "resistance",
  "power",
  "heartRate",
  "expendedEnergy",
  "stepNumber",
  "strideNumber",
  "distance",
  "trainingTime",
  "timeInTwoHeartRateZones",
  "timeInThreeHeartRateZones",
  "timeInFiveHeartRateZones",
  "indoorBikeSimulation",
  "wheelCircumference",
  "spinDownControl",
  "cadence",
] as const;

const bitsOf = (names: readonly string[], flags: Record<string, boolean>) =>
  names.reduce((bits, name, bit) => (flags[name] ? bits + 2 ** bit : bits), 0);
const flagsArb = <const T extends readonly string[]>(names: T) =>
  fc.record<Record<T[number], boolean>>(
    Object.fromEntries(names.map((name) => [name, fc.boolean()])) as Record<
      T[number],
      fc.Arbitrary<boolean>
    >,
  );

describe("parseFitnessMachineFeature (0x2ACC)", () => {
  it("names the bits of both fields", () => {
    const result = parseFitnessMachineFeature(hex("02 44 00 00 0C 20 00 00"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const set = (flags: Record<string, boolean>) =>
      Object.keys(flags).filter((name) => flags[name]);
    expect(set(result.value.machine)).toEqual([
      "cadence",
      "heartRateMeasurement",
      "powerMeasurement",
    ]);
    expect(set(result.value.targetSettings)).toEqual([
      "resistance",
      "power",
      "indoorBikeSimulation",
    ]);
  });

  it("ignores reserved bits and rejects fewer than eight bytes", () => {
    const reserved = parseFitnessMachineFeature(hex("00 00 FE FF 00 00 FE FF"));
    expect(reserved.ok && Object.values(reserved.value.machine).some(Boolean)).toBe(false);
    expect(reserved.ok && Object.values(reserved.value.targetSettings).some(Boolean)).toBe(false);
    expect(parseFitnessMachineFeature(hex("02 44 00 00 0C 20 00"))).toMatchObject({
      ok: false,
      error: { code: "gatt-too-short", field: "target setting features", needed: 8, given: 7 },
    });
  });

  it("parse(encode(x)) = x", () => {
    fc.assert(
      fc.property(flagsArb(MACHINE_BITS), flagsArb(TARGET_BITS), (machine, targetSettings) => {
        const feature: FitnessMachineFeature = { machine, targetSettings };
        const bytes = Uint8Array.from([
          ...le(bitsOf(MACHINE_BITS, machine), 4),
          ...le(bitsOf(TARGET_BITS, targetSettings), 4),
        ]);
        expect(parseFitnessMachineFeature(bytes)).toEqual({ ok: true, value: feature });
      }),
    );
  });

  it("never throws on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        expect(parseFitnessMachineFeature(bytes).ok).toBe(bytes.length >= 8);
      }),
    );
  });
});
