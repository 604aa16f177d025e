/**
 * GPX 1.1 export with Garmin's TrackPointExtension v2 (heart rate, cadence, speed) and
 * power in Garmin's PowerExtension v1 (`<pwr:PowerInWatts>`, what Garmin devices write).
 * Strava's bare `<power>` element is not used: it sits in the GPX namespace, where the GPX
 * schema allows no extension element, so such files fail validation. GPX requires `lat` and `lon` on every
 * track point, so a ride without positions (an indoor ride) has no valid GPX: that is an
 * error that says so, not an empty file. Samples without a position are left out.
 */
import { err, ok, type Result } from "../../result.js";
import type { SampleColumns } from "../../workout/columns.js";
import type { WorkoutMetadata } from "../../workout/metadata.js";

/** Why a workout cannot be exported as GPX. */
export interface GpxError {
  readonly code: "no-positions";
  readonly message: string;
}

/** What `exportGpx` needs. */
export interface GpxExportInput {
  readonly metadata: WorkoutMetadata;
  readonly columns: SampleColumns;
  /** The `creator` attribute (default "ridevault"). */
  readonly creator?: string;
}

const GPX_NS = "http://www.topografix.com/GPX/1/1";
const TPX_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2";
const PWR_NS = "http://www.garmin.com/xmlschemas/PowerExtension/v1";
const SCHEMAS =
  "http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd " +
  "http://www.garmin.com/xmlschemas/TrackPointExtension/v2 " +
  "http://www.garmin.com/xmlschemas/TrackPointExtensionv2.xsd " +
  "http://www.garmin.com/xmlschemas/PowerExtension/v1 " +
  "http://www.garmin.com/xmlschemas/PowerExtensionv1.xsd";

/** The workout as a GPX 1.1 document, or `no-positions` when it has no GPS track. */
export function exportGpx(input: GpxExportInput): Result<string, GpxError> {
  const { columns, metadata } = input;
  const points: string[] = [];
  for (let i = 0; i < columns.length; i++) {
    const lat = columns.lat[i] as number;
    const lon = columns.lon[i] as number;
    if (Number.isNaN(lat) || Number.isNaN(lon)) continue;
    points.push(trackPoint(columns, i, lat, lon));
  }
  if (points.length === 0) {
    return err({
      code: "no-positions",
      message:
        "this workout has no GPS positions (an indoor ride?), and every GPX track point needs one; export FIT or TCX instead",
    });
  }
  const name = escapeXml(metadata.title || "Ride");
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<gpx version="1.1" creator="${escapeXml(input.creator ?? "ridevault")}" xmlns="${GPX_NS}" xmlns:gpxtpx="${TPX_NS}" xmlns:pwr="${PWR_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${SCHEMAS}">`,
    `  <metadata><name>${name}</name><time>${iso(metadata.startTime)}</time></metadata>`,
    "  <trk>",
    `    <name>${name}</name>`,
    `    <type>${metadata.sport}</type>`,
    "    <trkseg>",
    ...points,
    "    </trkseg>",
    "  </trk>",
    "</gpx>",
    "",
  ];
  return ok(lines.join("\n"));
}

function trackPoint(columns: SampleColumns, i: number, lat: number, lon: number): string {
  const parts = [`      <trkpt lat="${degrees(lat)}" lon="${degrees(lon)}">`];
  const altitude = columns.altitude[i] as number;
  if (!Number.isNaN(altitude)) parts.push(`<ele>${(altitude / 1000).toFixed(3)}</ele>`);
  parts.push(`<time>${iso(columns.time[i] as number)}</time>`);
  const extensions: string[] = [];
  const power = columns.power[i] as number;
  if (!Number.isNaN(power)) extensions.push(`<pwr:PowerInWatts>${power}</pwr:PowerInWatts>`);
  // TrackPointExtension v2 order: atemp, wtemp, depth, hr, cad, speed, course, bearing.
  const tpx: string[] = [];
  const hr = columns.heartRate[i] as number;
  if (!Number.isNaN(hr)) tpx.push(`<gpxtpx:hr>${hr}</gpxtpx:hr>`);
  const cadence = columns.cadence[i] as number;
  if (!Number.isNaN(cadence)) tpx.push(`<gpxtpx:cad>${cadence}</gpxtpx:cad>`);
  const speed = columns.speed[i] as number;
  if (!Number.isNaN(speed)) tpx.push(`<gpxtpx:speed>${(speed / 1000).toFixed(3)}</gpxtpx:speed>`);
  if (tpx.length > 0)
    extensions.push(`<gpxtpx:TrackPointExtension>${tpx.join("")}</gpxtpx:TrackPointExtension>`);
  if (extensions.length > 0) parts.push(`<extensions>${extensions.join("")}</extensions>`);
  parts.push("</trkpt>");
  return parts.join("");
}

/** Degrees from degrees × 1e7, exactly (seven decimals). */
function degrees(e7: number): string {
  const sign = e7 < 0 ? "-" : "";
  const abs = Math.abs(e7);
  return `${sign}${Math.floor(abs / 1e7)}.${String(abs % 1e7).padStart(7, "0")}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
