/**
 * A recording in progress as the pages see it: the session's live values plus what a
 * resumed ride had already recorded (timer, distance, laps), pause/resume/lap/stop, and the
 * rider's choice of provider per metric — kept in the ride's bookmark, applied with the
 * other providers as fallbacks, and re-applied as new providers appear.
 */
import {
  DEFAULT_CHARACTERISTIC_ORDER,
  METRICS,
  METRICS_BY_CHARACTERISTIC,
  type Metric,
  type RecordingSession,
  type SessionState,
} from "@ridevault/recorder";
import { type MarkerStorage, type RideMarker, saveRideMarker } from "./ride-marker.js";

/** What a recording shows while it runs (a resumed ride counts its recorded part too). */
export interface LiveState {
  readonly status: SessionState;
  /** Timer time (pauses excluded), ms. */
  readonly timerMs: number;
  readonly power: number | undefined;
  readonly heartRate: number | undefined;
  readonly cadence: number | undefined;
  /** mm/s. */
  readonly speed: number | undefined;
  /** Metres since the start. */
  readonly distanceM: number;
  /** The running lap, from 1. */
  readonly lap: number;
  /** Which provider ("heart-rate:2a37") gave each metric in the last second. */
  readonly sources: Partial<Record<Metric, string>>;
  /** The last error appending a sample or a lap, if any. */
  readonly error: string | null;
}

/** A recording in progress. */
export interface ActiveRecording {
  readonly workoutId: string;
  readonly title: string;
  readonly state: LiveState;
  /** Calls `listener` on every change of `state`; returns an unsubscribe. */
  subscribe(listener: (state: LiveState) => void): () => void;
  pause(): void;
  resume(): void;
  /** Ends the current lap and starts the next. */
  lap(): void;
  /** Ends the ride and saves it; resolves once it is in the vault. */
  stop(): Promise<void>;
  /** The providers seen so far that can give `metric`, in the default order. */
  providers(metric: Metric): readonly string[];
  /** The provider the rider chose for `metric`, or undefined for automatic. */
  chosen(metric: Metric): string | undefined;
  /** Prefers `provider` for `metric` (others stay as fallbacks); undefined: automatic. */
  choose(metric: Metric, provider: string | undefined): void;
}

/** Wraps `session` for the pages; `offset` is what a resumed ride had recorded. */
export function createActiveRecording(parts: {
  readonly session: RecordingSession;
  readonly marker: RideMarker;
  readonly offset: { readonly timerMs: number; readonly distanceMm: number; readonly laps: number };
  readonly storage: MarkerStorage;
  /** Brings the simulator up to now before the session closes seconds by hand. */
  readonly step: () => void;
}): ActiveRecording {
  const { session, offset } = parts;
  let marker = parts.marker;
  let error: string | null = null;
  let knownProviders = 0;
  const listeners = new Set<(state: LiveState) => void>();
  const stateOf = (): LiveState => {
    const live = session.live;
    return {
      status: live.state,
      timerMs: offset.timerMs + live.timerMs,
      power: live.power,
      heartRate: live.heartRate,
      cadence: live.cadence,
      speed: live.speed,
      distanceM: (offset.distanceMm + live.distanceMm) / 1000,
      lap: offset.laps + live.lap,
      sources: live.sources,
      error,
    };
  };
  let state = stateOf();
  const publish = () => {
    state = stateOf();
    for (const listener of [...listeners]) listener(state);
  };
  const providers = (metric: Metric) => {
    const order = DEFAULT_CHARACTERISTIC_ORDER[metric];
    const rank = (id: string) => order.indexOf(id.slice(id.indexOf(":") + 1));
    return session.providers
      .filter((id) => METRICS_BY_CHARACTERISTIC[id.slice(id.indexOf(":") + 1)]?.includes(metric))
      .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  };
  // A choice puts the chosen provider first and keeps the others as fallbacks. A metric
  // whose choice went back to automatic gets the session's default order as an explicit
  // list (the session has no way to forget a preference). Re-applied as providers appear.
  const chosenOnce = new Set<Metric>(METRICS.filter((metric) => marker.sources[metric]));
  const applyChoices = () => {
    for (const metric of chosenOnce) {
      const chosen = marker.sources[metric];
      const all = providers(metric);
      session.setPreference(
        metric,
        chosen === undefined ? all : [chosen, ...all.filter((id) => id !== chosen)],
      );
    }
  };
  applyChoices();
  session.onLive(() => {
    if (session.providers.length !== knownProviders) {
      knownProviders = session.providers.length;
      applyChoices();
    }
    publish();
  });
  session.onEvent((event) => {
    // A lap changes the live lap number between seconds.
    if (event.type === "append-error") error = `${event.error.message} (${event.error.code})`;
    if (event.type === "append-error" || event.type === "lap") publish();
  });
  return {
    workoutId: marker.workoutId,
    title: marker.title,
    get state() {
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pause() {
      parts.step();
      session.pause();
    },
    resume() {
      parts.step();
      session.resume();
    },
    lap() {
      parts.step();
      session.lap();
    },
    stop() {
      parts.step();
      return session.stop();
    },
    providers,
    chosen: (metric) => marker.sources[metric],
    choose(metric, provider) {
      const { [metric]: _previous, ...others } = marker.sources;
      marker = {
        ...marker,
        sources: provider === undefined ? others : { ...others, [metric]: provider },
      };
      saveRideMarker(parts.storage, marker);
      chosenOnce.add(metric);
      applyChoices();
      publish();
    },
  };
}
