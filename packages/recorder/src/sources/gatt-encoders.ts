/**
 * GATT payload encoders for the simulator: the inverse of the parsers, written from the
 * specification layouts (REFERENCE.md, "Bluetooth GATT"), all little-endian. They encode only
 * the fields a typical sensor sends, and they check their inputs, because a simulator that
 * silently wraps a value produces bytes no real sensor would: counters and event times must
 * already be reduced to their field width by the caller, which is where rollover belongs.
 */

/** A heart rate strap's notification: bpm, and the beat-to-beat intervals since the last. */
export interface HeartRateFields {
  readonly heartRate: number;
  /** Send the heart rate as u16 even when it fits in a byte (some straps always do). */
  readonly wide: boolean;
  /** RR intervals in 1/1024 s, oldest first. */
  readonly rrIntervals1024: readonly number[];
}

/** A counter pair: cumulative revolutions and the sensor-clock time of the last one. */
export interface CounterFields {
  readonly revolutions: number;
  readonly eventTime: number;
}

/** A power meter's notification (flags bit4 wheel, bit5 crank when present). */
export interface CyclingPowerFields {
  readonly power: number;
  /** Wheel revolutions (u32) and event time in 1/2048 s (u16). */
  readonly wheel?: CounterFields;
  /** Crank revolutions (u16) and event time in 1/1024 s (u16). */
  readonly crank?: CounterFields;
}

/** A speed and cadence sensor's notification; both event clocks tick at 1/1024 s. */
export interface CscFields {
  readonly wheel?: CounterFields;
  readonly crank?: CounterFields;
}

/** A trainer's Indoor Bike Data: speed (0.01 km/h), cadence (0.5 rpm) and power (W). */
export interface IndoorBikeFields {
  readonly speedKmhX100: number;
  readonly cadenceRpmX2: number;
  readonly power: number;
}

/** Encodes a Heart Rate Measurement (0x2A37) with sensor contact detected. */
export function encodeHeartRateMeasurement(fields: HeartRateFields): Uint8Array {
  const wide = fields.wide || fields.heartRate > 0xff;
  const hasRr = fields.rrIntervals1024.length > 0;
  const flags = (wide ? 0x01 : 0) | 0x06 | (hasRr ? 0x10 : 0);
  return bytesOf([
    u8(flags),
    wide ? u16(fields.heartRate) : u8(fields.heartRate),
    ...fields.rrIntervals1024.map(u16),
  ]);
}

/** Encodes a Cycling Power Measurement (0x2A63). */
export function encodeCyclingPowerMeasurement(fields: CyclingPowerFields): Uint8Array {
  const { wheel, crank } = fields;
  const flags = (wheel ? 1 << 4 : 0) | (crank ? 1 << 5 : 0);
  return bytesOf([
    u16(flags),
    s16(fields.power),
    ...(wheel ? [u32(wheel.revolutions), u16(wheel.eventTime)] : []),
    ...(crank ? [u16(crank.revolutions), u16(crank.eventTime)] : []),
  ]);
}

/** Encodes a CSC Measurement (0x2A5B). */
export function encodeCscMeasurement(fields: CscFields): Uint8Array {
  const { wheel, crank } = fields;
  const flags = (wheel ? 0x01 : 0) | (crank ? 0x02 : 0);
  return bytesOf([
    u8(flags),
    ...(wheel ? [u32(wheel.revolutions), u16(wheel.eventTime)] : []),
    ...(crank ? [u16(crank.revolutions), u16(crank.eventTime)] : []),
  ]);
}

/**
 * Encodes Indoor Bike Data (0x2AD2) with speed, cadence and power. Flags bit0 ("More Data")
 * is 0, which in FTMS means the instantaneous speed field is present.
 */
export function encodeIndoorBikeData(fields: IndoorBikeFields): Uint8Array {
  const flags = (1 << 2) | (1 << 6);
  return bytesOf([
    u16(flags),
    u16(fields.speedKmhX100),
    u16(fields.cadenceRpmX2),
    s16(fields.power),
  ]);
}

function bytesOf(parts: readonly (readonly number[])[]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

function unsigned(value: number, size: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value >= 256 ** size) {
    throw new RangeError(`${value} does not fit an unsigned ${8 * size}-bit field`);
  }
  return Array.from({ length: size }, (_, i) => Math.floor(value / 256 ** i) % 256);
}

function u8(value: number): number[] {
  return unsigned(value, 1);
}

function u16(value: number): number[] {
  return unsigned(value, 2);
}

function u32(value: number): number[] {
  return unsigned(value, 4);
}

function s16(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x8000 || value > 0x7fff) {
    throw new RangeError(`${value} does not fit a signed 16-bit field`);
  }
  return u16(value < 0 ? value + 0x1_0000 : value);
}
