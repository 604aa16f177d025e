/**
 * A line under the header on every page but Record: a ride is being recorded (back to it),
 * or a ride was left unfinished by a reload or a crashed tab (resume or finish it). So a
 * rider who reopens the app on another page still finds the ride.
 */
import { useEffect, useState, useSyncExternalStore } from "react";
import { useApp } from "../app-context.js";
import { link } from "../pages/HistoryPage.js";
import { usePath } from "../router.js";

/** The notice, or nothing. */
export function RideNotice() {
  const { vault, recorder } = useApp();
  const path = usePath();
  const active = useSyncExternalStore(
    (listener) => recorder.onActive(listener),
    () => recorder.active,
  );
  const [unfinished, setUnfinished] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    if (active || path === "/record") return;
    recorder.findUnfinished(vault).then(
      (ride) => current && setUnfinished(ride ? ride.marker.title || "Ride" : null),
      () => current && setUnfinished(null),
    );
    return () => {
      current = false;
    };
  }, [vault, recorder, active, path]);
  if (path === "/record") return null;
  if (active) {
    return (
      <p className="ride-notice" role="status">
        Recording “{active.title}” —{" "}
        <a href="/record" onClick={link("/record")}>
          back to the ride
        </a>
      </p>
    );
  }
  if (unfinished === null) return null;
  return (
    <p className="ride-notice" role="status">
      “{unfinished}” was left unfinished —{" "}
      <a href="/record" onClick={link("/record")}>
        resume or finish it
      </a>
    </p>
  );
}
