/**
 * A `SessionTarget` that keeps what a session sends it, for tests and benchmarks: the
 * samples, the laps and the timer time, checking as the core does that sample times rise.
 */
import { err, ok } from "@ridevault/core";
import type { LapTrigger, SessionSample, SessionTarget } from "../session/session-types.js";

/** A lap as the target received it. */
export interface FakeLap {
  readonly start: number;
  readonly end: number;
  readonly trigger: LapTrigger;
}

/** Keeps samples and laps in memory. */
export class FakeTarget implements SessionTarget {
  readonly samples: SessionSample[] = [];
  readonly laps: FakeLap[] = [];
  timerTime: number | undefined;
  endTime: number | undefined;
  finished = false;
  /** When false, samples are counted but not kept (benchmarks of long rides). */
  readonly keep: boolean;
  count = 0;
  #lastTime = Number.NEGATIVE_INFINITY;

  constructor(options: { readonly keep?: boolean } = {}) {
    this.keep = options.keep ?? true;
  }

  readonly workout = {
    addLap: (lap: FakeLap) => {
      this.laps.push({ start: lap.start, end: lap.end, trigger: lap.trigger });
      return ok(lap);
    },
    update: (patch: { readonly timerTime: number }) => {
      this.timerTime = patch.timerTime;
      return ok(patch);
    },
  };

  async append(sample: SessionSample) {
    if (this.finished) return err({ code: "recording-closed", message: "finished" });
    if (sample.time <= this.#lastTime) {
      return err({ code: "time-not-increasing", message: `${sample.time} ≤ ${this.#lastTime}` });
    }
    this.#lastTime = sample.time;
    this.count += 1;
    if (this.keep) this.samples.push(sample);
    return ok(undefined);
  }

  async finish(options: { readonly endTime?: number } = {}): Promise<void> {
    this.finished = true;
    this.endTime = options.endTime;
  }
}
