/**
 * The slow-consumer limit of the Workers relay. workerd's WebSocket has no `bufferedAmount`
 * (cloudflare/workerd#988) and `send` never refuses: a device that stops reading makes the
 * runtime queue every frame sent to it, without bound, in the memory of the connection
 * object's isolate. Without a signal of what the device has read, the relay estimates it:
 * a leaky bucket that fills with every frame sent and drains at an assumed reading rate.
 * A connection whose estimate would pass the limit is closed with 4008, as the Node relay
 * closes one whose real send buffer would.
 *
 * So a device that reads at least as fast as the assumed rate is never cut off, and what
 * the runtime may hold for a stalled one grows by at most that rate; a device that reads
 * slower than the assumed rate while being sent more than the limit in a burst (a large
 * catch-up on a slow link) is cut off early, reconnects and resumes from its cursor.
 */

/** Default limit, as the Node relay's `--max-buffered-bytes`. */
export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Default assumed reading rate of a device: 1 MiB/s. */
export const DEFAULT_DRAIN_BYTES_PER_SECOND = 1024 * 1024;

/** Options of a `SendBudget`. */
export interface SendBudgetOptions {
  /** Bytes the estimate may reach. */
  readonly maxBytes: number;
  /** Bytes a second a device is assumed to read. */
  readonly drainBytesPerSecond: number;
  readonly now?: () => number;
}

/** The estimated unread bytes of one connection. */
export class SendBudget {
  readonly #options: SendBudgetOptions;
  #estimate = 0;
  #at: number;

  constructor(options: SendBudgetOptions) {
    this.#options = options;
    this.#at = this.#now();
  }

  /**
   * Counts a frame of `bytes` about to be sent; false (and nothing counted) when sending it
   * would put the estimate past the limit: the connection is a slow consumer.
   */
  spend(bytes: number): boolean {
    const now = this.#now();
    const drained = ((now - this.#at) * this.#options.drainBytesPerSecond) / 1000;
    this.#at = now;
    this.#estimate = Math.max(0, this.#estimate - drained);
    if (this.#estimate + bytes > this.#options.maxBytes) return false;
    this.#estimate += bytes;
    return true;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}

/** A configuration value the relay cannot use. */
export interface BadConfig {
  readonly code: "bad-config";
  readonly message: string;
}

/** A value, or the configuration error that prevented it. */
export type ConfigResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: BadConfig };

/**
 * The budget options from the Worker's variables `MAX_BUFFERED_BYTES` and
 * `DRAIN_BYTES_PER_SECOND` (unset or empty: the defaults).
 */
export function sendBudgetOptions(vars: {
  readonly MAX_BUFFERED_BYTES?: string;
  readonly DRAIN_BYTES_PER_SECOND?: string;
}): ConfigResult<SendBudgetOptions> {
  const maxBytes = bytesVar(
    "MAX_BUFFERED_BYTES",
    vars.MAX_BUFFERED_BYTES,
    DEFAULT_MAX_BUFFERED_BYTES,
  );
  if (!maxBytes.ok) return maxBytes;
  const drain = bytesVar(
    "DRAIN_BYTES_PER_SECOND",
    vars.DRAIN_BYTES_PER_SECOND,
    DEFAULT_DRAIN_BYTES_PER_SECOND,
  );
  if (!drain.ok) return drain;
  return { ok: true, value: { maxBytes: maxBytes.value, drainBytesPerSecond: drain.value } };
}

function bytesVar(name: string, value: string | undefined, fallback: number): ConfigResult<number> {
  if (value === undefined || value.trim() === "") return { ok: true, value: fallback };
  const number = Number(value);
  if (Number.isInteger(number) && number > 0) return { ok: true, value: number };
  return {
    ok: false,
    error: {
      code: "bad-config",
      message: `${name} must be a positive whole number of bytes, not "${value}": fix it in wrangler.toml`,
    },
  };
}
