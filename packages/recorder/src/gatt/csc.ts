/**
 * Parsers for the Cycling Speed and Cadence service: the CSC Measurement (0x2A5B) notified by
 * wheel-hub and crank sensors, and the CSC Feature (0x2A5C) that says which data a sensor
 * can send. A CSC sensor sends cumulative counters, not speed or cadence: cumulative
 * revolutions and the time of the last revolution event, both integers as sent, the event
 * times in raw ticks of 1/1024 s (`lastEventTime1024`, for the wheel as well as the crank;
 * the Cycling Power service's wheel clock differs). Turn them into cadence in rpm and speed
 * in mm/s with the calculators of `cumulative.ts`. Fields whose flag is clear are absent.
 */
import { err, ok, type Result } from "@ridevault/core";
import type { GattCharacteristic, GattError } from "./errors.js";
import {
  ByteReader,
  checkFlags,
  checkLayout,
  flaggedFields,
  hasBit,
  namedBits,
  withoutUndefined,
} from "./reader.js";

/** CSC Measurement, 0x2A5B. */
export const CSC_MEASUREMENT: GattCharacteristic = { uuid: 0x2a5b, name: "CSC Measurement" };

/** CSC Feature, 0x2A5C. */
export const CSC_FEATURE: GattCharacteristic = { uuid: 0x2a5c, name: "CSC Feature" };

/** One decoded CSC Measurement notification. */
export interface CscMeasurement {
  /**
   * Cumulative wheel revolutions (u32; a sensor may count back when the wheel turns
   * backwards, which shows as a wrap) and the last wheel event in 1/1024 s (flag bit 0).
   */
  readonly wheel?: { readonly revolutions: number; readonly lastEventTime1024: number };
  /** Cumulative crank revolutions (u16) and the last crank event in 1/1024 s (flag bit 1). */
  readonly crank?: { readonly revolutions: number; readonly lastEventTime1024: number };
}

const FLAG_WHEEL = 0;
const FLAG_CRANK = 1;

const OPTIONAL_FIELDS = [
  { bit: FLAG_WHEEL, name: "wheel revolution data", size: 6 },
  { bit: FLAG_CRANK, name: "crank revolution data", size: 4 },
] as const;

/**
 * Decodes a CSC Measurement notification. Fails with `gatt-too-short` when the payload ends
 * before a field its flags announce; reserved flag bits and extra bytes are ignored. A
 * payload with neither flag set is valid and gives an empty measurement.
 */
export function parseCscMeasurement(bytes: Uint8Array): Result<CscMeasurement, GattError> {
  const flagsField = { name: "flags", size: 1 } as const;
  const minimal = checkFlags(CSC_MEASUREMENT, bytes, [flagsField]);
  if (minimal) return err(minimal);
  const reader = new ByteReader(bytes);
  const flags = reader.u8();
  const short = checkLayout(CSC_MEASUREMENT, bytes, [
    flagsField,
    ...flaggedFields(flags, OPTIONAL_FIELDS),
  ]);
  if (short) return err(short);

  const wheel = hasBit(flags, FLAG_WHEEL)
    ? { revolutions: reader.u32(), lastEventTime1024: reader.u16() }
    : undefined;
  const crank = hasBit(flags, FLAG_CRANK)
    ? { revolutions: reader.u16(), lastEventTime1024: reader.u16() }
    : undefined;
  return ok(withoutUndefined({ wheel, crank }));
}

/** The bits of the CSC Feature, by name; each means "supported". */
const FEATURE_BITS = {
  /** Wheel revolution data (so speed can be computed). */
  wheelRevolutionData: 0,
  /** Crank revolution data (so cadence can be computed). */
  crankRevolutionData: 1,
  /** Several sensor locations. */
  multipleSensorLocations: 2,
} as const;

/** What a speed and cadence sensor supports, decoded from the CSC Feature bitfield. */
export type CscFeature = { readonly [K in keyof typeof FEATURE_BITS]: boolean };

/**
 * Decodes the CSC Feature (a 16-bit bitfield). Fails with `gatt-too-short` under two
 * bytes; reserved bits and extra bytes are ignored.
 */
export function parseCscFeature(bytes: Uint8Array): Result<CscFeature, GattError> {
  const short = checkLayout(CSC_FEATURE, bytes, [{ name: "feature bits", size: 2 }]);
  if (short) return err(short);
  return ok(namedBits(new ByteReader(bytes).u16(), FEATURE_BITS));
}
