/**
 * The app's one seam to recording. Pages talk to a `RecorderPort`; `createRecorder` wires
 * the recorder package's recording session to the vault: the session's sources are the
 * rider's sensors (`SensorRack`: Bluetooth sensors and the simulator), its target is
 * `vault.workouts.record()`, and its clock is the ride clock (`?speed=N` runs it N times
 * faster, for demos and tests). Pausing, auto-pause, laps, 1 Hz samples and source choice
 * are the session's; this module keeps the ride's bookmark so an unfinished ride can be
 * resumed or finished after a reload (`unfinished-ride.ts`).
 */
import { err, ok, type Result, type Vault } from "@ridevault/core/browser";
import {
  createRecordingSession,
  type SessionOptions,
  type SessionTarget,
} from "@ridevault/recorder";
import { type ActiveRecording, createActiveRecording } from "./active-recording.js";
import { anchorAt, createRideClock, type RideClock, type RideClockAnchor } from "./ride-clock.js";
import {
  clearRideMarker,
  type MarkerStorage,
  type RideMarker,
  type RideSettings,
  saveRideMarker,
} from "./ride-marker.js";
import { type SensorRack, SIMULATOR } from "./sensor-rack.js";
import {
  continuationTarget,
  findUnfinishedRide,
  finishRide,
  type UnfinishedRide,
} from "./unfinished-ride.js";

/** A recording in progress, and what it shows (see `active-recording.ts`). */
export type { ActiveRecording, LiveState } from "./active-recording.js";

/** Why a recording could not start, resume or finish. */
export interface RecorderError {
  readonly code: "recorder-start-failed" | "recorder-resume-failed" | "recorder-finish-failed";
  readonly message: string;
}

/** Starts, resumes and finishes recordings. */
export interface RecorderPort {
  /** The rider's sensors. */
  readonly sensors: SensorRack;
  /** The recording in progress, if any (it outlives the Record page). */
  readonly active: ActiveRecording | null;
  /** Calls `listener` when `active` changes; returns an unsubscribe. */
  onActive(listener: () => void): () => void;
  start(options: {
    readonly vault: Vault;
    readonly title: string;
    readonly settings: RideSettings;
  }): Promise<Result<ActiveRecording, RecorderError>>;
  /** The ride a reload or crash left unfinished, if any. */
  findUnfinished(vault: Vault): Promise<UnfinishedRide | undefined>;
  resume(options: {
    readonly vault: Vault;
    readonly ride: UnfinishedRide;
  }): Promise<Result<ActiveRecording, RecorderError>>;
  /** Ends an unfinished ride as it stands. */
  finish(options: {
    readonly vault: Vault;
    readonly ride: UnfinishedRide;
  }): Promise<Result<string, RecorderError>>;
}

/** Options of `createRecorder`. */
export interface RecorderOptions {
  readonly sensors: SensorRack;
  /** Ride seconds per wall-clock second (default 1). */
  readonly speed?: number;
  /** Where the ride's bookmark is kept; default `localStorage`. */
  readonly storage?: MarkerStorage;
}

/** Auto-pause below 1 m/s (3.6 km/h) for 5 s. */
const AUTO_PAUSE = { metric: "speed", below: 1000, seconds: 5 } as const;

/** A recorder over the recorder package's session; see the module comment. */
export function createRecorder(options: RecorderOptions): RecorderPort {
  const storage = options.storage ?? localStorage;
  const listeners = new Set<() => void>();
  let active: ActiveRecording | null = null;
  /** True from a start or resume until it has its session (one ride at a time). */
  let busy = false;
  const setActive = (recording: ActiveRecording | null) => {
    active = recording;
    for (const listener of [...listeners]) listener();
  };

  const run = async (parts: {
    readonly target: SessionTarget;
    readonly marker: RideMarker;
    readonly ride: RideClock;
    readonly offset: {
      readonly timerMs: number;
      readonly distanceMm: number;
      readonly laps: number;
    };
  }): Promise<ActiveRecording> => {
    const { marker, offset } = parts;
    const { autoPause, lapEveryKm, lapEveryMin } = marker.settings;
    const sessionOptions: SessionOptions = {
      target: parts.target,
      sources: options.sensors.sources(),
      clock: parts.ride.clock,
      // The simulator plays up to now before the session closes the seconds that ended.
      timers: {
        setTimeout: (callback, ms) =>
          parts.ride.timers.setTimeout(() => {
            options.sensors.step();
            callback();
          }, ms),
        clearTimeout: (handle) => parts.ride.timers.clearTimeout(handle),
      },
      ...(autoPause && { autoPause: AUTO_PAUSE }),
      ...((lapEveryKm !== null || lapEveryMin !== null) && {
        autoLap: {
          ...(lapEveryKm !== null && { everyMetres: Math.round(lapEveryKm * 1000) }),
          ...(lapEveryMin !== null && { everyMs: Math.round(lapEveryMin * 60_000) }),
        },
      }),
    };
    const session = createRecordingSession(sessionOptions);
    const step = () => options.sensors.step();
    const recording = createActiveRecording({ session, marker, offset, storage, step });
    saveRideMarker(storage, marker);
    session.start();
    await options.sensors.beginRide(parts.ride);
    const stop = recording.stop;
    setActive({
      ...recording,
      get state() {
        return recording.state;
      },
      async stop() {
        await stop();
        await options.sensors.endRide();
        clearRideMarker(storage);
        setActive(null);
      },
    });
    return active as ActiveRecording;
  };

  const start = async (
    vault: Vault,
    title: string,
    settings: RideSettings,
  ): Promise<Result<ActiveRecording, RecorderError>> => {
    const anchor = anchorAt(options.speed ?? 1);
    const ride = createRideClock(anchor);
    // A trainer or the simulator means indoors; sensors alone say nothing either way.
    const indoor = options.sensors.sensors.some(
      (s) => s.name === "trainer" || s.name === SIMULATOR,
    );
    const created = await vault.workouts.create({
      title,
      startTime: ride.clock.now(),
      ...(indoor && { subSport: "indoor" as const }),
    });
    if (!created.ok) return failed("recorder-start-failed", created.error.message);
    const recorded = await vault.workouts.record(created.value.id);
    if (!recorded.ok) return failed("recorder-start-failed", recorded.error.message);
    const marker: RideMarker = {
      workoutId: created.value.id,
      title,
      anchor,
      settings,
      sources: {},
    };
    const offset = { timerMs: 0, distanceMm: 0, laps: 0 };
    return ok(await run({ target: recorded.value, marker, ride, offset }));
  };

  const resume = async (
    vault: Vault,
    ride: UnfinishedRide,
  ): Promise<Result<ActiveRecording, RecorderError>> => {
    const recorded = await vault.workouts.record(ride.marker.workoutId);
    if (!recorded.ok) return failed("recorder-resume-failed", recorded.error.message);
    const anchor = continuingAnchor(ride.marker.anchor, ride.lastTime);
    const marker = { ...ride.marker, anchor };
    const target = continuationTarget(recorded.value, ride);
    const offset = { timerMs: ride.timerMs, distanceMm: ride.distanceMm, laps: ride.laps };
    return ok(await run({ target, marker, ride: createRideClock(anchor), offset }));
  };

  return {
    sensors: options.sensors,
    get active() {
      return active;
    },
    onActive(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start({ vault, title, settings }) {
      if (active || busy)
        return failed("recorder-start-failed", "a ride is already being recorded");
      busy = true;
      try {
        return await start(vault, title, settings);
      } finally {
        busy = false;
      }
    },
    findUnfinished: (vault) => findUnfinishedRide(vault, storage),
    async resume({ vault, ride }) {
      if (active || busy)
        return failed("recorder-resume-failed", "a ride is already being recorded");
      busy = true;
      try {
        return await resume(vault, ride);
      } finally {
        busy = false;
      }
    },
    async finish({ vault, ride }) {
      const recorded = await vault.workouts.record(ride.marker.workoutId);
      if (!recorded.ok) return failed("recorder-finish-failed", recorded.error.message);
      await finishRide(recorded.value, ride);
      clearRideMarker(storage);
      return ok(ride.marker.workoutId);
    },
  };
}

/** The anchor to go on with: the ride's own, unless its time would not be after `lastTime`. */
function continuingAnchor(anchor: RideClockAnchor, lastTime: number | undefined): RideClockAnchor {
  const now = Date.now();
  if (lastTime === undefined || createRideClock(anchor).clock.now() > lastTime + 1000) {
    return anchor;
  }
  return { wall: now, ride: lastTime + 1000, speed: anchor.speed };
}

function failed(code: RecorderError["code"], message: string): Result<never, RecorderError> {
  return err({ code, message });
}
