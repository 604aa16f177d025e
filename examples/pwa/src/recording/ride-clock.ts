/**
 * The clock a ride is recorded on. At speed 1 it is the wall clock; `?speed=N` (demos and
 * tests) makes ride time run N times faster, and the recording session and the simulator
 * take this clock and its timers instead of the real ones. The clock is anchored (a pair of
 * wall and ride times) and the anchor is kept with the unfinished ride, so after a reload
 * ride time carries on from where the wall clock says it is: never backwards, and the gap a
 * reload leaves is the reload's own duration (times the speed).
 */
import type { Clock } from "@ridevault/core/browser";
import type { Timers } from "@ridevault/recorder";

/** Where ride time and wall time coincided, and how fast ride time runs. */
export interface RideClockAnchor {
  /** Wall-clock Unix ms at the anchor. */
  readonly wall: number;
  /** Ride Unix ms at the anchor. */
  readonly ride: number;
  /** Ride ms per wall ms (1 = real time). */
  readonly speed: number;
}

/** A ride's clock, timers that wait ride milliseconds, and its anchor. */
export interface RideClock {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly anchor: RideClockAnchor;
}

/** The speeds `?speed=N` may ask for. */
export const RIDE_SPEED_RANGE = { min: 1, max: 100 } as const;

/** A speed clamped into `RIDE_SPEED_RANGE`; anything unreadable is 1. */
export function rideSpeed(input: unknown): number {
  const speed = typeof input === "string" ? Number(input) : input;
  if (typeof speed !== "number" || !Number.isFinite(speed)) return 1;
  return Math.min(RIDE_SPEED_RANGE.max, Math.max(RIDE_SPEED_RANGE.min, speed));
}

/** An anchor at the wall clock's `now`, ride time equal to wall time. */
export function anchorAt(speed: number, now: number = Date.now()): RideClockAnchor {
  return { wall: now, ride: now, speed: rideSpeed(speed) };
}

/** A clock running from `anchor`; `wallNow` and `wallTimers` are the real ones by default. */
export function createRideClock(
  anchor: RideClockAnchor,
  wallNow: () => number = () => Date.now(),
  wallTimers: Timers = {
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  },
): RideClock {
  const { speed } = anchor;
  return {
    anchor,
    clock: { now: () => Math.floor(anchor.ride + (wallNow() - anchor.wall) * speed) },
    timers: {
      setTimeout: (callback, ms) => wallTimers.setTimeout(callback, ms / speed),
      clearTimeout: (handle) => wallTimers.clearTimeout(handle),
    },
  };
}

/** Reads a stored anchor, checking every field; undefined when it is not one. */
export function decodeAnchor(value: unknown): RideClockAnchor | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { wall, ride, speed } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(wall) || !Number.isSafeInteger(ride)) return undefined;
  if (typeof speed !== "number" || rideSpeed(speed) !== speed) return undefined;
  return { wall: wall as number, ride: ride as number, speed };
}
