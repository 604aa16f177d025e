/**
 * A low-level writer for the FIT binary format (Garmin's Flexible and Interoperable Data
 * Transfer protocol), written from the public protocol description: a 14-byte file header,
 * then definition messages (which fields a local message type carries, little-endian) and
 * data messages (the values), then a CRC-16 over the whole file. It knows nothing about
 * workouts; `exportFit` decides which messages and fields to write.
 *
 * A missing value (`undefined` or NaN) is written as its base type's invalid value, which
 * FIT readers treat as "no value". Values are rounded to integers; a finite value outside
 * the base type's range is a programmer error and throws `RangeError`.
 */
import { ByteWriter } from "../../bytes.js";

/** Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z). */
export const FIT_EPOCH_OFFSET_S = 631_065_600;

/** The FIT protocol version written in the header: 2.0. */
export const FIT_PROTOCOL_VERSION = 0x20;
/** The FIT profile version written in the header: 21.40 (messages and fields used here). */
export const FIT_PROFILE_VERSION = 2140;

/** A FIT base type: its identifier byte, size in bytes, invalid value and valid range. */
export interface FitBaseType {
  readonly id: number;
  readonly size: number;
  readonly invalid: number;
  readonly min: number;
  readonly max: number;
  readonly signed: boolean;
}

const baseType = (id: number, size: number, invalid: number, min: number, max: number) => ({
  id,
  size,
  invalid,
  min,
  max,
  signed: min < 0,
});

/**
 * The base types this writer supports. Bit 7 of the id marks multi-byte (endian-sensitive)
 * types; for each type the invalid value is excluded from the valid range.
 */
export const FIT_TYPES = {
  enum: baseType(0x00, 1, 0xff, 0, 0xfe),
  sint8: baseType(0x01, 1, 0x7f, -0x80, 0x7e),
  uint8: baseType(0x02, 1, 0xff, 0, 0xfe),
  sint16: baseType(0x83, 2, 0x7fff, -0x8000, 0x7ffe),
  uint16: baseType(0x84, 2, 0xffff, 0, 0xfffe),
  sint32: baseType(0x85, 4, 0x7fffffff, -0x80000000, 0x7ffffffe),
  uint32: baseType(0x86, 4, 0xffffffff, 0, 0xfffffffe),
  string: baseType(0x07, 1, 0x00, 0, 0xff),
  uint32z: baseType(0x8c, 4, 0x00000000, 1, 0xffffffff),
} as const satisfies Record<string, FitBaseType>;

/** The name of a supported base type. */
export type FitTypeName = keyof typeof FIT_TYPES;

/** One field of a message definition: FIT field number, base type, and element count. */
export interface FitField {
  readonly num: number;
  readonly type: FitTypeName;
  /** Array length, or byte length of a string (including its terminating zero). Default 1. */
  readonly count?: number;
}

/** A field's value in a data message: a number, an array, a string, or missing. */
export type FitValue = number | string | readonly number[] | undefined;

interface Definition {
  readonly fields: readonly FitField[];
}

/**
 * Builds one FIT file. Call `define` for a local message type before `write`-ing data
 * messages of it; a later `define` of the same local type replaces the earlier one (FIT
 * allows 16 local types, 0–15). `finish` returns the complete file with header and CRCs.
 */
export class FitWriter {
  readonly #body = new ByteWriter(4096);
  readonly #definitions = new Map<number, Definition>();

  /** Writes a definition message mapping `local` (0–15) to global message number `global`. */
  define(local: number, global: number, fields: readonly FitField[]): void {
    if (!Number.isInteger(local) || local < 0 || local > 15) {
      throw new RangeError(`local message type ${local} is not 0–15`);
    }
    if (fields.length > 255) throw new RangeError("a FIT message has at most 255 fields");
    const out = this.#body;
    out.byte(0x40 | local);
    out.byte(0); // reserved
    out.byte(0); // architecture: little-endian
    writeInt(out, global, 2);
    out.byte(fields.length);
    for (const field of fields) {
      const type = FIT_TYPES[field.type];
      const size = type.size * (field.count ?? 1);
      if (size > 255) throw new RangeError(`field ${field.num} is ${size} bytes; at most 255`);
      out.byte(field.num);
      out.byte(size);
      out.byte(type.id);
    }
    this.#definitions.set(local, { fields });
  }

  /** Writes a data message of `local`; `values` are in the order of its definition's fields. */
  write(local: number, values: readonly FitValue[]): void {
    const definition = this.#definitions.get(local);
    if (!definition) throw new Error(`local message type ${local} written before its definition`);
    if (values.length !== definition.fields.length) {
      throw new RangeError(
        `local message type ${local} has ${definition.fields.length} fields, got ${values.length} values`,
      );
    }
    const out = this.#body;
    out.byte(local);
    definition.fields.forEach((field, i) => {
      writeValue(out, field, values[i]);
    });
  }

  /** The whole file: header (with its CRC), the messages written so far, and the file CRC. */
  finish(): Uint8Array {
    const body = this.#body.finish();
    const file = new Uint8Array(14 + body.length + 2);
    const view = new DataView(file.buffer);
    file[0] = 14;
    file[1] = FIT_PROTOCOL_VERSION;
    view.setUint16(2, FIT_PROFILE_VERSION, true);
    view.setUint32(4, body.length, true);
    file.set([0x2e, 0x46, 0x49, 0x54], 8); // ".FIT"
    view.setUint16(12, fitCrc(file.subarray(0, 12)), true);
    file.set(body, 14);
    view.setUint16(14 + body.length, fitCrc(file.subarray(0, 14 + body.length)), true);
    return file;
  }
}

function writeValue(out: ByteWriter, field: FitField, value: FitValue): void {
  const type = FIT_TYPES[field.type];
  const count = field.count ?? 1;
  if (field.type === "string") {
    const bytes = new TextEncoder().encode(typeof value === "string" ? value : "");
    // Truncation keeps the terminating zero; a cut multi-byte character is dropped whole.
    let length = Math.min(bytes.length, count - 1);
    while (length > 0 && length < bytes.length && ((bytes[length] as number) & 0xc0) === 0x80) {
      length--;
    }
    out.bytes(bytes.subarray(0, length));
    for (let i = length; i < count; i++) out.byte(0);
    return;
  }
  if (typeof value === "string") throw new TypeError(`field ${field.num} is not a string field`);
  const items: readonly number[] = typeof value === "object" ? value : [value ?? Number.NaN];
  if (items.length > count) {
    throw new RangeError(`field ${field.num} holds ${count} values, got ${items.length}`);
  }
  for (let i = 0; i < count; i++) {
    const item = items[i];
    writeInt(out, checked(field.num, type, item), type.size);
  }
}

function checked(num: number, type: FitBaseType, value: number | undefined): number {
  if (value === undefined || Number.isNaN(value)) return type.invalid;
  const rounded = Math.round(value);
  if (!(rounded >= type.min && rounded <= type.max)) {
    throw new RangeError(`field ${num}: ${value} is outside ${type.min}–${type.max}`);
  }
  return rounded;
}

/** Appends `value` as a little-endian two's-complement integer of `size` bytes. */
function writeInt(out: ByteWriter, value: number, size: number): void {
  let v = value < 0 ? value + 2 ** (8 * size) : value;
  for (let i = 0; i < size; i++) {
    out.byte(v % 256);
    v = Math.floor(v / 256);
  }
}

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * The FIT CRC: CRC-16/ARC (reflected polynomial 0xA001, initial value 0), continued from
 * `crc` so a file can be checked in pieces. "123456789" gives 0xBB3D.
 */
export function fitCrc(bytes: Uint8Array, crc = 0): number {
  let c = crc;
  for (const byte of bytes) c = (c >>> 8) ^ (CRC_TABLE[(c ^ byte) & 0xff] as number);
  return c;
}

/** A Unix time in ms as a FIT `date_time`: whole seconds since the FIT epoch (rounded down). */
export function toFitTime(unixMs: number): number {
  return Math.floor(unixMs / 1000) - FIT_EPOCH_OFFSET_S;
}
