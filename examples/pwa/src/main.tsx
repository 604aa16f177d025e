/**
 * The app's entry: initialises Automerge's WebAssembly (the `/slim` entry, see
 * vite.config.ts), registers the service worker, opens this browser's vault and renders.
 * `?speed=N` makes the simulated recorder ride N seconds per second (demos and tests).
 */

import automergeWasmUrl from "@automerge/automerge/automerge.wasm?url";
import { initializeWasm } from "@automerge/automerge/slim";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { createSimulatedRecorder } from "./recording/recorder-port.js";
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
  const speed = Number(new URLSearchParams(window.location.search).get("speed") ?? 1);
  const recorder = createSimulatedRecorder({
    speed: Number.isFinite(speed) ? Math.min(100, Math.max(1, speed)) : 1,
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
