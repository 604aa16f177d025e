/**
 * The ride in progress: big live numbers (power, heart rate, cadence, speed, timer time,
 * distance, lap) — sent on to anyone watching live, with how many watch —, pause/resume, lap,
 * stop and save, the choice of source per metric, ERG for
 * a connected trainer, and the sensors with their state (a sensor can be added mid-ride).
 */
import { useEffect, useState } from "react";
import { useApp } from "../../app-context.js";
import { formatDuration } from "../../format.js";
import { useLivePublisher } from "../../live/use-live-publisher.js";
import type { ActiveRecording, LiveState } from "../../recording/recorder-port.js";
import type { SensorRack } from "../../recording/sensor-rack.js";
import { ErgPanel } from "./ErgPanel.js";
import { SensorPanel, useRackSensors } from "./SensorPanel.js";
import { SourceChoice } from "./SourceChoice.js";

const HEADINGS: Record<LiveState["status"], string> = {
  ready: "Starting",
  recording: "Recording",
  paused: "Paused",
  "auto-paused": "Auto-paused",
  stopped: "Saving",
};

/** The live view of `recording`; `onStopped` runs once it is saved. */
export function LiveRide(props: {
  readonly recording: ActiveRecording;
  readonly rack: SensorRack;
  readonly onStopped: (workoutId: string) => void;
}) {
  const { recording, rack, onStopped } = props;
  const [state, setState] = useState<LiveState>(recording.state);
  const [stopping, setStopping] = useState(false);
  useEffect(() => {
    setState(recording.state);
    return recording.subscribe(setState);
  }, [recording]);
  const sensors = useRackSensors(rack);
  const { sync } = useApp();
  const watching = useLivePublisher(recording, sync);
  const trainer = rack.trainer();
  const stop = async () => {
    setStopping(true);
    await recording.stop();
    onStopped(recording.workoutId);
  };
  const speedKmh = state.speed === undefined ? undefined : ((state.speed * 3.6) / 1000).toFixed(1);
  const paused = state.status === "paused" || state.status === "auto-paused";
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{HEADINGS[state.status]}</h1>
      <p className="note">
        {recording.title}
        {watching > 0 && (
          <span className="watching" data-testid="live-watchers">
            {" "}
            · {watching} watching
          </span>
        )}
      </p>
      <div className="live" data-testid="live" data-status={state.status}>
        <Live label="Power" value={state.power} unit="W" testId="live-power" />
        <Live label="Heart rate" value={state.heartRate} unit="bpm" testId="live-heart-rate" />
        <Live label="Cadence" value={state.cadence} unit="rpm" testId="live-cadence" />
        <Live label="Speed" value={speedKmh} unit="km/h" testId="live-speed" />
        <Live label="Time" value={formatDuration(state.timerMs)} unit="" testId="live-time" />
        <Live
          label="Distance"
          value={state.distanceM > 0 ? (state.distanceM / 1000).toFixed(2) : "0.00"}
          unit="km"
          testId="live-distance"
        />
        <Live label="Lap" value={state.lap} unit="" testId="live-lap" />
      </div>
      {state.error && <p role="alert">{state.error}</p>}
      <div className="button-row big-buttons">
        {paused ? (
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
        <button type="button" className="danger" disabled={stopping} onClick={() => void stop()}>
          Stop and save
        </button>
      </div>
      <SourceChoice recording={recording} state={state} sensors={sensors} />
      {trainer && <ErgPanel key={trainer.label} rack={rack} trainer={trainer.label} />}
      <SensorPanel rack={rack} />
    </section>
  );
}

/** One big live number with its label and unit ("–" without a reading). */
export function Live(props: {
  readonly label: string;
  readonly value: number | string | undefined;
  readonly unit: string;
  readonly testId: string;
}) {
  return (
    <div className="live-cell" data-testid={props.testId}>
      <span className="live-label">{props.label}</span>
      <span className="live-value">{props.value ?? "–"}</span>
      {props.unit && <span className="live-unit">{props.unit}</span>}
    </div>
  );
}
