/**
 * Parsers for the Cycling Power service: the Cycling Power Measurement (0x2A63) that power
 * meters and trainers notify, and the Cycling Power Feature (0x2A65) that says which fields a
 * meter can send. Units: power in watts (the project's sample unit; signed, because a meter
 * may report negative power); every other value stays an integer in the spec's resolution,
 * named with its unit: `X2`, `X32` mean "unit times 2, times 32" (so `percentX2` is in ½ %
 * and `nmX32` in 1/32 N·m); `Deg`, `N`, `Kj` are degrees, newtons and kilojoules. Event
 * times are raw clock ticks: the wheel clock ticks 2048 times a second here
 * (`lastEventTime2048`, not 1024 as in CSC) and the crank clock 1024 times. Fields whose flag
 * is clear are absent from the result.
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

/** Cycling Power Measurement, 0x2A63. */
export const CYCLING_POWER_MEASUREMENT: GattCharacteristic = {
  uuid: 0x2a63,
  name: "Cycling Power Measurement",
};

/** Cycling Power Feature, 0x2A65. */
export const CYCLING_POWER_FEATURE: GattCharacteristic = {
  uuid: 0x2a65,
  name: "Cycling Power Feature",
};

/** One decoded Cycling Power Measurement notification. */
export interface CyclingPowerMeasurement {
  /** Instantaneous power in watts (signed 16-bit). */
  readonly power: number;
  /**
   * Share of the power from one pedal, in ½ % (flag bit 0): from the left pedal when
   * `reference` is "left" (flag bit 1), from an unspecified pedal when "unknown".
   */
  readonly pedalPowerBalance?: {
    readonly percentX2: number;
    readonly reference: "left" | "unknown";
  };
  /** Accumulated torque in 1/32 N·m, rolling over at 2^16 (flag bit 2; source: bit 3). */
  readonly accumulatedTorque?: { readonly nmX32: number; readonly source: "wheel" | "crank" };
  /** Cumulative wheel revolutions (u32) and the last wheel event in 1/2048 s (flag bit 4). */
  readonly wheel?: { readonly revolutions: number; readonly lastEventTime2048: number };
  /** Cumulative crank revolutions (u16) and the last crank event in 1/1024 s (flag bit 5). */
  readonly crank?: { readonly revolutions: number; readonly lastEventTime1024: number };
  /** Largest and smallest force over the last revolution, newtons, signed (flag bit 6). */
  readonly extremeForce?: { readonly maxN: number; readonly minN: number };
  /** Largest and smallest torque over the last revolution, 1/32 N·m, signed (flag bit 7). */
  readonly extremeTorque?: { readonly maxNmX32: number; readonly minNmX32: number };
  /** Crank angles (0–4095 degrees, 12 bits each) at the extreme force or torque (bit 8). */
  readonly extremeAngles?: { readonly maxDeg: number; readonly minDeg: number };
  /** Crank angle of the top dead spot, degrees (flag bit 9). */
  readonly topDeadSpotAngleDeg?: number;
  /** Crank angle of the bottom dead spot, degrees (flag bit 10). */
  readonly bottomDeadSpotAngleDeg?: number;
  /** Energy since the meter's last reset, kilojoules (flag bit 11). */
  readonly accumulatedEnergyKj?: number;
  /** True when the meter is asking for an offset compensation (flag bit 12). */
  readonly offsetCompensationIndicator: boolean;
}

const BIT = {
  balance: 0,
  balanceReference: 1,
  torque: 2,
  torqueSource: 3,
  wheel: 4,
  crank: 5,
  force: 6,
  extremeTorque: 7,
  angles: 8,
  topDeadSpot: 9,
  bottomDeadSpot: 10,
  energy: 11,
  offsetCompensation: 12,
} as const;

const OPTIONAL_FIELDS = [
  { bit: BIT.balance, name: "pedal power balance", size: 1 },
  { bit: BIT.torque, name: "accumulated torque", size: 2 },
  { bit: BIT.wheel, name: "wheel revolution data", size: 6 },
  { bit: BIT.crank, name: "crank revolution data", size: 4 },
  { bit: BIT.force, name: "extreme force magnitudes", size: 4 },
  { bit: BIT.extremeTorque, name: "extreme torque magnitudes", size: 4 },
  { bit: BIT.angles, name: "extreme angles", size: 3 },
  { bit: BIT.topDeadSpot, name: "top dead spot angle", size: 2 },
  { bit: BIT.bottomDeadSpot, name: "bottom dead spot angle", size: 2 },
  { bit: BIT.energy, name: "accumulated energy", size: 2 },
] as const;

const MANDATORY_FIELDS = [
  { name: "flags", size: 2 },
  { name: "instantaneous power", size: 2 },
] as const;

/**
 * Decodes a Cycling Power Measurement notification, every optional field included. Fails
 * with `gatt-too-short` when the payload ends before a field its flags announce; reserved
 * flag bits and bytes after the last announced field are ignored.
 */
export function parseCyclingPowerMeasurement(
  bytes: Uint8Array,
): Result<CyclingPowerMeasurement, GattError> {
  const minimal = checkFlags(CYCLING_POWER_MEASUREMENT, bytes, MANDATORY_FIELDS);
  if (minimal) return err(minimal);
  const reader = new ByteReader(bytes);
  const flags = reader.u16();
  const layout = [...MANDATORY_FIELDS, ...flaggedFields(flags, OPTIONAL_FIELDS)];
  const short = checkLayout(CYCLING_POWER_MEASUREMENT, bytes, layout);
  if (short) return err(short);

  const has = (bit: number) => hasBit(flags, bit);
  const power = reader.s16();
  const pedalPowerBalance: CyclingPowerMeasurement["pedalPowerBalance"] = has(BIT.balance)
    ? { percentX2: reader.u8(), reference: has(BIT.balanceReference) ? "left" : "unknown" }
    : undefined;
  const accumulatedTorque: CyclingPowerMeasurement["accumulatedTorque"] = has(BIT.torque)
    ? { nmX32: reader.u16(), source: has(BIT.torqueSource) ? "crank" : "wheel" }
    : undefined;
  const wheel = has(BIT.wheel)
    ? { revolutions: reader.u32(), lastEventTime2048: reader.u16() }
    : undefined;
  const crank = has(BIT.crank)
    ? { revolutions: reader.u16(), lastEventTime1024: reader.u16() }
    : undefined;
  const extremeForce = has(BIT.force) ? { maxN: reader.s16(), minN: reader.s16() } : undefined;
  const extremeTorque = has(BIT.extremeTorque)
    ? { maxNmX32: reader.s16(), minNmX32: reader.s16() }
    : undefined;
  const extremeAngles = has(BIT.angles) ? anglesOf(reader.u24()) : undefined;
  const topDeadSpotAngleDeg = has(BIT.topDeadSpot) ? reader.u16() : undefined;
  const bottomDeadSpotAngleDeg = has(BIT.bottomDeadSpot) ? reader.u16() : undefined;
  const accumulatedEnergyKj = has(BIT.energy) ? reader.u16() : undefined;
  return ok({
    power,
    ...withoutUndefined({
      pedalPowerBalance,
      accumulatedTorque,
      wheel,
      crank,
      extremeForce,
      extremeTorque,
      extremeAngles,
      topDeadSpotAngleDeg,
      bottomDeadSpotAngleDeg,
      accumulatedEnergyKj,
    }),
    offsetCompensationIndicator: has(BIT.offsetCompensation),
  });
}

/** The two 12-bit angles packed in three bytes: the maximum in the low 12 bits. */
function anglesOf(packed: number): { readonly maxDeg: number; readonly minDeg: number } {
  return { maxDeg: packed & 0xfff, minDeg: packed >>> 12 };
}

/** The boolean bits of the Cycling Power Feature, by name; each means "supported". */
const FEATURE_BITS = {
  /** Pedal power balance. */
  pedalPowerBalance: 0,
  /** Accumulated torque. */
  accumulatedTorque: 1,
  /** Wheel revolution data (so wheel speed can be computed). */
  wheelRevolutionData: 2,
  /** Crank revolution data (so cadence can be computed). */
  crankRevolutionData: 3,
  /** Extreme force or torque magnitudes. */
  extremeMagnitudes: 4,
  /** Extreme angles. */
  extremeAngles: 5,
  /** Top and bottom dead spot angles. */
  deadSpotAngles: 6,
  /** Accumulated energy. */
  accumulatedEnergy: 7,
  /** The offset compensation indicator flag. */
  offsetCompensationIndicator: 8,
  /** The offset compensation procedure of the control point. */
  offsetCompensation: 9,
  /** Masking of measurement fields through the control point. */
  contentMasking: 10,
  /** Several sensor locations. */
  multipleSensorLocations: 11,
  /** Setting the crank length. */
  crankLengthAdjustment: 12,
  /** Setting the chain length. */
  chainLengthAdjustment: 13,
  /** Setting the chain weight. */
  chainWeightAdjustment: 14,
  /** Setting the span length. */
  spanLengthAdjustment: 15,
  /** Reporting the instantaneous measurement direction. */
  instantaneousMeasurementDirection: 17,
  /** Reading the factory calibration date. */
  factoryCalibrationDate: 18,
  /** The enhanced offset compensation procedure. */
  enhancedOffsetCompensation: 19,
} as const;

/** What a power meter supports, decoded from the Cycling Power Feature bitfield. */
export type CyclingPowerFeature = { readonly [K in keyof typeof FEATURE_BITS]: boolean } & {
  /** Whether the meter measures force (bit 16 clear) or torque (bit 16 set). */
  readonly sensorMeasurementContext: "force" | "torque";
  /** Bits 20–21: whether the meter may be one of several in a distributed system. */
  readonly distributedSystemSupport:
    | "unspecified"
    | "not-in-distributed-system"
    | "in-distributed-system"
    | "reserved";
};

const DISTRIBUTED_SYSTEM_SUPPORT = [
  "unspecified",
  "not-in-distributed-system",
  "in-distributed-system",
  "reserved",
] as const;

/**
 * Decodes the Cycling Power Feature (a 32-bit bitfield). Fails with `gatt-too-short` under
 * four bytes; reserved bits and extra bytes are ignored.
 */
export function parseCyclingPowerFeature(
  bytes: Uint8Array,
): Result<CyclingPowerFeature, GattError> {
  const short = checkLayout(CYCLING_POWER_FEATURE, bytes, [{ name: "feature bits", size: 4 }]);
  if (short) return err(short);
  const bits = new ByteReader(bytes).u32();
  return ok({
    ...namedBits(bits, FEATURE_BITS),
    sensorMeasurementContext: hasBit(bits, 16) ? "torque" : "force",
    distributedSystemSupport: DISTRIBUTED_SYSTEM_SUPPORT[(bits >>> 20) & 0b11] ?? "reserved",
  });
}
