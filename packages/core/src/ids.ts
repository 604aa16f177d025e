/**
 * Branded identifiers, so a device id can never be passed where a workout id is expected.
 * Guards validate untrusted strings; factories make new ids from injected randomness.
 */
import type { Random } from "./runtime.js";

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A workout's id: the id of its Automerge document (base58 of 16 random bytes). */
export type WorkoutId = Brand<string, "WorkoutId">;
/** The id of one device's copy of a vault; chunks of samples are keyed by it. */
export type DeviceId = Brand<string, "DeviceId">;

const DEVICE_ID = /^[0-9a-f]{16}$/;
/** Document ids are base58 strings. */
const WORKOUT_ID = /^[1-9A-HJ-NP-Za-km-z]{20,64}$/;

/** True when `value` has the shape of a device id (16 lowercase hex digits). */
export function isDeviceId(value: unknown): value is DeviceId {
  return typeof value === "string" && DEVICE_ID.test(value);
}

/** True when `value` has the shape of a workout id (a base58 document id). */
export function isWorkoutId(value: unknown): value is WorkoutId {
  return typeof value === "string" && WORKOUT_ID.test(value);
}

/** Makes a new random device id. */
export function createDeviceId(random: Random): DeviceId {
  return bytesToHex(random.bytes(8)) as DeviceId;
}

/** Lowercase hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}
