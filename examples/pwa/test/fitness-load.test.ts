import type { LibraryAnalytics, LibraryEntry, WorkoutId, WorkoutSummary } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { loadOf } from "../src/components/fitness-load.js";

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 10, 7);

function ride(
  day: number,
  timerMs: number,
  avgPower: number | null,
  analytics: LibraryAnalytics | null = null,
): LibraryEntry {
  const summary: WorkoutSummary = {
    samples: timerMs / 1000,
    elapsedMs: timerMs,
    timerMs,
    movingMs: timerMs,
    distance: null,
    avgPower,
    maxPower: avgPower,
    avgHeartRate: null,
    maxHeartRate: null,
    avgCadence: null,
    maxCadence: null,
    avgSpeed: null,
    maxSpeed: null,
    work: null,
  };
  return {
    id: `w${day}` as WorkoutId,
    title: "",
    sport: "cycling",
    subSport: null,
    startTime: START + day * DAY,
    endTime: null,
    tags: [],
    summary,
    analytics,
    createdAt: 0,
    updatedAt: 0,
    deletedAt: null,
  };
}

describe("loadOf", () => {
  it("turns rides into daily stress and runs fitness and fatigue to today", () => {
    // One hour at FTP is 100 stress; two rides on day 0 add up.
    const entries = [ride(0, 3_600_000, 250), ride(0, 1_800_000, 250), ride(2, 3_600_000, null)];
    const days = loadOf(entries, 250, START + 3 * DAY);
    expect(days.map((d) => d.date)).toEqual([
      "2026-01-10",
      "2026-01-11",
      "2026-01-12",
      "2026-01-13",
    ]);
    expect(days[0]?.stress).toBeCloseTo(150, 6);
    expect(days[2]?.stress).toBe(0);
    expect(days[0]?.atl).toBeGreaterThan(days[0]?.ctl ?? Number.POSITIVE_INFINITY);
    expect(days[3]?.ctl).toBeLessThan(days[0]?.ctl ?? 0);
  });

  it("takes a ride's stress from its analytics, or its normalized power under another FTP", () => {
    const analytics: LibraryAnalytics = {
      normalizedPower: 300,
      intensityFactor: 1.2,
      trainingStress: 144,
      variabilityIndex: 1.2,
      efficiencyFactor: null,
      work: 900,
      powerCurve: null,
      ftp: 250,
      thresholdHeartRate: null,
    };
    const day = (ftp: number) => loadOf([ride(0, 3_600_000, 250, analytics)], ftp, START)[0];
    expect(day(250)?.stress).toBe(144);
    // At FTP 300 the stored NP of 300 W for an hour is 100.
    expect(day(300)?.stress).toBeCloseTo(100, 6);
  });

  it("is empty without an FTP or without power", () => {
    expect(loadOf([ride(0, 3_600_000, 200)], null)).toEqual([]);
    expect(loadOf([ride(0, 3_600_000, null)], 250)).toEqual([]);
  });
});
