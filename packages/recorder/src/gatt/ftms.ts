/**
 * Parsers for the Fitness Machine service (FTMS) of smart trainers and exercise bikes: the
 * Indoor Bike Data (0x2AD2) they notify and the Fitness Machine Feature (0x2ACC) that says
 * what they measure and which targets they accept. Units: power in watts and heart rate in
 * bpm (the project's sample units; power is signed); every other value stays an integer in
 * the spec's resolution, named with its unit: `X2`, `X10`, `X100` mean "unit times 2, 10,
 * 100" (so `speedKmhX100` is in 0.01 km/h and `cadenceRpmX2` in ½ rpm); `M`, `S`, `Kcal` are
 * metres, seconds and kilocalories. `kmhX100ToMmPerSecond` and `rpmX2ToRpm` convert to the
 * sample units. Values pass through as sent, including the spec's "data not available"
 * markers (0xFFFF, 0xFF) that some machines put in the energy fields. Fields whose flag
 * says absent are absent from the result.
 */
import { err, ok, type Result } from "@ridevault/core";
import type { GattCharacteristic, GattError } from "./errors.js";
import {
  ByteReader,
  checkFlags,
  checkLayout,
  type FieldLayout,
  flaggedFields,
  hasBit,
  namedBits,
  withoutUndefined,
} from "./reader.js";

/** Indoor Bike Data, 0x2AD2. */
export const INDOOR_BIKE_DATA: GattCharacteristic = { uuid: 0x2ad2, name: "Indoor Bike Data" };

/** Fitness Machine Feature, 0x2ACC. */
export const FITNESS_MACHINE_FEATURE: GattCharacteristic = {
  uuid: 0x2acc,
  name: "Fitness Machine Feature",
};

/** One decoded Indoor Bike Data notification. */
export interface IndoorBikeData {
  /**
   * Flag bit 0, "More Data": true when the machine split its record over several
   * notifications and this is not the last one. Then, and only then, the instantaneous
   * speed is absent: the bit is inverted, 0 means the speed is present.
   */
  readonly moreData: boolean;
  /** Instantaneous speed, 0.01 km/h (present when bit 0 is clear). */
  readonly speedKmhX100?: number;
  /** Average speed, 0.01 km/h (bit 1). */
  readonly averageSpeedKmhX100?: number;
  /** Instantaneous cadence, ½ rpm (bit 2). */
  readonly cadenceRpmX2?: number;
  /** Average cadence, ½ rpm (bit 3). */
  readonly averageCadenceRpmX2?: number;
  /** Total distance, metres, 24 bits (bit 4). */
  readonly totalDistanceM?: number;
  /** Resistance level, signed and unitless (bit 5). */
  readonly resistanceLevel?: number;
  /** Instantaneous power, watts, signed (bit 6). */
  readonly power?: number;
  /** Average power, watts, signed (bit 7). */
  readonly averagePower?: number;
  /** Energy: total kcal (u16), kcal per hour (u16), kcal per minute (u8) (bit 8). */
  readonly energy?: {
    readonly totalKcal: number;
    readonly perHourKcal: number;
    readonly perMinuteKcal: number;
  };
  /** Heart rate, bpm, as measured by the machine (bit 9). */
  readonly heartRate?: number;
  /** Metabolic equivalent, 0.1 MET (bit 10). */
  readonly metabolicEquivalentX10?: number;
  /** Elapsed time, seconds (bit 11). */
  readonly elapsedTimeS?: number;
  /** Remaining time, seconds (bit 12). */
  readonly remainingTimeS?: number;
}

const BIT = {
  moreData: 0,
  averageSpeed: 1,
  cadence: 2,
  averageCadence: 3,
  distance: 4,
  resistance: 5,
  power: 6,
  averagePower: 7,
  energy: 8,
  heartRate: 9,
  metabolicEquivalent: 10,
  elapsedTime: 11,
  remainingTime: 12,
} as const;

/** The optional fields in payload order, with the flag bit that announces each. */
const OPTIONAL_FIELDS = [
  { bit: BIT.averageSpeed, name: "average speed", size: 2 },
  { bit: BIT.cadence, name: "instantaneous cadence", size: 2 },
  { bit: BIT.averageCadence, name: "average cadence", size: 2 },
  { bit: BIT.distance, name: "total distance", size: 3 },
  { bit: BIT.resistance, name: "resistance level", size: 2 },
  { bit: BIT.power, name: "instantaneous power", size: 2 },
  { bit: BIT.averagePower, name: "average power", size: 2 },
  { bit: BIT.energy, name: "expended energy", size: 5 },
  { bit: BIT.heartRate, name: "heart rate", size: 1 },
  { bit: BIT.metabolicEquivalent, name: "metabolic equivalent", size: 1 },
  { bit: BIT.elapsedTime, name: "elapsed time", size: 2 },
  { bit: BIT.remainingTime, name: "remaining time", size: 2 },
] as const;

/**
 * Decodes an Indoor Bike Data notification, every field included, in the spec's order.
 * Fails with `gatt-too-short` when the payload ends before a field its flags announce;
 * reserved flag bits (13–15) and bytes after the last announced field are ignored.
 */
export function parseIndoorBikeData(bytes: Uint8Array): Result<IndoorBikeData, GattError> {
  const flagsField = { name: "flags", size: 2 } as const;
  const minimal = checkFlags(INDOOR_BIKE_DATA, bytes, [flagsField]);
  if (minimal) return err(minimal);
  const reader = new ByteReader(bytes);
  const flags = reader.u16();
  const has = (bit: number) => hasBit(flags, bit);
  const moreData = has(BIT.moreData);
  const layout: FieldLayout[] = [
    flagsField,
    ...(moreData ? [] : [{ name: "instantaneous speed", size: 2 }]),
    ...flaggedFields(flags, OPTIONAL_FIELDS),
  ];
  const short = checkLayout(INDOOR_BIKE_DATA, bytes, layout);
  if (short) return err(short);

  const speedKmhX100 = moreData ? undefined : reader.u16();
  const averageSpeedKmhX100 = has(BIT.averageSpeed) ? reader.u16() : undefined;
  const cadenceRpmX2 = has(BIT.cadence) ? reader.u16() : undefined;
  const averageCadenceRpmX2 = has(BIT.averageCadence) ? reader.u16() : undefined;
  const totalDistanceM = has(BIT.distance) ? reader.u24() : undefined;
  const resistanceLevel = has(BIT.resistance) ? reader.s16() : undefined;
  const power = has(BIT.power) ? reader.s16() : undefined;
  const averagePower = has(BIT.averagePower) ? reader.s16() : undefined;
  const energy = has(BIT.energy)
    ? { totalKcal: reader.u16(), perHourKcal: reader.u16(), perMinuteKcal: reader.u8() }
    : undefined;
  const heartRate = has(BIT.heartRate) ? reader.u8() : undefined;
  const metabolicEquivalentX10 = has(BIT.metabolicEquivalent) ? reader.u8() : undefined;
  const elapsedTimeS = has(BIT.elapsedTime) ? reader.u16() : undefined;
  const remainingTimeS = has(BIT.remainingTime) ? reader.u16() : undefined;
  return ok({
    moreData,
    ...withoutUndefined({
      speedKmhX100,
      averageSpeedKmhX100,
      cadenceRpmX2,
      averageCadenceRpmX2,
      totalDistanceM,
      resistanceLevel,
      power,
      averagePower,
      energy,
      heartRate,
      metabolicEquivalentX10,
      elapsedTimeS,
      remainingTimeS,
    }),
  });
}

/** Converts a speed in 0.01 km/h to whole millimetres per second, rounded to nearest. */
export function kmhX100ToMmPerSecond(speedKmhX100: number): number {
  return Math.round((speedKmhX100 * 25) / 9);
}

/** Converts a cadence in ½ rpm to whole rpm, rounding a half up. */
export function rpmX2ToRpm(cadenceRpmX2: number): number {
  return Math.round(cadenceRpmX2 / 2);
}

/** The machine feature bits of the Fitness Machine Feature, by name; each means "supported". */
const MACHINE_FEATURE_BITS = {
  averageSpeed: 0,
  cadence: 1,
  totalDistance: 2,
  inclination: 3,
  elevationGain: 4,
  pace: 5,
  stepCount: 6,
  resistanceLevel: 7,
  strideCount: 8,
  expendedEnergy: 9,
  heartRateMeasurement: 10,
  metabolicEquivalent: 11,
  elapsedTime: 12,
  remainingTime: 13,
  powerMeasurement: 14,
  forceOnBeltAndPowerOutput: 15,
  userDataRetention: 16,
} as const;

/** The target setting bits of the Fitness Machine Feature, by name; each means "supported". */
const TARGET_SETTING_BITS = {
  speed: 0,
  inclination: 1,
  resistance: 2,
  power: 3,
  heartRate: 4,
  expendedEnergy: 5,
  stepNumber: 6,
  strideNumber: 7,
  distance: 8,
  trainingTime: 9,
  timeInTwoHeartRateZones: 10,
  timeInThreeHeartRateZones: 11,
  timeInFiveHeartRateZones: 12,
  indoorBikeSimulation: 13,
  wheelCircumference: 14,
  spinDownControl: 15,
  cadence: 16,
} as const;

/** What a fitness machine supports, decoded from the Fitness Machine Feature. */
export interface FitnessMachineFeature {
  /** What the machine measures (first 32-bit field); `true` means supported. */
  readonly machine: { readonly [K in keyof typeof MACHINE_FEATURE_BITS]: boolean };
  /**
   * Which targets the control point accepts (second 32-bit field): `power` for ERG mode,
   * `indoorBikeSimulation` for grade simulation, `resistance` for a fixed level.
   */
  readonly targetSettings: { readonly [K in keyof typeof TARGET_SETTING_BITS]: boolean };
}

/**
 * Decodes the Fitness Machine Feature (two 32-bit bitfields). Fails with `gatt-too-short`
 * under eight bytes; reserved bits and extra bytes are ignored.
 */
export function parseFitnessMachineFeature(
  bytes: Uint8Array,
): Result<FitnessMachineFeature, GattError> {
  const short = checkLayout(FITNESS_MACHINE_FEATURE, bytes, [
    { name: "fitness machine features", size: 4 },
    { name: "target setting features", size: 4 },
  ]);
  if (short) return err(short);
  const reader = new ByteReader(bytes);
  return ok({
    machine: namedBits(reader.u32(), MACHINE_FEATURE_BITS),
    targetSettings: namedBits(reader.u32(), TARGET_SETTING_BITS),
  });
}
