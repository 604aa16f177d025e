import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rideArbitrary } from "../../testing/arbitraries.js";
import { samplesToColumns } from "../../workout/columns.js";
import type { Lap } from "../../workout/metadata.js";
import type { Sample } from "../../workout/sample.js";
import { metadataFixture } from "../testing-fixtures.js";
import { exportTcx } from "./export-tcx.js";

const T0 = Date.UTC(2026, 4, 17, 6, 30, 0);

function metadata(options: { laps?: Lap[]; notes?: string; startTime?: number } = {}) {
  return metadataFixture(options.startTime ?? T0, {
    title: "Ride",
    notes: options.notes ?? "",
    subSport: "road",
    laps: options.laps ?? [],
  });
}

interface Tag {
  readonly kind: "open" | "close" | "empty";
  readonly name: string;
  /** Offset of the tag in the document. */
  readonly at: number;
}

/** The tags of a document after its XML declaration: a tiny tokenizer, independent of ours. */
function tagsOf(xml: string): Tag[] {
  const body = xml.replace(/^<\?xml [^?]*\?>/, "");
  const offset = xml.length - body.length;
  const tags: Tag[] = [];
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const kind = m[1] === "/" ? "close" : m[4] === "/" ? "empty" : "open";
    tags.push({ kind, name: m[2] as string, at: offset + (m.index ?? 0) });
  }
  return tags;
}

/** Null when the document is well-formed (as far as a stack of tags can tell), else why not. */
function wellFormedError(xml: string): string | null {
  if (!xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')) return "no XML declaration";
  const body = xml.replace(/^<\?xml [^?]*\?>/, "");
  // Everything outside tags must be text without markup or bare ampersands.
  const text = body.replace(/<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g, "");
  if (text.includes("<") || text.includes(">")) return "stray markup";
  if (/&(?!(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot|apos);)/.test(text)) return "bare ampersand";
  const stack: string[] = [];
  let roots = 0;
  for (const tag of tagsOf(xml)) {
    if (stack.length === 0) roots++;
    if (tag.kind === "open") stack.push(tag.name);
    else if (tag.kind === "close") {
      const open = stack.pop();
      if (open !== tag.name) return `</${tag.name}> closes <${open}> at ${tag.at}`;
    }
  }
  if (stack.length > 0) return `unclosed <${stack.join("> <")}>`;
  return roots === 1 ? null : `${roots} root elements`;
}

/** The names of the direct children of the `index`-th element called `name`. */
function childNames(xml: string, name: string, index = 0): string[] {
  const tags = tagsOf(xml);
  let seen = -1;
  const start = tags.findIndex((t) => t.kind === "open" && t.name === name && ++seen === index);
  if (start < 0) throw new Error(`no <${name}> #${index}`);
  const names: string[] = [];
  let depth = 0;
  for (const tag of tags.slice(start + 1)) {
    if (tag.kind === "close" && depth === 0) break;
    if (depth === 0 && tag.kind !== "close") names.push(tag.name);
    if (tag.kind === "open") depth++;
    if (tag.kind === "close") depth--;
  }
  return names;
}

/** "-12.3456789" → -123456789 exactly, via the digits rather than floating point. */
const scaled = (text: string): number => Number(text.replace(".", ""));

const TRACKPOINT =
  /<Trackpoint><Time>([^<]+)<\/Time>(?:<Position><LatitudeDegrees>(-?\d+\.\d{7})<\/LatitudeDegrees><LongitudeDegrees>(-?\d+\.\d{7})<\/LongitudeDegrees><\/Position>)?(?:<AltitudeMeters>(-?\d+\.\d{3})<\/AltitudeMeters>)?(?:<DistanceMeters>(\d+\.\d{3})<\/DistanceMeters>)?(?:<HeartRateBpm><Value>([1-9]\d*)<\/Value><\/HeartRateBpm>)?(?:<Cadence>(\d+)<\/Cadence>)?(?:<Extensions><ns3:TPX>(?:<ns3:Speed>(\d+\.\d{3})<\/ns3:Speed>)?(?:<ns3:Watts>(\d+)<\/ns3:Watts>)?<\/ns3:TPX><\/Extensions>)?<\/Trackpoint>/g;

/** Reads the trackpoints back with a strict pattern; throws if any trackpoint escapes it. */
function trackpoints(xml: string): Record<string, number>[] {
  const out: Record<string, number>[] = [];
  for (const m of xml.matchAll(TRACKPOINT)) {
    const [, time, lat, lon, altitude, distance, heartRate, cadence, speed, power] = m;
    const sample: Record<string, number> = { time: Date.parse(time as string) };
    if (lat !== undefined && lon !== undefined) {
      sample.lat = scaled(lat);
      sample.lon = scaled(lon);
    }
    if (altitude !== undefined) sample.altitude = scaled(altitude);
    if (distance !== undefined) sample.distance = scaled(distance);
    if (heartRate !== undefined) sample.heartRate = Number(heartRate);
    if (cadence !== undefined) sample.cadence = Number(cadence);
    if (speed !== undefined) sample.speed = scaled(speed);
    if (power !== undefined) sample.power = Number(power);
    out.push(sample);
  }
  const total = xml.split("<Trackpoint>").length - 1;
  if (total !== out.length) throw new Error(`${total - out.length} trackpoints broke the pattern`);
  return out;
}

/** What a trackpoint should carry: every value but RR intervals. */
function expected(sample: Sample): Record<string, number> {
  const { rr: _rr, ...values } = sample;
  return values as Record<string, number>;
}

const lapStarts = (xml: string): number[] =>
  [...xml.matchAll(/<Lap StartTime="([^"]+)">/g)].map((m) => Date.parse(m[1] as string));

const FULL: Sample[] = [
  {
    time: T0,
    lat: 476_062_000,
    lon: -1_223_321_000,
    altitude: 56_000,
    distance: 0,
    heartRate: 120,
    cadence: 88,
    speed: 8200,
    power: 210,
  },
  {
    time: T0 + 1000,
    lat: -5,
    lon: 1_799_999_999,
    altitude: -500,
    distance: 8_200,
    heartRate: 124,
    cadence: 90,
    speed: 8300,
    power: 230,
  },
];

const LAP_ORDER = [
  "TotalTimeSeconds",
  "DistanceMeters",
  "MaximumSpeed",
  "Calories",
  "AverageHeartRateBpm",
  "MaximumHeartRateBpm",
  "Intensity",
  "Cadence",
  "TriggerMethod",
  "Track",
  "Extensions",
];

describe("TCX export", () => {
  it("writes a lap with every optional element in schema order", () => {
    const xml = exportTcx({ metadata: metadata(), columns: samplesToColumns(FULL) });
    expect(wellFormedError(xml)).toBeNull();
    expect(childNames(xml, "Activity")).toEqual(["Id", "Lap"]);
    expect(childNames(xml, "Lap")).toEqual(LAP_ORDER);
    expect(childNames(xml, "ns3:LX")).toEqual([
      "ns3:AvgSpeed",
      "ns3:MaxBikeCadence",
      "ns3:AvgWatts",
      "ns3:MaxWatts",
    ]);
    expect(childNames(xml, "Trackpoint")).toEqual([
      "Time",
      "Position",
      "AltitudeMeters",
      "DistanceMeters",
      "HeartRateBpm",
      "Cadence",
      "Extensions",
    ]);
    expect(childNames(xml, "Position")).toEqual(["LatitudeDegrees", "LongitudeDegrees"]);
    expect(childNames(xml, "ns3:TPX")).toEqual(["ns3:Speed", "ns3:Watts"]);
    expect(xml).toContain('<Activity Sport="Biking">');
    expect(xml).toContain(`<Id>${new Date(T0).toISOString()}</Id>`);
    expect(xml).toContain("<TotalTimeSeconds>1.000</TotalTimeSeconds>");
    expect(xml).toContain("<DistanceMeters>8.200</DistanceMeters><MaximumSpeed>8.300");
    expect(xml).toContain("<TriggerMethod>Manual</TriggerMethod>");
  });

  it("writes a lap and trackpoints with no optional element in schema order", () => {
    const empty = exportTcx({ metadata: metadata(), columns: samplesToColumns([]) });
    expect(wellFormedError(empty)).toBeNull();
    expect(childNames(empty, "Lap")).toEqual([
      "TotalTimeSeconds",
      "DistanceMeters",
      "Calories",
      "Intensity",
      "TriggerMethod",
    ]);
    expect(empty).toContain("<Calories>0</Calories>");
    const bare = exportTcx({ metadata: metadata(), columns: samplesToColumns([{ time: T0 }]) });
    expect(wellFormedError(bare)).toBeNull();
    expect(childNames(bare, "Lap")).toEqual([
      "TotalTimeSeconds",
      "DistanceMeters",
      "Calories",
      "Intensity",
      "TriggerMethod",
      "Track",
    ]);
    expect(childNames(bare, "Trackpoint")).toEqual(["Time"]);
  });

  it("writes positions exactly, with seven decimals", () => {
    const xml = exportTcx({ metadata: metadata(), columns: samplesToColumns(FULL) });
    expect(xml).toContain(
      "<LatitudeDegrees>47.6062000</LatitudeDegrees><LongitudeDegrees>-122.3321000</LongitudeDegrees>",
    );
    expect(xml).toContain(
      "<LatitudeDegrees>-0.0000005</LatitudeDegrees><LongitudeDegrees>179.9999999</LongitudeDegrees>",
    );
    expect(xml).toContain("<AltitudeMeters>-0.500</AltitudeMeters>");
    expect(trackpoints(xml)).toEqual(FULL.map(expected));
  });

  it("never writes a heart rate of 0, even from unvalidated columns", () => {
    const columns = samplesToColumns([
      { time: T0, heartRate: 0, cadence: 0, power: 0 },
      { time: T0 + 1000, heartRate: 0, cadence: 300 },
    ]);
    const xml = exportTcx({ metadata: metadata(), columns });
    expect(xml).not.toContain("<Value>0</Value>");
    expect(xml).not.toContain("HeartRateBpm");
    expect(xml).not.toContain("<Cadence>300</Cadence>");
    expect(childNames(xml, "Trackpoint")).toEqual(["Time", "Cadence", "Extensions"]);
  });

  it("writes one Lap per metadata lap with its start and trigger", () => {
    const samples: Sample[] = Array.from({ length: 10 }, (_, i) => ({
      time: T0 + i * 1000,
      power: 100 + i,
      distance: i * 5000,
    }));
    const laps: Lap[] = [
      { id: "b", start: T0 + 4000, end: T0 + 7000, trigger: "distance" },
      { id: "a", start: T0, end: T0 + 4000, trigger: "manual" },
      { id: "c", start: T0 + 7000, end: null, trigger: "position" },
    ];
    const xml = exportTcx({ metadata: metadata({ laps }), columns: samplesToColumns(samples) });
    expect(wellFormedError(xml)).toBeNull();
    expect(lapStarts(xml)).toEqual([T0, T0 + 4000, T0 + 7000]);
    expect([...xml.matchAll(/<TriggerMethod>(\w+)<\/TriggerMethod>/g)].map((m) => m[1])).toEqual([
      "Manual",
      "Distance",
      "Location",
    ]);
    expect(xml).toContain("<TotalTimeSeconds>3.000</TotalTimeSeconds><DistanceMeters>15.000");
    const perLap = xml
      .split("<Lap ")
      .slice(1)
      .map((lap) => trackpoints(lap).length);
    expect(perLap).toEqual([4, 3, 3]);
  });

  it("escapes the creator and notes", () => {
    const xml = exportTcx({
      metadata: metadata({ notes: 'Lake <loop> & "back"\u0001' }),
      columns: samplesToColumns(FULL),
      creator: "R&D <tools>",
    });
    expect(wellFormedError(xml)).toBeNull();
    expect(xml).toContain("<Notes>Lake &#60;loop&#62; &#38; &#34;back&#34;</Notes>");
    expect(xml).toContain("<Name>R&#38;D &#60;tools&#62;</Name>");
    expect(childNames(xml, "Activity")).toEqual(["Id", "Lap", "Notes"]);
    expect(childNames(xml, "TrainingCenterDatabase")).toEqual(["Activities", "Author"]);
  });

  it("round-trips every sample of any ride exactly, in a well-formed document", () => {
    fc.assert(
      fc.property(rideArbitrary({ maxLength: 60 }), (ride) => {
        const xml = exportTcx({
          metadata: metadata({ startTime: ride[0]?.time ?? T0 }),
          columns: samplesToColumns(ride),
        });
        expect(wellFormedError(xml)).toBeNull();
        expect(xml).not.toContain("<Value>0</Value>");
        expect(trackpoints(xml)).toEqual(ride.map(expected));
        for (let i = 0; i < ride.length; i++) {
          const names = childNames(xml, "Trackpoint", i);
          const order = [
            "Time",
            "Position",
            "AltitudeMeters",
            "DistanceMeters",
            "HeartRateBpm",
            "Cadence",
            "Extensions",
          ];
          expect(names).toEqual(order.filter((n) => names.includes(n)));
        }
        const lap = childNames(xml, "Lap");
        expect(lap).toEqual(LAP_ORDER.filter((n) => lap.includes(n)));
      }),
      { numRuns: 200 },
    );
  });

  it("puts every sample in exactly one lap, the last one started by its time", () => {
    fc.assert(
      fc.property(
        rideArbitrary({ maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (ride, cuts) => {
          const starts = [...new Set(cuts.map((c) => (ride[c % ride.length] as Sample).time))];
          const laps: Lap[] = starts.map((start, k) => ({
            id: `lap${k}`,
            start,
            end: null,
            trigger: "time",
          }));
          const xml = exportTcx({ metadata: metadata({ laps }), columns: samplesToColumns(ride) });
          expect(wellFormedError(xml)).toBeNull();
          const sorted = [...starts].sort((a, b) => a - b);
          expect(lapStarts(xml)).toEqual(sorted.length > 0 ? sorted : [ride[0]?.time]);
          const perLap = xml.split("<Lap ").slice(1).map(trackpoints);
          expect(perLap.flat()).toEqual(ride.map(expected));
          perLap.forEach((points, k) => {
            for (const p of points) {
              if (k > 0) expect(p.time).toBeGreaterThanOrEqual(sorted[k] as number);
              if (k + 1 < sorted.length) expect(p.time).toBeLessThan(sorted[k + 1] as number);
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
