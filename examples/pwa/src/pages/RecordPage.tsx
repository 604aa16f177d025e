/**
 * Recording a ride. Before a ride: the sensors (Bluetooth or the simulator), the ride
 * settings (auto-pause, off by default; a lap every N km and/or N min) and the title. During
 * one: the live view (`record/LiveRide.tsx`). After a reload or a crashed tab: the ride left
 * unfinished, with "Resume ride" (carry on recording into it) and "Finish ride" (save it as
 * it stands). The data and the logic come from the `RecorderPort`.
 */
import { useEffect, useState, useSyncExternalStore } from "react";
import { useApp } from "../app-context.js";
import { formatDuration } from "../format.js";
import type { RecorderPort } from "../recording/recorder-port.js";
import { loadRideSettings, type RideSettings, saveRideSettings } from "../recording/ride-marker.js";
import type { UnfinishedRide } from "../recording/unfinished-ride.js";
import { navigate } from "../router.js";
import { LiveRide } from "./record/LiveRide.js";
import { SensorPanel, useRackSensors } from "./record/SensorPanel.js";

/** The record page. */
export function RecordPage() {
  const { vault, recorder } = useApp();
  const active = useActiveRecording(recorder);
  const [unfinished, setUnfinished] = useState<UnfinishedRide | null | "checking">("checking");
  useEffect(() => {
    let current = true;
    if (active) return;
    recorder.findUnfinished(vault).then(
      (ride) => current && setUnfinished(ride ?? null),
      () => current && setUnfinished(null),
    );
    return () => {
      current = false;
    };
  }, [vault, recorder, active]);
  const saved = (workoutId: string) => navigate(`/workouts/${workoutId}`);

  if (active) return <LiveRide recording={active} rack={recorder.sensors} onStopped={saved} />;
  if (unfinished === "checking") return <p className="boot">Checking for an unfinished ride…</p>;
  if (unfinished) {
    return (
      <UnfinishedPrompt ride={unfinished} onFinished={saved} onGone={() => setUnfinished(null)} />
    );
  }
  return <RideSetup />;
}

function RideSetup() {
  const { vault, recorder } = useApp();
  const sensors = useRackSensors(recorder.sensors);
  const [title, setTitle] = useState(() => `Ride ${new Date().toLocaleDateString()}`);
  const [settings, setSettings] = useState<RideSettings>(() => loadRideSettings(localStorage));
  const [message, setMessage] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const start = async () => {
    if (sensors.length === 0) {
      setMessage("Connect a sensor or use the simulator first.");
      return;
    }
    setMessage(null);
    setStarting(true);
    saveRideSettings(localStorage, settings);
    const started = await recorder.start({ vault, title, settings });
    setStarting(false);
    if (!started.ok) setMessage(started.error.message);
  };
  const number = (value: string) => (value === "" || !(Number(value) > 0) ? null : Number(value));
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Record a ride</h1>
      <SensorPanel rack={recorder.sensors} />
      <section aria-labelledby="ride-settings-title">
        <h2 id="ride-settings-title">Ride settings</h2>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={settings.autoPause}
            onChange={(e) => setSettings({ ...settings, autoPause: e.target.checked })}
          />
          Auto-pause when stopped (below 3.6 km/h for 5 s)
        </label>
        <div className="lap-settings">
          <label htmlFor="lap-km">Lap every (km)</label>
          <input
            id="lap-km"
            type="number"
            min={0}
            step="any"
            placeholder="off"
            value={settings.lapEveryKm ?? ""}
            onChange={(e) => setSettings({ ...settings, lapEveryKm: number(e.target.value) })}
          />
          <label htmlFor="lap-min">Lap every (min)</label>
          <input
            id="lap-min"
            type="number"
            min={0}
            step="any"
            placeholder="off"
            value={settings.lapEveryMin ?? ""}
            onChange={(e) => setSettings({ ...settings, lapEveryMin: number(e.target.value) })}
          />
        </div>
      </section>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void start();
        }}
      >
        <label htmlFor="ride-title">Title</label>
        <input id="ride-title" value={title} onChange={(e) => setTitle(e.target.value)} />
        <button type="submit" className="primary" disabled={starting}>
          Start ride
        </button>
      </form>
      {message && <p role="alert">{message}</p>}
    </section>
  );
}

function UnfinishedPrompt(props: {
  readonly ride: UnfinishedRide;
  readonly onFinished: (workoutId: string) => void;
  readonly onGone: () => void;
}) {
  const { vault, recorder } = useApp();
  const { ride } = props;
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const resume = async () => {
    setBusy(true);
    const resumed = await recorder.resume({ vault, ride });
    setBusy(false);
    if (!resumed.ok) setMessage(resumed.error.message);
  };
  const finish = async () => {
    setBusy(true);
    const finished = await recorder.finish({ vault, ride });
    setBusy(false);
    if (finished.ok) props.onFinished(finished.value);
    else setMessage(finished.error.message);
  };
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Unfinished ride</h1>
      <p data-testid="unfinished">
        “{ride.marker.title || "Ride"}” was still recording when the app closed:{" "}
        {formatDuration(ride.timerMs)} and {(ride.distanceMm / 1e6).toFixed(2)} km are saved
        {ride.recovered > 0 && ` (${ride.recovered} s recovered from the crash log)`}.
      </p>
      <p>Resume it (reconnect your sensors first), or finish it as it is.</p>
      <div className="button-row big-buttons">
        <button type="button" className="primary" disabled={busy} onClick={() => void resume()}>
          Resume ride
        </button>
        <button type="button" disabled={busy} onClick={() => void finish()}>
          Finish ride
        </button>
      </div>
      {message && (
        <p role="alert">
          {message}{" "}
          <button type="button" onClick={props.onGone}>
            Start a new ride instead
          </button>
        </p>
      )}
      <SensorPanel rack={recorder.sensors} />
    </section>
  );
}

/** The port's recording in progress, re-rendering when it starts or ends. */
function useActiveRecording(recorder: RecorderPort) {
  return useSyncExternalStore(
    (listener) => recorder.onActive(listener),
    () => recorder.active,
  );
}
