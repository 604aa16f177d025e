/**
 * FIT record and hrv messages from sample columns. The record definition carries only the
 * fields the ride has (a ride without GPS spends no bytes on positions), every sample
 * becomes one record, and a sample's RR intervals follow it as hrv messages of up to five
 * intervals each, padded with invalid values as head units write them.
 */
import type { SampleColumns } from "../../workout/columns.js";
import type { ScalarField } from "../../workout/sample.js";
import { MESG } from "./fit-profile.js";
import {
  FIT_TYPES,
  type FitField,
  type FitTypeName,
  type FitValue,
  type FitWriter,
  toFitTime,
} from "./fit-writer.js";

/** RR intervals per hrv message. */
export const HRV_SLOTS = 5;

interface RecordField {
  readonly column: ScalarField;
  readonly field: FitField;
  /** From our unit to FIT's; the result is clamped to the base type's valid range. */
  readonly encode: (value: number) => number;
}

/** Degrees × 1e7 as semicircles (2^31 per 180°); +180° wraps to −180°, the same meridian. */
export function toSemicircles(degreesE7: number): number {
  const semicircles = Math.round((degreesE7 / 1e7) * (2 ** 31 / 180));
  if (semicircles >= 2 ** 31) return semicircles - 2 ** 32;
  // 2^31 − 1 is sint32's "invalid" marker: the one semicircle just short of 180° moves to
  // its neighbour (8 × 10^-8 °, under the 10^-7 ° our positions carry).
  return semicircles === 2 ** 31 - 1 ? semicircles - 1 : semicircles;
}

/** Altitude in mm as FIT altitude: (m + 500) × 5. */
export function toFitAltitude(altitudeMm: number): number {
  return (altitudeMm + 500_000) / 200;
}

const same = (value: number): number => value;

/** Record fields in the order they are written, after the timestamp. */
const RECORD_FIELDS: readonly RecordField[] = [
  { column: "lat", field: { num: 0, type: "sint32" }, encode: toSemicircles },
  { column: "lon", field: { num: 1, type: "sint32" }, encode: toSemicircles },
  { column: "altitude", field: { num: 2, type: "uint16" }, encode: toFitAltitude },
  { column: "heartRate", field: { num: 3, type: "uint8" }, encode: same },
  { column: "cadence", field: { num: 4, type: "uint8" }, encode: same },
  // mm → m × 100.
  { column: "distance", field: { num: 5, type: "uint32" }, encode: (mm) => mm / 10 },
  // mm/s is m/s × 1000.
  { column: "speed", field: { num: 6, type: "uint16" }, encode: same },
  { column: "power", field: { num: 7, type: "uint16" }, encode: same },
];

/** Which record fields a ride writes, and its local message types. */
export interface RecordPlan {
  readonly record: number;
  readonly hrv: number;
  readonly fields: readonly RecordField[];
}

/** Writes the record and hrv definitions for a ride's columns and returns the plan. */
export function defineRecord(
  fit: FitWriter,
  local: { readonly record: number; readonly hrv: number },
  columns: SampleColumns,
): RecordPlan {
  const present = (column: ScalarField) => columns[column].some((v) => !Number.isNaN(v));
  const hasPosition = present("lat") && present("lon");
  const fields = RECORD_FIELDS.filter((f) =>
    f.column === "lat" || f.column === "lon" ? hasPosition : present(f.column),
  );
  fit.define(local.record, MESG.record, [
    { num: 253, type: "uint32" },
    ...fields.map((f) => f.field),
  ]);
  if (columns.rr.length > 0) {
    fit.define(local.hrv, MESG.hrv, [{ num: 0, type: "uint16", count: HRV_SLOTS }]);
  }
  return { ...local, fields };
}

/** Where the timer pauses: called between two samples further apart than `maxGapMs`. */
export interface RecordOptions {
  readonly maxGapMs: number;
  /** The timer stops one second after `stopAt`'s sample (it counts for one second). */
  readonly onPause: (stopAt: number, resumeAt: number) => void;
}

/** Writes one record per sample, its hrv messages, and reports pauses in between. */
export function writeRecords(
  fit: FitWriter,
  columns: SampleColumns,
  plan: RecordPlan,
  options: RecordOptions,
): void {
  const values: FitValue[] = new Array(plan.fields.length + 1);
  for (let i = 0; i < columns.length; i++) {
    const time = columns.time[i] as number;
    values[0] = toFitTime(time);
    plan.fields.forEach((f, k) => {
      const value = columns[f.column][i] as number;
      values[k + 1] = Number.isNaN(value) ? undefined : clampTo(f.field.type, f.encode(value));
    });
    fit.write(plan.record, values);

    const from = columns.rrOffsets[i] as number;
    const to = columns.rrOffsets[i + 1] as number;
    for (let k = from; k < to; k += HRV_SLOTS) {
      // RR intervals in ms are FIT's s × 1000.
      fit.write(plan.hrv, [Array.from(columns.rr.subarray(k, Math.min(k + HRV_SLOTS, to)))]);
    }

    const next = columns.time[i + 1];
    if (next !== undefined && next - time > options.maxGapMs) options.onPause(time + 1000, next);
  }
}

/** `value` rounded and clamped into the valid range of a base type. */
export function clampTo(type: FitTypeName, value: number): number {
  const { min, max } = FIT_TYPES[type];
  return Math.min(max, Math.max(min, Math.round(value)));
}
