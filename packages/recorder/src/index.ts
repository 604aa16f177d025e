/**
 * `@ridevault/recorder`: Bluetooth cycling sensors to workouts.
 *
 * The GATT parsers turn the bytes of one notification into typed values, never throwing:
 * each returns a `Result` whose error has a `code` ("gatt-too-short"). Values are integers,
 * in the project's sample units where the spec's resolution allows (power W, heart rate
 * bpm), otherwise in the spec's resolution with the unit in the field name (`speedKmhX100`,
 * `cadenceRpmX2`, `lastEventTime2048`). Counter-based sensors (CSC, power meter crank and
 * wheel data) need a calculator to become cadence (rpm) and speed (mm/s).
 */

/** Cycling Speed and Cadence: CSC Measurement (0x2A5B) and CSC Feature (0x2A5C). */
export {
  CSC_FEATURE,
  CSC_MEASUREMENT,
  type CscFeature,
  type CscMeasurement,
  parseCscFeature,
  parseCscMeasurement,
} from "./gatt/csc.js";
/** Cumulative counters to cadence and speed: baselines, rollover, duplicates, restarts. */
export {
  type BaselineReason,
  type CadenceOptions,
  type CumulativeReading,
  createCadenceCalculator,
  createWheelSpeedCalculator,
  DEFAULT_CIRCUMFERENCE_MM,
  DEFAULT_STALE_AFTER_MS,
  type RateCalculator,
  type RateUpdate,
  type WheelSpeedOptions,
} from "./gatt/cumulative.js";
/** Cycling Power Measurement (0x2A63) and Cycling Power Feature (0x2A65). */
export {
  CYCLING_POWER_FEATURE,
  CYCLING_POWER_MEASUREMENT,
  type CyclingPowerFeature,
  type CyclingPowerMeasurement,
  parseCyclingPowerFeature,
  parseCyclingPowerMeasurement,
} from "./gatt/cycling-power.js";
/** The errors every GATT parser returns, and the characteristic descriptor they name. */
export type { GattCharacteristic, GattError, GattTooShortError } from "./gatt/errors.js";
/** FTMS trainers: Indoor Bike Data (0x2AD2), Fitness Machine Feature (0x2ACC), units. */
export {
  FITNESS_MACHINE_FEATURE,
  type FitnessMachineFeature,
  INDOOR_BIKE_DATA,
  type IndoorBikeData,
  kmhX100ToMmPerSecond,
  parseFitnessMachineFeature,
  parseIndoorBikeData,
  rpmX2ToRpm,
} from "./gatt/ftms.js";
/** Heart Rate Measurement (0x2A37), with RR intervals. */
export {
  HEART_RATE_MEASUREMENT,
  type HeartRateMeasurement,
  parseHeartRateMeasurement,
  rr1024ToMs,
  type SensorContact,
} from "./gatt/heart-rate.js";
export {
  createReplaySource,
  encodeReplay,
  parseReplay,
  REPLAY_SENSOR,
  type ReplayLineProblem,
  type ReplayParseError,
  type ReplaySource,
} from "./sources/replay.js";
export {
  type CoastingProfile,
  checkProfile,
  type Dropout,
  type DropoutsProfile,
  dropoutsOf,
  type Interval,
  type IntervalsProfile,
  type RideProfile,
  type RideState,
  rideStateAt,
  type SimulatedSensor,
  type SteadyProfile,
} from "./sources/ride-profile.js";
export {
  type ConnectionEvent,
  type ConnectionListener,
  characteristicId,
  createSourceEvents,
  type DisconnectReason,
  isCharacteristicId,
  type NotificationListener,
  type SensorNotification,
  type SensorSource,
  type SourceEvents,
  type Unsubscribe,
} from "./sources/sensor-source.js";
export {
  CHARACTERISTIC_BY_SENSOR,
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from "./sources/simulator.js";
