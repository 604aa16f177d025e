/**
 * Which sensor supplies each metric, when several can: e.g. heart rate from the strap rather
 * than the trainer. Switchable mid-ride; the chosen provider comes first and the others stay
 * as fallbacks (a dropout falls back, the choice comes back with the sensor).
 */
import { METRICS, type Metric } from "@ridevault/recorder";
import type { ActiveRecording, LiveState } from "../../recording/recorder-port.js";
import { type RackSensor, SIMULATOR } from "../../recording/sensor-rack.js";

const METRIC_LABELS: Record<Metric, string> = {
  power: "Power",
  heartRate: "Heart rate",
  cadence: "Cadence",
  speed: "Speed",
};

const CHARACTERISTIC_LABELS: Record<string, string> = {
  "2a37": "heart-rate strap",
  "2a63": "power meter",
  "2a5b": "speed/cadence sensor",
  "2ad2": "trainer",
};

/** The sources section of a ride; lists only metrics with a choice. */
export function SourceChoice(props: {
  readonly recording: ActiveRecording;
  readonly state: LiveState;
  readonly sensors: readonly RackSensor[];
}) {
  const { recording, state, sensors } = props;
  const choices = METRICS.map((metric) => ({
    metric,
    providers: recording.providers(metric),
  })).filter((choice) => choice.providers.length > 1);
  if (choices.length === 0) return null;
  const label = (provider: string) => providerLabel(provider, sensors);
  return (
    <section aria-labelledby="sources-title">
      <h2 id="sources-title">Sources</h2>
      <div className="source-choices">
        {choices.map(({ metric, providers }) => {
          const current = state.sources[metric];
          return (
            <div key={metric} className="source-choice">
              <label htmlFor={`source-${metric}`}>{METRIC_LABELS[metric]} from</label>
              <select
                id={`source-${metric}`}
                value={recording.chosen(metric) ?? ""}
                onChange={(event) => recording.choose(metric, event.target.value || undefined)}
              >
                <option value="">Automatic</option>
                {providers.map((provider) => (
                  <option key={provider} value={provider}>
                    {label(provider)}
                  </option>
                ))}
              </select>
              <span className="note" data-testid={`source-now-${metric}`}>
                now: {current ? label(current) : "none"}
              </span>
            </div>
          );
        })}
      </div>
    </section>
  );
}

/** "Simulated power meter", "KICKR CORE (trainer)". */
function providerLabel(provider: string, sensors: readonly RackSensor[]): string {
  const split = provider.indexOf(":");
  const source = provider.slice(0, split);
  const what = CHARACTERISTIC_LABELS[provider.slice(split + 1)] ?? provider.slice(split + 1);
  if (source === SIMULATOR) return `Simulated ${what}`;
  const device = sensors.find((sensor) => sensor.name === source)?.label ?? source;
  return `${device} (${what})`;
}
