import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CumulativeReading,
  createCadenceCalculator,
  createWheelSpeedCalculator,
  type RateCalculator,
  type RateUpdate,
} from "./cumulative.js";

const at = (revolutions: number, eventTime: number, receivedAt: number): CumulativeReading => ({
  revolutions,
  eventTime,
  receivedAt,
});
const feed = (calculator: RateCalculator, readings: CumulativeReading[]): RateUpdate[] =>
  readings.map((reading) => calculator.update(reading));

describe("createCadenceCalculator", () => {
  it("takes the first reading as a baseline, then divides revolutions by event time", () => {
    expect(
      feed(createCadenceCalculator(), [at(10, 5000, 0), at(11, 6024, 1000), at(14, 8072, 3000)]),
    ).toEqual([
      { status: "baseline", reason: "first" },
      { status: "fresh", value: 60 },
      { status: "fresh", value: 90 },
    ]);
  });

  it("rolls over 16-bit revolutions and event times", () => {
    const updates = feed(createCadenceCalculator(), [at(65535, 65000, 0), at(1, 1000, 1500)]);
    expect(updates[1]).toEqual({ status: "fresh", value: 80 });
  });

  it("holds the value on duplicates, reports 0 once stale, then resumes", () => {
    const updates = feed(createCadenceCalculator(), [
      at(0, 0, 0),
      at(1, 1024, 1000),
      at(1, 1024, 2000),
      at(1, 1024, 3999),
      at(1, 1024, 4000),
      at(1, 1024, 5000),
      at(2, 7168, 7000),
    ]);
    expect(updates.slice(1)).toEqual([
      { status: "fresh", value: 60 },
      { status: "held", value: 60 },
      { status: "held", value: 60 },
      { status: "stale", value: 0 },
      { status: "stale", value: 0 },
      { status: "fresh", value: 10 },
    ]);
  });

  it("takes the stale timeout as an option", () => {
    const updates = feed(createCadenceCalculator({ staleAfterMs: 1000 }), [
      at(0, 0, 0),
      at(1, 1024, 1000),
      at(1, 1024, 1999),
      at(1, 1024, 2000),
    ]);
    expect(updates.slice(2)).toEqual([
      { status: "held", value: 60 },
      { status: "stale", value: 0 },
    ]);
  });

  it("waits while a baseline repeats, then reports 0", () => {
    const updates = feed(createCadenceCalculator(), [
      at(7, 300, 0),
      at(7, 300, 1000),
      at(7, 300, 3000),
    ]);
    expect(updates.slice(1)).toEqual([{ status: "waiting" }, { status: "stale", value: 0 }]);
  });

  it("starts from a new baseline after reset (a reconnect)", () => {
    const calculator = createCadenceCalculator();
    feed(calculator, [at(0, 0, 0), at(1, 1024, 1000)]);
    calculator.reset();
    expect(feed(calculator, [at(30, 31744, 31000), at(31, 32768, 32000)])).toEqual([
      { status: "baseline", reason: "first" },
      { status: "fresh", value: 60 },
    ]);
  });

  it("resets the baseline when a restarted sensor counts from 0, never reporting a huge value", () => {
    const updates = feed(createCadenceCalculator(), [
      at(400, 30000, 0),
      at(401, 31024, 1000),
      at(2, 1200, 2000),
      at(3, 2224, 3000),
    ]);
    expect(updates.slice(1)).toEqual([
      { status: "fresh", value: 60 },
      { status: "baseline", reason: "restart" },
      { status: "fresh", value: 60 },
    ]);
  });

  it("rejects an event clock that runs ahead of real time, even with a plausible rate", () => {
    const updates = feed(createCadenceCalculator(), [at(0, 3000, 0), at(2, 1024, 1000)]);
    expect(updates[1]).toEqual({ status: "baseline", reason: "restart" });
  });

  it("rejects implausible jumps and changed revolutions on a repeated event time", () => {
    const jump = feed(createCadenceCalculator(), [at(10, 1024, 0), at(1010, 2048, 1000)]);
    expect(jump[1]).toEqual({ status: "baseline", reason: "restart" });
    const repeated = feed(createCadenceCalculator(), [at(10, 1024, 0), at(12, 1024, 1000)]);
    expect(repeated[1]).toEqual({ status: "baseline", reason: "restart" });
    const limited = feed(createCadenceCalculator({ maxRpm: 100 }), [
      at(0, 0, 0),
      at(2, 1024, 1000),
    ]);
    expect(limited[1]).toEqual({ status: "baseline", reason: "restart" });
  });

  it("resets the baseline after a gap as long as the clock wrap, or a receive clock going back", () => {
    const updates = feed(createCadenceCalculator(), [
      at(0, 0, 0),
      at(1, 1024, 1000),
      at(70, 9000, 71000),
      at(71, 10024, 72000),
      at(72, 11048, 71500),
    ]);
    expect(updates.slice(2)).toEqual([
      { status: "baseline", reason: "gap" },
      { status: "fresh", value: 60 },
      { status: "baseline", reason: "gap" },
    ]);
  });

  it("throws on readings that are not integers (a caller bug, not sensor data)", () => {
    expect(() => createCadenceCalculator().update(at(Number.NaN, 0, 0))).toThrow(RangeError);
    expect(() => createCadenceCalculator().update(at(0, 0, Number.POSITIVE_INFINITY))).toThrow(
      RangeError,
    );
  });
});

describe("createWheelSpeedCalculator", () => {
  it("gives mm/s from the circumference, on the 1/1024 s CSC clock", () => {
    const updates = feed(createWheelSpeedCalculator({ source: "csc" }), [
      at(0, 0, 0),
      at(2, 1024, 1000),
    ]);
    expect(updates[1]).toEqual({ status: "fresh", value: 4210 });
  });

  it("uses the 1/2048 s clock for the Cycling Power wheel", () => {
    const updates = feed(createWheelSpeedCalculator({ source: "cycling-power" }), [
      at(0, 0, 0),
      at(2, 2048, 1000),
    ]);
    expect(updates[1]).toEqual({ status: "fresh", value: 4210 });
  });

  it("takes the circumference as an option and rolls over 32-bit revolutions", () => {
    const calculator = createWheelSpeedCalculator({ source: "csc", circumferenceMm: 2000 });
    const updates = feed(calculator, [at(0xffff_ffff, 65000, 0), at(1, 488, 1000)]);
    expect(updates[1]).toEqual({ status: "fresh", value: 4000 });
  });

  it("knows the wheel clock wraps after 64 s for CSC but 32 s for Cycling Power", () => {
    const readings = [at(100, 0, 0), at(101, 40960, 40000)];
    expect(feed(createWheelSpeedCalculator({ source: "csc" }), readings)[1]).toEqual({
      status: "fresh",
      value: 53,
    });
    const cps = [at(100, 0, 0), at(101, 81920 % 65536, 40000)];
    expect(feed(createWheelSpeedCalculator({ source: "cycling-power" }), cps)[1]).toEqual({
      status: "baseline",
      reason: "gap",
    });
  });

  it("rejects speeds above the plausible maximum", () => {
    const updates = feed(createWheelSpeedCalculator({ source: "csc" }), [
      at(0, 0, 0),
      at(30, 1024, 1000),
    ]);
    expect(updates[1]).toEqual({ status: "baseline", reason: "restart" });
  });

  it("refuses a circumference that is not positive", () => {
    expect(() => createWheelSpeedCalculator({ source: "csc", circumferenceMm: 0 })).toThrow(
      RangeError,
    );
  });
});

/**
 * A crank sensor turning at `rpm`: events on its 1/1024 s clock, notifications every
 * `intervalMs` carrying the latest event, received up to `latencyMs` late.
 */
function simulateCrank(options: {
  rpm: number;
  intervalMs: number;
  latencyMs: number;
  startRevolutions: number;
  startTicks: number;
  count: number;
}): CumulativeReading[] {
  const { rpm, intervalMs, latencyMs, startRevolutions, startTicks, count } = options;
  const msPerRevolution = 60_000 / rpm;
  return Array.from({ length: count }, (_, j) => {
    const now = j * intervalMs;
    const revolutions = Math.floor(now / msPerRevolution);
    const eventMs = revolutions * msPerRevolution;
    return at(
      (startRevolutions + revolutions) % 0x1_0000,
      (startTicks + Math.floor((eventMs * 1024) / 1000)) % 0x1_0000,
      now + (latencyMs * ((j * 7919) % 11)) / 10,
    );
  });
}

describe("cumulative calculators, as properties", () => {
  it("track a steady cadence within 1 rpm across rollovers, with no false resets", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 45, max: 200 }),
        fc.integer({ min: 250, max: 1000 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff }),
        (rpm, intervalMs, latencyMs, startRevolutions, startTicks) => {
          const readings = simulateCrank({
            rpm,
            intervalMs,
            latencyMs,
            startRevolutions,
            startTicks,
            count: 300,
          });
          const updates = feed(createCadenceCalculator(), readings);
          expect(updates[0]).toEqual({ status: "baseline", reason: "first" });
          for (const update of updates.slice(1)) {
            expect(["fresh", "held", "waiting"]).toContain(update.status);
            if (update.status === "fresh")
              expect(Math.abs(update.value - rpm)).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("never throw and never report more than the maximum on random counters", () => {
    const readingArb = fc.record({
      revolutions: fc.integer({ min: 0, max: 0xffff }),
      eventTime: fc.integer({ min: 0, max: 0xffff }),
      stepMs: fc.integer({ min: 0, max: 5000 }),
    });
    fc.assert(
      fc.property(fc.array(readingArb, { maxLength: 40 }), (steps) => {
        const calculator = createCadenceCalculator();
        let receivedAt = 0;
        for (const { revolutions, eventTime, stepMs } of steps) {
          receivedAt += stepMs;
          const update = calculator.update(at(revolutions, eventTime, receivedAt));
          if ("value" in update) {
            expect(Number.isInteger(update.value)).toBe(true);
            expect(update.value).toBeGreaterThanOrEqual(0);
            expect(update.value).toBeLessThanOrEqual(250);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
