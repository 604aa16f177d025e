import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  HEART_RATE_ZONES,
  POWER_ZONES,
  timeInHeartRateZones,
  timeInPowerZones,
  zoneOf,
} from "./zones.js";

const seconds = (zones: readonly { seconds: number }[]) => zones.map((z) => z.seconds);

describe("power zones", () => {
  it("puts each boundary percentage of FTP 200 in the zone the table says", () => {
    // [watts, zone]: 1 W = 0.5 % of FTP 200.
    const cases: [number, number][] = [
      [0, 1],
      [110, 1], // 55 %
      [111, 2], // 55.5 %: between the table's 55 and 56, goes up
      [112, 2], // 56 %
      [150, 2], // 75 %
      [151, 3], // 75.5 %
      [152, 3], // 76 %
      [180, 3], // 90 %
      [182, 4], // 91 %
      [210, 4], // 105 %
      [212, 5], // 106 %
      [240, 5], // 120 %
      [242, 6], // 121 %
      [300, 6], // 150 %
      [301, 7], // 150.5 %
      [2000, 7],
    ];
    for (const [watts, zone] of cases)
      expect([watts, zoneOf(watts, 200, POWER_ZONES)]).toEqual([watts, zone]);
  });

  it("compares exactly: 137.5 W at FTP 250 is exactly 55 %, zone 1", () => {
    expect(zoneOf(137.5, 250, POWER_ZONES)).toBe(1);
    expect(zoneOf(137.50001, 250, POWER_ZONES)).toBe(2);
  });

  it("counts seconds per zone with the bounds in watts", () => {
    const zones = timeInPowerZones([100, 110, 111, 150, 200, 300, 301, 301], 200);
    expect(seconds(zones)).toEqual([2, 2, 0, 1, 0, 1, 2]);
    expect(zones[0]).toEqual({ zone: 1, name: "Active recovery", above: 0, upTo: 110, seconds: 2 });
    expect(zones[1]).toMatchObject({ zone: 2, above: 110, upTo: 150 });
    expect(zones[6]).toMatchObject({ zone: 7, above: 300, upTo: null });
  });

  it("counts NaN as 0 W, in zone 1", () => {
    expect(seconds(timeInPowerZones([Number.NaN, 230], 200))).toEqual([1, 0, 0, 0, 1, 0, 0]);
  });

  it("adds up to the length of any series", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2500 })),
        fc.integer({ min: 50, max: 500 }),
        (power, ftp) => {
          const total = seconds(timeInPowerZones(power, ftp)).reduce((a, b) => a + b, 0);
          expect(total).toBe(power.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses an FTP that is not positive", () => {
    expect(() => timeInPowerZones([100], 0)).toThrow(RangeError);
  });
});

describe("heart-rate zones", () => {
  it("puts each boundary percentage of LTHR 200 in the zone the table says", () => {
    const cases: [number, number][] = [
      [136, 1], // 68 %
      [137, 2], // 68.5 %
      [138, 2], // 69 %
      [166, 2], // 83 %
      [168, 3], // 84 %
      [188, 3], // 94 %
      [190, 4], // 95 %
      [210, 4], // 105 %
      [211, 5], // 105.5 %
      [212, 5], // 106 %
    ];
    for (const [bpm, zone] of cases)
      expect([bpm, zoneOf(bpm, 200, HEART_RATE_ZONES)]).toEqual([bpm, zone]);
  });

  it("leaves seconds without a reading out, so zones add up to the readings", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 40, max: 220 }), { nil: Number.NaN })),
        fc.integer({ min: 120, max: 200 }),
        (heartRate, lthr) => {
          const zones = timeInHeartRateZones(heartRate, lthr);
          expect(zones.length).toBe(5);
          const total = seconds(zones).reduce((a, b) => a + b, 0);
          expect(total).toBe(heartRate.filter((v) => !Number.isNaN(v)).length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
