/**
 * Prometheus metrics of a relay: counters and gauges, rendered in the text exposition
 * format for `/metrics`. Labels are bounded (error codes, envelope kinds) so series stay few.
 */

type Labels = Readonly<Record<string, string>>;

class Series {
  readonly #values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge",
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  dec(labels: Labels = {}, by = 1): void {
    this.inc(labels, -by);
  }

  value(labels: Labels = {}): number {
    return this.#values.get(labelKey(labels)) ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    if (this.#values.size === 0) lines.push(`${this.name} 0`);
    for (const [key, value] of this.#values) lines.push(`${this.name}${key} ${value}`);
    return lines.join("\n");
  }
}

function labelKey(labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "_")}"`).join(",")}}`;
}

/** The relay's metrics. */
export class RelayMetrics {
  readonly connections = new Series(
    "ridevault_relay_connections",
    "Open device connections.",
    "gauge",
  );
  readonly framesIn = new Series(
    "ridevault_relay_frames_in_total",
    "Frames received from devices.",
    "counter",
  );
  readonly framesOut = new Series(
    "ridevault_relay_frames_out_total",
    "Frames sent to devices.",
    "counter",
  );
  readonly envelopesStored = new Series(
    "ridevault_relay_envelopes_stored_total",
    "Envelopes committed to the store, by kind.",
    "counter",
  );
  readonly errors = new Series(
    "ridevault_relay_errors_total",
    "Errors sent to devices, by code.",
    "counter",
  );
  readonly slowConsumers = new Series(
    "ridevault_relay_slow_consumers_total",
    "Connections closed because they did not read fast enough.",
    "counter",
  );

  /** The Prometheus text exposition of every metric. */
  render(): string {
    return `${[
      this.connections,
      this.framesIn,
      this.framesOut,
      this.envelopesStored,
      this.errors,
      this.slowConsumers,
    ]
      .map((s) => s.render())
      .join("\n")}\n`;
  }
}
