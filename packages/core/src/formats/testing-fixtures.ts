/**
 * Fixtures the format tests share (and bench/formats, through the build): the metadata of a
 * workout with every optional part empty, which is all an exporter needs besides the
 * samples. Not part of the public API (neither index.ts nor "@ridevault/core/testing").
 */
import type { AnalyticsSettings, WorkoutMetadata } from "../workout/metadata.js";

/** What `metadataFixture` may change; settings not given stay null. */
export type MetadataOverrides = Partial<Omit<WorkoutMetadata, "settings">> & {
  readonly settings?: Partial<AnalyticsSettings>;
};

/**
 * The metadata of an untitled cycling workout started and created at `startTime`, without
 * notes, sub-sport, settings, devices, laps or tags; `overrides` replaces any field.
 */
export function metadataFixture(
  startTime: number,
  overrides: MetadataOverrides = {},
): WorkoutMetadata {
  const { settings, ...rest } = overrides;
  return {
    title: "",
    notes: "",
    sport: "cycling",
    subSport: null,
    startTime,
    endTime: null,
    timerTime: null,
    settings: { ftp: null, maxHeartRate: null, thresholdHeartRate: null, ...settings },
    devices: {},
    laps: [],
    tags: [],
    createdAt: startTime,
    updatedAt: startTime,
    deletedAt: null,
    ...rest,
  };
}
