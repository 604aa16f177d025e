/**
 * FIT lap and session messages: per-lap totals from `summarize` on the lap's samples, the
 * session from the ride's summary plus the training fields of its analysis. A lap's
 * distance is the distance covered inside it (readings at its end minus at its start), not
 * the odometer reading, and its average speed is that distance over its moving time.
 */
import type { WorkoutAnalysis } from "../../analytics/index.js";
import type { WorkoutSummary } from "../../workout/summary.js";
import { EVENT, EVENT_TYPE, MESG } from "./fit-profile.js";
import { clampTo, toSemicircles } from "./fit-records.js";
import { type FitField, type FitWriter, toFitTime } from "./fit-writer.js";

/** A lap's range, trigger and totals, ready to write. */
export interface LapTotals {
  readonly start: number;
  readonly end: number;
  /** FIT `lap_trigger` value. */
  readonly trigger: number;
  readonly summary: WorkoutSummary;
}

const u16 = (v: number | null): number | undefined =>
  v === null ? undefined : clampTo("uint16", v);
const u8 = (v: number | null): number | undefined => (v === null ? undefined : clampTo("uint8", v));
const u32 = (v: number | null): number | undefined =>
  v === null ? undefined : clampTo("uint32", v);

/** Totals shared by lap and session, as (field number, value) for the given numbering. */
function totals(s: WorkoutSummary, nums: readonly number[]): [FitField, number | undefined][] {
  const values = [
    u32(s.distance === null ? null : s.distance / 10),
    u16(s.avgSpeed),
    u16(s.maxSpeed),
    u8(s.avgHeartRate),
    u8(s.maxHeartRate),
    u8(s.avgCadence),
    u8(s.maxCadence),
    u16(s.avgPower),
    u16(s.maxPower),
  ];
  const types = [
    "uint32",
    "uint16",
    "uint16",
    "uint8",
    "uint8",
    "uint8",
    "uint8",
    "uint16",
    "uint16",
  ] as const;
  return values.map((v, i) => [{ num: nums[i] as number, type: types[i] as FitField["type"] }, v]);
}

function writeMessage(
  fit: FitWriter,
  local: number,
  global: number,
  entries: readonly [FitField, number | undefined][],
): void {
  fit.define(
    local,
    global,
    entries.map(([field]) => field),
  );
  fit.write(
    local,
    entries.map(([, value]) => value),
  );
}

/** Writes one lap message per lap, numbered from 0. */
export function writeLaps(
  fit: FitWriter,
  local: number,
  laps: readonly LapTotals[],
  sport: number,
): void {
  laps.forEach((lap, index) => {
    const s = lap.summary;
    writeMessage(fit, local, MESG.lap, [
      [{ num: 253, type: "uint32" }, toFitTime(lap.end)],
      [{ num: 254, type: "uint16" }, index],
      [{ num: 0, type: "enum" }, EVENT.lap],
      [{ num: 1, type: "enum" }, EVENT_TYPE.stop],
      [{ num: 2, type: "uint32" }, toFitTime(lap.start)],
      [{ num: 7, type: "uint32" }, u32(Math.max(0, lap.end - lap.start))],
      [{ num: 8, type: "uint32" }, u32(s.timerMs)],
      ...totals(s, [9, 13, 14, 15, 16, 17, 18, 19, 20]),
      [{ num: 24, type: "enum" }, lap.trigger],
      [{ num: 25, type: "enum" }, sport],
      [{ num: 41, type: "uint32" }, u32(s.work)],
    ]);
  });
}

/** What the session message needs beyond the summary. */
export interface SessionInput {
  readonly start: number;
  readonly end: number;
  readonly sport: number;
  readonly subSport: number;
  readonly summary: WorkoutSummary;
  readonly analysis: WorkoutAnalysis;
  readonly ftp: number | null;
  readonly numLaps: number;
  readonly firstPosition: { readonly lat: number; readonly lon: number } | null;
  readonly event: number;
  readonly trigger: number;
}

/**
 * Writes the session. Calories are estimated as 1 kcal per kJ of work (a cyclist's gross
 * efficiency of about 24 % makes the two nearly equal) and left out without power.
 */
export function writeSession(fit: FitWriter, local: number, input: SessionInput): void {
  const { summary: s, analysis: a } = input;
  const position = input.firstPosition;
  writeMessage(fit, local, MESG.session, [
    [{ num: 253, type: "uint32" }, toFitTime(input.end)],
    [{ num: 254, type: "uint16" }, 0],
    [{ num: 0, type: "enum" }, input.event],
    [{ num: 1, type: "enum" }, EVENT_TYPE.stop],
    [{ num: 2, type: "uint32" }, toFitTime(input.start)],
    [{ num: 3, type: "sint32" }, position ? toSemicircles(position.lat) : undefined],
    [{ num: 4, type: "sint32" }, position ? toSemicircles(position.lon) : undefined],
    [{ num: 5, type: "enum" }, input.sport],
    [{ num: 6, type: "enum" }, input.subSport],
    [{ num: 7, type: "uint32" }, u32(s.elapsedMs)],
    [{ num: 8, type: "uint32" }, u32(s.timerMs)],
    [{ num: 11, type: "uint16" }, u16(s.work === null ? null : s.work / 1000)],
    ...totals(s, [9, 14, 15, 16, 17, 18, 19, 20, 21]),
    [{ num: 25, type: "uint16" }, 0],
    [{ num: 26, type: "uint16" }, u16(input.numLaps)],
    [{ num: 28, type: "enum" }, input.trigger],
    [{ num: 34, type: "uint16" }, u16(a.normalizedPower)],
    [{ num: 35, type: "uint16" }, u16(a.trainingStress === null ? null : a.trainingStress * 10)],
    [
      { num: 36, type: "uint16" },
      u16(a.intensityFactor === null ? null : a.intensityFactor * 1000),
    ],
    [{ num: 45, type: "uint16" }, u16(input.ftp)],
    [{ num: 48, type: "uint32" }, u32(s.work)],
  ]);
}
