/**
 * The recording side of the live view: while a ride records, each second of its live state
 * goes out to whoever watches it (a coach holding a share), through core's
 * `createLivePublisher` over the sync controller — which sends only while somebody watches,
 * so an unwatched ride costs nothing. The hook answers how many watch now.
 */
import { createLivePublisher, type LiveChannel, type LiveSample } from "@ridevault/core/browser";
import { useEffect, useState } from "react";
import type { ActiveRecording, LiveState } from "../recording/recorder-port.js";

/** The live second to send for `state` at `now`, or undefined before or after the ride. */
export function liveStateToSample(state: LiveState, now: number): LiveSample | undefined {
  if (state.status === "ready" || state.status === "stopped") return undefined;
  return {
    time: now,
    timerMs: Math.round(state.timerMs),
    lap: state.lap,
    state: state.status === "recording" ? "recording" : "paused",
    distance: Math.round(state.distanceM * 1000),
    ...(state.power !== undefined && { power: Math.round(state.power) }),
    ...(state.heartRate !== undefined && { heartRate: Math.round(state.heartRate) }),
    ...(state.cadence !== undefined && { cadence: Math.round(state.cadence) }),
    ...(state.speed !== undefined && { speed: Math.round(state.speed) }),
  };
}

/** Publishes `recording`'s live seconds on `channel`; returns how many watch it now. */
export function useLivePublisher(recording: ActiveRecording, channel: LiveChannel): number {
  const [watchers, setWatchers] = useState(() => channel.watchers(recording.workoutId));
  useEffect(() => {
    const publisher = createLivePublisher({ channel, docId: recording.workoutId });
    setWatchers(publisher.watchers());
    const stopWatchers = publisher.onWatchers(setWatchers);
    const stopState = recording.subscribe((state) => {
      const sample = liveStateToSample(state, Date.now());
      // Nobody watching, or a value out of range: this second is skipped, the next follows.
      if (sample) publisher.publish(sample);
    });
    return () => {
      stopWatchers();
      stopState();
    };
  }, [recording, channel]);
  return watchers;
}
