/**
 * The shapes a recording session takes and gives: its options (sources, auto-pause, auto
 * laps, source preferences), the target it appends to (the core's `Recording` fits), the
 * live values a UI shows and the events it reports. Expected failures — a sensor lost, a
 * garbled notification, an append the vault refused — are events, never exceptions.
 */
import type { Clock, Result, Sample } from "@ridevault/core";
import type { GattError } from "../gatt/errors.js";
import type { ConnectionEvent, SensorSource } from "../sources/sensor-source.js";
import type { Timers } from "../timers.js";
import type { Metric, UnknownCharacteristicError } from "./provider.js";
import type { ProviderId } from "./resampler.js";

/** Where a session's samples and laps go. The core's `Recording` is one. */
export interface SessionTarget {
  /** Appends one sample (time in Unix ms, values in sample units); processed in call order. */
  append(
    sample: SessionSample,
  ): Promise<Result<unknown, { readonly code: string; readonly message: string }>>;
  /** Ends the recording: seals what is buffered, sets the end time. */
  finish(options?: { readonly endTime?: number }): Promise<void>;
  readonly workout: {
    addLap(lap: {
      readonly start: number;
      readonly end: number;
      readonly trigger: LapTrigger;
    }): Result<unknown, { readonly code: string; readonly message: string }>;
    update(patch: {
      readonly timerTime: number;
    }): Result<unknown, { readonly code: string; readonly message: string }>;
  };
}

/** One recorded second: a core `Sample` without a position (sensors give none). */
export type SessionSample = Omit<Sample, "lat" | "lon" | "altitude">;

/** What ended a lap (the core's lap triggers). */
export type LapTrigger = "manual" | "distance" | "time" | "session-end";

/** Auto-pause: pause after `seconds` of `metric` below `below`; resume at or above it. */
export interface AutoPauseOptions {
  /** "speed" in mm/s or "power" in W. */
  readonly metric: "speed" | "power";
  readonly below: number;
  /** Consecutive seconds below the threshold before pausing; default 5. */
  readonly seconds?: number;
}

/** Options of `createRecordingSession`. */
export interface SessionOptions {
  readonly target: SessionTarget;
  /** The sources to record from, by name; names prefix provider ids ("strap:2a37"). */
  readonly sources: Readonly<Record<string, SensorSource>>;
  readonly clock: Clock;
  /** Drives the 1 Hz tick; "manual" means the caller calls `tick()`. Default real timers. */
  readonly timers?: Timers | "manual";
  /** Off unless given. */
  readonly autoPause?: AutoPauseOptions;
  /** Automatic laps every so many metres of distance and/or ms of timer time. */
  readonly autoLap?: { readonly everyMetres?: number; readonly everyMs?: number };
  /** Providers per metric, best first; unlisted metrics use every provider, sensors first. */
  readonly preferences?: Partial<Record<Metric, readonly ProviderId[]>>;
  /** Metrics this device records (default all); see "Dual recording" in the README. */
  readonly metrics?: readonly Metric[];
  readonly circumferenceMm?: number;
}

/** Where a session stands. */
export type SessionState = "ready" | "recording" | "paused" | "auto-paused" | "stopped";

/** A closed lap; `index` counts from 1. */
export interface LapRecord {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly trigger: LapTrigger;
  readonly timerMs: number;
  readonly distanceMm: number;
}

/** What a UI shows, refreshed every second and on every state change. */
export interface LiveValues {
  readonly state: SessionState;
  /** The last closed second (Unix ms of its start), or undefined before the first. */
  readonly time: number | undefined;
  readonly power: number | undefined;
  readonly heartRate: number | undefined;
  readonly cadence: number | undefined;
  readonly speed: number | undefined;
  /** Recorded seconds × 1000. */
  readonly timerMs: number;
  readonly distanceMm: number;
  /** The running lap, from 1. */
  readonly lap: number;
  readonly lapTimerMs: number;
  readonly lapDistanceMm: number;
  /** Which provider each metric came from in the last second. */
  readonly sources: Partial<Record<Metric, ProviderId>>;
}

/** Something the session wants a UI or a log to know. */
export type SessionEvent =
  | { readonly type: "state"; readonly state: SessionState; readonly time: number }
  | { readonly type: "lap"; readonly lap: LapRecord }
  | { readonly type: "sensor"; readonly source: string; readonly event: ConnectionEvent }
  | {
      readonly type: "source-changed";
      readonly metric: Metric;
      readonly provider: ProviderId | undefined;
      readonly time: number;
    }
  | {
      readonly type: "parse-error";
      readonly provider: ProviderId;
      readonly error: GattError | UnknownCharacteristicError;
    }
  | {
      readonly type: "append-error";
      readonly time: number;
      readonly error: { readonly code: string; readonly message: string };
    };
