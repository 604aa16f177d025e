/**
 * A ride left unfinished by a reload or a crashed tab. When the vault opens, core's crash
 * log recovery has already sealed every second the recording had appended (so at most the
 * second in progress is lost); this module finds the ride (the bookmark in `ride-marker.ts`,
 * or a recovered workout without an end time), says how much of it there is, and either
 * continues it — a new recording session whose samples, timer time and laps carry on from
 * the recorded part (`continuationTarget`) — or finishes it as it stands (`finishRide`).
 */
import type { Recording, Vault, Workout } from "@ridevault/core/browser";
import type { SessionTarget } from "@ridevault/recorder";
import { anchorAt } from "./ride-clock.js";
import {
  clearRideMarker,
  DEFAULT_RIDE_SETTINGS,
  loadRideMarker,
  type MarkerStorage,
  type RideMarker,
} from "./ride-marker.js";

/** An unfinished ride and what it holds so far. */
export interface UnfinishedRide {
  readonly marker: RideMarker;
  /** Recorded seconds × 1000. */
  readonly timerMs: number;
  /** Metres recorded by this device, from the last sample's distance. */
  readonly distanceMm: number;
  /** Laps already closed. */
  readonly laps: number;
  /** Where the next lap starts: the end of the last closed lap, or the first sample. */
  readonly lapStart: number | undefined;
  /** The last recorded second, Unix ms (ride clock). */
  readonly lastTime: number | undefined;
  /** Seconds core recovered from the crash log when the vault opened. */
  readonly recovered: number;
}

/** Finds the ride left unfinished in `vault`, if any (a stale bookmark is dropped). */
export async function findUnfinishedRide(
  vault: Vault,
  storage: MarkerStorage,
): Promise<UnfinishedRide | undefined> {
  const marker = loadRideMarker(storage) ?? recoveredMarker(vault);
  if (marker === undefined) return undefined;
  const entry = vault.workouts.get(marker.workoutId);
  const opened = entry && !entry.deletedAt ? await vault.workouts.open(marker.workoutId) : null;
  if (!opened?.ok || opened.value.metadata().endTime !== null) {
    clearRideMarker(storage);
    return undefined;
  }
  const workout = opened.value;
  const times = workout.samples().columns.time;
  const laps = workout.metadata().laps;
  const recovered = vault.recovery.recovered.find((r) => r.workoutId === marker.workoutId);
  return {
    marker,
    timerMs: times.length * 1000,
    distanceMm: workout.progressOf(vault.deviceId).lastDistance ?? 0,
    laps: laps.length,
    lapStart: laps.at(-1)?.end ?? times[0],
    lastTime: times.length > 0 ? times[times.length - 1] : undefined,
    recovered: recovered?.samples ?? 0,
  };
}

/**
 * A target for a session that continues `ride` in `recording`: distances and timer time go
 * on from the recorded part, and the session's first lap starts where the recorded laps
 * ended (so laps stay contiguous across the reload).
 */
export function continuationTarget(recording: Recording, ride: UnfinishedRide): SessionTarget {
  let firstLap = true;
  return {
    append: (sample) =>
      recording.append(
        sample.distance === undefined
          ? sample
          : { ...sample, distance: sample.distance + ride.distanceMm },
      ),
    finish: (options) => recording.finish(options),
    workout: {
      addLap(lap) {
        const start = firstLap && ride.lapStart !== undefined ? ride.lapStart : lap.start;
        firstLap = false;
        return recording.workout.addLap({ ...lap, start: Math.min(start, lap.start) });
      },
      update: (patch) => recording.workout.update({ timerTime: patch.timerTime + ride.timerMs }),
    },
  };
}

/** Ends `ride` as recorded: its last lap, timer time, end time and library summary. */
export async function finishRide(recording: Recording, ride: UnfinishedRide): Promise<void> {
  const workout: Workout = recording.workout;
  if (ride.lastTime !== undefined) {
    const end = ride.lastTime + 1000;
    if (ride.lapStart !== undefined && ride.lapStart < end) {
      workout.addLap({ start: ride.lapStart, end, trigger: "session-end" });
    }
    workout.update({ timerTime: ride.timerMs });
    await recording.finish({ endTime: end });
  } else {
    await recording.finish({ endTime: ride.marker.anchor.ride });
  }
}

/** A bookmark for a workout core recovered samples of and that has no end time yet. */
function recoveredMarker(vault: Vault): RideMarker | undefined {
  for (const { workoutId } of vault.recovery.recovered) {
    const entry = vault.workouts.get(workoutId);
    if (entry === undefined || entry.deletedAt) continue;
    return {
      workoutId,
      title: entry.title,
      anchor: anchorAt(1),
      settings: DEFAULT_RIDE_SETTINGS,
      sources: {},
    };
  }
  return undefined;
}
