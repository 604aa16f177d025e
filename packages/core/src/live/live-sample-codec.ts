/**
 * One second of a ride as a watcher sees it live, and its compact binary form: the payload
 * of one live (ephemeral) message. A recording device sends its unsealed tail this way while
 * a coach watches (DESIGN.md §2); it is never stored, so the form is small rather than
 * columnar — 24 bytes for a full second of a 4 h ride:
 *
 *     version u8 (=1) · flags u8 · time · timerMs · lap · [power] [heartRate] [cadence]
 *     [speed] [distance]
 *
 * every number an unsigned LEB128 varint in its shortest form (one sample, one encoding). Flag bit 0 is the state (set = paused); bits 1–5
 * say which optional values follow, in that order, so an absent value stays distinct from 0.
 * Units are the sample's (`workout/sample.ts`): W, bpm, rpm, mm/s, mm. `decodeLiveSample`
 * validates every field and never throws.
 */
import { ByteReader, ByteWriter, DecodeError } from "../bytes.js";
import { err, ok, type Result } from "../result.js";
import { MAX_TIME, MIN_TIME } from "../workout/sample.js";

/** The format version this library writes and reads. */
export const LIVE_SAMPLE_VERSION = 1;

/** Whether the rider is recording or paused (manually or automatically) in this second. */
export type LiveState = "recording" | "paused";

/**
 * One live second. `time`, `timerMs`, `lap` and `state` are always there; a missing metric
 * means no reading (a sensor dropped out), never 0.
 */
export interface LiveSample {
  /** The second's start, Unix milliseconds (years 2000–2200). */
  readonly time: number;
  /** Recorded (elapsed, not paused) time so far, milliseconds. */
  readonly timerMs: number;
  /** The running lap, from 1. */
  readonly lap: number;
  readonly state: LiveState;
  /** Watts, 0–5000. */
  readonly power?: number;
  /** Beats per minute, 0–250 (0 = no skin contact). */
  readonly heartRate?: number;
  /** Revolutions per minute, 0–254. */
  readonly cadence?: number;
  /** Millimetres per second, 0–50 000. */
  readonly speed?: number;
  /** Millimetres since the start, 0–2^40. */
  readonly distance?: number;
}

/** Why a live sample could not be encoded or decoded. */
export interface LiveSampleError {
  /**
   * `live-sample-invalid`: a value out of range (encoding) or decoded bytes that name one;
   * `live-sample-corrupt`: truncated or garbled bytes; `live-sample-version`: written in
   * another format version (by a newer app).
   */
  readonly code: "live-sample-invalid" | "live-sample-corrupt" | "live-sample-version";
  readonly message: string;
}

type Metric = "power" | "heartRate" | "cadence" | "speed" | "distance";

interface Range {
  readonly min: number;
  readonly max: number;
  readonly unit: string;
}

/** The optional metrics in flag-bit order (bits 1–5). */
const METRICS: readonly (readonly [Metric, Range])[] = [
  ["power", { min: 0, max: 5000, unit: "W" }],
  ["heartRate", { min: 0, max: 250, unit: "bpm" }],
  ["cadence", { min: 0, max: 254, unit: "rpm" }],
  ["speed", { min: 0, max: 50_000, unit: "mm/s" }],
  ["distance", { min: 0, max: 2 ** 40, unit: "mm" }],
];

const TIME: Range = { min: MIN_TIME, max: MAX_TIME, unit: "Unix ms" };
/** A year of recorded time is more than any ride. */
const TIMER_MS: Range = { min: 0, max: 366 * 24 * 3600 * 1000, unit: "ms" };
const LAP: Range = { min: 1, max: 1_000_000, unit: "" };
const PAUSED_BIT = 1;
const KNOWN_FLAGS = (1 << (METRICS.length + 1)) - 1;

/**
 * Encodes one live second. Fails with `live-sample-invalid` when a value is not an integer
 * in its range or `state` is not one of the states; check the field the message names.
 */
export function encodeLiveSample(sample: LiveSample): Result<Uint8Array, LiveSampleError> {
  const problem = problemOf(sample);
  if (problem !== undefined) {
    return err({
      code: "live-sample-invalid",
      message: `cannot send this live sample: ${problem}`,
    });
  }
  return ok(unchecked(sample));
}

/**
 * Decodes and validates one live second. Garbled, truncated or trailing bytes give
 * `live-sample-corrupt`, a newer format `live-sample-version`, an out-of-range value
 * `live-sample-invalid`; it never throws.
 */
export function decodeLiveSample(bytes: Uint8Array): Result<LiveSample, LiveSampleError> {
  const version = bytes[0];
  if (version !== undefined && version !== LIVE_SAMPLE_VERSION) {
    return err({
      code: "live-sample-version",
      message: `live sample format ${version} is not supported (this app reads ${LIVE_SAMPLE_VERSION}); update the app to watch this ride`,
    });
  }
  try {
    const r = new ByteReader(bytes, 1);
    const flags = r.byte();
    if ((flags & ~KNOWN_FLAGS) !== 0) throw new DecodeError(`unknown flags ${flags}`);
    const fixed = {
      time: r.uint(),
      timerMs: r.uint(),
      lap: r.uint(),
      state: flags & PAUSED_BIT ? ("paused" as const) : ("recording" as const),
    };
    const metrics: Partial<Record<Metric, number>> = {};
    METRICS.forEach(([field], i) => {
      if (flags & (2 << i)) metrics[field] = r.uint();
    });
    if (!r.done) throw new DecodeError("trailing bytes");
    const sample: LiveSample = { ...fixed, ...metrics };
    const problem = problemOf(sample);
    if (problem !== undefined) {
      return err({
        code: "live-sample-invalid",
        message: `a live sample holds ${problem}; it was skipped (the sender's app is faulty)`,
      });
    }
    if (!sameBytes(unchecked(sample), bytes)) throw new DecodeError("a varint is not minimal");
    return ok(sample);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    return err({
      code: "live-sample-corrupt",
      message: `a live sample is garbled (${error.message}); it was skipped, the next one may arrive intact`,
    });
  }
}

function unchecked(sample: LiveSample): Uint8Array {
  let flags = sample.state === "paused" ? PAUSED_BIT : 0;
  METRICS.forEach(([field], i) => {
    if (sample[field] !== undefined) flags |= 2 << i;
  });
  const w = new ByteWriter(32);
  w.byte(LIVE_SAMPLE_VERSION);
  w.byte(flags);
  w.uint(sample.time);
  w.uint(sample.timerMs);
  w.uint(sample.lap);
  for (const [field] of METRICS) {
    const value = sample[field];
    if (value !== undefined) w.uint(value);
  }
  return w.finish();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function problemOf(sample: LiveSample): string | undefined {
  const state = sample.state as string;
  return (
    check("time", sample.time, TIME) ??
    check("timerMs", sample.timerMs, TIMER_MS) ??
    check("lap", sample.lap, LAP) ??
    (state === "recording" || state === "paused"
      ? undefined
      : `state must be "recording" or "paused", not ${state}`) ??
    METRICS.reduce<string | undefined>(
      (found, [field, range]) =>
        found ?? (sample[field] === undefined ? undefined : check(field, sample[field], range)),
      undefined,
    )
  );
}

function check(field: string, value: unknown, range: Range): string | undefined {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    return `${field} must be an integer, not ${String(value)}`;
  }
  if (value < range.min || value > range.max) {
    return `${field} ${value} is outside ${range.min}–${range.max}${range.unit ? ` ${range.unit}` : ""}`;
  }
  return undefined;
}
