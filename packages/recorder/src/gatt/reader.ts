/**
 * Bounds-checked reading of little-endian GATT payloads. A parser first lists the fields its
 * flags announce and asks `checkLayout` whether the payload holds them all (this is where a
 * truncated notification becomes a typed error, never an exception); only then does it read
 * them in order with a `ByteReader`, which can no longer run past the end.
 */
import { type GattCharacteristic, type GattTooShortError, tooShort } from "./errors.js";

/** One field of a payload: its name (for error messages) and its size in bytes. */
export interface FieldLayout {
  readonly name: string;
  readonly size: number;
}

/**
 * Returns an error naming the first field of `layout` that does not fit in `bytes`, or
 * `undefined` when the payload holds every field. Bytes after the last field are allowed.
 */
export function checkLayout(
  characteristic: GattCharacteristic,
  bytes: Uint8Array,
  layout: readonly FieldLayout[],
): GattTooShortError | undefined {
  let needed = 0;
  let firstCut: string | undefined;
  for (const field of layout) {
    needed += field.size;
    if (firstCut === undefined && needed > bytes.length) firstCut = field.name;
  }
  if (firstCut === undefined) return undefined;
  return tooShort(characteristic, { field: firstCut, needed, given: bytes.length });
}

/**
 * Checks that the flags field fits: it is the first of `minimal`, the fields every payload of
 * the characteristic has. If it does not, the error asks for all of `minimal`, the least any
 * payload needs, since without flags nothing more can be known.
 */
export function checkFlags(
  characteristic: GattCharacteristic,
  bytes: Uint8Array,
  minimal: readonly [FieldLayout, ...FieldLayout[]],
): GattTooShortError | undefined {
  return bytes.length < minimal[0].size ? checkLayout(characteristic, bytes, minimal) : undefined;
}

/** The fields of `fields` whose flag bit is set in `flags`, in order. */
export function flaggedFields(
  flags: number,
  fields: readonly (FieldLayout & { readonly bit: number })[],
): FieldLayout[] {
  return fields.filter((field) => hasBit(flags, field.bit));
}

/** Tests bit `bit` of `flags`. */
export function hasBit(flags: number, bit: number): boolean {
  return ((flags >>> bit) & 1) === 1;
}

/**
 * Reads little-endian integers in order. Every read checks the bounds and throws a
 * `RangeError` past the end: that is a parser bug, because parsers check the layout first.
 */
export class ByteReader {
  // Plain indexing, not a DataView: this runs for every notification, and creating a view
  // per payload cost more than the parsing itself (bench/recorder).
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** The number of bytes not yet read. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** Reads an unsigned 8-bit integer. */
  u8(): number {
    return this.#bytes[this.#advance(1)] as number;
  }

  /** Reads an unsigned 16-bit integer. */
  u16(): number {
    const at = this.#advance(2);
    return (this.#bytes[at] as number) | ((this.#bytes[at + 1] as number) << 8);
  }

  /** Reads a signed 16-bit integer. */
  s16(): number {
    const value = this.u16();
    return value >= 0x8000 ? value - 0x1_0000 : value;
  }

  /** Reads an unsigned 24-bit integer. */
  u24(): number {
    const low = this.u16();
    return low + (this.#bytes[this.#advance(1)] as number) * 0x1_0000;
  }

  /** Reads an unsigned 32-bit integer. */
  u32(): number {
    const low = this.u16();
    return low + this.u16() * 0x1_0000;
  }

  #advance(size: number): number {
    const at = this.#offset;
    if (at + size > this.#bytes.length) {
      throw new RangeError(`read of ${size} bytes at offset ${at} passes the end of the payload`);
    }
    this.#offset = at + size;
    return at;
  }
}

/**
 * Names the bits of a feature bitfield: for each key of `bits` (a bit number), whether that
 * bit is set in `value`. Bits not named are reserved and ignored.
 */
export function namedBits<const T extends Readonly<Record<string, number>>>(
  value: number,
  bits: T,
): { readonly [K in keyof T]: boolean } {
  const entries = Object.entries(bits).map(([name, bit]) => [name, hasBit(value, bit)]);
  return Object.fromEntries(entries) as { readonly [K in keyof T]: boolean };
}

/**
 * Copies `fields` without the keys whose value is `undefined`, so a field whose flag is clear
 * is absent from a parser's result (as `exactOptionalPropertyTypes` requires), not present
 * with the value `undefined`.
 */
export function withoutUndefined<T extends Record<string, unknown>>(
  fields: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  // A plain loop: this runs for every notification, and entries/fromEntries allocate.
  const out: Record<string, unknown> = {};
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) out[key] = value;
  }
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
