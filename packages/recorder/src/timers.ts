/**
 * The timer seam. Reconnect backoff, request timeouts and the session's 1 Hz tick all wait;
 * they take a `Timers` so tests can drive time with a fake instead of waiting for real.
 */

/** Schedules and cancels one-shot callbacks, like `setTimeout`. */
export interface Timers {
  /** Calls `callback` once after `ms`; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a pending callback; unknown or spent handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/** The runtime's timers. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
