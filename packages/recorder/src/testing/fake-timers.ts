/**
 * Fake timers for tests: callbacks run only when `advance` moves a `ManualClock` past their
 * time, in time order, and the promises they start get to settle between callbacks, so code
 * that awaits a fake radio behaves as it would with real time, only instantly.
 */
import type { ManualClock } from "@ridevault/core";
import type { Timers } from "../timers.js";

interface Pending {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** Timers driven by `advance`, on the given clock. */
export class FakeTimers implements Timers {
  readonly #clock: ManualClock;
  #pending: Pending[] = [];
  #nextId = 1;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#pending.push({ id, at: this.#clock.now() + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending = this.#pending.filter((p) => p.id !== handle);
  }

  /** How many callbacks are waiting. */
  get size(): number {
    return this.#pending.length;
  }

  /** Moves the clock forward by `ms`, running each callback that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.#clock.now() + ms;
    await settle();
    for (;;) {
      const next = this.#pending
        .filter((p) => p.at <= end)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (next === undefined) break;
      this.#pending = this.#pending.filter((p) => p !== next);
      this.#clock.advance(next.at - this.#clock.now());
      next.callback();
      await settle();
    }
    this.#clock.advance(end - this.#clock.now());
    await settle();
  }
}

/** Lets every promise chain started so far run to its next real wait. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}
