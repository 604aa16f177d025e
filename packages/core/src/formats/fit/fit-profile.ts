/**
 * The part of the public FIT profile that `exportFit` writes: global message numbers, field
 * numbers with their base types, and the enum values for sports, events and lap triggers.
 * Every number here is checked by export-fit.test.ts, which decodes our files with an
 * independent decoder and looks each field up by name.
 *
 * | message      | global | fields used (number name)                                        |
 * |--------------|--------|------------------------------------------------------------------|
 * | file_id      | 0      | 0 type, 1 manufacturer, 2 product, 4 time_created                |
 * | session      | 18     | 253 timestamp, 254 message_index, 0 event, 1 event_type,          |
 * |              |        | 2 start_time, 3/4 start_position_lat/long, 5 sport, 6 sub_sport,  |
 * |              |        | 7 total_elapsed_time, 8 total_timer_time, 9 total_distance,       |
 * |              |        | 11 total_calories, 14/15 avg/max_speed, 16/17 avg/max_heart_rate, |
 * |              |        | 18/19 avg/max_cadence, 20/21 avg/max_power, 25 first_lap_index,   |
 * |              |        | 26 num_laps, 28 trigger, 34 normalized_power,                     |
 * |              |        | 35 training_stress_score, 36 intensity_factor,                    |
 * |              |        | 45 threshold_power, 48 total_work                                 |
 * | lap          | 19     | 253 timestamp, 254 message_index, 0 event, 1 event_type,          |
 * |              |        | 2 start_time, 7 total_elapsed_time, 8 total_timer_time,           |
 * |              |        | 9 total_distance, 13/14 avg/max_speed, 15/16 avg/max_heart_rate,  |
 * |              |        | 17/18 avg/max_cadence, 19/20 avg/max_power, 24 lap_trigger,       |
 * |              |        | 25 sport, 41 total_work                                           |
 * | record       | 20     | 253 timestamp, 0 position_lat, 1 position_long, 2 altitude,       |
 * |              |        | 3 heart_rate, 4 cadence, 5 distance, 6 speed, 7 power             |
 * | event        | 21     | 253 timestamp, 0 event, 1 event_type, 4 event_group               |
 * | device_info  | 23     | 253 timestamp, 0 device_index, 2 manufacturer, 4 product,         |
 * |              |        | 5 software_version, 27 product_name                               |
 * | activity     | 34     | 253 timestamp, 0 total_timer_time, 1 num_sessions, 2 type,        |
 * |              |        | 3 event, 4 event_type, 5 local_timestamp                          |
 * | hrv          | 78     | 0 time (array)                                                    |
 *
 * Scales: times s×1000, distance m×100, speed m/s×1000, altitude (m + 500)×5,
 * training_stress_score ×10, intensity_factor ×1000, software_version ×100; positions in
 * semicircles (2^31 per 180°).
 */
import type { LapTrigger, Sport, SubSport } from "../../workout/metadata.js";

/** Global message numbers. */
export const MESG = {
  fileId: 0,
  session: 18,
  lap: 19,
  record: 20,
  event: 21,
  deviceInfo: 23,
  activity: 34,
  hrv: 78,
} as const;

/** `file` enum: an activity file. */
export const FILE_ACTIVITY = 4;
/** `manufacturer` enum: development (a product without a Garmin-assigned number). */
export const MANUFACTURER_DEVELOPMENT = 255;

/** `event` enum values used here. */
export const EVENT = { timer: 0, session: 8, lap: 9, activity: 26 } as const;
/** `event_type` enum values used here. */
export const EVENT_TYPE = { start: 0, stop: 1, stopAll: 4 } as const;
/** `session_trigger` activity_end; `activity_type` manual. */
export const SESSION_TRIGGER_ACTIVITY_END = 0;
export const ACTIVITY_TYPE_MANUAL = 0;

/** `sport` enum by our sport. */
export const SPORT_NUMBERS: Readonly<Record<Sport, number>> = {
  cycling: 2,
  running: 1,
  walking: 11,
  hiking: 17,
  rowing: 15,
  other: 0,
};

/** `sub_sport` enum values: generic, and the cycling ones by our sub-sport. */
export const SUB_SPORT_GENERIC = 0;
export const SUB_SPORT_INDOOR_CYCLING = 6;
export const CYCLING_SUB_SPORT_NUMBERS: Readonly<Record<SubSport, number>> = {
  road: 7,
  mountain: 8,
  gravel: 46,
  indoor: 6,
  virtual: 58,
  track: 13,
  commute: 48,
  "e-bike": 28,
};

/** `lap_trigger` enum by our lap trigger. */
export const LAP_TRIGGER_NUMBERS: Readonly<Record<LapTrigger, number>> = {
  manual: 0,
  time: 1,
  distance: 2,
  position: 4,
  "session-end": 7,
};

/**
 * The sub_sport of a ride: indoor cycling when no sample has a position (whatever the
 * metadata says, as no outdoor ride was recorded), else the metadata's cycling sub-sport, or
 * generic. Sports other than cycling are always generic.
 */
export function subSportNumber(
  sport: Sport,
  subSport: SubSport | null,
  hasPosition: boolean,
): number {
  if (sport !== "cycling") return SUB_SPORT_GENERIC;
  if (!hasPosition) {
    return subSport === "virtual" ? CYCLING_SUB_SPORT_NUMBERS.virtual : SUB_SPORT_INDOOR_CYCLING;
  }
  return subSport === null ? SUB_SPORT_GENERIC : CYCLING_SUB_SPORT_NUMBERS[subSport];
}
