/**
 * Per-account limits on the sync connection: how fast an account may push envelopes and
 * create documents (token buckets per account, like the per-IP limits of the account
 * endpoints), and how much it may keep — a storage quota in bytes of stored envelopes and a
 * document count. A refusal is a value with the protocol's code (`rate-limited` or
 * `quota-exceeded`) and a message saying what to do; the relay sends it as the request's
 * error frame and the device shows it in its sync status (`lastError`).
 *
 * Usage is read from the relay store (`RelayStore.ownerStats`) and trusted for
 * `usageTtlMs`, counting what this instance admits meanwhile; re-reading corrects it for
 * pruning, retries that stored nothing, and (with PostgreSQL) what other instances stored.
 * So a quota is exact on one instance up to in-flight pushes, and may be overrun by what
 * the other instances store within one TTL. Rate limits are per instance: with N instances
 * an account may reach N times the rate.
 */
import type { LimitedRequest } from "../relay-types.js";
import { type RateLimit, RateLimiter } from "./rate-limiter.js";

/** What an account keeps, as the store counts it. */
export interface AccountUsage {
  readonly documents: number;
  readonly bytes: number;
}

/** Options of `AccountLimits`. */
export interface AccountLimitsOptions {
  /** Bytes of stored envelopes per account. */
  readonly quotaBytes: number;
  /** Documents per account. */
  readonly quotaDocuments: number;
  /** Pushes (stored and ephemeral) per account. */
  readonly push: RateLimit;
  /** New documents per account. */
  readonly create: RateLimit;
  /** Reads an account's usage from the store. */
  readonly usage: (owner: string) => Promise<AccountUsage>;
  /** How long a usage figure is trusted before it is read again (default 60 s). */
  readonly usageTtlMs?: number;
  readonly now?: () => number;
}

/** What the connection is about to do (defined with the relay's `admit` hook). */
export type { LimitedRequest } from "../relay-types.js";

/** A refused request: the error code and message the device gets. */
export interface LimitRefusal {
  readonly code: "rate-limited" | "quota-exceeded";
  readonly message: string;
}

/** Defaults: far above what a rider's devices do, tight enough to stop a runaway client. */
export const DEFAULT_ACCOUNT_LIMITS = {
  quotaBytes: 1024 ** 3,
  quotaDocuments: 10_000,
  push: { burst: 600, perMinute: 600 },
  create: { burst: 120, perMinute: 120 },
} as const;

interface CachedUsage {
  documents: number;
  bytes: number;
  readonly readAt: number;
}

const MIB = 1024 * 1024;
const size = (bytes: number): string =>
  bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;

/** Checks requests against an account's rates and quotas. */
export class AccountLimits {
  readonly #o: AccountLimitsOptions;
  readonly #now: () => number;
  readonly #pushes: RateLimiter;
  readonly #creations: RateLimiter;
  readonly #usage = new Map<string, Promise<CachedUsage>>();

  constructor(options: AccountLimitsOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#pushes = new RateLimiter(options.push, this.#now);
    this.#creations = new RateLimiter(options.create, this.#now);
  }

  /**
   * Null when `principal` may go ahead (its usage then counts the request), else why not.
   * Requests without an account are not limited here.
   */
  async admit(principal: string | null, request: LimitedRequest): Promise<LimitRefusal | null> {
    if (request.kind === "create") {
      if (principal === null) return null;
      const rate = this.#creations.take(principal);
      if (!rate.allowed) return limited("new documents", rate.retryAfterSeconds);
      const usage = await this.#current(principal);
      if (usage.documents + 1 > this.#o.quotaDocuments)
        return {
          code: "quota-exceeded",
          message: `this account has ${usage.documents} documents, its limit on this relay: delete some, or ask the relay's operator for more`,
        };
      usage.documents++;
      return null;
    }
    if (principal !== null) {
      const rate = this.#pushes.take(principal);
      if (!rate.allowed) return limited("pushes", rate.retryAfterSeconds);
    }
    if (request.kind === "ephemeral" || request.owner === null) return null;
    const usage = await this.#current(request.owner);
    // A snapshot is what lets an account shrink (the changes it covers are pruned), so one
    // is admitted while the account is within its quota even if it ends up above it.
    const after = request.snapshot ? usage.bytes : usage.bytes + request.bytes;
    if (after > this.#o.quotaBytes)
      return {
        code: "quota-exceeded",
        message: `this account stores ${size(usage.bytes)}, and its quota on this relay is ${size(this.#o.quotaBytes)}: delete workouts, or ask the relay's operator for more`,
      };
    usage.bytes += request.bytes;
    return null;
  }

  /** Forgets an account's usage (after deleting it). */
  forget(owner: string): void {
    this.#usage.delete(owner);
  }

  async #current(owner: string): Promise<CachedUsage> {
    const cached = this.#usage.get(owner);
    if (cached) {
      const usage = await cached.catch(() => undefined);
      if (usage && this.#now() - usage.readAt < (this.#o.usageTtlMs ?? 60_000)) return usage;
      if (this.#usage.get(owner) !== cached) return this.#current(owner);
    }
    const readAt = this.#now();
    const reading = this.#o.usage(owner).then((usage) => ({
      documents: usage.documents,
      bytes: usage.bytes,
      readAt,
    }));
    this.#usage.set(owner, reading);
    if (this.#usage.size > 10_000) this.#forgetOld();
    try {
      return await reading;
    } catch (error) {
      this.#usage.delete(owner);
      throw error;
    }
  }

  #forgetOld(): void {
    const oldest = this.#usage.keys().next();
    if (!oldest.done) this.#usage.delete(oldest.value);
  }
}

function limited(what: string, retryAfterSeconds: number): LimitRefusal {
  return {
    code: "rate-limited",
    message: `too many ${what} from this account: retry in ${retryAfterSeconds} s`,
  };
}
