/**
 * 1 Hz resampling and source selection. Notifications arrive at 1–4 Hz per sensor, several
 * sensors may measure the same metric, and the workout wants one value per metric per
 * second. Each provider (a source's characteristic, named "source:characteristic", e.g.
 * "strap:2a37") accumulates its readings within the current one-second window; closing the
 * window gives each provider's mean, or, when a provider sent nothing new within the window,
 * its last value if it is at most `holdMs` old (a 1 Hz sensor's notifications straddle
 * window edges). Then each metric takes the value of the first provider in its preference
 * list that has one. Nothing is interpolated: a metric no provider has is absent (a gap).
 * A disconnected provider has no value until it notifies again.
 */
import type { Result } from "@ridevault/core";
import type { GattError } from "../gatt/errors.js";
import type { ConnectionEvent, SensorNotification } from "../sources/sensor-source.js";
import {
  createProviderParser,
  METRICS,
  type Metric,
  type ProviderParser,
  type Reading,
  type UnknownCharacteristicError,
} from "./provider.js";

/** A provider's id: the source's name and the characteristic, "strap:2a37". */
export type ProviderId = string;

/** The default order of characteristics for each metric: dedicated sensors first. */
export const DEFAULT_CHARACTERISTIC_ORDER: Readonly<Record<Metric, readonly string[]>> = {
  power: ["2a63", "2ad2"],
  heartRate: ["2a37", "2ad2"],
  cadence: ["2a5b", "2a63", "2ad2"],
  speed: ["2a5b", "2a63", "2ad2"],
};

/** One closed window: the chosen value of each metric and who provided it. */
export interface ResampledSecond {
  readonly values: Partial<Record<Metric, number>>;
  /** RR intervals (ms) from the provider of the heart rate, oldest first. */
  readonly rr: readonly number[];
  readonly chosen: Partial<Record<Metric, ProviderId>>;
}

interface Accumulator {
  sum: number;
  count: number;
  last: number | undefined;
  lastTime: number;
}

interface ProviderState {
  readonly id: ProviderId;
  readonly characteristic: string;
  readonly parser: ProviderParser;
  readonly metrics: Record<Metric, Accumulator>;
  rr: number[];
}

/** Longest RR list one sample holds (the core's limit). */
const MAX_RR = 16;

/** Resamples providers' readings to one value per metric per window. */
export class Resampler {
  readonly #providers = new Map<ProviderId, ProviderState>();
  /** The same providers by source, then characteristic: the per-notification lookup. */
  readonly #bySource = new Map<string, Map<string, ProviderState>>();
  readonly #preferences = new Map<Metric, readonly ProviderId[]>();
  readonly #holdMs: number;
  readonly #circumferenceMm: number | undefined;

  constructor(options: { readonly holdMs?: number; readonly circumferenceMm?: number } = {}) {
    this.#holdMs = options.holdMs ?? 2000;
    this.#circumferenceMm = options.circumferenceMm;
  }

  /** Sets the providers a metric may come from, best first; others are then never used. */
  setPreference(metric: Metric, providers: readonly ProviderId[]): void {
    this.#preferences.set(metric, [...providers]);
  }

  /** Removes a metric's preference: every provider of it, in the default order. */
  clearPreference(metric: Metric): void {
    this.#preferences.delete(metric);
  }

  /**
   * A sensor connected or disconnected: its providers forget counter baselines and stop
   * holding their last values (what they sent earlier in this second still counts).
   */
  connection(source: string, event: ConnectionEvent): void {
    for (const characteristic of event.characteristics) {
      const provider = this.#provider(source, characteristic);
      provider.parser.reset();
      for (const metric of METRICS) provider.metrics[metric].last = undefined;
    }
  }

  /** Parses and accumulates one notification; a parse error leaves everything unchanged. */
  notify(
    source: string,
    notification: SensorNotification,
  ): Result<Reading, GattError | UnknownCharacteristicError> {
    const provider = this.#provider(source, notification.characteristic);
    const reading = provider.parser.read(notification);
    if (!reading.ok) return reading;
    const { unknown } = reading.value;
    if (unknown !== undefined)
      for (const metric of unknown) provider.metrics[metric].last = undefined;
    for (const metric of METRICS) {
      const value = reading.value[metric];
      if (value === undefined) continue;
      const accumulator = provider.metrics[metric];
      accumulator.sum += value;
      accumulator.count += 1;
      accumulator.last = value;
      accumulator.lastTime = notification.time;
    }
    if (reading.value.rr)
      provider.rr.push(...reading.value.rr.filter((ms) => ms >= 100 && ms <= 4000));
    return reading;
  }

  /** Closes the window ending at `end` (Unix ms) and starts the next one. */
  close(end: number): ResampledSecond {
    const values: Partial<Record<Metric, number>> = {};
    const chosen: Partial<Record<Metric, ProviderId>> = {};
    let rr: readonly number[] = [];
    for (const metric of METRICS) {
      for (const provider of this.#candidates(metric)) {
        const value = this.#valueOf(provider.metrics[metric], end);
        if (value === undefined) continue;
        values[metric] = value;
        chosen[metric] = provider.id;
        if (metric === "heartRate") rr = provider.rr.slice(-MAX_RR);
        break;
      }
    }
    this.discard();
    return { values, rr, chosen };
  }

  /** Drops what the current window has gathered (on resume: the paused part is not ridden). */
  discard(): void {
    for (const provider of this.#providers.values()) {
      provider.rr = [];
      for (const metric of METRICS) {
        provider.metrics[metric].sum = 0;
        provider.metrics[metric].count = 0;
      }
    }
  }

  /** The providers seen so far. */
  get providers(): readonly ProviderId[] {
    return [...this.#providers.keys()];
  }

  #valueOf(accumulator: Accumulator, end: number): number | undefined {
    if (accumulator.count > 0) return Math.round(accumulator.sum / accumulator.count);
    if (accumulator.last !== undefined && end - accumulator.lastTime <= this.#holdMs) {
      return accumulator.last;
    }
    return undefined;
  }

  #candidates(metric: Metric): ProviderState[] {
    const preferred = this.#preferences.get(metric);
    if (preferred !== undefined) {
      return preferred.flatMap((id) => this.#providers.get(id) ?? []);
    }
    const order = DEFAULT_CHARACTERISTIC_ORDER[metric];
    return [...this.#providers.values()]
      .filter((p) => order.includes(p.characteristic))
      .sort(
        (a, b) =>
          order.indexOf(a.characteristic) - order.indexOf(b.characteristic) ||
          (a.id < b.id ? -1 : 1),
      );
  }

  #provider(source: string, characteristic: string): ProviderState {
    let bySource = this.#bySource.get(source);
    if (bySource === undefined) {
      bySource = new Map();
      this.#bySource.set(source, bySource);
    }
    const known = bySource.get(characteristic);
    if (known !== undefined) return known;
    const id = `${source}:${characteristic}`;
    let provider = this.#providers.get(id);
    if (provider === undefined) {
      const fresh = (): Accumulator => ({ sum: 0, count: 0, last: undefined, lastTime: 0 });
      provider = {
        id,
        characteristic,
        parser: createProviderParser(
          characteristic,
          this.#circumferenceMm === undefined ? {} : { circumferenceMm: this.#circumferenceMm },
        ),
        metrics: { power: fresh(), heartRate: fresh(), cadence: fresh(), speed: fresh() },
        rr: [],
      };
      this.#providers.set(id, provider);
    }
    bySource.set(characteristic, provider);
    return provider;
  }
}
