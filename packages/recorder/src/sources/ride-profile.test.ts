import { describe, expect, it } from "vitest";
import { checkProfile, type RideProfile, rideStateAt } from "./ride-profile.js";

describe("rideStateAt", () => {
  it("holds a steady ride's power, cadence and heart rate", () => {
    const profile: RideProfile = { type: "steady", power: 250, cadence: 92, heartRate: 150 };
    expect(rideStateAt(profile, 0)).toMatchObject({ power: 250, cadence: 92, heartRate: 150 });
    expect(rideStateAt(profile, 3600)).toEqual(rideStateAt(profile, 0));
    expect(rideStateAt(profile, 0).speedKmh).toBeGreaterThan(25);
  });

  it("walks through intervals and repeats them", () => {
    const profile: RideProfile = {
      type: "intervals",
      intervals: [
        { seconds: 60, watts: 300 },
        { seconds: 30, watts: 100, cadence: 70 },
      ],
    };
    const at = (s: number) => rideStateAt(profile, s);
    expect([at(0).power, at(59.9).power, at(60).power, at(89).power, at(90).power]).toEqual([
      300, 300, 100, 100, 300,
    ]);
    expect([at(0).cadence, at(60).cadence]).toEqual([90, 70]);
    expect(at(0).heartRate).toBeGreaterThan(at(60).heartRate);
  });

  it("lets a coasting bike slow down to a stop, without pedalling", () => {
    const profile: RideProfile = { type: "coasting", initialSpeedKmh: 36 };
    const speeds = [0, 10, 30, 60, 200].map((s) => rideStateAt(profile, s).speedKmh);
    expect(speeds[0]).toBe(36);
    for (let i = 1; i < speeds.length; i++) {
      expect(speeds[i]).toBeLessThan(speeds[i - 1] ?? 0);
    }
    expect(speeds.at(-1)).toBe(0);
    expect(rideStateAt(profile, 10)).toMatchObject({ power: 0, cadence: 0 });
  });

  it("plays the underlying ride of a dropouts profile", () => {
    const ride: RideProfile = { type: "steady", power: 200, cadence: 85 };
    const profile: RideProfile = { type: "dropouts", ride, dropouts: [] };
    expect(rideStateAt(profile, 42)).toEqual(rideStateAt(ride, 42));
  });
});

describe("checkProfile", () => {
  it("names the field that is out of range", () => {
    expect(() => checkProfile({ type: "steady", power: -1, cadence: 90 })).toThrow(/power/);
    expect(() => checkProfile({ type: "intervals", intervals: [] })).toThrow(/no intervals/);
    expect(() =>
      checkProfile({ type: "intervals", intervals: [{ seconds: 0, watts: 100 }] }),
    ).toThrow(/interval 0/);
    expect(() =>
      checkProfile({
        type: "dropouts",
        ride: { type: "coasting" },
        dropouts: [{ sensor: "power", atSeconds: 5, seconds: Number.NaN }],
      }),
    ).toThrow(/power/);
  });
});
