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

/** FTMS trainer control: the control point codec (0x2AD9) and a controller over any link. */
export {
  decodeFtmsRequest,
  encodeFtmsRequest,
  encodeFtmsResponse,
  FITNESS_MACHINE_CONTROL_POINT,
  FTMS_OP_CODES,
  FTMS_RESPONSE_CODE,
  type FtmsBadResponseError,
  type FtmsInvalidRequestError,
  type FtmsRequest,
  type FtmsResponse,
  type FtmsResult,
  parseFtmsResponse,
  type SimulationParameters,
} from "./control/ftms-control-point.js";
/** The trainer side of the control point, simulated (the simulator's trainer uses it). */
export {
  createSimulatedControlPoint,
  SIMULATED_POWER_RANGE,
  type SimulatedControlPoint,
  type TrainerTarget,
} from "./control/simulated-control-point.js";
export {
  type ControlPointTransport,
  type ControlResult,
  createFtmsController,
  DEFAULT_CONTROL_TIMEOUT_MS,
  type FtmsControlError,
  type FtmsControllerOptions,
  type FtmsRefusedError,
  type FtmsTransportError,
  type TrainerControl,
  unavailableTrainer,
} from "./control/trainer-control.js";
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
/** The recording session: sensors to one sample per second, pauses, laps, live values. */
export {
  createProviderParser,
  METRICS,
  METRICS_BY_CHARACTERISTIC,
  type Metric,
  type ProviderParser,
  type Reading,
  type UnknownCharacteristicError,
} from "./session/provider.js";
export { createRecordingSession, type RecordingSession } from "./session/recording-session.js";
export {
  DEFAULT_CHARACTERISTIC_ORDER,
  type ProviderId,
  type ResampledSecond,
  Resampler,
} from "./session/resampler.js";
export type {
  AutoPauseOptions,
  LapRecord,
  LapTrigger,
  LiveValues,
  SessionEvent,
  SessionOptions,
  SessionSample,
  SessionState,
  SessionTarget,
} from "./session/session-types.js";
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
  withPower,
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
/** Web Bluetooth: one BLE sensor as a source, reconnecting with backoff; a trainer's control. */
export {
  type BackoffOptions,
  CYCLING_SERVICES,
  type CyclingService,
  createWebBluetoothSource,
  reconnectDelay,
  requestSensor,
  type WebBluetoothError,
  type WebBluetoothSource,
  type WebBluetoothSourceOptions,
  type WebBluetoothStatus,
} from "./sources/web-bluetooth.js";
export type {
  BluetoothUuid,
  RequestDeviceOptions,
  WebBluetooth,
  WebBluetoothCharacteristic,
  WebBluetoothDevice,
  WebBluetoothServer,
  WebBluetoothService,
} from "./sources/web-bluetooth-types.js";
/** Fakes for tests of apps built on the recorder. */
export {
  FakeBluetooth,
  FakeBluetoothDevice,
  type FakeDeviceOptions,
} from "./testing/fake-bluetooth.js";
export { FakeTarget } from "./testing/fake-target.js";
export { FakeTimers } from "./testing/fake-timers.js";
/** Timers the sources and the session wait with (inject fakes in tests). */
export { systemTimers, type Timers } from "./timers.js";
