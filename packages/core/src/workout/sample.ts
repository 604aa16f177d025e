/**
 * One sample of a ride and its validation. Every value is an integer in a named unit, so a
 * sample reads back exactly as it was appended (no floating-point drift between devices):
 *
 * | field       | unit                              | accepted range        |
 * |-------------|-----------------------------------|-----------------------|
 * | `time`      | Unix time, milliseconds           | years 2000–2200       |
 * | `power`     | watts                             | 0–5000                |
 * | `heartRate` | beats per minute                  | 1–250 (0 = no contact)|
 * | `cadence`   | revolutions per minute            | 0–254                 |
 * | `speed`     | millimetres per second            | 0–50000 (180 km/h)    |
 * | `distance`  | millimetres since the start       | 0–2^40, never falling |
 * | `lat`/`lon` | degrees × 10^7 (both or neither)  | ±90°/±180°            |
 * | `altitude`  | millimetres above sea level       | −500 m – 9000 m       |
 * | `rr`        | RR intervals, milliseconds        | 1–16 values, 100–4000 |
 */
import { err, ok, type Result } from "../result.js";

/** One moment of a ride. Only `time` is required; a missing field is a gap, not a zero. */
export interface Sample {
  readonly time: number;
  readonly power?: number;
  readonly heartRate?: number;
  readonly cadence?: number;
  readonly speed?: number;
  readonly distance?: number;
  readonly lat?: number;
  readonly lon?: number;
  readonly altitude?: number;
  readonly rr?: readonly number[];
}

/** The scalar (one number per sample) fields, in their binary column order. */
export const SCALAR_FIELDS = [
  "power",
  "heartRate",
  "cadence",
  "speed",
  "distance",
  "lat",
  "lon",
  "altitude",
] as const;

export type ScalarField = (typeof SCALAR_FIELDS)[number];

interface Range {
  readonly min: number;
  readonly max: number;
  readonly unit: string;
}

const RANGES: Record<ScalarField, Range> = {
  power: { min: 0, max: 5000, unit: "W" },
  heartRate: { min: 1, max: 250, unit: "bpm" },
  cadence: { min: 0, max: 254, unit: "rpm" },
  speed: { min: 0, max: 50_000, unit: "mm/s" },
  distance: { min: 0, max: 2 ** 40, unit: "mm" },
  lat: { min: -900_000_000, max: 900_000_000, unit: "degrees × 1e7" },
  lon: { min: -1_800_000_000, max: 1_800_000_000, unit: "degrees × 1e7" },
  altitude: { min: -500_000, max: 9_000_000, unit: "mm" },
};

/** 2000-01-01 and 2200-01-01 in Unix milliseconds. */
export const MIN_TIME = 946_684_800_000;
export const MAX_TIME = 7_258_118_400_000;
export const MAX_RR_PER_SAMPLE = 16;

/** A field that was dropped from an otherwise valid sample, and why. */
export interface DroppedField {
  readonly field: ScalarField | "rr" | "position";
  readonly value: unknown;
  readonly reason: string;
}

/** Why a whole sample was rejected. */
export interface SampleError {
  readonly code: "invalid-time" | "time-not-increasing" | "empty-sample";
  readonly message: string;
  readonly time: unknown;
}

/** A validated sample and the fields dropped from it. */
export interface ValidatedSample {
  readonly sample: Sample;
  readonly dropped: readonly DroppedField[];
}

/** What `validateSample` compares against: the previous accepted sample of the same stream. */
export interface SampleContext {
  readonly lastTime?: number;
  readonly lastDistance?: number;
}

/**
 * Checks an untrusted sample. A bad `time` (not an integer, out of range, or not after the
 * previous sample) rejects the whole sample; a bad value in any other field drops that field
 * alone and says why, so one garbled sensor never costs the others' data. A sample left with
 * no value at all is rejected.
 */
export function validateSample(
  input: unknown,
  context: SampleContext = {},
): Result<ValidatedSample, SampleError> {
  if (typeof input !== "object" || input === null) {
    return err({ code: "invalid-time", message: "a sample must be an object", time: undefined });
  }
  const raw = input as Record<string, unknown>;
  const time = raw.time;
  if (!Number.isSafeInteger(time) || (time as number) < MIN_TIME || (time as number) > MAX_TIME) {
    return err({
      code: "invalid-time",
      time,
      message: `sample time ${String(time)} is not a Unix time in integer milliseconds between 2000 and 2200`,
    });
  }
  const t = time as number;
  if (context.lastTime !== undefined && t <= context.lastTime) {
    return err({
      code: "time-not-increasing",
      time: t,
      message: `sample time ${t} is not after the previous sample (${context.lastTime}); samples must be appended in increasing time`,
    });
  }
  const dropped: DroppedField[] = [];
  const out: Record<string, unknown> = { time: t };
  for (const field of SCALAR_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    const reason = checkScalar(field, value);
    if (reason) dropped.push({ field, value, reason });
    else out[field] = value;
  }
  if (out.distance !== undefined && context.lastDistance !== undefined) {
    if ((out.distance as number) < context.lastDistance) {
      dropped.push({
        field: "distance",
        value: out.distance,
        reason: `distance fell from ${context.lastDistance} mm to ${String(out.distance)} mm (a sensor restart?); distance never decreases during a ride`,
      });
      delete out.distance;
    }
  }
  if ((out.lat === undefined) !== (out.lon === undefined)) {
    dropped.push({
      field: "position",
      value: { lat: raw.lat, lon: raw.lon },
      reason: "a position needs both lat and lon",
    });
    delete out.lat;
    delete out.lon;
  }
  if (raw.rr !== undefined && raw.rr !== null) {
    const reason = checkRr(raw.rr);
    if (reason) dropped.push({ field: "rr", value: raw.rr, reason });
    else if ((raw.rr as number[]).length > 0) out.rr = [...(raw.rr as number[])];
  }
  if (Object.keys(out).length === 1) {
    const why = dropped.length > 0 ? ` (dropped: ${dropped.map((d) => d.reason).join("; ")})` : "";
    return err({
      code: "empty-sample",
      time: t,
      message: `sample at ${t} has no valid value to record${why}`,
    });
  }
  return ok({ sample: out as unknown as Sample, dropped });
}

function checkScalar(field: ScalarField, value: unknown): string | undefined {
  const range = RANGES[field];
  if (typeof value !== "number" || Number.isNaN(value)) {
    return `${field} must be a number in ${range.unit}, got ${String(value)}`;
  }
  if (!Number.isInteger(value)) {
    return `${field} must be an integer in ${range.unit}, got ${value}; round it before appending`;
  }
  if (value < range.min || value > range.max) {
    return `${field} ${value} ${range.unit} is outside ${range.min}–${range.max} ${range.unit}`;
  }
  return undefined;
}

function checkRr(value: unknown): string | undefined {
  if (!Array.isArray(value)) return "rr must be an array of RR intervals in milliseconds";
  if (value.length > MAX_RR_PER_SAMPLE) {
    return `rr has ${value.length} intervals; at most ${MAX_RR_PER_SAMPLE} per sample`;
  }
  for (const v of value) {
    if (!Number.isInteger(v) || v < 100 || v > 4000) {
      return `RR interval ${String(v)} is not an integer from 100 to 4000 ms`;
    }
  }
  return undefined;
}
