/**
 * The app's entry: initialises Automerge's WebAssembly (the `/slim` entry, see
 * vite.config.ts), registers the service worker, opens this browser's vault and renders.
 * `?speed=N` makes ride time run N times faster (the simulator and the recording session
 * take the ride clock; for demos and tests).
 */

import automergeWasmUrl from "@automerge/automerge/automerge.wasm?url";
import { initializeWasm } from "@automerge/automerge/slim";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { detectBluetooth } from "./recording/bluetooth-support.js";
import { createRecorder } from "./recording/recorder-port.js";
import { rideSpeed } from "./recording/ride-clock.js";
import { SensorRack } from "./recording/sensor-rack.js";
import { openAppVault } from "./vault/open-app-vault.js";
import "./styles.css";

const root = createRoot(document.getElementById("root") as HTMLElement);

async function boot(): Promise<void> {
  if ("serviceWorker" in navigator && import.meta.env.PROD) {
    navigator.serviceWorker.register("/sw.js").catch((error: unknown) => {
      console.warn("service worker not registered:", error);
    });
  }
  await initializeWasm(automergeWasmUrl);
  const opened = await openAppVault();
  if (!opened.ok) {
    root.render(
      <div role="alert" className="boot">
        <h1>Your vault could not be opened</h1>
        <p>{opened.error.message}</p>
      </div>,
    );
    return;
  }
  const bluetooth = await detectBluetooth({ isSecureContext, navigator });
  const sensors = new SensorRack({ bluetooth });
  // Nothing but the simulator can ride here: choose it, so Start works at once.
  if (!bluetooth.available) sensors.chooseSimulator(true);
  const recorder = createRecorder({
    sensors,
    speed: rideSpeed(new URLSearchParams(window.location.search).get("speed") ?? 1),
  });
  root.render(<App vault={opened.value} recorder={recorder} />);
}

boot().catch((error: unknown) => {
  root.render(
    <div role="alert" className="boot">
      <h1>ridevault could not start</h1>
      <p>{(error as Error).message}</p>
    </div>,
  );
});
