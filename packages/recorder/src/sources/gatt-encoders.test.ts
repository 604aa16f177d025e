import { unwrap } from "@ridevault/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCscMeasurement } from "../gatt/csc.js";
import { parseCyclingPowerMeasurement } from "../gatt/cycling-power.js";
import { parseIndoorBikeData } from "../gatt/ftms.js";
import { parseHeartRateMeasurement } from "../gatt/heart-rate.js";
import {
  encodeCscMeasurement,
  encodeCyclingPowerMeasurement,
  encodeHeartRateMeasurement,
  encodeIndoorBikeData,
} from "./gatt-encoders.js";

const hex = (text: string) => Uint8Array.from(text.split(" "), (byte) => Number.parseInt(byte, 16));
const u16 = fc.integer({ min: 0, max: 0xffff });
const s16 = fc.integer({ min: -0x8000, max: 0x7fff });

describe("GATT encoders", () => {
  it("match the reference examples byte for byte", () => {
    expect(
      encodeCyclingPowerMeasurement({
        power: 33,
        wheel: { revolutions: 42, eventTime: 24772 },
        crank: { revolutions: 18, eventTime: 1271 },
      }),
    ).toEqual(hex("30 00 21 00 2A 00 00 00 C4 60 12 00 F7 04"));
    expect(encodeCscMeasurement({ wheel: { revolutions: 12, eventTime: 6724 } })).toEqual(
      hex("01 0C 00 00 00 44 1A"),
    );
    expect(encodeCscMeasurement({ crank: { revolutions: 2, eventTime: 7577 } })).toEqual(
      hex("02 02 00 99 1D"),
    );
    expect(encodeIndoorBikeData({ speedKmhX100: 3274, cadenceRpmX2: 160, power: 300 })).toEqual(
      hex("44 00 CA 0C A0 00 2C 01"),
    );
    expect(encodeHeartRateMeasurement({ heartRate: 81, wide: false, rrIntervals1024: [] })).toEqual(
      hex("06 51"),
    );
  });

  it("decode with the project's parsers to what they encoded", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.boolean(),
        fc.array(u16, { maxLength: 9 }),
        (heartRate, wide, rrIntervals1024) => {
          const m = unwrap(
            parseHeartRateMeasurement(
              encodeHeartRateMeasurement({ heartRate, wide, rrIntervals1024 }),
            ),
          );
          expect(m).toMatchObject({ heartRate, rrIntervals1024, sensorContact: "detected" });
        },
      ),
    );
    fc.assert(
      fc.property(s16, u16, u16, fc.nat({ max: 0xffff_ffff }), (power, revs, time, wheelRevs) => {
        const crank = { revolutions: revs, eventTime: time };
        const wheel = { revolutions: wheelRevs, eventTime: time };
        const cp = unwrap(
          parseCyclingPowerMeasurement(encodeCyclingPowerMeasurement({ power, wheel, crank })),
        );
        expect(cp).toMatchObject({
          power,
          crank: { revolutions: revs, lastEventTime1024: time },
          wheel: { revolutions: wheelRevs, lastEventTime2048: time },
        });
        const csc = unwrap(parseCscMeasurement(encodeCscMeasurement({ wheel, crank })));
        expect(csc).toMatchObject({
          crank: { revolutions: revs, lastEventTime1024: time },
          wheel: { revolutions: wheelRevs, lastEventTime1024: time },
        });
        const bike = unwrap(
          parseIndoorBikeData(
            encodeIndoorBikeData({ speedKmhX100: revs, cadenceRpmX2: time, power }),
          ),
        );
        expect(bike).toMatchObject({
          moreData: false,
          speedKmhX100: revs,
          cadenceRpmX2: time,
          power,
        });
      }),
    );
  });

  it("refuse values that do not fit their field instead of wrapping them", () => {
    expect(() => encodeIndoorBikeData({ speedKmhX100: 0, cadenceRpmX2: 0, power: 40_000 })).toThrow(
      RangeError,
    );
    expect(() => encodeCscMeasurement({ crank: { revolutions: 0x1_0000, eventTime: 0 } })).toThrow(
      RangeError,
    );
    expect(() =>
      encodeHeartRateMeasurement({ heartRate: 1.5, wide: false, rrIntervals1024: [] }),
    ).toThrow(RangeError);
  });
});
