/**
 * Providers: one characteristic of one source, turned into metric readings. A power meter
 * (0x2A63) provides power, cadence and speed; a trainer (0x2AD2) power, cadence, speed and
 * sometimes heart rate; a strap (0x2A37) heart rate and RR intervals; a speed/cadence sensor
 * (0x2A5B) cadence and speed. Each provider owns its counter calculators, so a reconnect
 * resets exactly that sensor's baselines. Values are in sample units (W, bpm, rpm, mm/s, RR
 * in ms); a reading leaves out what the notification could not give (a baseline, a heart
 * rate without skin contact), so a missing value stays a gap.
 */
import { err, ok, type Result } from "@ridevault/core";
import { parseCscMeasurement } from "../gatt/csc.js";
import {
  createCadenceCalculator,
  createWheelSpeedCalculator,
  type RateCalculator,
} from "../gatt/cumulative.js";
import { parseCyclingPowerMeasurement } from "../gatt/cycling-power.js";
import type { GattError } from "../gatt/errors.js";
import { kmhX100ToMmPerSecond, parseIndoorBikeData, rpmX2ToRpm } from "../gatt/ftms.js";
import { parseHeartRateMeasurement } from "../gatt/heart-rate.js";
import type { SensorNotification } from "../sources/sensor-source.js";

/** A metric a session records from sensors. */
export type Metric = "power" | "heartRate" | "cadence" | "speed";

/** Every metric, in sample column order. */
export const METRICS: readonly Metric[] = ["power", "heartRate", "cadence", "speed"];

/** What one notification says, in sample units; absent metrics are unknown, not zero. */
export interface Reading {
  readonly power?: number;
  readonly heartRate?: number;
  readonly cadence?: number;
  readonly speed?: number;
  /** RR intervals, ms, oldest first. */
  readonly rr?: readonly number[];
  /**
   * Metrics this notification made unknown: a counter calculator started again from a new
   * baseline (after a restart or a long gap), so an earlier value must not be held.
   */
  readonly unknown?: readonly Metric[];
}

/** A notification from a characteristic the session has no parser for. */
export interface UnknownCharacteristicError {
  readonly code: "unknown-characteristic";
  readonly characteristic: string;
  readonly message: string;
}

/** Parses one provider's notifications, keeping its counter baselines between them. */
export interface ProviderParser {
  /** The metrics this kind of provider can give. */
  readonly metrics: readonly Metric[];
  read(notification: SensorNotification): Result<Reading, GattError | UnknownCharacteristicError>;
  /** Forgets counter baselines (on every connect and disconnect). */
  reset(): void;
}

/** The characteristics a session understands, and the metrics each provides. */
export const METRICS_BY_CHARACTERISTIC: Readonly<Record<string, readonly Metric[]>> = {
  "2a37": ["heartRate"],
  "2a63": ["power", "cadence", "speed"],
  "2a5b": ["cadence", "speed"],
  "2ad2": ["power", "cadence", "speed", "heartRate"],
};

/** Creates the parser for `characteristic`; unknown characteristics give one that errs. */
export function createProviderParser(
  characteristic: string,
  options: { readonly circumferenceMm?: number } = {},
): ProviderParser {
  const circumference = options.circumferenceMm;
  const wheelOptions = circumference === undefined ? {} : { circumferenceMm: circumference };
  const calculators: RateCalculator[] = [];
  const calculator = (create: () => RateCalculator) => {
    const created = create();
    calculators.push(created);
    return created;
  };
  const metrics = METRICS_BY_CHARACTERISTIC[characteristic] ?? [];
  const base = {
    metrics,
    reset: () => {
      for (const c of calculators) c.reset();
    },
  };
  switch (characteristic) {
    case "2a37":
      return {
        ...base,
        read(n) {
          const parsed = parseHeartRateMeasurement(n.bytes);
          if (!parsed.ok) return parsed;
          const { heartRate, sensorContact, rrIntervalsMs } = parsed.value;
          const worn = sensorContact !== "not-detected" && heartRate > 0;
          return ok({
            ...(worn && { heartRate }),
            ...(rrIntervalsMs.length > 0 && { rr: rrIntervalsMs }),
          });
        },
      };
    case "2a63": {
      const cadence = calculator(() => createCadenceCalculator());
      const speed = calculator(() =>
        createWheelSpeedCalculator({ source: "cycling-power", ...wheelOptions }),
      );
      return {
        ...base,
        read(n) {
          const parsed = parseCyclingPowerMeasurement(n.bytes);
          if (!parsed.ok) return parsed;
          const { power, crank, wheel } = parsed.value;
          const reading = rates(
            rate("cadence", cadence, crank?.revolutions, crank?.lastEventTime1024, n.time),
            rate("speed", speed, wheel?.revolutions, wheel?.lastEventTime2048, n.time),
          );
          reading.power = Math.max(0, power);
          return ok(reading);
        },
      };
    }
    case "2a5b": {
      const cadence = calculator(() => createCadenceCalculator());
      const speed = calculator(() =>
        createWheelSpeedCalculator({ source: "csc", ...wheelOptions }),
      );
      return {
        ...base,
        read(n) {
          const parsed = parseCscMeasurement(n.bytes);
          if (!parsed.ok) return parsed;
          const { crank, wheel } = parsed.value;
          return ok(
            rates(
              rate("cadence", cadence, crank?.revolutions, crank?.lastEventTime1024, n.time),
              rate("speed", speed, wheel?.revolutions, wheel?.lastEventTime1024, n.time),
            ),
          );
        },
      };
    }
    case "2ad2":
      return {
        ...base,
        read(n) {
          const parsed = parseIndoorBikeData(n.bytes);
          if (!parsed.ok) return parsed;
          const { power, cadenceRpmX2, speedKmhX100, heartRate } = parsed.value;
          return ok({
            ...(power !== undefined && { power: Math.max(0, power) }),
            ...(cadenceRpmX2 !== undefined && { cadence: rpmX2ToRpm(cadenceRpmX2) }),
            ...(speedKmhX100 !== undefined && { speed: kmhX100ToMmPerSecond(speedKmhX100) }),
            ...(heartRate !== undefined && heartRate > 0 && { heartRate }),
          });
        },
      };
    default:
      return {
        ...base,
        read: () =>
          err({
            code: "unknown-characteristic",
            characteristic,
            message: `no parser for characteristic ${characteristic}; its notifications are ignored`,
          }),
      };
  }
}

type RateOutcome =
  | { readonly metric: "cadence" | "speed"; readonly value: number }
  | { readonly metric: "cadence" | "speed"; readonly unknown: true }
  | undefined;

/** What a calculator makes of a counter reading: a value, a new baseline, or nothing. */
function rate(
  metric: "cadence" | "speed",
  calculator: RateCalculator,
  revolutions: number | undefined,
  eventTime: number | undefined,
  receivedAt: number,
): RateOutcome {
  if (revolutions === undefined || eventTime === undefined) return undefined;
  const update = calculator.update({ revolutions, eventTime, receivedAt });
  if ("value" in update) return { metric, value: update.value };
  return update.status === "baseline" ? { metric, unknown: true } : undefined;
}

/** The cadence and speed outcomes as reading fields (a fresh object the caller may add to). */
function rates(
  first: RateOutcome,
  second: RateOutcome,
): { -readonly [K in keyof Reading]: Reading[K] } {
  const reading: { -readonly [K in keyof Reading]: Reading[K] } = {};
  let unknown: Metric[] | undefined;
  for (const outcome of [first, second]) {
    if (outcome === undefined) continue;
    if ("value" in outcome) reading[outcome.metric] = outcome.value;
    else {
      unknown ??= [];
      unknown.push(outcome.metric);
    }
  }
  if (unknown !== undefined) reading.unknown = unknown;
  return reading;
}
