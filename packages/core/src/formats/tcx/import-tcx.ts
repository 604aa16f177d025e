/**
 * Imports a TCX (Garmin TrainingCenterDatabase v2) activity, as Garmin Connect, Strava,
 * Wahoo and most trainer apps write it. Trackpoints become samples (speed and watts from the
 * ActivityExtension's `TPX`, under any prefix), each `Lap` a lap ending where the next one
 * starts (the last one at its last trackpoint), and a gap between two `Track`s a pause. The
 * first `Activity` is imported; `Sport` maps Biking → cycling, Running → running, else other.
 * Files are tolerant about optional elements but strict about XML (see read-xml.ts).
 */
import type { Result } from "../../result.js";
import type { LapTrigger, Sport } from "../../workout/metadata.js";
import {
  finishImport,
  type ImportError,
  type ImportedLap,
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

const TRIGGERS: Readonly<Record<string, LapTrigger>> = {
  Manual: "manual",
  Distance: "distance",
  Time: "time",
  Location: "position",
  Position: "position",
};

/** Reads a TCX document into an `ImportedWorkout`. */
export function importTcx(text: string): Result<ImportedWorkout, ImportError> {
  const samples: RawSample[] = [];
  const tracks = new SegmentGaps(samples);
  /** The last sample time of each lap of the first activity. */
  const lastByLap = new Map<XmlElement, number | undefined>();
  let activityDone = false;
  let lapFrom = 0;
  const inActivity = (ancestors: readonly XmlElement[]) =>
    !activityDone && ancestors.some((a) => a.local === "Activity");
  const lastTime = () => samples[samples.length - 1]?.time;
  // Trackpoints become samples as they stream past; laps stay in the tree, without tracks.
  const parsed = readXml(text, {
    onClose: (element, ancestors) => {
      switch (element.local) {
        case "Trackpoint": {
          const sample = inActivity(ancestors) ? trackpointToSample(element) : undefined;
          if (sample) samples.push(sample);
          return true;
        }
        case "Track":
          tracks.close();
          return true;
        case "Lap":
          if (inActivity(ancestors)) {
            lastByLap.set(element, samples.length > lapFrom ? lastTime() : undefined);
            lapFrom = samples.length;
            tracks.restart();
          }
          return false;
        case "Activity":
          activityDone = true;
          return false;
        default:
          return false;
      }
    },
  });
  if (!parsed.ok) return parsed;
  const root = parsed.value;
  if (root.local !== "TrainingCenterDatabase") {
    return importError(
      "wrong-document",
      `this is not a TCX file (its root element is <${root.name}>)`,
    );
  }
  const activities = child(root, "Activities");
  const activity = activities ? child(activities, "Activity") : undefined;
  if (!activity) return importError("no-samples", "this TCX file has no Activity to import");
  const laps: ImportedLap[] = [];
  const lapElements = children(activity, "Lap");
  lapElements.forEach((lap, k) => {
    const start = parseDateTime(lap.attributes.StartTime);
    if (start === undefined) return;
    const nextStart = parseDateTime(lapElements[k + 1]?.attributes.StartTime);
    const end = nextStart ?? lastByLap.get(lap) ?? start;
    const trigger = TRIGGERS[childText(lap, "TriggerMethod") ?? ""] ?? "manual";
    laps.push({ start, end: Math.max(start, end), trigger });
  });
  const author = child(root, "Author");
  const creator = child(activity, "Creator");
  const device = childText(creator ?? author ?? activity, "Name") ?? null;
  const notes = childText(activity, "Notes") ?? null;
  return finishImport({
    format: "tcx",
    startTime: parseDateTime(childText(activity, "Id")) ?? null,
    sport: sportOf(activity.attributes.Sport),
    subSport: null,
    title: null,
    notes: notes === "" ? null : notes,
    device: device === "" ? null : device,
    ftp: null,
    samples,
    laps: laps.length > 1 ? laps : [],
    pauses: tracks.pauses,
  });
}

function sportOf(sport: string | undefined): Sport {
  if (sport === "Biking") return "cycling";
  if (sport === "Running") return "running";
  return "other";
}

function trackpointToSample(point: XmlElement): RawSample | undefined {
  const time = parseDateTime(childText(point, "Time"));
  if (time === undefined) return undefined;
  const sample: RawSample = { time };
  const position = child(point, "Position");
  if (position) {
    const lat = parseDecimal(childText(position, "LatitudeDegrees"));
    const lon = parseDecimal(childText(position, "LongitudeDegrees"));
    if (lat !== undefined && lon !== undefined) {
      sample.lat = Math.round(lat * 1e7);
      sample.lon = Math.round(lon * 1e7);
    }
  }
  setScaled(sample, "altitude", childText(point, "AltitudeMeters"), 1000);
  setScaled(sample, "distance", childText(point, "DistanceMeters"), 1000);
  const hr = child(point, "HeartRateBpm");
  if (hr) setScaled(sample, "heartRate", childText(hr, "Value"), 1);
  setScaled(sample, "cadence", childText(point, "Cadence"), 1);
  const extensions = child(point, "Extensions");
  const tpx = extensions ? child(extensions, "TPX") : undefined;
  if (tpx) {
    setScaled(sample, "speed", childText(tpx, "Speed"), 1000);
    setScaled(sample, "power", childText(tpx, "Watts"), 1);
  }
  return sample;
}

function setScaled(
  sample: RawSample,
  field: "altitude" | "distance" | "heartRate" | "cadence" | "speed" | "power",
  text: string | undefined,
  scale: number,
): void {
  const value = parseDecimal(text);
  if (value !== undefined) sample[field] = Math.round(value * scale);
}
