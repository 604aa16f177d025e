/**
 * Parser for the Heart Rate Measurement characteristic (0x2A37), notified by chest straps,
 * arm bands and watches. Units: heart rate in beats per minute (the project's sample unit),
 * energy expended in kilojoules as the spec sends it (`energyExpendedKj`), and RR intervals
 * both as sent, in 1/1024 s (`rrIntervals1024`), and converted to whole milliseconds
 * (`rrIntervalsMs`, rounded to nearest). Fields whose flag is clear are absent from the
 * result, not zero; a clear RR flag gives empty RR lists.
 */
import { err, ok, type Result } from "@ridevault/core";
import type { GattCharacteristic, GattError } from "./errors.js";
import {
  ByteReader,
  checkFlags,
  checkLayout,
  type FieldLayout,
  hasBit,
  withoutUndefined,
} from "./reader.js";

/** Heart Rate Measurement, 0x2A37. */
export const HEART_RATE_MEASUREMENT: GattCharacteristic = {
  uuid: 0x2a37,
  name: "Heart Rate Measurement",
};

/**
 * Whether the sensor touches skin: "not-supported" when the sensor cannot tell (then the
 * heart rate may still be valid), otherwise "detected" or "not-detected" (then the heart rate
 * is usually 0 or stale and should not be recorded).
 */
export type SensorContact = "not-supported" | "not-detected" | "detected";

/** One decoded Heart Rate Measurement notification. */
export interface HeartRateMeasurement {
  /** Beats per minute. */
  readonly heartRate: number;
  /** True when the sensor sent the heart rate as 16 bits (flag bit 0) instead of 8. */
  readonly heartRateIs16Bit: boolean;
  /** Skin contact status (flag bits 1 and 2). */
  readonly sensorContact: SensorContact;
  /** Kilojoules expended since the sensor's last reset (flag bit 3); absent if not sent. */
  readonly energyExpendedKj?: number;
  /**
   * RR intervals (time between beats) in 1/1024 s, oldest first (flag bit 4). A sensor sends
   * each interval once, so keep all of them; empty when the flag is clear.
   */
  readonly rrIntervals1024: readonly number[];
  /** The same RR intervals in whole milliseconds, rounded to nearest. */
  readonly rrIntervalsMs: readonly number[];
}

const FLAG_HR_16_BIT = 0;
const FLAG_CONTACT_DETECTED = 1;
const FLAG_CONTACT_SUPPORTED = 2;
const FLAG_ENERGY = 3;
const FLAG_RR = 4;

/**
 * Decodes a Heart Rate Measurement notification. Fails with `gatt-too-short` when the
 * payload ends inside a field, including an odd byte left at the end of the RR list (the
 * last RR interval would be cut in half). Reserved flag bits are ignored.
 */
export function parseHeartRateMeasurement(
  bytes: Uint8Array,
): Result<HeartRateMeasurement, GattError> {
  const minimal = checkFlags(HEART_RATE_MEASUREMENT, bytes, [
    { name: "flags", size: 1 },
    { name: "heart rate", size: 1 },
  ]);
  if (minimal) return err(minimal);
  const reader = new ByteReader(bytes);
  const flags = reader.u8();
  const wide = hasBit(flags, FLAG_HR_16_BIT);
  const layout: FieldLayout[] = [
    { name: "flags", size: 1 },
    { name: "heart rate", size: wide ? 2 : 1 },
  ];
  if (hasBit(flags, FLAG_ENERGY)) layout.push({ name: "energy expended", size: 2 });
  if (hasBit(flags, FLAG_RR)) {
    const fixed = layout.reduce((sum, field) => sum + field.size, 0);
    const rrCount = Math.ceil(Math.max(0, bytes.length - fixed) / 2);
    for (let i = 0; i < rrCount; i++) layout.push({ name: `RR interval ${i + 1}`, size: 2 });
  }
  const short = checkLayout(HEART_RATE_MEASUREMENT, bytes, layout);
  if (short) return err(short);

  const heartRate = wide ? reader.u16() : reader.u8();
  const energyExpendedKj = hasBit(flags, FLAG_ENERGY) ? reader.u16() : undefined;
  const rrIntervals1024: number[] = [];
  if (hasBit(flags, FLAG_RR)) {
    while (reader.remaining >= 2) rrIntervals1024.push(reader.u16());
  }
  return ok({
    heartRate,
    heartRateIs16Bit: wide,
    sensorContact: sensorContactOf(flags),
    ...withoutUndefined({ energyExpendedKj }),
    rrIntervals1024,
    rrIntervalsMs: rrIntervals1024.map(rr1024ToMs),
  });
}

/** Converts an RR interval from 1/1024 s to whole milliseconds, rounded to nearest. */
export function rr1024ToMs(rr1024: number): number {
  return Math.round((rr1024 * 1000) / 1024);
}

function sensorContactOf(flags: number): SensorContact {
  if (!hasBit(flags, FLAG_CONTACT_SUPPORTED)) return "not-supported";
  return hasBit(flags, FLAG_CONTACT_DETECTED) ? "detected" : "not-detected";
}
