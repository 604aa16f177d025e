/**
 * Tests of the TCX importer on hand-written files in the style of Garmin Connect and
 * Wahoo/trainer-app exports (different prefixes, optional elements left out, several
 * tracks), damaged files, and export → import → export stability.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { rideArbitrary } from "../../testing/arbitraries.js";
import { samplesToColumns } from "../../workout/columns.js";
import type { Sample } from "../../workout/sample.js";
import { metadataFixture } from "../testing-fixtures.js";
import { exportTcx } from "./export-tcx.js";
import { importTcx } from "./import-tcx.js";

/** Garmin Connect's export: `ns3:` extension prefix, two laps, positions, a Creator. */
const GARMIN = `<?xml version="1.0" encoding="UTF-8"?>
<TrainingCenterDatabase
  xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"
  xmlns:ns5="http://www.garmin.com/xmlschemas/ActivityGoals/v1"
  xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"
  xmlns:ns2="http://www.garmin.com/xmlschemas/UserProfile/v2"
  xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Activities>
    <Activity Sport="Biking">
      <Id>2024-05-12T07:30:00.000Z</Id>
      <Lap StartTime="2024-05-12T07:30:00.000Z">
        <TotalTimeSeconds>2.0</TotalTimeSeconds>
        <DistanceMeters>14.0</DistanceMeters>
        <Calories>1</Calories>
        <Intensity>Active</Intensity>
        <TriggerMethod>Manual</TriggerMethod>
        <Track>
          <Trackpoint>
            <Time>2024-05-12T07:30:00.000Z</Time>
            <Position><LatitudeDegrees>56.4021</LatitudeDegrees><LongitudeDegrees>10.1234567</LongitudeDegrees></Position>
            <AltitudeMeters>12.600000381469727</AltitudeMeters>
            <DistanceMeters>0.0</DistanceMeters>
            <HeartRateBpm><Value>128</Value></HeartRateBpm>
            <Cadence>86</Cadence>
            <Extensions><ns3:TPX><ns3:Speed>6.998000144958496</ns3:Speed><ns3:Watts>212</ns3:Watts></ns3:TPX></Extensions>
          </Trackpoint>
          <Trackpoint>
            <Time>2024-05-12T07:30:01.000Z</Time>
            <Position><LatitudeDegrees>56.4022</LatitudeDegrees><LongitudeDegrees>10.1235</LongitudeDegrees></Position>
            <AltitudeMeters>12.8</AltitudeMeters>
            <DistanceMeters>7.0</DistanceMeters>
            <HeartRateBpm><Value>129</Value></HeartRateBpm>
            <Extensions><ns3:TPX><ns3:Speed>7.0</ns3:Speed><ns3:Watts>0</ns3:Watts></ns3:TPX></Extensions>
          </Trackpoint>
        </Track>
      </Lap>
      <Lap StartTime="2024-05-12T07:30:02.000Z">
        <TotalTimeSeconds>1.0</TotalTimeSeconds>
        <DistanceMeters>7.0</DistanceMeters>
        <Calories>0</Calories>
        <Intensity>Active</Intensity>
        <TriggerMethod>Distance</TriggerMethod>
        <Track>
          <Trackpoint>
            <Time>2024-05-12T07:30:02.000Z</Time>
            <DistanceMeters>14.0</DistanceMeters>
            <HeartRateBpm><Value>131</Value></HeartRateBpm>
          </Trackpoint>
        </Track>
        <Track>
          <Trackpoint>
            <Time>2024-05-12T07:31:02.000Z</Time>
            <DistanceMeters>14.5</DistanceMeters>
          </Trackpoint>
        </Track>
      </Lap>
      <Creator xsi:type="Device_t">
        <Name>Edge 530</Name>
        <UnitId>3456789012</UnitId>
        <ProductID>3121</ProductID>
      </Creator>
    </Activity>
  </Activities>
</TrainingCenterDatabase>
`;

/** A trainer app's export: `x:` prefix, no positions, Watts and no speed. */
const TRAINER = `<?xml version="1.0"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" xmlns:x="http://www.garmin.com/xmlschemas/ActivityExtension/v2">
<Activities><Activity Sport="Other"><Id>2024-01-02T18:00:00Z</Id>
<Lap StartTime="2024-01-02T18:00:00Z"><TotalTimeSeconds>3</TotalTimeSeconds><DistanceMeters>0</DistanceMeters><Calories>0</Calories><Intensity>Active</Intensity><TriggerMethod>Manual</TriggerMethod>
<Track>
<Trackpoint><Time>2024-01-02T18:00:00Z</Time><Cadence>90</Cadence><Extensions><x:TPX><x:Watts>250</x:Watts></x:TPX></Extensions></Trackpoint>
<Trackpoint><Time>2024-01-02T18:00:01Z</Time><HeartRateBpm><Value>300</Value></HeartRateBpm><Cadence>91</Cadence><Extensions><x:TPX><x:Watts>251</x:Watts></x:TPX></Extensions></Trackpoint>
<Trackpoint><Time>2024-01-02T18:00:01Z</Time><Cadence>92</Cadence></Trackpoint>
<Trackpoint><Time>not a time</Time><Cadence>93</Cadence></Trackpoint>
</Track></Lap>
<Notes>Sweet spot &amp; sprints</Notes>
</Activity></Activities></TrainingCenterDatabase>`;

const T = Date.UTC(2024, 4, 12, 7, 30, 0);

describe("importTcx", () => {
  test("a Garmin Connect export: units, laps, a pause between tracks, the device", () => {
    const result = importTcx(GARMIN);
    if (!result.ok) throw new Error(result.error.message);
    const ride = result.value;
    expect(ride).toMatchObject({
      format: "tcx",
      sport: "cycling",
      device: "Edge 530",
      startTime: T,
    });
    expect(ride.samples[0]).toEqual({
      time: T,
      power: 212,
      heartRate: 128,
      cadence: 86,
      speed: 6998,
      distance: 0,
      lat: 564_021_000,
      lon: 101_234_567,
      altitude: 12_600,
    });
    expect(ride.samples).toHaveLength(4);
    expect(ride.laps).toEqual([
      { start: T, end: T + 2000, trigger: "manual" },
      { start: T + 2000, end: T + 62_000, trigger: "distance" },
    ]);
    expect(ride.pauses).toEqual([{ start: T + 2000, end: T + 62_000 }]);
  });

  test("a trainer app's export: other prefix, bad values dropped, duplicate times merged", () => {
    const result = importTcx(TRAINER);
    if (!result.ok) throw new Error(result.error.message);
    const ride = result.value;
    expect(ride.sport).toBe("other");
    expect(ride.notes).toBe("Sweet spot & sprints");
    const t = Date.UTC(2024, 0, 2, 18);
    expect(ride.samples).toEqual([
      { time: t, power: 250, cadence: 90 },
      { time: t + 1000, power: 251, cadence: 91 },
    ]);
    expect(ride.dropped).toBe(1);
    expect(ride.laps).toEqual([]);
  });

  test.each([
    ["malformed XML", GARMIN.replace("</Track>", ""), "xml-malformed"],
    ["cut off", GARMIN.slice(0, 2000), "xml-malformed"],
    [
      "a DOCTYPE",
      `<!DOCTYPE lol [<!ENTITY lol "lol">]>${GARMIN.slice(GARMIN.indexOf("<Train"))}`,
      "xml-forbidden",
    ],
    ["a GPX file", '<gpx version="1.1"></gpx>', "wrong-document"],
    ["no trackpoints", TRAINER.replace(/<Track>[\s\S]*<\/Track>/, ""), "no-samples"],
  ])("%s fails with a typed error", (_, text, code) => {
    const result = importTcx(text);
    expect(result.ok ? "imported" : result.error.code).toBe(code);
  });
});

const metadataFor = (samples: readonly Sample[], notes = "") =>
  metadataFixture(samples[0]?.time ?? 0, { notes });

describe("export → import → export", () => {
  test("gives back the same samples (RR intervals aside: TCX has none) and the same file", () => {
    fc.assert(
      fc.property(
        rideArbitrary({ maxLength: 80 }),
        fc.string({
          maxLength: 20,
          unit: fc.constantFrom("a", "Z", " ", "&", "<", ">", '"', "'", "é", "🚴"),
        }),
        (ride, notes) => {
          const samples = ride
            .map(({ rr, ...rest }) => rest)
            .filter((s) => Object.keys(s).length > 1);
          fc.pre(samples.length > 0);
          const cleanNotes = notes.trim();
          const e1 = exportTcx({
            metadata: metadataFor(samples, cleanNotes),
            columns: samplesToColumns(samples),
          });
          const back = importTcx(e1);
          if (!back.ok) throw new Error(back.error.message);
          expect(back.value.samples).toEqual(samples);
          const e2 = exportTcx({
            metadata: metadataFor(back.value.samples, back.value.notes ?? ""),
            columns: samplesToColumns(back.value.samples),
          });
          expect(e2).toBe(e1);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("laps survive when they are contiguous", () => {
    const samples = Array.from({ length: 120 }, (_, i) => ({ time: T + i * 1000, power: 100 + i }));
    const metadata = {
      ...metadataFor(samples),
      laps: [
        { id: "1", start: T, end: T + 60_000, trigger: "manual" as const },
        { id: "2", start: T + 60_000, end: T + 119_000, trigger: "time" as const },
      ],
    };
    const e1 = exportTcx({ metadata, columns: samplesToColumns(samples) });
    const back = importTcx(e1);
    if (!back.ok) throw new Error(back.error.message);
    expect(back.value.laps).toEqual(metadata.laps.map(({ id, ...lap }) => lap));
    const laps = back.value.laps.map((lap, i) => ({ id: String(i), ...lap }));
    expect(
      exportTcx({ metadata: { ...metadata, laps }, columns: samplesToColumns(back.value.samples) }),
    ).toBe(e1);
  });
});
