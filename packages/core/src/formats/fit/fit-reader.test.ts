/**
 * Tests of the FIT reader (through `importFit`) on hand-assembled files, for what Garmin's
 * SDK encoder never writes — compressed timestamps with rollover, big-endian definitions,
 * invalid-value markers, chained files — and on damaged files, which must fail with a typed
 * error and never throw.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { samplesToColumns } from "../../workout/columns.js";
import { metadataFixture } from "../testing-fixtures.js";
import { exportFit } from "./export-fit.js";
import { readFit } from "./fit-reader.js";
import { FIT_EPOCH_OFFSET_S, fitCrc } from "./fit-writer.js";
import { importFit } from "./import-fit.js";

const T0 = Date.UTC(2024, 4, 12, 7, 30, 0);

/** A valid file to damage: 300 s of a ride written by our exporter. */
function goodFile(): Uint8Array {
  const samples = Array.from({ length: 300 }, (_, i) => ({
    time: T0 + i * 1000,
    power: 200 + (i % 40),
    heartRate: 140,
    distance: i * 8000,
    ...(i % 10 === 0 && { rr: [800, 790] }),
  }));
  return exportFit({
    metadata: metadataFixture(T0),
    columns: samplesToColumns(samples),
    utcOffsetMinutes: 0,
  });
}

/** Assembles a FIT file from raw record bytes (header with CRC, data, file CRC). */
function handFit(records: number[]): Uint8Array {
  const data = Uint8Array.from(records);
  const file = new Uint8Array(14 + data.length + 2);
  const view = new DataView(file.buffer);
  file[0] = 14;
  file[1] = 0x20;
  view.setUint16(2, 2140, true);
  view.setUint32(4, data.length, true);
  file.set([0x2e, 0x46, 0x49, 0x54], 8);
  view.setUint16(12, fitCrc(file.subarray(0, 12)), true);
  file.set(data, 14);
  view.setUint16(14 + data.length, fitCrc(file.subarray(0, 14 + data.length)), true);
  return file;
}

const u32le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const fitTime = (ms: number) => ms / 1000 - FIT_EPOCH_OFFSET_S;
/** Definition, local 0: record (20) with timestamp (uint32) and power (uint16), little-endian. */
const TIME_POWER_DEFINITION = [0x40, 0, 0, 20, 0, 2, 253, 4, 0x86, 7, 2, 0x84];
/** A data message of that definition: FIT timestamp `ts`, `watts` below 256. */
const timePowerRecord = (ts: number, watts: number) => [0x00, ...u32le(ts), watts, 0];

describe("importFit on hand-assembled files", () => {
  test("compressed timestamp headers, with rollover of the 5-bit offset", () => {
    const base = fitTime(T0) + 30; // low 5 bits: whatever T0 gives; offsets below roll over
    const records = [
      ...TIME_POWER_DEFINITION,
      ...timePowerRecord(base, 200),
      // Definition, local 1: record with power only, for compressed-timestamp messages.
      0x41,
      0,
      0,
      20,
      0,
      1,
      7,
      2,
      0x84,
    ];
    const offsets = [1, 2, 3, 4].map((k) => (base + k) & 0x1f);
    offsets.forEach((offset, k) => {
      records.push(0x80 | (1 << 5) | offset, 210 + k, 0);
    });
    const result = importFit(handFit(records));
    if (!result.ok) throw new Error(result.error.message);
    const times = result.value.samples.map((s) => s.time);
    const first = (base + FIT_EPOCH_OFFSET_S) * 1000;
    expect(times).toEqual([0, 1, 2, 3, 4].map((k) => first + k * 1000));
    expect(result.value.samples.map((s) => s.power)).toEqual([200, 210, 211, 212, 213]);
  });

  test("big-endian definitions and invalid-value markers", () => {
    const ts = fitTime(T0);
    const records = [
      // local 0, big-endian record: timestamp, heart_rate (uint8), power (uint16), speed (uint16).
      0x40,
      0,
      1,
      0,
      20,
      4,
      253,
      4,
      0x86,
      3,
      1,
      0x02,
      7,
      2,
      0x84,
      6,
      2,
      0x84,
      0x00,
      (ts >>> 24) & 0xff,
      (ts >>> 16) & 0xff,
      (ts >>> 8) & 0xff,
      ts & 0xff,
      140,
      0x01,
      0x2c,
      0xff,
      0xff,
      0x00,
      ((ts + 1) >>> 24) & 0xff,
      ((ts + 1) >>> 16) & 0xff,
      ((ts + 1) >>> 8) & 0xff,
      (ts + 1) & 0xff,
      0xff,
      0xff,
      0xff,
      0x1f,
      0x40,
    ];
    const result = importFit(handFit(records));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.samples).toEqual([
      { time: T0, power: 300, heartRate: 140 },
      { time: T0 + 1000, speed: 8000 },
    ]);
  });

  test("chained files are read one after the other", () => {
    const one = handFit([...TIME_POWER_DEFINITION, ...timePowerRecord(fitTime(T0), 100)]);
    const two = handFit([...TIME_POWER_DEFINITION, ...timePowerRecord(fitTime(T0) + 1, 101)]);
    const chained = new Uint8Array([...one, ...two]);
    const result = importFit(chained);
    expect(result.ok && result.value.samples.map((s) => s.power)).toEqual([100, 101]);
  });
});

describe("importFit on damaged files", () => {
  const good = goodFile();

  test.each([
    ["wrong magic", () => Uint8Array.from(good, (b, i) => (i === 9 ? 0x58 : b)), "bad-header"],
    ["header CRC", () => Uint8Array.from(good, (b, i) => (i === 12 ? b ^ 0xff : b)), "bad-crc"],
    [
      "a flipped data byte",
      () => Uint8Array.from(good, (b, i) => (i === 400 ? b ^ 0x01 : b)),
      "bad-crc",
    ],
    ["truncated", () => good.subarray(0, good.length - 100), "truncated"],
    ["shorter than a header", () => good.subarray(0, 8), "truncated"],
    ["an undefined local message", () => handFit([0x05, 1, 2, 3]), "corrupt"],
    [
      "a message past the end",
      () => handFit([0x40, 0, 0, 20, 0, 1, 253, 4, 0x86, 0x00, 1, 2]),
      "truncated",
    ],
    ["no samples", () => handFit([0x40, 0, 0, 0, 0, 1, 0, 1, 0x00, 0x00, 4]), "no-samples"],
  ])("%s fails cleanly", (_, make, code) => {
    const result = importFit(make());
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeGreaterThan(20);
    }
  });

  test("random corruption never throws and never yields a partial ride silently", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: good.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (index, mask) => {
          const bad = Uint8Array.from(good, (b, i) => (i === index ? b ^ mask : b));
          expect(() => readFit(bad)).not.toThrow();
          expect(readFit(bad).ok).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
