/**
 * Cadence and wheel speed from cumulative counters. CSC sensors and power meters do not send
 * rpm or speed: they send how many revolutions they have counted so far and the sensor-clock
 * time of the last one, resent unchanged at 1–4 Hz until the next revolution. A calculator
 * keeps the last new event as its reference and divides the differences, modulo the counter
 * widths (crank revolutions and event times are 16 bits, wheel revolutions 32). It also
 * decides when a difference cannot be trusted and starts again from a new reference (a
 * "baseline", which yields no value): the first reading after creation or `reset()` (call it
 * on every reconnect), a receive gap too close to the event clock's wrap (64 s for 1/1024 s
 * clocks, 32 s for the Cycling Power wheel clock at 1/2048 s) to tell how often it wrapped,
 * and counters that jump back or too far, as after a sensor restart. A repeated event time
 * is a duplicate: the last value is held, and after `staleAfterMs` of receive time without a
 * new event the value is 0. Results are integers: cadence in rpm, speed in mm/s (rounded).
 */

/** One counter reading from a parsed notification, stamped with when it arrived. */
export interface CumulativeReading {
  /** Cumulative revolutions, as sent. */
  readonly revolutions: number;
  /** Time of the last revolution event in sensor-clock ticks, as sent (16 bits). */
  readonly eventTime: number;
  /** When the notification arrived, in milliseconds of any steady clock. */
  readonly receivedAt: number;
}

/**
 * Why a reading only became the new reference: "first" (first reading since creation or
 * `reset()`), "gap" (receive time went back, or so far forward that the event clock may have
 * wrapped), "restart" (the counters jumped back or further than a sensor can turn: it
 * restarted or sent garbage).
 */
export type BaselineReason = "first" | "gap" | "restart";

/**
 * What one reading yields: "fresh" — a new value; "held" — a duplicate, the last value
 * still holds; "stale" — no new event for the stale timeout, the value is 0; "baseline" —
 * the reading became the new reference, there is no value yet; "waiting" — a duplicate of a
 * baseline, still no value.
 */
export type RateUpdate =
  | { readonly status: "fresh"; readonly value: number }
  | { readonly status: "held"; readonly value: number }
  | { readonly status: "stale"; readonly value: 0 }
  | { readonly status: "baseline"; readonly reason: BaselineReason }
  | { readonly status: "waiting" };

/** A stateful converter of counter readings into a rate; one per sensor and counter. */
export interface RateCalculator {
  /** Takes the next reading, in arrival order, and says what it yields. */
  update(reading: CumulativeReading): RateUpdate;
  /** Forgets the reference and the last value: the next reading is a baseline. */
  reset(): void;
}

/** Options of `createCadenceCalculator`. */
export interface CadenceOptions {
  /** Receive time without a new crank event after which cadence is 0; default 3000 ms. */
  readonly staleAfterMs?: number;
  /** Cadence above this is treated as a counter jump, not pedalling; default 250 rpm. */
  readonly maxRpm?: number;
}

/** Options of `createWheelSpeedCalculator`. */
export interface WheelSpeedOptions {
  /**
   * Which service the readings come from, which fixes the event clock: "csc" ticks at
   * 1/1024 s, "cycling-power" at 1/2048 s.
   */
  readonly source: "csc" | "cycling-power";
  /** Wheel circumference in millimetres; default 2105 (700×25C). */
  readonly circumferenceMm?: number;
  /** Receive time without a new wheel event after which speed is 0; default 3000 ms. */
  readonly staleAfterMs?: number;
  /** Speed above this is treated as a counter jump; default 50 000 mm/s (180 km/h). */
  readonly maxSpeedMmPerSecond?: number;
}

/** Default stale timeout: sensors resend at 1–4 Hz, so 3 s without news means stopped. */
export const DEFAULT_STALE_AFTER_MS = 3000;
/** Default wheel circumference, millimetres (a 700×25C road tyre). */
export const DEFAULT_CIRCUMFERENCE_MM = 2105;

/**
 * How far the sensor clock and the receive clock may disagree, in ms: a notification can
 * arrive a notification interval (up to about a second) after its event, later in a burst
 * after a radio stall. Gaps within this margin of the wrap are already ambiguous.
 */
const CLOCK_SLACK_MS = 2000;
const EVENT_TIME_MODULUS = 0x1_0000;

/** Creates a cadence calculator for crank readings (16-bit revolutions, 1/1024 s clock). */
export function createCadenceCalculator(options: CadenceOptions = {}): RateCalculator {
  const maxRpm = options.maxRpm ?? 250;
  return new CumulativeRate({
    ticksPerSecond: 1024,
    revolutionModulus: 0x1_0000,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    maxRevolutionsPerSecond: maxRpm / 60,
    toValue: (revolutions, ticks) => Math.round((60 * 1024 * revolutions) / ticks),
  });
}

/** Creates a wheel speed calculator (32-bit revolutions), giving speed in mm/s. */
export function createWheelSpeedCalculator(options: WheelSpeedOptions): RateCalculator {
  const ticksPerSecond = options.source === "csc" ? 1024 : 2048;
  const circumferenceMm = options.circumferenceMm ?? DEFAULT_CIRCUMFERENCE_MM;
  if (!(circumferenceMm > 0)) {
    throw new RangeError(`wheel circumference must be positive, got ${circumferenceMm} mm`);
  }
  const maxSpeed = options.maxSpeedMmPerSecond ?? 50_000;
  return new CumulativeRate({
    ticksPerSecond,
    revolutionModulus: 0x1_0000_0000,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    maxRevolutionsPerSecond: maxSpeed / circumferenceMm,
    toValue: (revolutions, ticks) =>
      Math.round((circumferenceMm * revolutions * ticksPerSecond) / ticks),
  });
}

interface RateConfig {
  readonly ticksPerSecond: number;
  readonly revolutionModulus: number;
  readonly staleAfterMs: number;
  readonly maxRevolutionsPerSecond: number;
  /** The value for `revolutions` turned in `ticks` of the event clock (both positive). */
  readonly toValue: (revolutions: number, ticks: number) => number;
}

class CumulativeRate implements RateCalculator {
  readonly #config: RateConfig;
  readonly #wrapMs: number;
  /** The last reading with a new event time, and when it first arrived. */
  #reference: CumulativeReading | undefined;
  #last: number | undefined;

  constructor(config: RateConfig) {
    this.#config = config;
    this.#wrapMs = (EVENT_TIME_MODULUS * 1000) / config.ticksPerSecond;
  }

  reset(): void {
    this.#reference = undefined;
    this.#last = undefined;
  }

  update(reading: CumulativeReading): RateUpdate {
    checkReading(reading);
    const reference = this.#reference;
    if (reference === undefined) return this.#baseline(reading, "first");
    const elapsedMs = reading.receivedAt - reference.receivedAt;
    if (elapsedMs < 0) return this.#baseline(reading, "gap");
    const ticks = modulo(reading.eventTime - reference.eventTime, EVENT_TIME_MODULUS);
    const revolutions = modulo(
      reading.revolutions - reference.revolutions,
      this.#config.revolutionModulus,
    );
    if (ticks === 0) {
      if (revolutions !== 0) return this.#baseline(reading, "restart");
      if (elapsedMs >= this.#config.staleAfterMs) return { status: "stale", value: 0 };
      return this.#last === undefined
        ? { status: "waiting" }
        : { status: "held", value: this.#last };
    }
    if (elapsedMs >= this.#wrapMs - CLOCK_SLACK_MS) return this.#baseline(reading, "gap");
    const ticksMs = (ticks * 1000) / this.#config.ticksPerSecond;
    const perSecond = (revolutions * this.#config.ticksPerSecond) / ticks;
    if (ticksMs > elapsedMs + CLOCK_SLACK_MS || perSecond > this.#config.maxRevolutionsPerSecond) {
      return this.#baseline(reading, "restart");
    }
    const value = this.#config.toValue(revolutions, ticks);
    this.#reference = reading;
    this.#last = value;
    return { status: "fresh", value };
  }

  #baseline(reading: CumulativeReading, reason: BaselineReason): RateUpdate {
    this.#reference = reading;
    this.#last = undefined;
    return { status: "baseline", reason };
  }
}

function checkReading(reading: CumulativeReading): void {
  const { revolutions, eventTime, receivedAt } = reading;
  if (!Number.isSafeInteger(revolutions) || !Number.isSafeInteger(eventTime)) {
    throw new RangeError(
      `counter readings must be integers as parsed, got ${revolutions} revolutions at ${eventTime}`,
    );
  }
  if (!Number.isFinite(receivedAt)) {
    throw new RangeError(`receivedAt must be a finite time in ms, got ${receivedAt}`);
  }
}

function modulo(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus;
}
