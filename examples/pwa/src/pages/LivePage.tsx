/**
 * Watching a shared ride live (`/live/<workoutId>`), as a coach does: the big numbers of each
 * second as the rider's device sends it, and "waiting for the rider…" until one arrives (or
 * when none has come for a while). Watching goes through core's `watchLiveRide` over the
 * sync controller; the rider's device sends only while someone watches.
 */
import { type LiveSample, watchLiveRide } from "@ridevault/core/browser";
import { useEffect, useState } from "react";
import { useApp, useVaultVersion } from "../app-context.js";
import { formatDuration } from "../format.js";
import { link } from "../router.js";
import { useSharedVersion } from "../sharing/use-shared-version.js";
import { Live } from "./record/LiveRide.js";

/** After this long without a second, the rider is shown as gone quiet again. */
const QUIET_MS = 5_000;

/** The live page of workout `id`. */
export function LivePage({ id }: { readonly id: string }) {
  const { vault, sync } = useApp();
  useVaultVersion(vault);
  useSharedVersion(vault);
  const entry = vault.workouts.get(id);
  const watchable = vault.sharedWithMe.mode(id) !== undefined || entry !== undefined;
  const [sample, setSample] = useState<{ value: LiveSample; at: number } | null>(null);
  const [garbled, setGarbled] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    if (!watchable) return;
    const stop = watchLiveRide({
      channel: sync,
      docId: id,
      onSample: (value) => setSample({ value, at: Date.now() }),
      onError: (error) => setGarbled(error.message),
    });
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      stop();
      clearInterval(timer);
    };
  }, [sync, id, watchable]);

  const title = entry?.title || "Shared ride";
  if (!watchable) {
    return (
      <section aria-labelledby="page-title">
        <h1 id="page-title">Nothing to watch</h1>
        <p>
          This ride is not shared with you (or the share ended). Open the share link its rider sent
          you first.
        </p>
      </section>
    );
  }
  const fresh = sample && now - sample.at < QUIET_MS ? sample.value : null;
  const speed = fresh?.speed === undefined ? undefined : ((fresh.speed * 3.6) / 1000).toFixed(1);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Live: {title}</h1>
      <p className="note">
        <a href={`/workouts/${id}`} onClick={link(`/workouts/${id}`)}>
          Back to the ride
        </a>
      </p>
      <p role="status" data-testid="live-status">
        {fresh
          ? fresh.state === "paused"
            ? "The rider has paused."
            : "Live"
          : "Waiting for the rider… (numbers appear as soon as they ride with the app open)"}
      </p>
      <div className="live" data-testid="live" data-status={fresh ? fresh.state : "waiting"}>
        <Live label="Power" value={fresh?.power} unit="W" testId="live-power" />
        <Live label="Heart rate" value={fresh?.heartRate} unit="bpm" testId="live-heart-rate" />
        <Live label="Cadence" value={fresh?.cadence} unit="rpm" testId="live-cadence" />
        <Live label="Speed" value={speed} unit="km/h" testId="live-speed" />
        <Live
          label="Time"
          value={fresh ? formatDuration(fresh.timerMs) : undefined}
          unit=""
          testId="live-time"
        />
        <Live
          label="Distance"
          value={fresh?.distance === undefined ? undefined : (fresh.distance / 1e6).toFixed(2)}
          unit="km"
          testId="live-distance"
        />
        <Live label="Lap" value={fresh?.lap} unit="" testId="live-lap" />
      </div>
      {garbled && <p role="alert">A live second could not be read and was skipped: {garbled}</p>}
    </section>
  );
}
