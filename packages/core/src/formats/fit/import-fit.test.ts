/**
 * Tests of the FIT importer on files it did not write: files encoded by Garmin's FIT SDK
 * (a development-only test oracle) the way devices write them — enhanced speed and
 * altitude, developer fields, hrv, timer pauses, several laps and sessions — and
 * export → import → export stability. Hand-assembled and damaged files: fit-reader.test.ts.
 */
import { Decoder, type Encodable, Encoder, type Mesg, Profile, Stream } from "@garmin/fitsdk";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { rideArbitrary } from "../../testing/arbitraries.js";
import { samplesToColumns } from "../../workout/columns.js";
import { metadataFixture } from "../testing-fixtures.js";
import { exportFit } from "./export-fit.js";
import { importFit } from "./import-fit.js";

const T0 = Date.UTC(2024, 4, 12, 7, 30, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000);
/** Global message numbers (checked against the SDK's profile below). */
const M = {
  FILE_ID: 0,
  SESSION: 18,
  LAP: 19,
  RECORD: 20,
  EVENT: 21,
  DEVICE_INFO: 23,
  ACTIVITY: 34,
  HRV: 78,
  FIELD_DESCRIPTION: 206,
  DEVELOPER_DATA_ID: 207,
} as const;

test("the message numbers used here are the SDK profile's", () => {
  for (const [name, value] of Object.entries(M)) expect(Profile.MesgNum[name]).toBe(value);
});

/** Writes one message; the SDK's `writeMesg` takes the message types' common base. */
function write<T extends Mesg>(encoder: Encoder, mesg: Encodable<T>): void {
  encoder.writeMesg(mesg);
}

/** A ride as an Edge head unit writes it, with a developer field (a power meter app's). */
function garminStyleFile(options: { sessions: 1 | 2 }): Uint8Array {
  const developerDataIdMesg = {
    mesgNum: M.DEVELOPER_DATA_ID,
    developerDataIndex: 0,
    applicationId: Array.from({ length: 16 }, (_, i) => i + 1),
    applicationVersion: 110,
  };
  const fieldDescriptionMesg = {
    mesgNum: M.FIELD_DESCRIPTION,
    developerDataIndex: 0,
    fieldDefinitionNumber: 0,
    fitBaseTypeId: 0x84,
    fieldName: "Form Power",
    units: "watts",
    nativeMesgNum: M.RECORD,
  };
  const encoder = new Encoder({
    fieldDescriptions: { 0: { developerDataIdMesg, fieldDescriptionMesg } },
  });
  write(encoder, {
    mesgNum: M.FILE_ID,
    type: "activity",
    manufacturer: "garmin",
    product: 3121,
    serialNumber: 3_456_789_012,
    timeCreated: at(0),
  });
  write(encoder, {
    mesgNum: M.DEVICE_INFO,
    timestamp: at(0),
    deviceIndex: "creator",
    manufacturer: "garmin",
    productName: "Edge 530",
  });
  write(encoder, developerDataIdMesg);
  write(encoder, fieldDescriptionMesg);
  write(encoder, { mesgNum: M.EVENT, timestamp: at(0), event: "timer", eventType: "start" });
  for (let i = 0; i < 120; i++) {
    if (i === 60) {
      write(encoder, {
        mesgNum: M.EVENT,
        timestamp: at(59),
        event: "timer",
        eventType: "stopAll",
      });
      write(encoder, {
        mesgNum: M.EVENT,
        timestamp: at(90),
        event: "timer",
        eventType: "start",
      });
    }
    const t = i < 60 ? i : i + 30;
    write(encoder, {
      mesgNum: M.RECORD,
      timestamp: at(t),
      positionLat: 564_000_000 + i * 100,
      positionLong: 101_000_000 - i * 80,
      enhancedAltitude: 120.4 + i * 0.2,
      heartRate: 130 + (i % 20),
      cadence: 88,
      distance: i * 7.5,
      enhancedSpeed: 7.5 + (i % 3) * 0.25,
      power: 200 + (i % 50),
      developerFields: { 0: 60 + (i % 5) },
    });
    if (i % 30 === 0) write(encoder, { mesgNum: M.HRV, time: [0.812, 0.798] });
  }
  write(encoder, { mesgNum: M.EVENT, timestamp: at(149), event: "timer", eventType: "stopAll" });
  for (const [index, start, end] of [
    [0, 0, 59],
    [1, 90, 149],
  ] as const) {
    write(encoder, {
      mesgNum: M.LAP,
      messageIndex: index,
      timestamp: at(end),
      startTime: at(start),
      totalElapsedTime: end - start,
      totalTimerTime: end - start,
      lapTrigger: index === 0 ? "manual" : "sessionEnd",
      event: "lap",
      eventType: "stop",
    });
  }
  const sessions =
    options.sessions === 2
      ? [
          [0, 59, "running"],
          [90, 149, "cycling"],
        ]
      : [[0, 149, "cycling"]];
  sessions.forEach(([start, end, sport], index) => {
    write(encoder, {
      mesgNum: M.SESSION,
      messageIndex: index,
      timestamp: at(end as number),
      startTime: at(start as number),
      totalElapsedTime: (end as number) - (start as number),
      sport,
      subSport: "road",
      thresholdPower: 265,
      event: "session",
      eventType: "stop",
    });
  });
  write(encoder, {
    mesgNum: M.ACTIVITY,
    timestamp: at(149),
    numSessions: sessions.length,
    type: "manual",
  });
  return encoder.close();
}

describe("importFit on files from Garmin's SDK encoder", () => {
  test("records, units, developer fields skipped, hrv, pauses, laps, sport and device", () => {
    const file = garminStyleFile({ sessions: 1 });
    // The oracle confirms the file really carries developer fields in its records.
    const decoded = new Decoder(Stream.fromByteArray(file)).read();
    expect(decoded.errors).toEqual([]);
    expect(decoded.messages.recordMesgs?.[3]?.developerFields).toEqual({ 0: 63 });
    const result = importFit(file);
    if (!result.ok) throw new Error(result.error.message);
    const ride = result.value;
    expect(ride.samples).toHaveLength(120);
    expect(ride.startTime).toBe(T0);
    expect(ride.endTime).toBe(T0 + 149_000);
    expect(ride).toMatchObject({
      sport: "cycling",
      subSport: "road",
      device: "Edge 530",
      ftp: 265,
    });
    expect(ride.samples[1]).toEqual({
      time: T0 + 1000,
      power: 201,
      heartRate: 131,
      cadence: 88,
      speed: 7750,
      distance: 7500,
      lat: Math.round(((564_000_100 * 180) / 2 ** 31) * 1e7),
      lon: Math.round(((100_999_920 * 180) / 2 ** 31) * 1e7),
      altitude: 120_600,
    });
    expect(ride.samples[0]?.rr).toEqual([812, 798]);
    expect(ride.samples[60]?.time).toBe(T0 + 90_000);
    expect(ride.pauses).toEqual([{ start: T0 + 59_000, end: T0 + 90_000 }]);
    expect(ride.laps).toEqual([
      { start: T0, end: T0 + 59_000, trigger: "manual" },
      { start: T0 + 90_000, end: T0 + 149_000, trigger: "session-end" },
    ]);
    expect(ride.dropped).toBe(0);
  });

  test("several sessions: one workout with every record, the cycling session's sport", () => {
    const result = importFit(garminStyleFile({ sessions: 2 }));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.samples).toHaveLength(120);
    expect(result.value.sport).toBe("cycling");
  });
});

const metadataOf = (startTime: number, ftp: number | null = null) =>
  metadataFixture(startTime, { settings: { ftp } });

describe("export → import → export", () => {
  test("is stable for any ride (FIT rounds once, then nothing changes)", () => {
    fc.assert(
      fc.property(rideArbitrary({ maxLength: 120 }), (samples) => {
        const first = samplesToColumns(samples);
        const e1 = exportFit({
          metadata: metadataOf(samples[0]?.time ?? 0, 250),
          columns: first,
          utcOffsetMinutes: 60,
        });
        const w2 = importFit(e1);
        if (!w2.ok) throw new Error(w2.error.message);
        const meta2 = metadataOf(w2.value.startTime, w2.value.ftp);
        const e2 = exportFit({
          metadata: meta2,
          columns: samplesToColumns(w2.value.samples),
          utcOffsetMinutes: 60,
        });
        const w3 = importFit(e2);
        if (!w3.ok) throw new Error(w3.error.message);
        expect(w3.value.samples).toEqual(w2.value.samples);
        const e3 = exportFit({
          metadata: metadataOf(w3.value.startTime, w3.value.ftp),
          columns: samplesToColumns(w3.value.samples),
          utcOffsetMinutes: 60,
        });
        expect(e3).toEqual(e2);
      }),
      { numRuns: 60 },
    );
  });

  test("a whole-second ride with laps comes back exactly", () => {
    const samples = Array.from({ length: 300 }, (_, i) => ({
      time: T0 + i * 1000,
      power: 180 + (i % 70),
      heartRate: 140,
      distance: i * 8000,
      lat: 473_000_000 + i * 50,
      lon: 85_000_000 + i * 50,
      altitude: 400_000 + i * 200,
    }));
    const metadata = {
      ...metadataOf(T0, 280),
      laps: [
        { id: "a", start: T0, end: T0 + 150_000, trigger: "manual" as const },
        { id: "b", start: T0 + 150_000, end: T0 + 299_000, trigger: "distance" as const },
      ],
    };
    const e1 = exportFit({ metadata, columns: samplesToColumns(samples), utcOffsetMinutes: 0 });
    const back = importFit(e1);
    if (!back.ok) throw new Error(back.error.message);
    expect(back.value.samples).toEqual(samples);
    expect(back.value.laps).toEqual(metadata.laps.map(({ id, ...lap }) => lap));
    const e2 = exportFit({
      metadata: { ...metadata, laps: back.value.laps.map((lap, i) => ({ id: String(i), ...lap })) },
      columns: samplesToColumns(back.value.samples),
      utcOffsetMinutes: 0,
    });
    expect(e2).toEqual(e1);
  });
});
