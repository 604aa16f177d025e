/**
 * Counters of the Workers relay as plain values. Durable Objects share no memory, so each
 * connection object counts in its own `RelayMetrics` and reports what changed since its
 * last report (`SessionMetrics.take`) to a metrics object, which adds it up; `/metrics`
 * renders the sum of every metrics object with the Node relay's names, help and types.
 */
import { RelayMetrics } from "../metrics.js";

/** One series' value: a metric name, its labels and a number (a delta or a total). */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The metric names the protocol (`RelayConnection`) counts and a connection object reports. */
const PROTOCOL_SERIES = new Set([
  "ridevault_relay_envelopes_stored_total",
  "ridevault_relay_errors_total",
]);

/** The non-zero series of `metrics`, read from its exposition text. */
export function samplesOf(metrics: RelayMetrics): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of metrics.render().split("\n")) {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (value === 0 || !Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const [, key, text] of (match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)) {
      labels[key as string] = text as string;
    }
    samples.push({ name: match[1] as string, labels, value });
  }
  return samples;
}

/** The Prometheus text of `samples` added up (series of unknown names are left out). */
export function renderSamples(samples: readonly MetricSample[]): string {
  const metrics = new RelayMetrics();
  const byName = new Map<string, { inc(labels: Record<string, string>, by: number): void }>();
  for (const series of Object.values(metrics) as unknown[]) {
    if (isSeries(series)) byName.set(series.name, series);
  }
  for (const sample of samples) byName.get(sample.name)?.inc({ ...sample.labels }, sample.value);
  return metrics.render();
}

function isSeries(
  value: unknown,
): value is { name: string; inc(labels: Record<string, string>, by: number): void } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { name?: unknown }).name === "string" &&
    typeof (value as { inc?: unknown }).inc === "function"
  );
}

/**
 * What one connection object counted: `protocol` is handed to `RelayConnection` (which
 * counts envelopes stored and errors sent there); `socket` is counted by the object itself
 * from what crosses its socket (connections, frames in and out, slow consumers), since a
 * connection restored after hibernation replays frames no device sent.
 */
export class SessionMetrics {
  readonly protocol = new RelayMetrics();
  readonly socket = new RelayMetrics();
  /** What was reported so far, by series. */
  readonly #reported = new Map<string, number>();

  /** What was counted since the last call, counted as reported. */
  take(): MetricSample[] {
    const current = [
      ...samplesOf(this.protocol).filter((sample) => PROTOCOL_SERIES.has(sample.name)),
      ...samplesOf(this.socket),
    ];
    const byKey = new Map(current.map((sample) => [seriesKey(sample), sample]));
    // A series back at zero (a gauge) is absent from the text but has changed all the same.
    for (const [key, value] of this.#reported) {
      if (value === 0 || byKey.has(key)) continue;
      const [name, labels] = JSON.parse(key) as [string, [string, string][]];
      byKey.set(key, { name, labels: Object.fromEntries(labels), value: 0 });
    }
    const deltas: MetricSample[] = [];
    for (const [key, sample] of byKey) {
      const delta = sample.value - (this.#reported.get(key) ?? 0);
      if (delta === 0) continue;
      this.#reported.set(key, sample.value);
      deltas.push({ ...sample, value: delta });
    }
    return deltas;
  }

  /** Takes back deltas whose report failed, so the next `take` includes them again. */
  untake(deltas: readonly MetricSample[]): void {
    for (const delta of deltas) {
      const key = seriesKey(delta);
      this.#reported.set(key, (this.#reported.get(key) ?? 0) - delta.value);
    }
  }
}

/** A series' identity: its name and sorted labels. */
export function seriesKey(sample: Pick<MetricSample, "name" | "labels">): string {
  return JSON.stringify([sample.name, Object.entries(sample.labels).sort()]);
}
