import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dateOf, dayNumber, trainingLoad } from "./load.js";

const k42 = 1 - Math.exp(-1 / 42);
const k7 = 1 - Math.exp(-1 / 7);

describe("trainingLoad", () => {
  it("after one 100-stress day: ctl 100·(1−e^(−1/42)), atl 100·(1−e^(−1/7)), form 0", () => {
    const [day] = trainingLoad([{ date: "2024-03-01", stress: 100 }]);
    expect(day?.date).toBe("2024-03-01");
    expect(day?.ctl).toBeCloseTo(100 * k42, 12);
    expect(day?.atl).toBeCloseTo(100 * k7, 12);
    expect(day?.tsb).toBe(0);
  });

  it("takes form from yesterday's fitness and fatigue, and fills rest days", () => {
    const days = trainingLoad([{ date: "2024-03-01", stress: 100 }], { end: "2024-03-03" });
    expect(days.map((d) => d.date)).toEqual(["2024-03-01", "2024-03-02", "2024-03-03"]);
    expect(days.map((d) => d.stress)).toEqual([100, 0, 0]);
    const [first, second, third] = days;
    expect(second?.tsb).toBeCloseTo(100 * k42 - 100 * k7, 12);
    expect(second?.ctl).toBeCloseTo(100 * k42 * (1 - k42), 12);
    expect(third?.tsb).toBeCloseTo((second?.ctl as number) - (second?.atl as number), 12);
    expect(first?.tsb).toBe(0);
  });

  it("adds up several rides on one day, in any order", () => {
    const split = trainingLoad([
      { date: "2024-03-02", stress: 30 },
      { date: "2024-03-01", stress: 50 },
      { date: "2024-03-02", stress: 40 },
    ]);
    const summed = trainingLoad([
      { date: "2024-03-01", stress: 50 },
      { date: "2024-03-02", stress: 70 },
    ]);
    expect(split).toEqual(summed);
  });

  it("uses the configured time constants and starting values", () => {
    const [day] = trainingLoad([{ date: "2024-01-01", stress: 80 }], {
      ctlDays: 28,
      atlDays: 5,
      initialCtl: 50,
      initialAtl: 60,
    });
    expect(day?.ctl).toBeCloseTo(50 + 30 * (1 - Math.exp(-1 / 28)), 12);
    expect(day?.atl).toBeCloseTo(60 + 20 * (1 - Math.exp(-1 / 5)), 12);
    expect(day?.tsb).toBe(-10);
  });

  it("steps calendar days across a leap day and a summer-time change", () => {
    const days = trainingLoad([{ date: "2024-02-28", stress: 1 }], { end: "2024-04-01" });
    expect(days.length).toBe(34);
    expect(days[1]?.date).toBe("2024-02-29");
    expect(days.at(-1)?.date).toBe("2024-04-01");
  });

  it("ignores stress after the end and gives nothing for no input", () => {
    expect(trainingLoad([])).toEqual([]);
    const days = trainingLoad(
      [
        { date: "2024-03-01", stress: 10 },
        { date: "2024-03-05", stress: 10 },
      ],
      { end: "2024-03-02" },
    );
    expect(days.map((d) => d.date)).toEqual(["2024-03-01", "2024-03-02"]);
    expect(trainingLoad([{ date: "2024-03-05", stress: 1 }], { end: "2024-03-01" })).toEqual([]);
  });

  it("refuses malformed dates, negative stress and non-positive time constants", () => {
    expect(() => trainingLoad([{ date: "2024-2-30", stress: 1 }])).toThrow(/YYYY-MM-DD/);
    expect(() => trainingLoad([{ date: "2024-02-30", stress: 1 }])).toThrow(RangeError);
    expect(() => trainingLoad([{ date: "2024-02-01", stress: -1 }])).toThrow(/≥ 0/);
    expect(() => trainingLoad([{ date: "2024-02-01", stress: 1 }], { ctlDays: 0 })).toThrow(
      /ctlDays/,
    );
  });

  it("is linear: the load of two histories added is the sum of their loads", () => {
    const history = fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(history, history, (a, b) => {
        const n = Math.max(a.length, b.length);
        const start = dayNumber("2024-01-01");
        const entries = (s: number[]) =>
          s.map((stress, i) => ({ date: dateOf(start + i), stress }));
        const end = { end: dateOf(start + n - 1) };
        const both = trainingLoad(
          Array.from({ length: n }, (_, i) => ({
            date: dateOf(start + i),
            stress: (a[i] ?? 0) + (b[i] ?? 0),
          })),
          end,
        );
        const la = trainingLoad(entries(a), end);
        const lb = trainingLoad(entries(b), end);
        both.forEach((day, i) => {
          expect(day.ctl).toBeCloseTo((la[i]?.ctl as number) + (lb[i]?.ctl as number), 9);
          expect(day.atl).toBeCloseTo((la[i]?.atl as number) + (lb[i]?.atl as number), 9);
          expect(day.tsb).toBeCloseTo((la[i]?.tsb as number) + (lb[i]?.tsb as number), 9);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("approaches a constant daily stress from below, never overshooting", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), (stress) => {
        const start = dayNumber("2024-01-01");
        const days = trainingLoad(
          Array.from({ length: 200 }, (_, i) => ({ date: dateOf(start + i), stress })),
        );
        for (let i = 1; i < days.length; i++) {
          expect(days[i]?.ctl).toBeGreaterThan(days[i - 1]?.ctl as number);
          expect(days[i]?.ctl).toBeLessThanOrEqual(stress);
          expect(days[i]?.atl).toBeGreaterThanOrEqual(days[i]?.ctl as number);
        }
        expect(days.at(-1)?.atl).toBeCloseTo(stress, 6);
      }),
      { numRuns: 50 },
    );
  });
});
