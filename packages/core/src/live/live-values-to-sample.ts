/**
 * From what a recording screen shows to what a watcher receives: the recorder's live values
 * (`@ridevault/recorder`'s `LiveValues`, refreshed every second) as one `LiveSample`. The
 * shape is restated here structurally, so core does not depend on the recorder.
 */
import type { LiveSample } from "./live-sample-codec.js";

/** The fields of the recorder's `LiveValues` a live second is made of. */
export interface RecorderLiveValues {
  readonly state: "ready" | "recording" | "paused" | "auto-paused" | "stopped";
  readonly time: number | undefined;
  readonly power: number | undefined;
  readonly heartRate: number | undefined;
  readonly cadence: number | undefined;
  readonly speed: number | undefined;
  readonly timerMs: number;
  readonly distanceMm: number;
  readonly lap: number;
}

/**
 * The live second to publish for `values`, or undefined when there is none to show: before
 * the first recorded second, and once the session is stopped. Auto-paused counts as paused;
 * a metric without a reading stays absent.
 */
export function liveValuesToSample(values: RecorderLiveValues): LiveSample | undefined {
  if (values.time === undefined || values.state === "ready" || values.state === "stopped") {
    return undefined;
  }
  return {
    time: values.time,
    timerMs: values.timerMs,
    lap: values.lap,
    state: values.state === "recording" ? "recording" : "paused",
    distance: values.distanceMm,
    ...(values.power !== undefined && { power: values.power }),
    ...(values.heartRate !== undefined && { heartRate: values.heartRate }),
    ...(values.cadence !== undefined && { cadence: values.cadence }),
    ...(values.speed !== undefined && { speed: values.speed }),
  };
}
