/**
 * Imports a GPX 1.1 (or 1.0) track, as Strava, Komoot, Wahoo and Garmin write it. Track
 * points become samples: position from `lat`/`lon`, altitude from `ele`, and from
 * `extensions` Garmin's TrackPointExtension v1/v2 (`hr`, `cad`, `speed`, under any prefix)
 * and power from Garmin's PowerExtension (`PowerInWatts`) or a bare `power` element (Strava). A gap between
 * two track segments is a pause. Points without a `time` are skipped: a route is not a ride.
 * GPX has no laps. The title is the track's (else the metadata's) `name`; `type` names the
 * sport when it says cycling ("cycling", "biking", "ride", Strava's "1").
 */
import type { Result } from "../../result.js";
import type { Sport } from "../../workout/metadata.js";
import {
  finishImport,
  type ImportError,
  type ImportedWorkout,
  importError,
  type RawSample,
} from "../import/imported-workout.js";
import { SegmentGaps } from "../import/segment-gaps.js";
import {
  child,
  children,
  childText,
  parseDateTime,
  parseDecimal,
  readXml,
  type XmlElement,
} from "../xml/read-xml.js";

/** Reads a GPX document into an `ImportedWorkout`. */
export function importGpx(text: string): Result<ImportedWorkout, ImportError> {
  const samples: RawSample[] = [];
  const segments = new SegmentGaps(samples);
  // Track points become samples as they stream past; the tree keeps names and metadata.
  const parsed = readXml(text, {
    onClose: (element, ancestors) => {
      if (element.local === "trkpt") {
        const inTrack = ancestors.some((a) => a.local === "trk");
        const sample = inTrack ? pointToSample(element) : undefined;
        if (sample) samples.push(sample);
        return true;
      }
      if (element.local !== "trkseg") return false;
      segments.close();
      return true;
    },
  });
  if (!parsed.ok) return parsed;
  const root = parsed.value;
  if (root.local !== "gpx") {
    return importError(
      "wrong-document",
      `this is not a GPX file (its root element is <${root.name}>)`,
    );
  }
  const tracks = children(root, "trk");
  const metadata = child(root, "metadata");
  const track = tracks[0];
  const title =
    (track && childText(track, "name")) || (metadata && childText(metadata, "name")) || null;
  const notes =
    (track && childText(track, "desc")) || (metadata && childText(metadata, "desc")) || null;
  const creator = root.attributes.creator?.trim();
  return finishImport({
    format: "gpx",
    startTime: parseDateTime(metadata && childText(metadata, "time")) ?? null,
    sport: sportOf(track && childText(track, "type")),
    subSport: null,
    title,
    notes,
    device: creator ? creator : null,
    ftp: null,
    samples,
    laps: [],
    pauses: segments.pauses,
  });
}

function sportOf(type: string | undefined): Sport {
  if (type === undefined) return "cycling";
  const t = type.toLowerCase();
  if (["cycling", "biking", "ride", "road_biking", "mountain_biking", "1"].includes(t))
    return "cycling";
  if (["running", "run", "9"].includes(t)) return "running";
  if (["walking", "walk"].includes(t)) return "walking";
  if (["hiking", "hike"].includes(t)) return "hiking";
  return "other";
}

function pointToSample(point: XmlElement): RawSample | undefined {
  const time = parseDateTime(childText(point, "time"));
  const lat = parseDecimal(point.attributes.lat?.trim());
  const lon = parseDecimal(point.attributes.lon?.trim());
  if (time === undefined || lat === undefined || lon === undefined) return undefined;
  const sample: RawSample = { time, lat: Math.round(lat * 1e7), lon: Math.round(lon * 1e7) };
  const ele = parseDecimal(childText(point, "ele"));
  if (ele !== undefined) sample.altitude = Math.round(ele * 1000);
  const extensions = child(point, "extensions");
  if (!extensions) return sample;
  const power = parseDecimal(childText(extensions, "power"));
  if (power !== undefined) sample.power = Math.round(power);
  const watts = parseDecimal(childText(extensions, "PowerInWatts"));
  if (watts !== undefined && sample.power === undefined) sample.power = Math.round(watts);
  const tpx = child(extensions, "TrackPointExtension");
  if (tpx) {
    const hr = parseDecimal(childText(tpx, "hr"));
    if (hr !== undefined) sample.heartRate = Math.round(hr);
    const cad = parseDecimal(childText(tpx, "cad"));
    if (cad !== undefined) sample.cadence = Math.round(cad);
    const speed = parseDecimal(childText(tpx, "speed"));
    if (speed !== undefined) sample.speed = Math.round(speed * 1000);
  }
  return sample;
}
