/**
 * How long the sync engine waits before trying again: the reconnect schedule (doubling from
 * `minMs` to `maxMs`, with ±50 % jitter so devices spread out after a relay restart), the
 * schedule for a document whose registration the relay refused (doubling from 1 s to the
 * same maximum), and reading the "retry in N s" a relay puts in its `rate-limited` messages
 * (docs/protocol.md).
 */
import type { Random } from "../runtime.js";

/** Reconnect delays as `SyncOptions.backoff` gives them. */
export interface Backoff {
  readonly minMs?: number;
  readonly maxMs?: number;
}

const DEFAULT_MIN_MS = 500;
const DEFAULT_MAX_MS = 30_000;
const REGISTER_FIRST_MS = 1000;

/** The delay before reconnect attempt `attempt` (0 first), jittered with one random byte. */
export function reconnectDelay(attempt: number, backoff: Backoff, random: Random): number {
  const { minMs = DEFAULT_MIN_MS, maxMs = DEFAULT_MAX_MS } = backoff;
  const jitter = 0.5 + (random.bytes(1)[0] as number) / 255;
  return Math.min(maxMs, minMs * 2 ** attempt) * jitter;
}

/**
 * The delay before registering a refused document again, after `attempt` refusals before
 * this one: 1 s, 2 s, 4 s … up to the reconnect maximum — but never sooner than the relay
 * asked (`retryAfterMs`), since an earlier try would only be refused again.
 */
export function registerRetryDelay(
  attempt: number,
  backoff: Backoff,
  retryAfterMs: number | null,
): number {
  const doubling = Math.min(backoff.maxMs ?? DEFAULT_MAX_MS, REGISTER_FIRST_MS * 2 ** attempt);
  return Math.max(doubling, retryAfterMs ?? 0);
}

/** The wait a relay's refusal asks for ("… retry in N s"), in ms; null when it names none. */
export function retryAfterMs(message: string): number | null {
  const match = /retry in (\d+(?:\.\d+)?) ?s\b/.exec(message);
  return match ? Number(match[1]) * 1000 : null;
}

/** A delay for a message: whole seconds, at least 1. */
export function seconds(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}
