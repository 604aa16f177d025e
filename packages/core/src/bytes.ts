/**
 * Growable byte writer and bounds-checked reader for the compact binary formats (sample
 * chunks, crash-log records): unsigned LEB128 varints and zigzag signed varints that stay
 * exact for every safe integer (no 32-bit bitwise tricks).
 */

/** Thrown by `ByteReader` on truncated or malformed input; decoders turn it into a Result. */
export class DecodeError extends Error {
  override name = "DecodeError";
}

/** Appends bytes and varints to a buffer that grows as needed. */
export class ByteWriter {
  #buf: Uint8Array;
  #len = 0;

  constructor(initialSize = 256) {
    this.#buf = new Uint8Array(initialSize);
  }

  get length(): number {
    return this.#len;
  }

  #ensure(extra: number): void {
    if (this.#len + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  byte(value: number): void {
    this.#ensure(1);
    this.#buf[this.#len++] = value;
  }

  bytes(data: Uint8Array): void {
    this.#ensure(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  /** An unsigned integer (0 ≤ value ≤ 2^53 − 1) as LEB128. */
  uint(value: number): void {
    let v = value;
    this.#ensure(8);
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#len++] = v;
  }

  /** A signed safe integer, zigzag-mapped so small magnitudes stay short. */
  int(value: number): void {
    this.uint(zigzag(value));
  }

  /** A length-prefixed byte string. */
  blob(data: Uint8Array): void {
    this.uint(data.length);
    this.bytes(data);
  }

  /** The written bytes (a copy, so the writer may be reused). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** Reads what `ByteWriter` wrote; every read is bounds-checked and throws `DecodeError`. */
export class ByteReader {
  readonly #buf: Uint8Array;
  #pos: number;
  readonly #end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
  }

  get position(): number {
    return this.#pos;
  }

  get done(): boolean {
    return this.#pos >= this.#end;
  }

  byte(): number {
    if (this.#pos >= this.#end) throw new DecodeError("unexpected end of data");
    return this.#buf[this.#pos++] as number;
  }

  bytes(length: number): Uint8Array {
    if (length < 0 || this.#pos + length > this.#end) {
      throw new DecodeError(`needs ${length} bytes, ${this.#end - this.#pos} left`);
    }
    const out = this.#buf.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return out;
  }

  uint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw new DecodeError("varint exceeds 2^53");
        return result;
      }
      scale *= 0x80;
    }
    throw new DecodeError("varint longer than 8 bytes");
  }

  int(): number {
    return unzigzag(this.uint());
  }

  blob(): Uint8Array {
    return this.bytes(this.uint());
  }
}

/** Maps signed to unsigned: 0, −1, 1, −2, 2 … → 0, 1, 2, 3, 4 … */
export function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** The inverse of `zigzag`. */
export function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/** The parts one after another in one array (the only part itself, when there is one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
