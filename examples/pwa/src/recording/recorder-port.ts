/**
 * The app's one seam to recording. Pages talk to a `RecorderPort`; today's implementation,
 * `createSimulatedRecorder`, plays the recorder package's ride model (`rideStateAt`, the same
 * profile the sensor simulator plays) into `vault.workouts.record()` at 1 Hz of ride time.
 * When the recorder's recording session lands, it replaces this file's implementation and
 * nothing else changes. `speed` runs ride time faster than wall time (for demos and tests).
 */
import type { Result, Sample, Vault, WorkoutId } from "@ridevault/core/browser";
import { type RideProfile, rideStateAt } from "@ridevault/recorder";

/** What a recording shows while it runs. */
export interface LiveState {
  readonly status: "recording" | "paused" | "stopped";
  /** Timer time (pauses excluded), ms. */
  readonly timerMs: number;
  /** The last sample, if any. */
  readonly sample: Sample | null;
  /** Metres since the start. */
  readonly distanceM: number;
  readonly laps: number;
  /** The last error appending or saving, if any. */
  readonly error: string | null;
}

/** A recording in progress. */
export interface ActiveRecording {
  readonly workoutId: WorkoutId;
  readonly state: LiveState;
  /** Calls `listener` on every change of `state`; returns an unsubscribe. */
  subscribe(listener: (state: LiveState) => void): () => void;
  pause(): void;
  resume(): void;
  /** Ends the current lap and starts the next. */
  lap(): void;
  /** Ends the ride and saves it; resolves once it is in the vault. */
  stop(): Promise<void>;
}

/** Why a recording could not start. */
export interface RecorderError {
  readonly code: "recorder-start-failed";
  readonly message: string;
}

/** Starts recordings. */
export interface RecorderPort {
  start(options: {
    readonly vault: Vault;
    readonly title: string;
  }): Promise<Result<ActiveRecording, RecorderError>>;
}

/** Options of `createSimulatedRecorder`. */
export interface SimulatedRecorderOptions {
  /** Ride seconds per wall-clock second (default 1). */
  readonly speed?: number;
  readonly profile?: RideProfile;
}

const DEFAULT_PROFILE: RideProfile = {
  type: "intervals",
  cadence: 90,
  intervals: [
    { seconds: 60, watts: 150 },
    { seconds: 30, watts: 320, cadence: 100 },
    { seconds: 45, watts: 180 },
    { seconds: 20, watts: 420, cadence: 105 },
  ],
};

/** A recorder that rides the simulator's ride model. */
export function createSimulatedRecorder(options: SimulatedRecorderOptions = {}): RecorderPort {
  const speed = options.speed !== undefined && options.speed > 0 ? options.speed : 1;
  const profile = options.profile ?? DEFAULT_PROFILE;
  return {
    async start({ vault, title }) {
      const startTime = Date.now();
      const created = await vault.workouts.create({ title, startTime, subSport: "indoor" });
      if (!created.ok) return failed(created.error.message);
      const recorded = await vault.workouts.record(created.value.id);
      if (!recorded.ok) return failed(recorded.error.message);
      const recording = recorded.value;
      const workout = recording.workout;
      const listeners = new Set<(state: LiveState) => void>();
      let state: LiveState = {
        status: "recording",
        timerMs: 0,
        sample: null,
        distanceM: 0,
        laps: 0,
        error: null,
      };
      const set = (change: Partial<LiveState>) => {
        state = { ...state, ...change };
        for (const listener of listeners) listener(state);
      };
      // Ride time: 1 s per tick; pauses leave a gap in it as long as the pause (scaled).
      let rideMs = 0;
      let seconds = 0;
      let lapStart = startTime;
      let pausedAt = 0;
      let writes: Promise<unknown> = Promise.resolve();
      const tick = () => {
        const ride = rideStateAt(profile, seconds);
        const speedMmS = Math.round((ride.speedKmh / 3.6) * 1000);
        const distanceM = state.distanceM + speedMmS / 1000;
        const sample: Sample = {
          time: startTime + rideMs,
          power: ride.power,
          heartRate: ride.heartRate,
          cadence: Math.round(ride.cadence),
          speed: speedMmS,
          distance: Math.round(distanceM * 1000),
        };
        seconds += 1;
        rideMs += 1000;
        writes = writes.then(async () => {
          const appended = await recording.append(sample);
          if (!appended.ok) set({ error: appended.error.message });
        });
        set({ sample, timerMs: seconds * 1000, distanceM });
      };
      let timer: ReturnType<typeof setInterval> | undefined = setInterval(tick, 1000 / speed);
      tick();
      const rideNow = () => startTime + Math.max(0, rideMs - 1000);
      return {
        ok: true,
        value: {
          workoutId: workout.id,
          get state() {
            return state;
          },
          subscribe(listener) {
            listeners.add(listener);
            return () => listeners.delete(listener);
          },
          pause() {
            if (state.status !== "recording") return;
            clearInterval(timer);
            timer = undefined;
            pausedAt = Date.now();
            set({ status: "paused" });
          },
          resume() {
            if (state.status !== "paused") return;
            rideMs += Math.round((Date.now() - pausedAt) * speed);
            timer = setInterval(tick, 1000 / speed);
            set({ status: "recording" });
          },
          lap() {
            if (state.status === "stopped") return;
            const end = rideNow();
            const added = workout.addLap({ start: lapStart, end, trigger: "manual" });
            if (!added.ok) set({ error: added.error.message });
            else set({ laps: state.laps + 1 });
            lapStart = end + 1;
          },
          async stop() {
            if (state.status === "stopped") return;
            clearInterval(timer);
            timer = undefined;
            const end = rideNow();
            if (state.laps > 0) workout.addLap({ start: lapStart, end, trigger: "manual" });
            await writes;
            await recording.finish();
            set({ status: "stopped" });
          },
        },
      };
    },
  };
}

function failed(message: string): Result<never, RecorderError> {
  return { ok: false, error: { code: "recorder-start-failed", message } };
}
