/**
 * Imports a FIT activity file from any device or app: records become samples (enhanced
 * speed and altitude preferred when present; RR intervals from hrv messages attach to the
 * record before them), laps come from lap messages, pauses from timer stop/start events,
 * and sport, sub-sport and threshold power from the first session. A file with several
 * sessions (a ride in parts, a multisport file) becomes one workout holding all records;
 * the sport is the first cycling session's, else the first session's.
 *
 * Unit conversions (FIT → core): semicircles → degrees × 1e7; altitude (m + 500) × 5 → mm;
 * distance cm → mm; speed mm/s as is; timestamps s since 1989-12-31 → Unix ms.
 */
import type { Result } from "../../result.js";
import type { LapTrigger, Sport, SubSport } from "../../workout/metadata.js";
import {
  finishImport,
  type ImportError,
  type ImportedLap,
  type ImportedPause,
  type ImportedWorkout,
  type RawSample,
} from "../import/imported-workout.js";
import {
  CYCLING_SUB_SPORT_NUMBERS,
  EVENT,
  EVENT_TYPE,
  LAP_TRIGGER_NUMBERS,
  MESG,
  SPORT_NUMBERS,
} from "./fit-profile.js";
import { type FitMessage, type FitReadValue, fieldOf, readFit } from "./fit-reader.js";
import { FIT_EPOCH_OFFSET_S } from "./fit-writer.js";

const SPORTS_BY_NUMBER = new Map<number, Sport>(
  Object.entries(SPORT_NUMBERS).map(([sport, n]) => [n, sport as Sport]),
);
const SUB_SPORTS_BY_NUMBER = new Map<number, SubSport>(
  Object.entries(CYCLING_SUB_SPORT_NUMBERS).map(([sub, n]) => [n, sub as SubSport]),
);
const TRIGGERS_BY_NUMBER = new Map<number, LapTrigger>(
  Object.entries(LAP_TRIGGER_NUMBERS).map(([trigger, n]) => [n, trigger as LapTrigger]),
);
/** Well-known `manufacturer` values, for naming a device without a product name. */
const MANUFACTURERS = new Map<number, string>([
  [1, "Garmin"],
  [32, "Wahoo Fitness"],
  [255, "development"],
  [260, "Zwift"],
  [289, "Hammerhead"],
]);

const num = (value: FitReadValue | undefined): number | undefined =>
  typeof value === "number" ? value : undefined;
const fitTimeToMs = (seconds: number): number => (seconds + FIT_EPOCH_OFFSET_S) * 1000;

/** Reads a FIT file into an `ImportedWorkout`; a damaged file fails with a typed error. */
export function importFit(bytes: Uint8Array): Result<ImportedWorkout, ImportError> {
  const read = readFit(bytes);
  if (!read.ok) return read;
  const samples: RawSample[] = [];
  const laps: ImportedLap[] = [];
  const pauses: ImportedPause[] = [];
  const sessions: FitMessage[] = [];
  let startTime: number | null = null;
  let device: string | null = null;
  let stoppedAt: number | undefined;
  for (const message of read.value) {
    const f = (n: number) => fieldOf(message, n);
    const timestamp = message.timestamp;
    switch (message.global) {
      case MESG.fileId: {
        const created = num(f(4));
        if (created !== undefined && startTime === null) startTime = fitTimeToMs(created);
        device ??= nameOf(f(1), f(8));
        break;
      }
      case MESG.deviceInfo: {
        // device_index 0 is the creator; other entries are sensors.
        const index = num(f(0));
        const productName = f(27);
        const name = typeof productName === "string" ? productName : nameOf(f(2), undefined);
        if ((index === 0 || index === undefined) && name !== null) device = name;
        break;
      }
      case MESG.record:
        if (timestamp !== undefined) samples.push(recordToSample(f, fitTimeToMs(timestamp)));
        break;
      case MESG.hrv: {
        const last = samples[samples.length - 1];
        const times = f(0);
        const values = typeof times === "number" ? [times] : Array.isArray(times) ? times : [];
        if (last && values.length > 0) last.rr = [...(last.rr ?? []), ...values];
        break;
      }
      case MESG.event:
        if (num(f(0)) === EVENT.timer && timestamp !== undefined) {
          const type = num(f(1));
          const at = fitTimeToMs(timestamp);
          if (type === EVENT_TYPE.stop || type === EVENT_TYPE.stopAll) stoppedAt ??= at;
          else if (type === EVENT_TYPE.start && stoppedAt !== undefined) {
            pauses.push({ start: stoppedAt, end: at });
            stoppedAt = undefined;
          }
        }
        break;
      case MESG.lap: {
        const lap = lapOf(f);
        if (lap) laps.push(lap);
        break;
      }
      case MESG.session:
        sessions.push(message);
        break;
    }
  }
  const session = sessions.find((s) => num(fieldOf(s, 5)) === SPORT_NUMBERS.cycling) ?? sessions[0];
  const sport =
    SPORTS_BY_NUMBER.get(num(session && fieldOf(session, 5)) ?? SPORT_NUMBERS.cycling) ?? "other";
  const subNumber = num(session && fieldOf(session, 6));
  const subSport =
    sport === "cycling" && subNumber !== undefined
      ? (SUB_SPORTS_BY_NUMBER.get(subNumber) ?? null)
      : null;
  const sessionStart = num(session && fieldOf(session, 2));
  return finishImport({
    format: "fit",
    startTime: sessionStart !== undefined ? fitTimeToMs(sessionStart) : startTime,
    sport,
    subSport,
    title: null,
    notes: null,
    device,
    ftp: num(session && fieldOf(session, 45)) ?? null,
    samples,
    laps,
    pauses,
  });
}

function recordToSample(f: (num: number) => FitReadValue | undefined, time: number): RawSample {
  const sample: RawSample = { time };
  const lat = num(f(0));
  const lon = num(f(1));
  if (lat !== undefined && lon !== undefined) {
    sample.lat = Math.round((lat * 1.8e9) / 2 ** 31);
    sample.lon = Math.round((lon * 1.8e9) / 2 ** 31);
  }
  // Enhanced fields (78 altitude, 73 speed) are wider versions with the same scale.
  const altitude = num(f(78)) ?? num(f(2));
  if (altitude !== undefined) sample.altitude = Math.round(altitude * 200 - 500_000);
  const heartRate = num(f(3));
  if (heartRate !== undefined) sample.heartRate = heartRate;
  const cadence = num(f(4));
  if (cadence !== undefined) sample.cadence = cadence;
  const distance = num(f(5));
  if (distance !== undefined) sample.distance = distance * 10;
  const speed = num(f(73)) ?? num(f(6));
  if (speed !== undefined) sample.speed = speed;
  const power = num(f(7));
  if (power !== undefined) sample.power = power;
  return sample;
}

function lapOf(f: (num: number) => FitReadValue | undefined): ImportedLap | undefined {
  const start = num(f(2));
  const timestamp = num(f(253));
  if (start === undefined) return undefined;
  const startMs = fitTimeToMs(start);
  const elapsed = num(f(7));
  const end =
    elapsed !== undefined
      ? startMs + Math.round(elapsed)
      : timestamp !== undefined
        ? fitTimeToMs(timestamp)
        : undefined;
  if (end === undefined) return undefined;
  const trigger = TRIGGERS_BY_NUMBER.get(num(f(24)) ?? 0) ?? "manual";
  return { start: startMs, end, trigger };
}

function nameOf(
  manufacturer: FitReadValue | undefined,
  productName: FitReadValue | undefined,
): string | null {
  if (typeof productName === "string") return productName;
  const m = num(manufacturer);
  if (m === undefined) return null;
  return MANUFACTURERS.get(m) ?? `manufacturer ${m}`;
}
