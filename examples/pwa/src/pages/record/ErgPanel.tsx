/**
 * ERG mode for the connected trainer (a Bluetooth FTMS trainer, or the simulator's): a
 * target power set with −/+ buttons or typed in, sent through the trainer's control point.
 * What the trainer answered is shown: the target it holds, or its refusal (out of range,
 * control not permitted, no response) with the control point's error code.
 */
import { useState } from "react";
import type { SensorRack } from "../../recording/sensor-rack.js";

const STEP_W = 10;
const MAX_W = 4000;

/** The trainer section of a ride; renders nothing without a trainer. */
export function ErgPanel({
  rack,
  trainer,
}: {
  readonly rack: SensorRack;
  readonly trainer: string;
}) {
  const [held, setHeld] = useState<number | undefined>(() => rack.ergTarget);
  const [target, setTarget] = useState(() => String(rack.ergTarget ?? 200));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (watts: number) => {
    setTarget(String(watts));
    if (!(Number.isInteger(watts) && watts >= 0 && watts <= MAX_W)) {
      setError(`a target is a whole number of watts from 0 to ${MAX_W}`);
      return;
    }
    setBusy(true);
    const result = await rack.setErgTarget(watts);
    setBusy(false);
    if (result.ok) {
      setHeld(watts);
      setError(null);
    } else {
      setError(`The trainer refused: ${result.error.message} (${result.error.code})`);
    }
  };
  const current = Number(target);
  return (
    <section aria-labelledby="erg-title" className="erg">
      <h2 id="erg-title">Trainer: ERG</h2>
      <p className="note">{trainer}</p>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void send(current);
        }}
      >
        <label htmlFor="erg-target">Target power (W)</label>
        <button
          type="button"
          aria-label={`${STEP_W} W less`}
          disabled={busy}
          onClick={() => void send(Math.max(0, Math.round(current) - STEP_W))}
        >
          −
        </button>
        <input
          id="erg-target"
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          value={target}
          onChange={(event) => setTarget(event.target.value)}
        />
        <button
          type="button"
          aria-label={`${STEP_W} W more`}
          disabled={busy}
          onClick={() => void send(Math.round(current) + STEP_W)}
        >
          +
        </button>
        <button type="submit" className="primary" disabled={busy}>
          Set ERG
        </button>
      </form>
      <p data-testid="erg-status" aria-live="polite">
        {held === undefined ? "Not in ERG mode" : `ERG: holding ${held} W`}
      </p>
      {error && (
        <p role="alert" data-testid="erg-error">
          {error}
        </p>
      )}
    </section>
  );
}
