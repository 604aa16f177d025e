/**
 * Tests of the GPX importer on hand-written files in the style of Strava (bare `power`,
 * TrackPointExtension v1 under `gpxtpx:`), Wahoo (v2 with speed, `ns3:` prefix) and a
 * route without times, damaged files, and export → import → export stability.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { rideArbitrary } from "../../testing/arbitraries.js";
import { samplesToColumns } from "../../workout/columns.js";
import type { Sample } from "../../workout/sample.js";
import { metadataFixture } from "../testing-fixtures.js";
import { exportGpx } from "./export-gpx.js";
import { importGpx } from "./import-gpx.js";

const STRAVA = `<?xml version="1.0" encoding="UTF-8"?>
<gpx creator="StravaGPX" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" xmlns:gpxx="http://www.garmin.com/xmlschemas/GpxExtensions/v3">
 <metadata>
  <time>2024-06-01T06:00:00Z</time>
 </metadata>
 <trk>
  <name>Morning Ride</name>
  <type>1</type>
  <trkseg>
   <trkpt lat="47.3000000" lon="8.5000000">
    <ele>420.4</ele>
    <time>2024-06-01T06:00:00Z</time>
    <extensions>
     <power>231</power>
     <gpxtpx:TrackPointExtension>
      <gpxtpx:atemp>18</gpxtpx:atemp>
      <gpxtpx:hr>131</gpxtpx:hr>
      <gpxtpx:cad>88</gpxtpx:cad>
     </gpxtpx:TrackPointExtension>
    </extensions>
   </trkpt>
   <trkpt lat="47.3000900" lon="8.5000700">
    <ele>420.6</ele>
    <time>2024-06-01T06:00:01Z</time>
   </trkpt>
  </trkseg>
  <trkseg>
   <trkpt lat="47.3010000" lon="8.5010000">
    <time>2024-06-01T06:05:00Z</time>
   </trkpt>
  </trkseg>
 </trk>
</gpx>`;

const WAHOO = `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Wahoo ELEMNT BOLT" xmlns="http://www.topografix.com/GPX/1/1" xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">
<trk><trkseg>
<trkpt lat="-33.8688" lon="151.2093"><time>2024-02-03T21:00:00.500Z</time><extensions><ns3:TrackPointExtension><ns3:hr>140</ns3:hr><ns3:speed>9.25</ns3:speed></ns3:TrackPointExtension></extensions></trkpt>
<trkpt lat="-33.8689" lon="151.2094"><time>2024-02-03T21:00:01.500Z</time><extensions><ns3:TrackPointExtension><ns3:hr>0</ns3:hr></ns3:TrackPointExtension></extensions></trkpt>
</trkseg></trk></gpx>`;

const T = Date.UTC(2024, 5, 1, 6);

describe("importGpx", () => {
  test("a Strava export: power, hr, cadence, title, sport, a pause between segments", () => {
    const result = importGpx(STRAVA);
    if (!result.ok) throw new Error(result.error.message);
    const ride = result.value;
    expect(ride).toMatchObject({
      title: "Morning Ride",
      sport: "cycling",
      device: "StravaGPX",
      startTime: T,
    });
    expect(ride.samples).toEqual([
      {
        time: T,
        power: 231,
        heartRate: 131,
        cadence: 88,
        lat: 473_000_000,
        lon: 85_000_000,
        altitude: 420_400,
      },
      { time: T + 1000, lat: 473_000_900, lon: 85_000_700, altitude: 420_600 },
      { time: T + 300_000, lat: 473_010_000, lon: 85_010_000 },
    ]);
    expect(ride.pauses).toEqual([{ start: T + 1000, end: T + 300_000 }]);
    expect(ride.laps).toEqual([]);
  });

  test("a Wahoo export: v2 extension under another prefix, ms times, hr 0 dropped", () => {
    const result = importGpx(WAHOO);
    if (!result.ok) throw new Error(result.error.message);
    const t = Date.UTC(2024, 1, 3, 21, 0, 0, 500);
    expect(result.value.samples).toEqual([
      { time: t, heartRate: 140, speed: 9250, lat: -338_688_000, lon: 1_512_093_000 },
      { time: t + 1000, lat: -338_689_000, lon: 1_512_094_000 },
    ]);
    expect(result.value.dropped).toBe(1);
    expect(result.value.device).toBe("Wahoo ELEMNT BOLT");
  });

  test.each([
    ["a route without times", STRAVA.replace(/<time>[^<]*<\/time>/g, ""), "no-samples"],
    ["malformed XML", STRAVA.replace("</trkpt>", "</trkpnt>"), "xml-malformed"],
    [
      "an external entity",
      `<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]><gpx>&x;</gpx>`,
      "xml-forbidden",
    ],
    ["a TCX file", "<TrainingCenterDatabase/>", "wrong-document"],
  ])("%s fails with a typed error", (_, text, code) => {
    const result = importGpx(text);
    expect(result.ok ? "imported" : result.error.code).toBe(code);
  });
});

const metadataFor = (samples: readonly Sample[], title: string) =>
  metadataFixture(samples[0]?.time ?? 0, { title });

describe("export → import → export", () => {
  test("gives back every positioned sample (GPX has no distance or RR) and the same file", () => {
    fc.assert(
      fc.property(rideArbitrary({ maxLength: 80 }), (ride) => {
        const samples = ride
          .filter((s) => s.lat !== undefined)
          .map(({ rr, distance, ...rest }) => rest);
        fc.pre(samples.length > 0);
        const e1 = exportGpx({
          metadata: metadataFor(samples, "Ride"),
          columns: samplesToColumns(samples),
        });
        if (!e1.ok) throw new Error(e1.error.message);
        const back = importGpx(e1.value);
        if (!back.ok) throw new Error(back.error.message);
        expect(back.value.samples).toEqual(samples);
        const e2 = exportGpx({
          metadata: metadataFor(back.value.samples, back.value.title ?? ""),
          columns: samplesToColumns(back.value.samples),
        });
        expect(e2.ok && e2.value).toBe(e1.value);
      }),
      { numRuns: 60 },
    );
  });
});
