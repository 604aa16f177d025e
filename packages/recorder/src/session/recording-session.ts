/**
 * The recording session: sensors in, one sample per second out, into a workout. Time is cut
 * into whole wall-clock seconds ([S, S+1000), stamped S), so two devices recording the same
 * ride stamp the same seconds and their chunks merge without duplicates. A second is
 * recorded when the session is recording as it ends: the second holding `start()` or
 * `resume()` counts, the one holding `pause()` does not, and timer time is recorded seconds
 * × 1000. Each recorded second is appended at once (the core's crash log keeps it), so a
 * crash loses at most the second in progress. Auto-pause and auto-laps are judged on closed
 * seconds, which keeps everything deterministic on an injected clock: the caller (or real
 * timers) calls `tick()`, and notifications also close the seconds before their own time.
 */
import { systemTimers, type Timers } from "../timers.js";
import { METRICS, type Metric } from "./provider.js";
import { type ProviderId, type ResampledSecond, Resampler } from "./resampler.js";
import type {
  LapRecord,
  LapTrigger,
  LiveValues,
  SessionEvent,
  SessionOptions,
  SessionSample,
  SessionState,
} from "./session-types.js";

/** A recording in progress; create with `createRecordingSession`. */
export interface RecordingSession {
  readonly state: SessionState;
  /** The values a UI shows now. */
  readonly live: LiveValues;
  /** Starts recording; the current second is the first. */
  start(): void;
  pause(): void;
  resume(): void;
  /** Ends the current lap at the start of the current second; false if it is still empty. */
  lap(): boolean;
  /** Sets the providers `metric` may come from, best first (switchable mid-ride). */
  setPreference(metric: Metric, providers: readonly ProviderId[]): void;
  /** Closes every second that has ended by the clock. Real timers call it; tests may. */
  tick(): void;
  /** Closes the seconds that ended, the last lap and the recording. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once every second recorded so far is appended (in the crash log). */
  whenAppended(): Promise<void>;
  /** Providers seen so far ("source:characteristic"). */
  readonly providers: readonly ProviderId[];
  onLive(listener: (live: LiveValues) => void): () => void;
  onEvent(listener: (event: SessionEvent) => void): () => void;
}

const SECOND = 1000;

/** Creates a session recording from `options.sources` into `options.target`. */
export function createRecordingSession(options: SessionOptions): RecordingSession {
  return new Session(options);
}

class Session implements RecordingSession {
  readonly #options: SessionOptions;
  readonly #resampler: Resampler;
  readonly #recorded: ReadonlySet<Metric>;
  readonly #unsubscribe: (() => void)[] = [];
  readonly #liveListeners = new Set<{ readonly listener: (live: LiveValues) => void }>();
  readonly #eventListeners = new Set<{ readonly listener: (event: SessionEvent) => void }>();
  #state: SessionState = "ready";
  /** Start of the second in progress; seconds before it are closed. */
  #windowStart = 0;
  #timerMs = 0;
  #distanceMm = 0;
  #stillSeconds = 0;
  #lap = { index: 1, start: undefined as number | undefined, timerMs: 0, distanceMm: 0 };
  #lastRecordedEnd: number | undefined;
  #last: ResampledSecond = { values: {}, rr: [], chosen: {} };
  #lastTime: number | undefined;
  #appends: Promise<void> = Promise.resolve();
  #timer: unknown;
  readonly #ticker: Timers | undefined;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#ticker = options.timers === "manual" ? undefined : (options.timers ?? systemTimers);
    this.#resampler = new Resampler(
      options.circumferenceMm === undefined ? {} : { circumferenceMm: options.circumferenceMm },
    );
    this.#recorded = new Set(options.metrics ?? METRICS);
    for (const [metric, providers] of Object.entries(options.preferences ?? {})) {
      this.#resampler.setPreference(metric as Metric, providers);
    }
    for (const [name, source] of Object.entries(options.sources)) {
      this.#unsubscribe.push(
        source.onNotification((notification) => {
          if (this.#state === "stopped") return;
          // A source stamping ahead of the session's clock must not close seconds early.
          this.#closeUntil(Math.min(notification.time, this.#options.clock.now()));
          const read = this.#resampler.notify(name, notification);
          if (!read.ok) {
            const provider = `${name}:${notification.characteristic}`;
            this.#emit({ type: "parse-error", provider, error: read.error });
          }
        }),
        source.onConnection((event) => {
          if (this.#state === "stopped") return;
          this.#closeUntil(Math.min(event.time, this.#options.clock.now()));
          this.#resampler.connection(name, event);
          this.#emit({ type: "sensor", source: name, event });
        }),
      );
    }
  }

  get state(): SessionState {
    return this.#state;
  }

  get providers(): readonly ProviderId[] {
    return this.#resampler.providers;
  }

  get live(): LiveValues {
    const { values, chosen } = this.#last;
    return {
      state: this.#state,
      time: this.#lastTime,
      power: values.power,
      heartRate: values.heartRate,
      cadence: values.cadence,
      speed: values.speed,
      timerMs: this.#timerMs,
      distanceMm: this.#distanceMm,
      lap: this.#lap.index,
      lapTimerMs: this.#timerMs - this.#lap.timerMs,
      lapDistanceMm: this.#distanceMm - this.#lap.distanceMm,
      sources: chosen,
    };
  }

  start(): void {
    if (this.#state !== "ready") return;
    const now = this.#options.clock.now();
    this.#windowStart = floorSecond(now);
    this.#resampler.discard();
    this.#setState("recording", now);
    this.#schedule();
  }

  pause(): void {
    if (this.#state !== "recording" && this.#state !== "auto-paused") return;
    this.tick();
    this.#setState("paused", this.#options.clock.now());
  }

  resume(): void {
    if (this.#state !== "paused" && this.#state !== "auto-paused") return;
    this.tick();
    this.#resampler.discard();
    this.#stillSeconds = 0;
    this.#setState("recording", this.#options.clock.now());
  }

  lap(): boolean {
    if (this.#state === "ready" || this.#state === "stopped") return false;
    this.tick();
    return this.#closeLap(this.#windowStart, "manual");
  }

  setPreference(metric: Metric, providers: readonly ProviderId[]): void {
    this.#resampler.setPreference(metric, providers);
  }

  tick(): void {
    if (this.#state === "ready" || this.#state === "stopped") return;
    this.#closeUntil(this.#options.clock.now());
  }

  async stop(): Promise<void> {
    if (this.#state === "stopped") return;
    const wasStarted = this.#state !== "ready";
    this.tick();
    if (this.#timer !== undefined) this.#ticker?.clearTimeout(this.#timer);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    if (this.#lastRecordedEnd !== undefined) this.#closeLap(this.#lastRecordedEnd, "session-end");
    this.#setState("stopped", this.#options.clock.now());
    if (!wasStarted) return;
    const { target } = this.#options;
    const timer = target.workout.update({ timerTime: this.#timerMs });
    if (!timer.ok)
      this.#emit({ type: "append-error", time: this.#windowStart, error: timer.error });
    await this.#appends;
    await target.finish(
      this.#lastRecordedEnd === undefined ? {} : { endTime: this.#lastRecordedEnd },
    );
  }

  async whenAppended(): Promise<void> {
    await this.#appends;
  }

  onLive(listener: (live: LiveValues) => void): () => void {
    const entry = { listener };
    this.#liveListeners.add(entry);
    return () => this.#liveListeners.delete(entry);
  }

  onEvent(listener: (event: SessionEvent) => void): () => void {
    const entry = { listener };
    this.#eventListeners.add(entry);
    return () => this.#eventListeners.delete(entry);
  }

  /** Closes every second that ends at or before `time`. */
  #closeUntil(time: number): void {
    if (this.#state === "ready" || this.#state === "stopped") return;
    while (this.#windowStart + SECOND <= time) {
      const start = this.#windowStart;
      this.#windowStart += SECOND;
      this.#closeSecond(start);
    }
  }

  #closeSecond(start: number): void {
    const end = start + SECOND;
    const second = this.#resampler.close(end);
    this.#reportSwitches(second, start);
    this.#last = second;
    this.#lastTime = start;
    if (this.#state === "recording" || this.#state === "auto-paused") {
      this.#judgeMotion(second, start, end);
    }
    this.#publishLive();
  }

  #judgeMotion(second: ResampledSecond, start: number, end: number): void {
    const auto = this.#options.autoPause;
    const value = auto === undefined ? undefined : second.values[auto.metric];
    const still = auto !== undefined && value !== undefined && value < auto.below;
    if (this.#state === "auto-paused") {
      if (value === undefined || still) return;
      this.#stillSeconds = 0;
      this.#setState("recording", start);
    }
    this.#record(second, start, end);
    this.#stillSeconds = still ? this.#stillSeconds + 1 : 0;
    if (auto !== undefined && this.#stillSeconds >= (auto.seconds ?? 5)) {
      this.#stillSeconds = 0;
      this.#setState("auto-paused", end);
    }
  }

  #record(second: ResampledSecond, start: number, end: number): void {
    const values: Partial<Record<Metric, number>> = {};
    for (const metric of METRICS) {
      const value = second.values[metric];
      if (value !== undefined && this.#recorded.has(metric)) values[metric] = value;
    }
    if (values.speed !== undefined) this.#distanceMm += values.speed;
    this.#timerMs += SECOND;
    this.#lap.start ??= start;
    this.#lastRecordedEnd = end;
    const sample: SessionSample = {
      time: start,
      ...values,
      ...(values.speed !== undefined && { distance: this.#distanceMm }),
      ...(values.heartRate !== undefined && second.rr.length > 0 && { rr: second.rr }),
    };
    if (Object.keys(sample).length > 1) this.#append(sample);
    const every = this.#options.autoLap;
    const lapTimer = this.#timerMs - this.#lap.timerMs;
    const lapDistance = this.#distanceMm - this.#lap.distanceMm;
    if (every?.everyMetres !== undefined && lapDistance >= every.everyMetres * 1000) {
      this.#closeLap(end, "distance");
    } else if (every?.everyMs !== undefined && lapTimer >= every.everyMs) {
      this.#closeLap(end, "time");
    }
  }

  #append(sample: SessionSample): void {
    // Targets process appends in call order, so the last one settling means all have; not
    // chaining keeps a backlog from building up when the event loop is busy.
    this.#appends = this.#options.target.append(sample).then(
      (result) => {
        if (!result.ok)
          this.#emit({ type: "append-error", time: sample.time, error: result.error });
      },
      (error: unknown) => {
        const message = `the target threw: ${String(error)}`;
        this.#emit({
          type: "append-error",
          time: sample.time,
          error: { code: "append-threw", message },
        });
      },
    );
  }

  #closeLap(end: number, trigger: LapTrigger): boolean {
    const { start } = this.#lap;
    if (start === undefined || this.#timerMs === this.#lap.timerMs) return false;
    const lap: LapRecord = {
      index: this.#lap.index,
      start,
      end: Math.max(start, end),
      trigger,
      timerMs: this.#timerMs - this.#lap.timerMs,
      distanceMm: this.#distanceMm - this.#lap.distanceMm,
    };
    const added = this.#options.target.workout.addLap(lap);
    if (!added.ok) this.#emit({ type: "append-error", time: end, error: added.error });
    this.#lap = {
      index: lap.index + 1,
      start: undefined,
      timerMs: this.#timerMs,
      distanceMm: this.#distanceMm,
    };
    this.#emit({ type: "lap", lap });
    return true;
  }

  #reportSwitches(second: ResampledSecond, time: number): void {
    for (const metric of METRICS) {
      const provider = second.chosen[metric];
      if (provider === this.#last.chosen[metric]) continue;
      this.#emit({ type: "source-changed", metric, provider, time });
    }
  }

  #setState(state: SessionState, time: number): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit({ type: "state", state, time });
    this.#publishLive();
  }

  /** Ticks just after each second ends, so the notifications of that second are in. */
  #schedule(): void {
    const timers = this.#ticker;
    if (timers === undefined || this.#state === "stopped") return;
    const now = this.#options.clock.now();
    const wait = floorSecond(now) + SECOND + 20 - now;
    this.#timer = timers.setTimeout(() => {
      this.tick();
      this.#schedule();
    }, wait);
  }

  #publishLive(): void {
    if (this.#liveListeners.size === 0) return;
    const live = this.live;
    for (const entry of [...this.#liveListeners]) entry.listener(live);
  }

  #emit(event: SessionEvent): void {
    for (const entry of [...this.#eventListeners]) entry.listener(event);
  }
}

function floorSecond(time: number): number {
  return Math.floor(time / SECOND) * SECOND;
}
