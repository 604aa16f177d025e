/**
 * The errors of the GATT parsers. A notification is a handful of bytes from a radio: it can
 * arrive truncated or garbled, so every parser returns a `Result` instead of throwing, and
 * its error says which characteristic, which field was cut off, and how many bytes the flags
 * called for against how many arrived. Reserved flag bits and bytes after the last field the
 * flags announce are ignored rather than rejected: later versions of the specifications add
 * fields at the end, and a sensor that uses them should still be readable.
 */

/** A characteristic the parsers read: its 16-bit UUID and its name in the specification. */
export interface GattCharacteristic {
  readonly uuid: number;
  readonly name: string;
}

/**
 * The payload ends before a field that its flags (or the specification) say is present.
 * `needed` is the length the flags call for, `given` the length that arrived, and `field`
 * the first field that does not fit.
 */
export interface GattTooShortError {
  readonly code: "gatt-too-short";
  /** The characteristic's 16-bit UUID, e.g. `0x2a37`. */
  readonly uuid: number;
  /** The characteristic's name in the specification. */
  readonly characteristic: string;
  readonly field: string;
  readonly needed: number;
  readonly given: number;
  readonly message: string;
}

/** Every error a GATT parser returns; branch on `code`. */
export type GattError = GattTooShortError;

/** Formats a 16-bit UUID the way the specifications print it, e.g. `0x2A37`. */
export function uuidToHex(uuid: number): string {
  return `0x${uuid.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Builds the error for a payload that ends before `field`. */
export function tooShort(
  characteristic: GattCharacteristic,
  details: { readonly field: string; readonly needed: number; readonly given: number },
): GattTooShortError {
  const { field, needed, given } = details;
  return {
    code: "gatt-too-short",
    uuid: characteristic.uuid,
    characteristic: characteristic.name,
    field,
    needed,
    given,
    message:
      `${characteristic.name} (${uuidToHex(characteristic.uuid)}) needs ${plural(needed)} but ` +
      `${given} arrived: the ${field} field is cut off. The notification is truncated or ` +
      "garbled; drop it and use the next one (if every notification fails, the sensor " +
      "sends a format this parser does not know).",
  };
}

function plural(bytes: number): string {
  return bytes === 1 ? "1 byte" : `${bytes} bytes`;
}
