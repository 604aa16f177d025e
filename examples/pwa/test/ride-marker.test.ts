import { describe, expect, it } from "vitest";
import { anchorAt } from "../src/recording/ride-clock.js";
import {
  clearRideMarker,
  DEFAULT_RIDE_SETTINGS,
  loadRideMarker,
  loadRideSettings,
  type RideMarker,
  saveRideMarker,
  saveRideSettings,
} from "../src/recording/ride-marker.js";
import { MemoryStorage } from "./memory-storage.js";

const marker: RideMarker = {
  workoutId: "w-1",
  title: "Morning",
  anchor: anchorAt(5, 1_750_000_000_000),
  settings: { autoPause: true, lapEveryKm: 5, lapEveryMin: null },
  sources: { heartRate: "heart-rate:2a37" },
};

describe("the ride bookmark", () => {
  it("round-trips and is forgotten when cleared", () => {
    const storage = new MemoryStorage();
    saveRideMarker(storage, marker);
    expect(loadRideMarker(storage)).toEqual(marker);
    clearRideMarker(storage);
    expect(loadRideMarker(storage)).toBeUndefined();
  });

  it("decodes field by field: bad sources and settings are dropped, a bad anchor drops it all", () => {
    const storage = new MemoryStorage();
    storage.setItem(
      "ridevault.ride-in-progress",
      JSON.stringify({
        ...marker,
        settings: { autoPause: "yes", lapEveryKm: -1, lapEveryMin: 10 },
        sources: { heartRate: "<script>", power: "sim:2a63", bogus: "sim:2a37" },
      }),
    );
    expect(loadRideMarker(storage)).toEqual({
      ...marker,
      settings: { autoPause: false, lapEveryKm: null, lapEveryMin: 10 },
      sources: { power: "sim:2a63" },
    });
    storage.setItem("ridevault.ride-in-progress", JSON.stringify({ ...marker, anchor: {} }));
    expect(loadRideMarker(storage)).toBeUndefined();
    storage.setItem("ridevault.ride-in-progress", "{not json");
    expect(loadRideMarker(storage)).toBeUndefined();
  });

  it("remembers the ride settings for the next ride (defaults: auto-pause off, no auto laps)", () => {
    const storage = new MemoryStorage();
    expect(loadRideSettings(storage)).toEqual(DEFAULT_RIDE_SETTINGS);
    expect(DEFAULT_RIDE_SETTINGS.autoPause).toBe(false);
    saveRideSettings(storage, marker.settings);
    expect(loadRideSettings(storage)).toEqual(marker.settings);
  });
});
