/**
 * The physical side of the simulator: the crank, the wheel and the heart, turning as the
 * ride profile says. It counts whole revolutions and beats and remembers when the last one
 * happened, in simulated milliseconds since the ride started; the simulated sensors add their
 * own counter and clock offsets and reduce to field widths. Rates are taken as constant over
 * short steps, and each event's time is placed exactly within its step, so the event times
 * the sensors report are as regular as a real crank's.
 */
import { type RideProfile, type RideState, rideStateAt } from "./ride-profile.js";

/** Counters of one simulated ride; advanced by the simulator, read by its sensors. */
export interface RideModel {
  /** Moves the ride from `fromMs` to `toMs`, counting every revolution and beat. */
  advance(fromMs: number, toMs: number): void;
  /** The profile's state at `ms`. */
  stateAt(ms: number): RideState;
  /** Hands over the RR intervals (1/1024 s) since the last call, at most the last nine. */
  drainRrIntervals(): number[];
  readonly crankRevolutions: number;
  readonly lastCrankEventMs: number;
  readonly wheelRevolutions: number;
  readonly lastWheelEventMs: number;
}

/** Longest step over which a rate is taken as constant. */
const MAX_STEP_MS = 100;
/** An RR list longer than this would not fit a default 20-byte notification. */
const MAX_RR_INTERVALS = 9;

/** A counter that turns at a rate and remembers its last whole turn. */
class Rotor {
  count = 0;
  lastEventMs = 0;
  #phase = 0;

  /** Turns at `perMs` revolutions per ms from `fromMs` to `toMs`; returns new event times. */
  turn(perMs: number, fromMs: number, toMs: number): number[] {
    if (!(perMs > 0)) return [];
    this.#phase += perMs * (toMs - fromMs);
    const whole = Math.floor(this.#phase);
    const times: number[] = [];
    for (let k = 1; k <= whole; k++) times.push(toMs - (this.#phase - k) / perMs);
    this.#phase -= whole;
    this.count += whole;
    const last = times.at(-1);
    if (last !== undefined) this.lastEventMs = last;
    return times;
  }
}

/**
 * Creates the counters for `profile`, with the wheel turning at `circumferenceMm`; `adjust`
 * may change the profile's state (the simulator holds an ERG target with it).
 */
export function createRideModel(
  profile: RideProfile,
  circumferenceMm: number,
  adjust: (state: RideState) => RideState = (state) => state,
): RideModel {
  if (!(circumferenceMm > 0)) {
    throw new RangeError(`wheel circumference must be positive, got ${circumferenceMm} mm`);
  }
  const crank = new Rotor();
  const wheel = new Rotor();
  const heart = new Rotor();
  let lastBeatMs: number | undefined;
  let rrIntervals: number[] = [];
  const stateAt = (ms: number) => adjust(rideStateAt(profile, ms / 1000));

  return {
    advance(fromMs, toMs) {
      for (let start = fromMs; start < toMs; start += MAX_STEP_MS) {
        const end = Math.min(toMs, start + MAX_STEP_MS);
        const state = stateAt(start);
        crank.turn(state.cadence / 60_000, start, end);
        wheel.turn(state.speedKmh / 3.6 / circumferenceMm, start, end);
        for (const beat of heart.turn(state.heartRate / 60_000, start, end)) {
          if (lastBeatMs !== undefined) rrIntervals.push(Math.round((beat - lastBeatMs) * 1.024));
          lastBeatMs = beat;
        }
        rrIntervals = rrIntervals.slice(-MAX_RR_INTERVALS);
      }
    },
    stateAt,
    drainRrIntervals() {
      const drained = rrIntervals;
      rrIntervals = [];
      return drained;
    },
    get crankRevolutions() {
      return crank.count;
    },
    get lastCrankEventMs() {
      return crank.lastEventMs;
    },
    get wheelRevolutions() {
      return wheel.count;
    },
    get lastWheelEventMs() {
      return wheel.lastEventMs;
    },
  };
}
