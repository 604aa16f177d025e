/**
 * Choosing sensors: one Web Bluetooth button per kind (heart rate, power meter,
 * speed/cadence, trainer) and the simulator, and the chosen sensors with their state —
 * connected, reconnecting in n s, lost — as their sources report it. Without Web Bluetooth
 * the buttons are disabled and a note says why; the simulator stays available.
 */
import { useEffect, useState, useSyncExternalStore } from "react";
import {
  type RackSensor,
  SENSOR_KINDS,
  type SensorKind,
  type SensorRack,
  type SensorStatus,
} from "../../recording/sensor-rack.js";

/** The sensors section of the Record screen. */
export function SensorPanel({ rack }: { readonly rack: SensorRack }) {
  const sensors = useRackSensors(rack);
  const [message, setMessage] = useState<string | null>(null);
  const now = useSecondTicks(sensors.some((s) => s.status.type === "reconnecting"));
  const support = rack.bluetooth;
  const connect = async (kind: SensorKind) => {
    setMessage(null);
    const connected = await rack.connect(kind);
    if (!connected.ok) setMessage(connected.error.message);
  };
  return (
    <section aria-labelledby="sensors-title" className="sensor-panel">
      <h2 id="sensors-title">Sensors</h2>
      <div className="button-row">
        {SENSOR_KINDS.map(({ kind, label }) => (
          <button
            key={kind}
            type="button"
            disabled={!support.available}
            aria-describedby={support.available ? undefined : "bluetooth-note"}
            onClick={() => void connect(kind)}
          >
            Connect {label.toLowerCase()}
          </button>
        ))}
      </div>
      {!support.available && (
        <p id="bluetooth-note" className="note" data-testid="bluetooth-note">
          {support.reason}
        </p>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={rack.simulatorChosen}
          onChange={(event) => rack.chooseSimulator(event.target.checked)}
        />
        Use the simulator (heart rate, power, speed/cadence and an ERG trainer)
      </label>
      {message && <p role="alert">{message}</p>}
      {sensors.length === 0 ? (
        <p className="note">No sensors yet.</p>
      ) : (
        <ul className="sensor-list" data-testid="sensors">
          {sensors.map((sensor) => (
            <li key={sensor.name} data-sensor={sensor.name} data-state={sensor.status.type}>
              <span className="sensor-label">{sensor.label}</span>{" "}
              <span className="sensor-state">{statusText(sensor.status, now)}</span>
              {sensor.problem && <span className="sensor-problem"> — {sensor.problem}</span>}{" "}
              <button type="button" onClick={() => void rack.remove(sensor.name)}>
                Remove<span className="visually-hidden"> {sensor.label}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The rack's sensors, re-rendering on change. */
export function useRackSensors(rack: SensorRack): readonly RackSensor[] {
  return useSyncExternalStore(
    (listener) => rack.subscribe(listener),
    () => rack.sensors,
  );
}

function statusText(status: SensorStatus, now: number): string {
  switch (status.type) {
    case "ready":
      return "starts with the ride";
    case "connecting":
      return "connecting…";
    case "connected":
      return "connected";
    case "lost":
      return "lost";
    case "reconnecting": {
      const seconds = Math.ceil((status.at - now) / 1000);
      return seconds > 0 ? `reconnecting in ${seconds} s` : "reconnecting…";
    }
  }
}

/** The wall clock, refreshed every second while `running`. */
function useSecondTicks(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}
