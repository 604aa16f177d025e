/**
 * Recording a ride: big live numbers (power, heart rate, cadence, speed, time, distance) and
 * start, pause/resume, lap and stop. The data come from the `RecorderPort` (the simulator for
 * now); the rider sees the same page whatever the source.
 */
import { useEffect, useState } from "react";
import { useApp } from "../app-context.js";
import { formatDuration } from "../format.js";
import type { ActiveRecording, LiveState } from "../recording/recorder-port.js";
import { navigate } from "../router.js";

let active: ActiveRecording | null = null;

/** The record page. */
export function RecordPage() {
  const { vault, recorder } = useApp();
  const [recording, setRecording] = useState<ActiveRecording | null>(active);
  const [state, setState] = useState<LiveState | null>(active?.state ?? null);
  const [title, setTitle] = useState(() => `Ride ${new Date().toLocaleDateString()}`);
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => recording?.subscribe(setState), [recording]);

  const start = async () => {
    setMessage(null);
    const started = await recorder.start({ vault, title });
    if (!started.ok) {
      setMessage(started.error.message);
      return;
    }
    active = started.value;
    setRecording(started.value);
    setState(started.value.state);
  };
  const stop = async () => {
    if (!recording) return;
    await recording.stop();
    active = null;
    setRecording(null);
    navigate(`/workouts/${recording.workoutId}`);
  };

  if (!recording || !state) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">Record a ride</h1>
        <p>Source: simulated sensors (power, heart rate, cadence, speed).</p>
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void start();
          }}
        >
          <label htmlFor="ride-title">Title</label>
          <input id="ride-title" value={title} onChange={(e) => setTitle(e.target.value)} />
          <button type="submit" className="primary">
            Start ride
          </button>
        </form>
        {message && <p role="alert">{message}</p>}
      </section>
    );
  }
  const sample = state.sample;
  const speedKmh = sample?.speed != null ? ((sample.speed * 3.6) / 1000).toFixed(1) : "–";
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{state.status === "paused" ? "Paused" : "Recording"}</h1>
      <div className="live" data-testid="live" data-status={state.status}>
        <Live label="Power" value={sample?.power} unit="W" />
        <Live label="Heart rate" value={sample?.heartRate} unit="bpm" />
        <Live label="Cadence" value={sample?.cadence} unit="rpm" />
        <Live label="Speed" value={speedKmh} unit="km/h" />
        <Live label="Time" value={formatDuration(state.timerMs)} unit="" testId="live-time" />
        <Live label="Distance" value={(state.distanceM / 1000).toFixed(2)} unit="km" />
        <Live label="Lap" value={state.laps + 1} unit="" />
      </div>
      {state.error && <p role="alert">{state.error}</p>}
      <div className="button-row big-buttons">
        {state.status === "paused" ? (
          <button type="button" className="primary" onClick={() => recording.resume()}>
            Resume
          </button>
        ) : (
          <button type="button" onClick={() => recording.pause()}>
            Pause
          </button>
        )}
        <button type="button" onClick={() => recording.lap()}>
          Lap
        </button>
        <button type="button" className="danger" onClick={() => void stop()}>
          Stop and save
        </button>
      </div>
    </section>
  );
}

function Live(props: {
  readonly label: string;
  readonly value: number | string | undefined;
  readonly unit: string;
  readonly testId?: string;
}) {
  return (
    <div className="live-cell" data-testid={props.testId}>
      <span className="live-label">{props.label}</span>
      <span className="live-value">{props.value ?? "–"}</span>
      {props.unit && <span className="live-unit">{props.unit}</span>}
    </div>
  );
}
