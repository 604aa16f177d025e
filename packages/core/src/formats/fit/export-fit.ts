/**
 * Exports a workout as a FIT activity file, the format Garmin Connect, Strava, TrainingPeaks
 * and intervals.icu import best. Message order follows the activity file convention:
 * file_id, device_info, a timer start event, records (each followed by hrv messages for its
 * RR intervals, with timer stop/start events around pauses), a timer stop event, laps, one
 * session and one activity. Totals come from `summarize` and training fields from
 * `analyzeWorkout` unless the caller passes them (e.g. the ones kept in the library).
 *
 * FIT timestamps are whole seconds, so sub-second sample times are rounded down; altitude
 * has a resolution of 0.2 m and distance of 1 cm. Field numbers: see fit-profile.ts.
 */
import {
  type AnalysisSettings,
  analyzeWorkout,
  type WorkoutAnalysis,
} from "../../analytics/index.js";
import { mergeColumns, type SampleColumns } from "../../workout/columns.js";
import type { WorkoutMetadata } from "../../workout/metadata.js";
import { MAX_GAP_MS, summarize, summarizeLap, type WorkoutSummary } from "../../workout/summary.js";
import { type LapTotals, writeLaps, writeSession } from "./fit-laps.js";
import {
  ACTIVITY_TYPE_MANUAL,
  EVENT,
  EVENT_TYPE,
  FILE_ACTIVITY,
  LAP_TRIGGER_NUMBERS,
  MANUFACTURER_DEVELOPMENT,
  MESG,
  SESSION_TRIGGER_ACTIVITY_END,
  SPORT_NUMBERS,
  subSportNumber,
} from "./fit-profile.js";
import { defineRecord, writeRecords } from "./fit-records.js";
import { FitWriter, toFitTime } from "./fit-writer.js";

/** What `exportFit` needs: the workout and, optionally, totals computed earlier. */
export interface FitExportInput {
  readonly metadata: WorkoutMetadata;
  /** The workout's merged sample columns. */
  readonly columns: SampleColumns;
  /** Defaults to `summarize(columns)`. */
  readonly summary?: WorkoutSummary;
  /** Defaults to `analyzeWorkout(columns, metadata.settings)`. */
  readonly analysis?: WorkoutAnalysis;
  /**
   * Local time minus UTC in minutes, for the activity's local timestamp. Defaults to the
   * runtime's time zone at the end of the ride.
   */
  readonly utcOffsetMinutes?: number;
}

/** The product name written in device_info. */
export const FIT_PRODUCT_NAME = "ridevault";

const LOCAL = {
  fileId: 0,
  deviceInfo: 1,
  event: 2,
  record: 3,
  hrv: 4,
  lap: 5,
  session: 6,
  activity: 7,
};

/**
 * Encodes a workout as a FIT activity file. Never fails for valid columns (see sample.ts);
 * throws `RangeError` only for times after 2126, which FIT cannot represent.
 */
export function exportFit(input: FitExportInput): Uint8Array {
  const { metadata, columns } = input;
  const settings: AnalysisSettings = metadata.settings;
  const summary = input.summary ?? summarize(columns);
  const analysis = input.analysis ?? analyzeWorkout(columns, settings);
  const n = columns.length;
  const start = n > 0 ? (columns.time[0] as number) : metadata.startTime;
  const end = n > 0 ? (columns.time[n - 1] as number) : (metadata.endTime ?? start);
  const hasPosition = columns.lat.some((v) => !Number.isNaN(v));
  const sport = SPORT_NUMBERS[metadata.sport];
  const subSport = subSportNumber(metadata.sport, metadata.subSport, hasPosition);

  const fit = new FitWriter();
  writeHeaderMessages(fit, start);
  const plan = defineRecord(fit, { record: LOCAL.record, hrv: LOCAL.hrv }, columns);
  writeEvent(fit, start, EVENT_TYPE.start);
  writeRecords(fit, columns, plan, {
    onPause: (stopAt, resumeAt) => {
      writeEvent(fit, stopAt, EVENT_TYPE.stopAll);
      writeEvent(fit, resumeAt, EVENT_TYPE.start);
    },
    maxGapMs: MAX_GAP_MS,
  });
  writeEvent(fit, end, EVENT_TYPE.stopAll);

  // Without laps in the metadata, the whole ride is one lap with the session's totals.
  const laps: LapTotals[] =
    metadata.laps.length > 0
      ? metadata.laps.map((lap) => {
          const lapEnd = lap.end ?? end;
          const trigger = LAP_TRIGGER_NUMBERS[lap.trigger];
          const totals = summarizeLap(sliceColumns(columns, lap.start, lapEnd));
          return { start: lap.start, end: lapEnd, trigger, summary: totals };
        })
      : [{ start, end, trigger: LAP_TRIGGER_NUMBERS["session-end"], summary }];
  writeLaps(fit, LOCAL.lap, laps, sport);
  writeSession(fit, LOCAL.session, {
    start,
    end,
    sport,
    subSport,
    summary,
    analysis,
    ftp: settings.ftp,
    numLaps: laps.length,
    firstPosition: firstPosition(columns),
    event: EVENT.session,
    trigger: SESSION_TRIGGER_ACTIVITY_END,
  });
  const offsetMinutes = input.utcOffsetMinutes ?? -new Date(end).getTimezoneOffset();
  writeActivity(fit, end, summary.timerMs, offsetMinutes);
  return fit.finish();
}

function writeHeaderMessages(fit: FitWriter, start: number): void {
  fit.define(LOCAL.fileId, MESG.fileId, [
    { num: 0, type: "enum" },
    { num: 1, type: "uint16" },
    { num: 2, type: "uint16" },
    { num: 4, type: "uint32" },
  ]);
  fit.write(LOCAL.fileId, [FILE_ACTIVITY, MANUFACTURER_DEVELOPMENT, 0, toFitTime(start)]);
  fit.define(LOCAL.deviceInfo, MESG.deviceInfo, [
    { num: 253, type: "uint32" },
    { num: 0, type: "uint8" },
    { num: 2, type: "uint16" },
    { num: 4, type: "uint16" },
    { num: 5, type: "uint16" },
    { num: 27, type: "string", count: 16 },
  ]);
  fit.write(LOCAL.deviceInfo, [
    toFitTime(start),
    0,
    MANUFACTURER_DEVELOPMENT,
    0,
    100,
    FIT_PRODUCT_NAME,
  ]);
  fit.define(LOCAL.event, MESG.event, [
    { num: 253, type: "uint32" },
    { num: 0, type: "enum" },
    { num: 1, type: "enum" },
    { num: 4, type: "uint8" },
  ]);
}

function writeEvent(fit: FitWriter, time: number, eventType: number): void {
  fit.write(LOCAL.event, [toFitTime(time), EVENT.timer, eventType, 0]);
}

function writeActivity(fit: FitWriter, end: number, timerMs: number, offsetMinutes: number): void {
  fit.define(LOCAL.activity, MESG.activity, [
    { num: 253, type: "uint32" },
    { num: 0, type: "uint32" },
    { num: 1, type: "uint16" },
    { num: 2, type: "enum" },
    { num: 3, type: "enum" },
    { num: 4, type: "enum" },
    { num: 5, type: "uint32" },
  ]);
  const timestamp = toFitTime(end);
  fit.write(LOCAL.activity, [
    timestamp,
    timerMs,
    1,
    ACTIVITY_TYPE_MANUAL,
    EVENT.activity,
    EVENT_TYPE.stop,
    timestamp + Math.round(offsetMinutes) * 60,
  ]);
}

/** The samples from `start` to `end`, both included, so consecutive laps share a boundary. */
function sliceColumns(columns: SampleColumns, start: number, end: number): SampleColumns {
  return mergeColumns([{ deviceId: "", columns }], { from: start, to: end + 1 });
}

function firstPosition(columns: SampleColumns): { lat: number; lon: number } | null {
  for (let i = 0; i < columns.length; i++) {
    const lat = columns.lat[i] as number;
    const lon = columns.lon[i] as number;
    if (!Number.isNaN(lat) && !Number.isNaN(lon)) return { lat, lon };
  }
  return null;
}
