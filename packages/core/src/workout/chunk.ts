/**
 * The sealed chunk: a run of samples from one device as one compact binary value (DESIGN.md
 * §2). Columnar, so each field compresses on its own; integer units, delta-coded, with runs
 * of unchanged deltas collapsed.
 *
 * Layout (all integers LEB128, signed ones zigzagged):
 *
 *     version=1 · count · firstTime · lastTime − firstTime · columnMask · column*
 *
 * Each column present in the mask is length-prefixed, so a reader skips columns it does not
 * know (a newer writer may add some). Column bits: 0 time, 1–8 the scalar fields in
 * `SCALAR_FIELDS` order, 9 RR intervals. A scalar column is a presence map (`0` all present,
 * or `1` + alternating present/absent run lengths) followed by the present values as tokens.
 * Values are deltas (or deltas of deltas for time, distance and position, which change
 * steadily); a token `2z` is one zigzagged delta `z`, a token `2k + 1` is `k + 2` zero deltas.
 */

import { ByteReader, ByteWriter, DecodeError, unzigzag, zigzag } from "../bytes.js";
import { err, ok, type Result } from "../result.js";
import { createColumns, type SampleColumns } from "./columns.js";
import { type Sample, SCALAR_FIELDS, type ScalarField } from "./sample.js";

const VERSION = 1;
const TIME_BIT = 0;
const RR_BIT = 1 + SCALAR_FIELDS.length;

const SECOND_ORDER: ReadonlySet<ScalarField> = new Set(["distance", "lat", "lon"]);

/** Why a chunk could not be decoded. */
export interface ChunkError {
  readonly code: "chunk-corrupt" | "chunk-version";
  readonly message: string;
}

/** The time span and size of a chunk, read from its header alone. */
export interface ChunkHeader {
  readonly count: number;
  readonly firstTime: number;
  readonly lastTime: number;
}

/** Encodes samples (already validated, strictly increasing in time, at least one). */
export function encodeChunk(samples: readonly Sample[]): Uint8Array {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last) throw new RangeError("a chunk needs at least one sample");
  const columns: [number, Uint8Array][] = [];
  if (samples.length > 1) {
    columns.push([
      TIME_BIT,
      encodeValues(
        samples.map((s) => s.time),
        2,
        1,
      ),
    ]);
  }
  SCALAR_FIELDS.forEach((field, i) => {
    const values = samples.map((s) => s[field]);
    if (values.some((v) => v !== undefined)) columns.push([1 + i, encodeScalar(field, values)]);
  });
  if (samples.some((s) => s.rr && s.rr.length > 0)) columns.push([RR_BIT, encodeRr(samples)]);

  const out = new ByteWriter(64 + samples.length * 8);
  out.byte(VERSION);
  out.uint(samples.length);
  out.uint(first.time);
  out.uint(last.time - first.time);
  out.uint(columns.reduce((mask, [bit]) => mask + 2 ** bit, 0));
  for (const [, bytes] of columns) out.blob(bytes);
  return out.finish();
}

/** Reads only the header: count and time span, without decoding the columns. */
export function readChunkHeader(bytes: Uint8Array): Result<ChunkHeader, ChunkError> {
  try {
    const reader = new ByteReader(bytes);
    return ok(readHeader(reader));
  } catch (error) {
    return err(toChunkError(error));
  }
}

/** Decodes a chunk into columns; corrupt or truncated bytes give a `ChunkError`. */
export function decodeChunk(bytes: Uint8Array): Result<SampleColumns, ChunkError> {
  try {
    const reader = new ByteReader(bytes);
    const header = readHeader(reader);
    const n = header.count;
    const mask = reader.uint();
    const blobs = new Map<number, Uint8Array>();
    for (let bit = 0, rest = mask; rest > 0; bit++, rest = Math.floor(rest / 2)) {
      if (rest % 2 === 1) blobs.set(bit, reader.blob());
    }
    if (!reader.done) throw new DecodeError("trailing bytes after the last column");

    let rrCount = 0;
    const rrBlob = blobs.get(RR_BIT);
    const rrCounts = rrBlob ? new ByteReader(rrBlob) : undefined;
    const perSample: number[] = [];
    if (rrCounts) {
      const counts = decodeAll(rrCounts, n, 1);
      for (const c of counts) {
        if (c < 0 || c > 16) throw new DecodeError(`bad RR count ${c}`);
        perSample.push(c);
        rrCount += c;
      }
    }
    const columns = createColumns(n, rrCount);

    const timeBlob = blobs.get(TIME_BIT);
    columns.time[0] = header.firstTime;
    if (n > 1) {
      if (!timeBlob) throw new DecodeError("time column missing");
      const deltas = decodeAll(new ByteReader(timeBlob), n - 1, 2, header.firstTime);
      for (let i = 0; i < n - 1; i++) columns.time[i + 1] = deltas[i] as number;
    }
    if (columns.time[n - 1] !== header.lastTime) throw new DecodeError("time span mismatch");
    for (let i = 1; i < n; i++) {
      if ((columns.time[i] as number) <= (columns.time[i - 1] as number)) {
        throw new DecodeError("times not increasing");
      }
    }

    SCALAR_FIELDS.forEach((field, i) => {
      const blob = blobs.get(1 + i);
      if (blob) decodeScalar(field, new ByteReader(blob), columns[field]);
    });

    if (rrCounts) {
      const values = decodeAll(rrCounts, rrCount, 1);
      columns.rr.set(values);
      let offset = 0;
      for (let i = 0; i < n; i++) {
        columns.rrOffsets[i] = offset;
        offset += perSample[i] as number;
      }
      columns.rrOffsets[n] = offset;
      if (!rrCounts.done) throw new DecodeError("trailing bytes in the RR column");
    }
    return ok(columns);
  } catch (error) {
    return err(toChunkError(error));
  }
}

function readHeader(reader: ByteReader): ChunkHeader {
  const version = reader.byte();
  if (version !== VERSION) {
    throw new VersionError(
      `chunk format version ${version} is not supported (this library reads version ${VERSION}); update @ridevault/core`,
    );
  }
  const count = reader.uint();
  if (count < 1) throw new DecodeError("a chunk has no samples");
  const firstTime = reader.uint();
  const lastTime = firstTime + reader.uint();
  return { count, firstTime, lastTime };
}

class VersionError extends Error {}

function toChunkError(error: unknown): ChunkError {
  if (error instanceof VersionError) return { code: "chunk-version", message: error.message };
  if (error instanceof DecodeError) {
    return { code: "chunk-corrupt", message: `sample chunk is damaged: ${error.message}` };
  }
  throw error;
}

function encodeScalar(field: ScalarField, values: readonly (number | undefined)[]): Uint8Array {
  const out = new ByteWriter(values.length * 2);
  const present = values.filter((v): v is number => v !== undefined);
  if (present.length === values.length) {
    out.byte(0);
  } else {
    out.byte(1);
    const runs: number[] = [];
    let expectPresent = true;
    let run = 0;
    for (const v of values) {
      if ((v !== undefined) === expectPresent) {
        run++;
      } else {
        runs.push(run);
        expectPresent = !expectPresent;
        run = 1;
      }
    }
    runs.push(run);
    out.uint(runs.length);
    for (const r of runs) out.uint(r);
  }
  writeTokens(out, present, SECOND_ORDER.has(field) ? 2 : 1, 0);
  return out.finish();
}

function decodeScalar(field: ScalarField, reader: ByteReader, target: Float64Array): void {
  const n = target.length;
  const mode = reader.byte();
  let presence: boolean[] | undefined;
  if (mode === 1) {
    presence = [];
    const runCount = reader.uint();
    let isPresent = true;
    for (let r = 0; r < runCount; r++) {
      const length = reader.uint();
      if (presence.length + length > n) throw new DecodeError(`${field} presence overflows`);
      for (let k = 0; k < length; k++) presence.push(isPresent);
      isPresent = !isPresent;
    }
    if (presence.length !== n) throw new DecodeError(`${field} presence has the wrong length`);
  } else if (mode !== 0) {
    throw new DecodeError(`${field} has unknown presence mode ${mode}`);
  }
  const count = presence ? presence.filter(Boolean).length : n;
  const values = decodeAll(reader, count, SECOND_ORDER.has(field) ? 2 : 1);
  if (!reader.done) throw new DecodeError(`trailing bytes in the ${field} column`);
  let next = 0;
  for (let i = 0; i < n; i++) {
    if (!presence || presence[i]) target[i] = values[next++] as number;
  }
}

function encodeRr(samples: readonly Sample[]): Uint8Array {
  const out = new ByteWriter(samples.length);
  writeTokens(
    out,
    samples.map((s) => s.rr?.length ?? 0),
    1,
    0,
  );
  writeTokens(
    out,
    samples.flatMap((s) => s.rr ?? []),
    1,
    0,
  );
  return out.finish();
}

/** Values of a column as delta tokens (see the module comment). */
function encodeValues(values: readonly number[], order: 1 | 2, skipFirst: 0 | 1): Uint8Array {
  const out = new ByteWriter(values.length * 2);
  writeTokens(out, values, order, skipFirst);
  return out.finish();
}

function writeTokens(
  out: ByteWriter,
  values: readonly number[],
  order: 1 | 2,
  skipFirst: 0 | 1,
): void {
  let prev = 0;
  let prevDelta = 0;
  let zeros = 0;
  const flush = (): void => {
    if (zeros === 1) out.uint(0);
    else if (zeros > 1) out.uint((zeros - 2) * 2 + 1);
    zeros = 0;
  };
  values.forEach((value, i) => {
    const delta = value - prev;
    const token = order === 2 && i > 1 ? delta - prevDelta : delta;
    prevDelta = i === 0 ? 0 : delta;
    prev = value;
    if (i < skipFirst) return;
    if (token === 0) {
      zeros++;
    } else {
      flush();
      out.uint(zigzag(token) * 2);
    }
  });
  flush();
}

/**
 * Reads `count` values written by `writeTokens`. `first` is the value that the writer
 * skipped (the chunk's first time, kept in the header), if any.
 */
function decodeAll(reader: ByteReader, count: number, order: 1 | 2, first?: number): number[] {
  const tokens = readTokens(reader, count);
  const out: number[] = [];
  let prev = first ?? 0;
  let prevDelta = 0;
  const offset = first === undefined ? 0 : 1;
  for (let i = 0; i < count; i++) {
    const index = i + offset;
    const token = tokens[i] as number;
    const delta = order === 2 && index > 1 ? token + prevDelta : token;
    const value = prev + delta;
    if (!Number.isSafeInteger(value)) throw new DecodeError("value out of range");
    prevDelta = index === 0 ? 0 : delta;
    prev = value;
    out.push(value);
  }
  return out;
}

/** Reads `count` raw tokens, expanding zero runs. */
function readTokens(reader: ByteReader, count: number): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const u = reader.uint();
    if (u % 2 === 0) {
      out.push(unzigzag(u / 2));
    } else {
      const run = (u - 1) / 2 + 2;
      if (out.length + run > count) throw new DecodeError("zero run overflows the column");
      for (let k = 0; k < run; k++) out.push(0);
    }
  }
  return out;
}
