/**
 * The simulator: a `SensorSource` that plays a ride profile through simulated sensors and
 * emits the real GATT bytes they would send — a heart rate strap (0x2A37), a power meter
 * (0x2A63), a speed and cadence sensor (0x2A5B) and an FTMS trainer (0x2AD2). It models what
 * makes real sensors awkward: cumulative counters that start anywhere and roll over, event
 * clocks that wrap every 64 s (32 s for the power meter's 1/2048 s wheel clock), notifications
 * at 1–4 Hz that repeat an unchanged event time when no revolution happened, and dropouts
 * during which the counters keep turning. Nothing runs by itself: `tick(ms)` advances
 * simulated time and emits synchronously, so tests are instant, and a seed fixes every
 * random choice (counter starts, sensor clocks, notification rates and jitter).
 */
import { type Clock, createSeededRandom, systemClock } from "@ridevault/core";
import {
  createSimulatedControlPoint,
  type SimulatedControlPoint,
  type TrainerTarget,
} from "../control/simulated-control-point.js";
import { createFtmsController, type TrainerControl } from "../control/trainer-control.js";
import {
  encodeCscMeasurement,
  encodeCyclingPowerMeasurement,
  encodeHeartRateMeasurement,
  encodeIndoorBikeData,
} from "./gatt-encoders.js";
import { createRideModel, type RideModel } from "./ride-model.js";
import {
  checkProfile,
  dropoutsOf,
  type RideProfile,
  type SimulatedSensor,
  withPower,
} from "./ride-profile.js";
import {
  type ConnectionEvent,
  createSourceEvents,
  type DisconnectReason,
  type SensorSource,
} from "./sensor-source.js";

/** Options of `createSimulator`. */
export interface SimulatorOptions {
  readonly profile: RideProfile;
  /** Read once, at `start()`, as the ride's start in Unix ms; default the system clock. */
  readonly clock?: Clock;
  /** Fixes every random choice; the same seed and ticks give the same bytes. Default 1. */
  readonly seed?: number;
  /** Which sensors to simulate; default all four. */
  readonly sensors?: readonly SimulatedSensor[];
  /** Heart rate field width: "u16" sends it in two bytes even below 256. Default "u8". */
  readonly heartRateFormat?: "u8" | "u16";
  /** Wheel circumference the wheel counters turn with; default 2105 mm. */
  readonly circumferenceMm?: number;
}

/** A simulated set of sensors, driven by `tick`. */
export interface Simulator extends SensorSource {
  /**
   * Advances simulated time by `ms` and emits, in time order, every connection event and
   * notification the sensors produce meanwhile. Throws unless started.
   */
  tick(ms: number): void;
  /** Simulated milliseconds since `start()`. */
  readonly elapsedMs: number;
  /**
   * The simulated trainer's control, over real FTMS control point bytes: after
   * `requestControl()`, `setTargetPower(w)` makes the simulated power (trainer and power
   * meter) follow `w` while the rider pedals, until `stop()` or `reset()`.
   */
  readonly trainer: TrainerControl;
  /** The trainer's side of the control point (its current target, a link to cut). */
  readonly controlPoint: SimulatedControlPoint;
}

/** The characteristic each simulated sensor notifies. */
export const CHARACTERISTIC_BY_SENSOR: Readonly<Record<SimulatedSensor, string>> = {
  "heart-rate": "2a37",
  power: "2a63",
  "speed-cadence": "2a5b",
  trainer: "2ad2",
};

const ALL_SENSORS: readonly SimulatedSensor[] = ["heart-rate", "power", "speed-cadence", "trainer"];

interface SensorState {
  readonly kind: SimulatedSensor;
  /** Time between notifications: 250–1000 ms, i.e. 1–4 Hz. */
  readonly periodMs: number;
  readonly crankOffset: number;
  readonly wheelOffset: number;
  /** Where the sensor's own clock stood when the ride started. */
  readonly clockOffsetMs: number;
  nextSendMs: number;
  connected: boolean;
}

interface Transition {
  readonly atMs: number;
  readonly sensor: SimulatedSensor;
  readonly connect: boolean;
}

/** Creates a simulator for `options.profile`; call `start()`, then `tick()`. */
export function createSimulator(options: SimulatorOptions): Simulator {
  checkProfile(options.profile);
  const random = createUniform(options.seed ?? 1);
  const events = createSourceEvents();
  let target: TrainerTarget = { mode: "free" };
  const controlPoint = createSimulatedControlPoint((next) => {
    target = next;
  });
  const model: RideModel = createRideModel(
    options.profile,
    options.circumferenceMm ?? 2105,
    (state) =>
      target.mode === "erg" && state.cadence > 0 ? withPower(state, target.watts) : state,
  );
  const sensors: SensorState[] = [...new Set(options.sensors ?? ALL_SENSORS)].map((kind) => {
    const periodMs = 250 * (1 + Math.floor(random() * 4));
    return {
      kind,
      periodMs,
      crankOffset: Math.floor(random() * 0x1_0000),
      wheelOffset: Math.floor(random() * 0x1_0000_0000),
      clockOffsetMs: Math.floor(random() * 64_000),
      nextSendMs: Math.floor(random() * periodMs),
      connected: false,
    };
  });
  const simulated = new Set(sensors.map((sensor) => sensor.kind));
  const transitions: Transition[] = dropoutsOf(options.profile)
    .filter((dropout) => simulated.has(dropout.sensor))
    .flatMap((dropout) => [
      { atMs: Math.round(dropout.atSeconds * 1000), sensor: dropout.sensor, connect: false },
      {
        atMs: Math.round((dropout.atSeconds + dropout.seconds) * 1000),
        sensor: dropout.sensor,
        connect: true,
      },
    ])
    .sort((a, b) => a.atMs - b.atMs);
  let nextTransition = 0;
  let running = false;
  let startTime = 0;
  let elapsedMs = 0;

  const setConnected = (sensor: SensorState, connected: boolean, reason: DisconnectReason) => {
    if (sensor.connected === connected) return;
    sensor.connected = connected;
    const base = {
      sensor: sensor.kind,
      characteristics: [CHARACTERISTIC_BY_SENSOR[sensor.kind]],
      time: startTime + elapsedMs,
    };
    const event: ConnectionEvent = connected
      ? { type: "connected", ...base }
      : { type: "disconnected", ...base, reason };
    if (connected) {
      // A reconnecting sensor needs a moment before its first notification, like a real one.
      sensor.nextSendMs = elapsedMs + Math.floor(random() * sensor.periodMs);
      if (sensor.kind === "heart-rate") model.drainRrIntervals();
    }
    events.emitConnection(event);
  };

  const send = (sensor: SensorState) => {
    events.emitNotification({
      characteristic: CHARACTERISTIC_BY_SENSOR[sensor.kind],
      time: startTime + elapsedMs,
      bytes: encodeFor(sensor),
    });
    const jitter = Math.floor(random() * 21) - 10;
    sensor.nextSendMs = elapsedMs + sensor.periodMs + jitter;
  };

  const encodeFor = (sensor: SensorState): Uint8Array => {
    const state = model.stateAt(elapsedMs);
    const crank = () => ({
      revolutions: (sensor.crankOffset + model.crankRevolutions) % 0x1_0000,
      eventTime: ticks(sensor.clockOffsetMs + model.lastCrankEventMs, 1024),
    });
    const wheel = (ticksPerSecond: number) => ({
      revolutions: (sensor.wheelOffset + model.wheelRevolutions) % 0x1_0000_0000,
      eventTime: ticks(sensor.clockOffsetMs + model.lastWheelEventMs, ticksPerSecond),
    });
    switch (sensor.kind) {
      case "heart-rate":
        return encodeHeartRateMeasurement({
          heartRate: state.heartRate,
          wide: options.heartRateFormat === "u16",
          rrIntervals1024: model.drainRrIntervals(),
        });
      case "power":
        return encodeCyclingPowerMeasurement({
          power: state.power,
          wheel: wheel(2048),
          crank: crank(),
        });
      case "speed-cadence":
        return encodeCscMeasurement({ wheel: wheel(1024), crank: crank() });
      case "trainer":
        return encodeIndoorBikeData({
          speedKmhX100: Math.round(state.speedKmh * 100),
          cadenceRpmX2: Math.round(state.cadence * 2),
          power: state.power,
        });
    }
  };

  const step = (endMs: number) => {
    for (;;) {
      let next = endMs;
      const transition = transitions[nextTransition];
      if (transition !== undefined) next = Math.min(next, transition.atMs);
      for (const sensor of sensors) {
        if (sensor.connected) next = Math.min(next, sensor.nextSendMs);
      }
      next = Math.max(next, elapsedMs);
      model.advance(elapsedMs, next);
      elapsedMs = next;
      for (let t = transitions[nextTransition]; t !== undefined && t.atMs <= elapsedMs; ) {
        const sensor = sensors.find((candidate) => candidate.kind === t?.sensor);
        if (sensor) setConnected(sensor, t.connect, "signal-lost");
        nextTransition += 1;
        t = transitions[nextTransition];
      }
      for (const sensor of sensors) {
        if (sensor.connected && sensor.nextSendMs <= elapsedMs) send(sensor);
      }
      if (elapsedMs >= endMs) return;
    }
  };

  return {
    get elapsedMs() {
      return elapsedMs;
    },
    trainer: createFtmsController({ transport: controlPoint }),
    controlPoint,
    async start() {
      if (running) return;
      running = true;
      if (elapsedMs === 0) startTime = Math.round((options.clock ?? systemClock).now());
      for (const sensor of sensors) {
        if (!isDroppedOut(sensor.kind)) setConnected(sensor, true, "signal-lost");
      }
    },
    async stop() {
      if (!running) return;
      running = false;
      for (const sensor of sensors) setConnected(sensor, false, "stopped");
    },
    tick(ms) {
      if (!running) throw new Error("the simulator is not running: call start() before tick()");
      if (!(Number.isInteger(ms) && ms >= 0)) {
        throw new RangeError(`tick takes whole milliseconds ≥ 0, got ${ms}`);
      }
      step(elapsedMs + ms);
    },
    onNotification: events.onNotification,
    onConnection: events.onConnection,
  };

  function isDroppedOut(kind: SimulatedSensor): boolean {
    return dropoutsOf(options.profile).some(
      (d) =>
        d.sensor === kind &&
        d.atSeconds * 1000 <= elapsedMs &&
        elapsedMs < (d.atSeconds + d.seconds) * 1000,
    );
  }
}

/** A sensor-clock time in ms as a 16-bit event time at `ticksPerSecond`. */
function ticks(ms: number, ticksPerSecond: number): number {
  return Math.floor((ms * ticksPerSecond) / 1000) % 0x1_0000;
}

/** Uniform numbers in [0, 1) from the core's seeded byte source. */
function createUniform(seed: number): () => number {
  const random = createSeededRandom(seed);
  return () => new DataView(random.bytes(4).buffer).getUint32(0, true) / 0x1_0000_0000;
}
