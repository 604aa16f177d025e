/**
 * A FIT file reader written from the public protocol description: bytes in, messages out.
 * It checks the 12- or 14-byte header and its CRC, the file CRC, and every record's bounds,
 * and fails with a typed error rather than guessing. It reads definition messages in either
 * byte order, data messages, compressed-timestamp headers (a 5-bit offset from the last
 * full timestamp), skips developer fields by their declared sizes, and reports each base
 * type's "invalid" marker as a missing value. Chained files (several FIT files back to
 * back) are read one after another. It knows no profile: `importFit` picks the messages.
 */
import { err, ok, type Result } from "../../result.js";
import type { ImportError } from "../import/imported-workout.js";
import { fitCrc } from "./fit-writer.js";

/** A decoded field value: a number, a string, an array of numbers, or null when invalid. */
export type FitReadValue = number | string | number[] | null;

/**
 * One data message: its global number, the field numbers its definition lists (shared by
 * every message of that definition) and their values in the same order, and its timestamp
 * (field 253, or the one a compressed-timestamp header gives). Read fields with `fieldOf`.
 */
export interface FitMessage {
  readonly global: number;
  readonly nums: readonly number[];
  readonly values: readonly FitReadValue[];
  readonly timestamp: number | undefined;
}

/** The value of field `num` of a message; undefined when the message lacks it. */
export function fieldOf(message: FitMessage, num: number): FitReadValue | undefined {
  if (num === TIMESTAMP_FIELD) return message.timestamp;
  const index = message.nums.indexOf(num);
  return index === -1 ? undefined : message.values[index];
}

interface FieldDef {
  readonly num: number;
  readonly size: number;
  readonly type: number;
}

interface Definition {
  readonly global: number;
  readonly littleEndian: boolean;
  readonly fields: readonly FieldDef[];
  readonly nums: readonly number[];
  /** Index of the timestamp field in `fields`, or -1. */
  readonly timestampIndex: number;
  /** Total bytes of developer fields, skipped. */
  readonly developerBytes: number;
}

/** Sizes of base types by their 5-bit number; 0 marks an unknown type. */
const TYPE_SIZES = [1, 1, 1, 2, 2, 4, 4, 1, 4, 8, 1, 2, 4, 1, 8, 8, 8];
const TIMESTAMP_FIELD = 253;

const fail = (code: ImportError["code"], message: string) => err<ImportError>({ code, message });

/** Reads every data message of a FIT file (or chain of files), checking both CRCs. */
export function readFit(bytes: Uint8Array): Result<FitMessage[], ImportError> {
  const messages: FitMessage[] = [];
  let offset = 0;
  do {
    const read = readOneFile(bytes, offset, messages);
    if (!read.ok) return read;
    offset = read.value;
    // Trailing zero padding after the last file is tolerated, as some devices write it.
  } while (offset < bytes.length && bytes.subarray(offset).some((b) => b !== 0));
  return ok(messages);
}

function readOneFile(
  bytes: Uint8Array,
  start: number,
  out: FitMessage[],
): Result<number, ImportError> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length - start < 12) {
    return fail(
      "truncated",
      "the file is shorter than a FIT header; it is not a FIT file or was cut off",
    );
  }
  const headerSize = bytes[start] as number;
  const magic = String.fromCharCode(...bytes.subarray(start + 8, start + 12));
  if ((headerSize !== 12 && headerSize !== 14) || magic !== ".FIT") {
    return fail("bad-header", 'this is not a FIT file (its header lacks the ".FIT" signature)');
  }
  if (bytes.length - start < headerSize) return fail("truncated", "the FIT header is cut off");
  if (headerSize === 14) {
    const headerCrc = view.getUint16(start + 12, true);
    if (headerCrc !== 0 && headerCrc !== fitCrc(bytes.subarray(start, start + 12))) {
      return fail("bad-crc", "the FIT header's checksum does not match; the file is damaged");
    }
  }
  const dataSize = view.getUint32(start + 4, true);
  const dataEnd = start + headerSize + dataSize;
  if (dataEnd + 2 > bytes.length) {
    return fail(
      "truncated",
      `the FIT file is cut off: its header announces ${dataSize} bytes of records but only ${Math.max(0, bytes.length - start - headerSize - 2)} follow (an interrupted copy or download?)`,
    );
  }
  if (view.getUint16(dataEnd, true) !== fitCrc(bytes.subarray(start, dataEnd))) {
    return fail("bad-crc", "the FIT file's checksum does not match; the file is damaged");
  }
  const records = readRecords(view, start + headerSize, dataEnd, out);
  return records.ok ? ok(dataEnd + 2) : records;
}

function readRecords(
  view: DataView,
  from: number,
  to: number,
  out: FitMessage[],
): Result<void, ImportError> {
  const definitions = new Map<number, Definition>();
  let lastTimestamp: number | undefined;
  let p = from;
  while (p < to) {
    const header = view.getUint8(p++);
    if (header & 0x80) {
      const local = (header >> 5) & 0x03;
      const definition = definitions.get(local);
      if (!definition || lastTimestamp === undefined) {
        return fail(
          "corrupt",
          `a compressed-timestamp record at byte ${p - 1} has no definition or base timestamp`,
        );
      }
      const offset = header & 0x1f;
      let timestamp = (lastTimestamp & ~0x1f) + offset;
      if (offset < (lastTimestamp & 0x1f)) timestamp += 0x20;
      timestamp >>>= 0;
      lastTimestamp = timestamp;
      const read = readData(view, p, to, definition);
      if (!read.ok) return read;
      p = read.value.next;
      out.push({
        global: definition.global,
        nums: definition.nums,
        values: read.value.values,
        timestamp,
      });
      continue;
    }
    const local = header & 0x0f;
    if (header & 0x40) {
      const parsed = readDefinition(view, p, to, (header & 0x20) !== 0);
      if (!parsed.ok) return parsed;
      definitions.set(local, parsed.value.definition);
      p = parsed.value.next;
      continue;
    }
    const definition = definitions.get(local);
    if (!definition) {
      return fail(
        "corrupt",
        `a record at byte ${p - 1} uses local message ${local}, which was never defined`,
      );
    }
    const read = readData(view, p, to, definition);
    if (!read.ok) return read;
    p = read.value.next;
    const stamp = read.value.values[definition.timestampIndex];
    const timestamp = typeof stamp === "number" ? stamp : undefined;
    if (timestamp !== undefined) lastTimestamp = timestamp;
    out.push({
      global: definition.global,
      nums: definition.nums,
      values: read.value.values,
      timestamp,
    });
  }
  return ok(undefined);
}

function readDefinition(
  view: DataView,
  start: number,
  end: number,
  developer: boolean,
): Result<{ definition: Definition; next: number }, ImportError> {
  let p = start;
  if (p + 5 > end)
    return fail("corrupt", "a FIT definition message runs past the end of the records");
  const architecture = view.getUint8(p + 1);
  if (architecture > 1)
    return fail("corrupt", `a FIT definition has an unknown byte order (${architecture})`);
  const littleEndian = architecture === 0;
  const global = view.getUint16(p + 2, littleEndian);
  const count = view.getUint8(p + 4);
  p += 5;
  if (p + count * 3 > end)
    return fail("corrupt", "a FIT definition's field list runs past the end of the records");
  const fields: FieldDef[] = [];
  for (let i = 0; i < count; i++, p += 3) {
    const size = view.getUint8(p + 1);
    if (size === 0) return fail("corrupt", "a FIT definition declares a field of size 0");
    fields.push({ num: view.getUint8(p), size, type: view.getUint8(p + 2) & 0x1f });
  }
  let developerBytes = 0;
  if (developer) {
    if (p + 1 > end) return fail("corrupt", "a FIT definition's developer fields run past the end");
    const devCount = view.getUint8(p++);
    if (p + devCount * 3 > end)
      return fail("corrupt", "a FIT definition's developer fields run past the end");
    for (let i = 0; i < devCount; i++, p += 3) developerBytes += view.getUint8(p + 1);
  }
  const nums = fields.map((f) => f.num);
  const timestampIndex = nums.indexOf(TIMESTAMP_FIELD);
  return ok({
    definition: { global, littleEndian, fields, nums, timestampIndex, developerBytes },
    next: p,
  });
}

function readData(
  view: DataView,
  start: number,
  end: number,
  definition: Definition,
): Result<{ values: FitReadValue[]; next: number }, ImportError> {
  let p = start;
  const values: FitReadValue[] = new Array(definition.fields.length);
  for (const [k, field] of definition.fields.entries()) {
    if (p + field.size > end) {
      return fail(
        "truncated",
        `a FIT message (global ${definition.global}) runs past the end of the records`,
      );
    }
    values[k] = readValue(view, p, field, definition.littleEndian);
    p += field.size;
  }
  p += definition.developerBytes;
  if (p > end)
    return fail("truncated", "a FIT message's developer fields run past the end of the records");
  return ok({ values, next: p });
}

function readValue(view: DataView, p: number, field: FieldDef, le: boolean): FitReadValue {
  const { type, size } = field;
  if (type === 7) {
    const raw = new Uint8Array(view.buffer, view.byteOffset + p, size);
    const zero = raw.indexOf(0);
    const text = new TextDecoder().decode(zero === -1 ? raw : raw.subarray(0, zero));
    return text === "" ? null : text;
  }
  const unit = TYPE_SIZES[type] ?? 0;
  if (unit === 0 || size % unit !== 0) return null;
  if (size === unit) return readScalar(view, p, type, le);
  const values: number[] = [];
  for (let k = 0; k < size; k += unit) {
    const value = readScalar(view, p + k, type, le);
    if (value !== null) values.push(value);
  }
  return values;
}

/** One value of base type `type` (5-bit number), or null for its invalid marker. */
function readScalar(view: DataView, p: number, type: number, le: boolean): number | null {
  switch (type) {
    case 0:
    case 2:
    case 13: {
      const v = view.getUint8(p);
      return v === 0xff ? null : v;
    }
    case 1: {
      const v = view.getInt8(p);
      return v === 0x7f ? null : v;
    }
    case 3: {
      const v = view.getInt16(p, le);
      return v === 0x7fff ? null : v;
    }
    case 4: {
      const v = view.getUint16(p, le);
      return v === 0xffff ? null : v;
    }
    case 5: {
      const v = view.getInt32(p, le);
      return v === 0x7fffffff ? null : v;
    }
    case 6: {
      const v = view.getUint32(p, le);
      return v === 0xffffffff ? null : v;
    }
    case 8: {
      if (view.getUint32(p, le) === 0xffffffff) return null;
      return view.getFloat32(p, le);
    }
    case 9: {
      if (view.getUint32(p, le) === 0xffffffff && view.getUint32(p + 4, le) === 0xffffffff)
        return null;
      return view.getFloat64(p, le);
    }
    case 10: {
      const v = view.getUint8(p);
      return v === 0 ? null : v;
    }
    case 11: {
      const v = view.getUint16(p, le);
      return v === 0 ? null : v;
    }
    case 12: {
      const v = view.getUint32(p, le);
      return v === 0 ? null : v;
    }
    case 14: {
      const v = view.getBigInt64(p, le);
      return v === 0x7fffffffffffffffn ? null : Number(v);
    }
    case 15: {
      const v = view.getBigUint64(p, le);
      return v === 0xffffffffffffffffn ? null : Number(v);
    }
    case 16: {
      const v = view.getBigUint64(p, le);
      return v === 0n ? null : Number(v);
    }
    default:
      return null;
  }
}
