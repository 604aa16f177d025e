/**
 * Ride profiles for the simulator: what the rider is doing at each moment of a simulated
 * ride. A profile is plain data, and `rideStateAt` turns it into the values the sensors would
 * measure at a given second, so tests can compare what the simulator's bytes decode to with
 * what the profile says. Speed on a pedalling profile comes from a rough flat-road model
 * (power ≈ 0.25·v³ with v in m/s); it only has to be plausible, not physical.
 */

/** A sensor the simulator can play: which device, and so which characteristic it notifies. */
export type SimulatedSensor = "heart-rate" | "power" | "speed-cadence" | "trainer";

/** One block of an `intervals` profile. */
export interface Interval {
  readonly seconds: number;
  readonly watts: number;
  /** Cadence during the block; defaults to the profile's cadence. */
  readonly cadence?: number;
}

/** Constant power and cadence. */
export interface SteadyProfile {
  readonly type: "steady";
  readonly power: number;
  readonly cadence: number;
  /** Default: derived from power (100 + power/5). */
  readonly heartRate?: number;
}

/** Blocks of power, repeated from the start once the list runs out. */
export interface IntervalsProfile {
  readonly type: "intervals";
  readonly intervals: readonly Interval[];
  /** Default cadence of every block; default 90 rpm. */
  readonly cadence?: number;
}

/** Freewheeling: no power, no cadence, speed decaying from `initialSpeedKmh`. */
export interface CoastingProfile {
  readonly type: "coasting";
  /** Default 30 km/h. */
  readonly initialSpeedKmh?: number;
  /** Default 110 bpm. */
  readonly heartRate?: number;
}

/** One sensor losing its connection for a while; its counters keep turning meanwhile. */
export interface Dropout {
  readonly sensor: SimulatedSensor;
  readonly atSeconds: number;
  readonly seconds: number;
}

/** Another ride, with sensors dropping out and reconnecting. */
export interface DropoutsProfile {
  readonly type: "dropouts";
  readonly ride: SteadyProfile | IntervalsProfile | CoastingProfile;
  readonly dropouts: readonly Dropout[];
}

/** What the simulator plays. */
export type RideProfile = SteadyProfile | IntervalsProfile | CoastingProfile | DropoutsProfile;

/** What the sensors measure at one moment. Power and heart rate are integers. */
export interface RideState {
  readonly power: number;
  readonly cadence: number;
  readonly speedKmh: number;
  readonly heartRate: number;
}

/** Seconds over which a coasting speed falls to 1/e of its start. */
const COASTING_TIME_CONSTANT_S = 30;
const DEFAULT_CADENCE = 90;

/** The rider's state `seconds` into the ride (0 at the start). */
export function rideStateAt(profile: RideProfile, seconds: number): RideState {
  switch (profile.type) {
    case "steady":
      return pedalling(profile.power, profile.cadence, profile.heartRate);
    case "intervals": {
      const interval = intervalAt(profile.intervals, seconds);
      return pedalling(interval.watts, interval.cadence ?? profile.cadence ?? DEFAULT_CADENCE);
    }
    case "coasting": {
      const speed = (profile.initialSpeedKmh ?? 30) * Math.exp(-seconds / COASTING_TIME_CONSTANT_S);
      // A wheel slower than walking pace has stopped as far as any sensor can tell.
      return {
        power: 0,
        cadence: 0,
        speedKmh: speed < 1 ? 0 : speed,
        heartRate: profile.heartRate ?? 110,
      };
    }
    case "dropouts":
      return rideStateAt(profile.ride, seconds);
  }
}

/** The dropouts of a profile (none unless it is a `dropouts` profile). */
export function dropoutsOf(profile: RideProfile): readonly Dropout[] {
  return profile.type === "dropouts" ? profile.dropouts : [];
}

/** Checks a profile's numbers, throwing a `RangeError` that names the bad field. */
export function checkProfile(profile: RideProfile): void {
  const nonNegative = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`ride profile ${name} must be a finite number ≥ 0, got ${value}`);
    }
  };
  if (profile.type === "steady") {
    nonNegative("power", profile.power);
    nonNegative("cadence", profile.cadence);
    nonNegative("heartRate", profile.heartRate);
  } else if (profile.type === "intervals") {
    if (profile.intervals.length === 0) throw new RangeError("intervals profile has no intervals");
    for (const [i, interval] of profile.intervals.entries()) {
      if (!(interval.seconds > 0)) throw new RangeError(`interval ${i} must last > 0 seconds`);
      nonNegative(`interval ${i} watts`, interval.watts);
      nonNegative(`interval ${i} cadence`, interval.cadence);
    }
    nonNegative("cadence", profile.cadence);
  } else if (profile.type === "coasting") {
    nonNegative("initialSpeedKmh", profile.initialSpeedKmh);
    nonNegative("heartRate", profile.heartRate);
  } else {
    checkProfile(profile.ride);
    for (const dropout of profile.dropouts) {
      nonNegative(`dropout of ${dropout.sensor} atSeconds`, dropout.atSeconds);
      nonNegative(`dropout of ${dropout.sensor} seconds`, dropout.seconds);
    }
  }
}

/**
 * `state` with the power held at `watts` (an ERG target) and the speed that power gives on
 * the flat-road model; cadence and heart rate stay as the profile says.
 */
export function withPower(state: RideState, watts: number): RideState {
  return { ...pedalling(watts, state.cadence, state.heartRate) };
}

function pedalling(power: number, cadence: number, heartRate?: number): RideState {
  const watts = Math.round(power);
  return {
    power: watts,
    cadence,
    speedKmh: Math.cbrt(watts / 0.25) * 3.6,
    heartRate: heartRate ?? Math.round(100 + watts / 5),
  };
}

function intervalAt(intervals: readonly Interval[], seconds: number): Interval {
  const total = intervals.reduce((sum, interval) => sum + interval.seconds, 0);
  let offset = seconds % total;
  for (const interval of intervals) {
    if (offset < interval.seconds) return interval;
    offset -= interval.seconds;
  }
  const last = intervals.at(-1);
  if (last === undefined) throw new RangeError("intervals profile has no intervals");
  return last;
}
