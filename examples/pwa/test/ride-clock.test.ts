import { ManualClock } from "@ridevault/core";
import { FakeTimers } from "@ridevault/recorder";
import { describe, expect, it } from "vitest";
import { anchorAt, createRideClock, decodeAnchor, rideSpeed } from "../src/recording/ride-clock.js";

const T0 = Date.UTC(2026, 5, 1, 6, 0, 0);

describe("the ride clock", () => {
  it("runs `speed` times faster than the wall clock from its anchor, and so do its timers", async () => {
    const wall = new ManualClock(T0);
    const wallTimers = new FakeTimers(wall);
    const ride = createRideClock(anchorAt(20, T0), () => wall.now(), wallTimers);
    wall.advance(500);
    expect(ride.clock.now()).toBe(T0 + 10_000);
    let fired = 0;
    ride.timers.setTimeout(() => fired++, 1000);
    await wallTimers.advance(49);
    expect(fired).toBe(0);
    await wallTimers.advance(1);
    expect(fired).toBe(1);
  });

  it("carries on after a reload from the stored anchor: never backwards", () => {
    const anchor = anchorAt(20, T0);
    const stored = decodeAnchor(JSON.parse(JSON.stringify(anchor)));
    expect(stored).toEqual(anchor);
    const before = createRideClock(anchor, () => T0 + 1000).clock.now();
    const after = createRideClock(stored ?? anchor, () => T0 + 3000).clock.now();
    expect(after - before).toBe(40_000);
  });

  it("clamps speeds and refuses damaged anchors", () => {
    expect(rideSpeed("50")).toBe(50);
    expect(rideSpeed("1000")).toBe(100);
    expect(rideSpeed("0")).toBe(1);
    expect(rideSpeed("fast")).toBe(1);
    expect(decodeAnchor({ wall: T0, ride: T0, speed: 500 })).toBeUndefined();
    expect(decodeAnchor({ wall: "x", ride: T0, speed: 1 })).toBeUndefined();
    expect(decodeAnchor(null)).toBeUndefined();
  });
});
