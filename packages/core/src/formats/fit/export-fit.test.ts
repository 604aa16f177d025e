/**
 * Tests of the FIT exporter against an independent decoder: Garmin's FIT SDK, a
 * development-only test oracle (its licence forbids bundling it). Every field number and
 * scale in fit-profile.ts is checked here by the name and value the oracle decodes.
 */
import { Decoder, type LapMesg, type RecordMesg, type SessionMesg, Stream } from "@garmin/fitsdk";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { analyzeWorkout } from "../../analytics/index.js";
import { rideArbitrary } from "../../testing/arbitraries.js";
import { mergeColumns, type SampleColumns, samplesToColumns } from "../../workout/columns.js";
import type { Lap, WorkoutMetadata } from "../../workout/metadata.js";
import type { Sample } from "../../workout/sample.js";
import { summarize, type WorkoutSummary } from "../../workout/summary.js";
import { metadataFixture } from "../testing-fixtures.js";
import { exportFit } from "./export-fit.js";

const T0 = Date.UTC(2024, 5, 1, 6, 0, 0);

/** A steady ride at 1 Hz: power, heart rate, cadence, speed, distance, optional GPS. */
function ride(seconds: number, options: { gps?: boolean; rrEvery?: number } = {}): Sample[] {
  return Array.from({ length: seconds }, (_, i) => ({
    time: T0 + i * 1000,
    power: 150 + ((i * 37) % 200),
    heartRate: 120 + (i % 40),
    cadence: i % 50 === 0 ? 0 : 85 + (i % 10),
    speed: 8000 + ((i * 13) % 3000),
    distance: i * 8500,
    ...(options.gps
      ? { lat: 473_000_000 + i * 90, lon: 85_000_000 - i * 70, altitude: 420_000 + i * 10 }
      : {}),
    ...(options.rrEvery && i % options.rrEvery === 0 ? { rr: [812, 798, 805] } : {}),
  }));
}

/** Asserts that a lap or session carries the summary's totals, in FIT units. */
function expectTotals(message: LapMesg | SessionMesg | undefined, s: WorkoutSummary): void {
  expect(message?.totalTimerTime).toBe(s.timerMs / 1000);
  expect(Math.round((message?.totalDistance as number) * 100)).toBe(
    Math.round((s.distance ?? 0) / 10),
  );
  expect(message?.avgPower).toBe(s.avgPower);
  expect(message?.maxPower).toBe(s.maxPower);
  expect(message?.avgHeartRate).toBe(s.avgHeartRate);
  expect(message?.maxHeartRate).toBe(s.maxHeartRate);
  expect(message?.avgCadence).toBe(s.avgCadence);
  expect(message?.maxCadence).toBe(s.maxCadence);
  expect(Math.round((message?.avgSpeed as number) * 1000)).toBe(s.avgSpeed);
  expect(Math.round((message?.maxSpeed as number) * 1000)).toBe(s.maxSpeed);
  expect(message?.totalWork).toBe(s.work);
}

describe("exportFit", () => {
  test("an outdoor ride: file_id, records, one lap, session, activity", () => {
    const columns = samplesToColumns(ride(600, { gps: true }));
    const metadata = metadataFor(T0, { subSport: "road", ftp: 250 });
    const m = decodeFit(exportFit({ metadata, columns, utcOffsetMinutes: 120 }));
    expect(m.fileIdMesgs?.[0]).toMatchObject({ type: "activity", manufacturer: "development" });
    expect(unixMs(m.fileIdMesgs?.[0]?.timeCreated)).toBe(T0);
    expect(m.deviceInfoMesgs?.[0]).toMatchObject({
      productName: "ridevault",
      deviceIndex: "creator",
    });
    expectRecordsMatch(m.recordMesgs, columns);
    expect(m.hrvMesgs).toBeUndefined();

    const summary = summarize(columns);
    const analysis = analyzeWorkout(columns, metadata.settings);
    expect(m.lapMesgs).toHaveLength(1);
    expectTotals(m.lapMesgs?.[0], summary);
    expect(m.lapMesgs?.[0]).toMatchObject({ lapTrigger: "sessionEnd", sport: "cycling" });
    const session = m.sessionMesgs?.[0];
    expect(m.sessionMesgs).toHaveLength(1);
    expectTotals(session, summary);
    expect(session).toMatchObject({
      sport: "cycling",
      subSport: "road",
      numLaps: 1,
      totalElapsedTime: summary.elapsedMs / 1000,
      normalizedPower: Math.round(analysis.normalizedPower as number),
      thresholdPower: 250,
      trainingStressScore: Math.round((analysis.trainingStress as number) * 10) / 10,
      intensityFactor: Math.round((analysis.intensityFactor as number) * 1000) / 1000,
    });
    expect(unixMs(session?.startTime)).toBe(T0);
    const activity = m.activityMesgs?.[0];
    expect(m.activityMesgs).toHaveLength(1);
    expect(activity).toMatchObject({ numSessions: 1, totalTimerTime: summary.timerMs / 1000 });
    expect(activity?.localTimestamp).toBe((T0 + 599_000) / 1000 - 631_065_600 + 7200);
  });

  test("a ride without positions is indoor cycling, with no position fields", () => {
    const columns = samplesToColumns(ride(120));
    for (const subSport of [null, "road", "indoor"] as const) {
      const m = decodeFit(exportFit({ metadata: metadataFor(T0, { subSport }), columns }));
      expect(m.sessionMesgs?.[0]).toMatchObject({ sport: "cycling", subSport: "indoorCycling" });
      expect(m.recordMesgs?.[0]?.positionLat).toBeUndefined();
      expect(m.sessionMesgs?.[0]?.thresholdPower).toBeUndefined();
    }
    const gps = samplesToColumns(ride(60, { gps: true }));
    const generic = decodeFit(exportFit({ metadata: metadataFor(T0), columns: gps }));
    expect(generic.sessionMesgs?.[0]?.subSport).toBe("generic");
  });

  test("RR intervals become hrv messages, in order", () => {
    const columns = samplesToColumns(ride(60, { rrEvery: 2 }));
    const m = decodeFit(exportFit({ metadata: metadataFor(T0), columns }));
    expect(rrOf(m.hrvMesgs)).toEqual(Array.from(columns.rr));
    expect(rrOf(m.hrvMesgs)).toHaveLength(90);
  });

  test("each metadata lap becomes a lap with the totals of its samples", () => {
    const columns = samplesToColumns(ride(1200));
    const laps: Lap[] = [
      { id: "a", start: T0, end: T0 + 400_000, trigger: "manual" },
      { id: "b", start: T0 + 400_000, end: null, trigger: "session-end" },
    ];
    const m = decodeFit(exportFit({ metadata: metadataFor(T0, { laps }), columns }));
    expect(m.lapMesgs).toHaveLength(2);
    const slices = [
      mergeColumns([{ deviceId: "", columns }], { from: T0, to: T0 + 400_001 }),
      mergeColumns([{ deviceId: "", columns }], { from: T0 + 400_000 }),
    ];
    slices.forEach((slice, i) => {
      const s = summarize(slice);
      const lap = m.lapMesgs?.[i];
      expect(lap?.totalTimerTime).toBe(s.timerMs / 1000);
      expect(lap?.avgPower).toBe(s.avgPower);
      expect(lap?.maxHeartRate).toBe(s.maxHeartRate);
      expect(lap?.totalWork).toBe(s.work);
      expect(unixMs(lap?.startTime)).toBe(laps[i]?.start);
    });
    expect(m.lapMesgs?.[0]).toMatchObject({ lapTrigger: "manual", totalDistance: 3400 });
    expect(m.lapMesgs?.[1]).toMatchObject({ lapTrigger: "sessionEnd", totalElapsedTime: 799 });
    const timers = (m.lapMesgs ?? []).map((lap) => lap.totalTimerTime as number);
    expect((timers[0] ?? 0) + (timers[1] ?? 0)).toBe(summarize(columns).timerMs / 1000);
    expect(m.sessionMesgs?.[0]?.numLaps).toBe(2);
  });

  test("a pause stops and restarts the timer", () => {
    const samples = ride(60).map((s, i) => (i >= 30 ? { ...s, time: s.time + 300_000 } : s));
    const columns = samplesToColumns(samples);
    const m = decodeFit(exportFit({ metadata: metadataFor(T0), columns }));
    const events = (m.eventMesgs ?? []).map((e) => [e.eventType, unixMs(e.timestamp)]);
    expect(events).toEqual([
      ["start", T0],
      ["stopAll", T0 + 30_000],
      ["start", T0 + 330_000],
      ["stopAll", T0 + 359_000],
    ]);
    // 29 s before the pause, 1 s for the sample before it, 29 s after.
    expect(summarize(columns).timerMs).toBe(59_000);
    expect(m.sessionMesgs?.[0]?.totalTimerTime).toBe(59);
  });

  test("a one-hour 1 Hz ride without GPS takes about 15 bytes per sample", () => {
    const bytes = exportFit({ metadata: metadataFor(T0), columns: samplesToColumns(ride(3600)) });
    decodeFit(bytes);
    console.info(`FIT, 1 h at 1 Hz without GPS: ${bytes.length} bytes`);
    expect(bytes.length).toBeLessThan(3600 * 15 + 1000);
    expect(bytes.length).toBeGreaterThan(3600 * 15);
  });

  test("a workout without samples is still a valid activity", () => {
    const m = decodeFit(exportFit({ metadata: metadataFor(T0), columns: samplesToColumns([]) }));
    expect(m.recordMesgs ?? []).toHaveLength(0);
    expect(m.lapMesgs).toHaveLength(1);
    expect(m.sessionMesgs).toHaveLength(1);
    expect(m.activityMesgs).toHaveLength(1);
  });

  test("writes a longitude one unit short of +180° (sint32's invalid marker) as a position", () => {
    const samples = [
      { time: T0, lat: 0, lon: 1_799_999_999 },
      { time: T0 + 1000, power: 0 },
    ];
    const m = decodeFit(
      exportFit({
        metadata: metadataFor(T0),
        columns: samplesToColumns(samples),
        utcOffsetMinutes: 0,
      }),
    );
    expect(m.recordMesgs?.[0]?.positionLong).toBe(2 ** 31 - 2);
  });

  test("any ride round-trips through the oracle", () => {
    fc.assert(
      fc.property(rideArbitrary({ maxLength: 120 }), (samples) => {
        const columns = samplesToColumns(samples);
        const metadata = metadataFor(samples[0]?.time ?? T0, { ftp: 200 });
        const m = decodeFit(exportFit({ metadata, columns, utcOffsetMinutes: 0 }));
        expectRecordsMatch(m.recordMesgs, columns);
        expect(rrOf(m.hrvMesgs)).toEqual(Array.from(columns.rr));
        expect(m.sessionMesgs?.[0]?.totalTimerTime).toBe(summarize(columns).timerMs / 1000);
        expect(m.lapMesgs).toHaveLength(1);
        expect(m.activityMesgs).toHaveLength(1);
        const hasPosition = columns.lat.some((v) => !Number.isNaN(v));
        expect(m.sessionMesgs?.[0]?.subSport).toBe(hasPosition ? "generic" : "indoorCycling");
      }),
      { numRuns: Number(process.env.FIT_RUNS ?? 60) },
    );
  });
});

/** Decodes a FIT file with the oracle and asserts it is intact and error-free. */
function decodeFit(bytes: Uint8Array) {
  const decoder = new Decoder(Stream.fromByteArray(bytes));
  expect(decoder.isFIT()).toBe(true);
  expect(decoder.checkIntegrity()).toBe(true);
  const { messages, errors } = decoder.read();
  expect(errors).toEqual([]);
  return messages;
}

/** Metadata for a test ride. */
function metadataFor(
  startTime: number,
  options: {
    subSport?: WorkoutMetadata["subSport"];
    laps?: readonly Lap[];
    ftp?: number | null;
  } = {},
): WorkoutMetadata {
  return metadataFixture(startTime, {
    title: "Test ride",
    subSport: options.subSport ?? null,
    laps: options.laps ?? [],
    settings: { ftp: options.ftp ?? null },
  });
}

/** A decoded FIT time as Unix ms. */
function unixMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  return typeof value === "number" ? (value + 631_065_600) * 1000 : undefined;
}

const SEMICIRCLES_PER_E7 = 2 ** 31 / 180 / 1e7;

/**
 * Asserts that every decoded record equals its sample after unit conversion: seconds,
 * semicircles, m (altitude to 0.1 m, distance to 1 cm), m/s; a gap must decode as no value.
 */
function expectRecordsMatch(
  records: readonly RecordMesg[] | undefined,
  columns: SampleColumns,
): void {
  expect(records?.length ?? 0).toBe(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const r = records?.[i] as RecordMesg;
    const at = (field: keyof Omit<SampleColumns, "length" | "rr" | "rrOffsets">) =>
      columns[field][i] as number;
    const optional = (value: number) => (Number.isNaN(value) ? undefined : value);
    expect(unixMs(r.timestamp)).toBe(Math.floor(at("time") / 1000) * 1000);
    expect(r.power).toBe(optional(at("power")));
    expect(r.heartRate).toBe(optional(at("heartRate")));
    expect(r.cadence).toBe(optional(at("cadence")));
    expect(r.speed === undefined ? undefined : Math.round(r.speed * 1000)).toBe(
      optional(at("speed")),
    );
    const distance = at("distance");
    if (Number.isNaN(distance)) expect(r.distance).toBeUndefined();
    else expect(Math.abs((r.distance as number) * 1000 - distance)).toBeLessThanOrEqual(5.001);
    const altitude = at("altitude");
    if (Number.isNaN(altitude)) expect(r.altitude).toBeUndefined();
    else expect(Math.abs((r.altitude as number) * 1000 - altitude)).toBeLessThanOrEqual(100.001);
    const lat = at("lat");
    if (Number.isNaN(lat)) {
      expect(r.positionLat).toBeUndefined();
      expect(r.positionLong).toBeUndefined();
    } else {
      expect(Math.round((r.positionLat as number) / SEMICIRCLES_PER_E7)).toBe(lat);
      // +180° and −180° are one meridian; sint32 semicircles can only hold −180°.
      const lon = at("lon") === 1_800_000_000 ? -1_800_000_000 : at("lon");
      const decodedLon = Math.round((r.positionLong as number) / SEMICIRCLES_PER_E7);
      // The semicircle just short of +180° is FIT's invalid marker and moves by one.
      if (lon >= 1_799_999_999) expect(Math.abs(decodedLon - lon)).toBeLessThanOrEqual(1);
      else expect(decodedLon).toBe(lon);
    }
  }
}

/** The RR intervals of decoded hrv messages, in ms, invalid padding removed. */
function rrOf(hrv: readonly { time?: (number | null)[] }[] | undefined): number[] {
  return (hrv ?? []).flatMap((m) =>
    (m.time ?? []).filter((t): t is number => t !== null).map((t) => Math.round(t * 1000)),
  );
}
