/**
 * TCX (Garmin TrainingCenterDatabase v2) export with the ActivityExtension v2 for speed and
 * power. The schema enforces element order and Garmin Connect rejects files that break it,
 * so every element is written in schema order and optional values are left out rather than
 * written as zeros: a heart rate of 0 is invalid, a missing cadence is not 0 rpm. TCX has no
 * indoor flag; a ride without positions simply has trackpoints without `Position`.
 *
 * Units: sample values are integers (mm, mm/s, degrees × 1e7) and are written with exact
 * decimal expansions (3 decimals for metres, 7 for degrees), so they read back exactly.
 */
import type { SampleColumns } from "../../workout/columns.js";
import type { LapTrigger, WorkoutMetadata } from "../../workout/metadata.js";
import type { WorkoutSummary } from "../../workout/summary.js";
import { planLaps, type TcxLap } from "./tcx-laps.js";

/** What `exportTcx` needs. */
export interface TcxExportInput {
  readonly metadata: WorkoutMetadata;
  /** The workout's merged sample columns. */
  readonly columns: SampleColumns;
  /** The application name written as the document's `Author` (default "ridevault"). */
  readonly creator?: string;
}

const TCD_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2";
const AX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2";
const SCHEMAS =
  `${TCD_NS} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd ` +
  `${AX_NS} http://www.garmin.com/xmlschemas/ActivityExtensionv2.xsd`;

const TRIGGER_METHODS: Readonly<Record<LapTrigger, string>> = {
  manual: "Manual",
  distance: "Distance",
  time: "Time",
  position: "Location",
  // TCX has no "end of session" trigger; the rider ending the ride is a manual action.
  "session-end": "Manual",
};

/**
 * The workout as a TCX document: one `Lap` per lap in the metadata (or one for the whole
 * ride), each holding the trackpoints recorded during it. Never fails for valid columns.
 */
export function exportTcx(input: TcxExportInput): string {
  const { metadata, columns } = input;
  const laps = planLaps(metadata, columns).map((lap) => writeLap(columns, lap));
  const notes = metadata.notes === "" ? [] : [`      <Notes>${escapeXml(metadata.notes)}</Notes>`];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<TrainingCenterDatabase xmlns="${TCD_NS}" xmlns:ns3="${AX_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${SCHEMAS}">`,
    "  <Activities>",
    '    <Activity Sport="Biking">',
    `      <Id>${iso(metadata.startTime)}</Id>`,
    ...laps,
    ...notes,
    "    </Activity>",
    "  </Activities>",
    author(input.creator ?? "ridevault"),
    "</TrainingCenterDatabase>",
    "",
  ];
  return lines.join("\n");
}

function writeLap(columns: SampleColumns, lap: TcxLap): string {
  const s: WorkoutSummary = lap.summary;
  const parts = [`      <Lap StartTime="${iso(lap.start)}">`];
  parts.push(`<TotalTimeSeconds>${fromMilli(s.timerMs)}</TotalTimeSeconds>`);
  parts.push(`<DistanceMeters>${fromMilli(Math.max(0, s.distance ?? 0))}</DistanceMeters>`);
  if (s.maxSpeed !== null) parts.push(`<MaximumSpeed>${fromMilli(s.maxSpeed)}</MaximumSpeed>`);
  // Calories is required. Work in kJ approximates kcal burned (~25 % efficiency × 4.184).
  const kcal = s.work === null ? 0 : clamp(Math.round(s.work / 1000), 0, 65_535);
  parts.push(`<Calories>${kcal}</Calories>`);
  if (isHeartRate(s.avgHeartRate))
    parts.push(`<AverageHeartRateBpm><Value>${s.avgHeartRate}</Value></AverageHeartRateBpm>`);
  if (isHeartRate(s.maxHeartRate))
    parts.push(`<MaximumHeartRateBpm><Value>${s.maxHeartRate}</Value></MaximumHeartRateBpm>`);
  parts.push("<Intensity>Active</Intensity>");
  if (isCadence(s.avgCadence)) parts.push(`<Cadence>${s.avgCadence}</Cadence>`);
  parts.push(`<TriggerMethod>${TRIGGER_METHODS[lap.trigger]}</TriggerMethod>`);
  // The schema requires at least one Trackpoint in a Track, so an empty lap has none.
  if (lap.to > lap.from) {
    const points: string[] = [];
    for (let i = lap.from; i < lap.to; i++) points.push(trackpoint(columns, i));
    parts.push(`\n        <Track>\n${points.join("\n")}\n        </Track>\n        `);
  }
  const lx: string[] = [];
  if (s.avgSpeed !== null) lx.push(`<ns3:AvgSpeed>${fromMilli(s.avgSpeed)}</ns3:AvgSpeed>`);
  if (isCadence(s.maxCadence)) lx.push(`<ns3:MaxBikeCadence>${s.maxCadence}</ns3:MaxBikeCadence>`);
  if (s.avgPower !== null) lx.push(`<ns3:AvgWatts>${watts(s.avgPower)}</ns3:AvgWatts>`);
  if (s.maxPower !== null) lx.push(`<ns3:MaxWatts>${watts(s.maxPower)}</ns3:MaxWatts>`);
  if (lx.length > 0) parts.push(`<Extensions><ns3:LX>${lx.join("")}</ns3:LX></Extensions>`);
  parts.push("</Lap>");
  return parts.join("");
}

function trackpoint(columns: SampleColumns, i: number): string {
  const parts = [`          <Trackpoint><Time>${iso(columns.time[i] as number)}</Time>`];
  const lat = columns.lat[i] as number;
  const lon = columns.lon[i] as number;
  if (!Number.isNaN(lat) && !Number.isNaN(lon)) {
    parts.push(
      `<Position><LatitudeDegrees>${degrees(lat)}</LatitudeDegrees><LongitudeDegrees>${degrees(lon)}</LongitudeDegrees></Position>`,
    );
  }
  const altitude = columns.altitude[i] as number;
  if (!Number.isNaN(altitude))
    parts.push(`<AltitudeMeters>${fromMilli(altitude)}</AltitudeMeters>`);
  const distance = columns.distance[i] as number;
  if (!Number.isNaN(distance))
    parts.push(`<DistanceMeters>${fromMilli(distance)}</DistanceMeters>`);
  const hr = columns.heartRate[i] as number;
  if (isHeartRate(hr)) parts.push(`<HeartRateBpm><Value>${hr}</Value></HeartRateBpm>`);
  const cadence = columns.cadence[i] as number;
  if (isCadence(cadence)) parts.push(`<Cadence>${cadence}</Cadence>`);
  // ActivityTrackpointExtension order: Speed, RunCadence, Watts.
  const tpx: string[] = [];
  const speed = columns.speed[i] as number;
  if (!Number.isNaN(speed)) tpx.push(`<ns3:Speed>${fromMilli(speed)}</ns3:Speed>`);
  const power = columns.power[i] as number;
  if (!Number.isNaN(power)) tpx.push(`<ns3:Watts>${watts(power)}</ns3:Watts>`);
  if (tpx.length > 0) parts.push(`<Extensions><ns3:TPX>${tpx.join("")}</ns3:TPX></Extensions>`);
  parts.push("</Trackpoint>");
  return parts.join("");
}

/** Garmin's Application_t: name, build version, language and a part number of the pattern. */
function author(name: string): string {
  return (
    `  <Author xsi:type="Application_t"><Name>${escapeXml(name)}</Name>` +
    "<Build><Version><VersionMajor>1</VersionMajor><VersionMinor>0</VersionMinor></Version></Build>" +
    "<LangID>en</LangID><PartNumber>000-00000-00</PartNumber></Author>"
  );
}

/** HeartRateInBeatsPerMinute_t is 1–255: a 0 (no contact) or a gap is left out. */
function isHeartRate(v: number | null): v is number {
  return v !== null && Number.isInteger(v) && v >= 1 && v <= 255;
}

/** CadenceValue_t is 0–254. */
function isCadence(v: number | null): v is number {
  return v !== null && Number.isInteger(v) && v >= 0 && v <= 254;
}

function watts(v: number): number {
  return clamp(Math.round(v), 0, 65_535);
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, v));
}

/** Units from thousandths (mm → m, mm/s → m/s, ms → s), exactly (three decimals). */
function fromMilli(thousandths: number): string {
  return fixed(Math.round(thousandths), 1000, 3);
}

/** Degrees from degrees × 1e7, exactly (seven decimals). */
function degrees(e7: number): string {
  return fixed(Math.round(e7), 1e7, 7);
}

function fixed(scaled: number, unit: number, digits: number): string {
  const sign = scaled < 0 ? "-" : "";
  const abs = Math.abs(scaled);
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, "0")}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to drop.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;

/** Escapes markup and drops the control characters XML 1.0 cannot carry even as references. */
function escapeXml(text: string): string {
  const clean = text.replace(CONTROL_CHARACTERS, "");
  return clean.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
