/**
 * Samples as typed columns: what reading a workout returns. One `Float64Array` per field
 * (every integer unit fits exactly), `NaN` where a sample has no value (a gap), and RR
 * intervals in compressed-row form: the intervals of sample `i` are
 * `rr.subarray(rrOffsets[i], rrOffsets[i + 1])`.
 */
import { type Sample, SCALAR_FIELDS, type ScalarField } from "./sample.js";

/** Samples of a time range, column by column, in increasing time. */
export type SampleColumns = {
  readonly length: number;
  readonly time: Float64Array;
  readonly rrOffsets: Uint32Array;
  readonly rr: Float64Array;
} & { readonly [F in ScalarField]: Float64Array };

/** Empty columns for `length` samples: times 0, every value a gap, no RR intervals. */
export function createColumns(length: number, rrCount = 0): SampleColumns {
  const columns: Record<string, unknown> = {
    length,
    time: new Float64Array(length),
    rrOffsets: new Uint32Array(length + 1),
    rr: new Float64Array(rrCount),
  };
  for (const field of SCALAR_FIELDS) columns[field] = new Float64Array(length).fill(Number.NaN);
  return columns as SampleColumns;
}

/** The columns as sample objects (gaps left out), e.g. to compare or to export. */
export function columnsToSamples(columns: SampleColumns): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < columns.length; i++) {
    const sample: Record<string, unknown> = { time: columns.time[i] };
    for (const field of SCALAR_FIELDS) {
      const value = columns[field][i] as number;
      if (!Number.isNaN(value)) sample[field] = value;
    }
    const from = columns.rrOffsets[i] as number;
    const to = columns.rrOffsets[i + 1] as number;
    if (to > from) sample.rr = Array.from(columns.rr.subarray(from, to));
    out.push(sample as unknown as Sample);
  }
  return out;
}

/** One device's decoded chunk, ready to be merged with others. */
export interface DeviceColumns {
  readonly deviceId: string;
  readonly columns: SampleColumns;
}

/**
 * Merges chunks (from one or several devices) into one time-ordered series. Samples at the
 * same time from different devices become one sample: each field comes from the first device
 * (by device id) that has it, so two devices recording one ride — a head unit with power, a
 * phone with heart rate — read back as one ride, and the result does not depend on the order
 * in which chunks arrived. Only samples with `from ≤ time < to` are kept.
 */
export function mergeColumns(
  parts: readonly DeviceColumns[],
  range: { readonly from?: number; readonly to?: number } = {},
): SampleColumns {
  const from = range.from ?? Number.NEGATIVE_INFINITY;
  const to = range.to ?? Number.POSITIVE_INFINITY;
  const sorted = [...parts]
    .filter((p) => p.columns.length > 0)
    .sort((a, b) => (a.columns.time[0] as number) - (b.columns.time[0] as number));
  if (sorted.every((p, i) => i === 0 || firstTime(p) > lastTime(sorted[i - 1] as DeviceColumns))) {
    return concatColumns(
      sorted.map((p) => p.columns),
      from,
      to,
    );
  }
  const refs: { time: number; device: string; part: SampleColumns; index: number }[] = [];
  for (const { deviceId, columns } of parts) {
    for (let i = 0; i < columns.length; i++) {
      const time = columns.time[i] as number;
      if (time >= from && time < to) refs.push({ time, device: deviceId, part: columns, index: i });
    }
  }
  refs.sort((a, b) => a.time - b.time || (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));

  let length = 0;
  for (let i = 0; i < refs.length; i++) {
    if (i === 0 || refs[i]?.time !== refs[i - 1]?.time) length++;
  }
  let rrCount = 0;
  for (const ref of refs) {
    rrCount +=
      (ref.part.rrOffsets[ref.index + 1] as number) - (ref.part.rrOffsets[ref.index] as number);
  }
  const out = createColumns(length, rrCount);
  const rrOffsets = out.rrOffsets;
  let row = -1;
  let rrLength = 0;
  let rrTaken = false;
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i] as (typeof refs)[number];
    if (i === 0 || ref.time !== refs[i - 1]?.time) {
      row++;
      out.time[row] = ref.time;
      rrOffsets[row] = rrLength;
      rrTaken = false;
    }
    for (const field of SCALAR_FIELDS) {
      const target = out[field];
      if (Number.isNaN(target[row] as number)) target[row] = ref.part[field][ref.index] as number;
    }
    const rrFrom = ref.part.rrOffsets[ref.index] as number;
    const rrTo = ref.part.rrOffsets[ref.index + 1] as number;
    if (!rrTaken && rrTo > rrFrom) {
      out.rr.set(ref.part.rr.subarray(rrFrom, rrTo), rrLength);
      rrLength += rrTo - rrFrom;
      rrTaken = true;
    }
  }
  rrOffsets[length] = rrLength;
  return rrLength === out.rr.length ? out : { ...out, rr: out.rr.slice(0, rrLength) };
}

const firstTime = (part: DeviceColumns): number => part.columns.time[0] as number;
const lastTime = (part: DeviceColumns): number =>
  part.columns.time[part.columns.length - 1] as number;

/** The common case — chunks that do not overlap in time — without per-sample work. */
function concatColumns(parts: readonly SampleColumns[], from: number, to: number): SampleColumns {
  const slices = parts.map((columns) => ({
    columns,
    start: lowerBound(columns.time, from),
    end: lowerBound(columns.time, to),
  }));
  let length = 0;
  let rrCount = 0;
  for (const { columns, start, end } of slices) {
    length += end - start;
    rrCount += (columns.rrOffsets[end] as number) - (columns.rrOffsets[start] as number);
  }
  const out = createColumns(length, rrCount);
  let row = 0;
  let rrRow = 0;
  for (const { columns, start, end } of slices) {
    if (end <= start) continue;
    out.time.set(columns.time.subarray(start, end), row);
    for (const field of SCALAR_FIELDS) out[field].set(columns[field].subarray(start, end), row);
    const rrStart = columns.rrOffsets[start] as number;
    const rrEnd = columns.rrOffsets[end] as number;
    out.rr.set(columns.rr.subarray(rrStart, rrEnd), rrRow);
    for (let i = start; i < end; i++) {
      out.rrOffsets[row + i - start] = rrRow + (columns.rrOffsets[i] as number) - rrStart;
    }
    row += end - start;
    rrRow += rrEnd - rrStart;
  }
  out.rrOffsets[length] = rrRow;
  return out;
}

/** The first index whose time is ≥ `time`. */
function lowerBound(times: Float64Array, time: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sample objects as columns (the inverse of `columnsToSamples`); times must increase. */
export function samplesToColumns(samples: readonly Sample[]): SampleColumns {
  const rrCount = samples.reduce((n, s) => n + (s.rr?.length ?? 0), 0);
  const columns = createColumns(samples.length, rrCount);
  let rr = 0;
  samples.forEach((sample, i) => {
    columns.time[i] = sample.time;
    for (const field of SCALAR_FIELDS) {
      const value = sample[field];
      if (value !== undefined) columns[field][i] = value;
    }
    columns.rrOffsets[i] = rr;
    for (const interval of sample.rr ?? []) columns.rr[rr++] = interval;
  });
  columns.rrOffsets[samples.length] = rr;
  return columns;
}
