/**
 * What the app remembers about the ride in progress, in `localStorage`, so a reload or a
 * crashed tab can offer to resume or finish it: the workout, the ride clock's anchor, the
 * ride settings (auto-pause, auto laps) and the rider's source choices. The samples
 * themselves are the vault's business (its crash log); this is only the bookmark. Also the
 * ride settings the rider last used, offered again for the next ride. Everything read back
 * is decoded field by field; anything unreadable counts as absent.
 */
import { METRICS, type Metric } from "@ridevault/recorder";
import { decodeAnchor, type RideClockAnchor } from "./ride-clock.js";

/** How a ride is recorded, as the rider set it on the Record screen. */
export interface RideSettings {
  /** Pause while standing still (off by default). */
  readonly autoPause: boolean;
  /** A lap every so many km, or none. */
  readonly lapEveryKm: number | null;
  /** A lap every so many minutes of timer time, or none. */
  readonly lapEveryMin: number | null;
}

/** Settings of a first ride. */
export const DEFAULT_RIDE_SETTINGS: RideSettings = {
  autoPause: false,
  lapEveryKm: null,
  lapEveryMin: null,
};

/** The bookmark of the ride in progress. */
export interface RideMarker {
  readonly workoutId: string;
  readonly title: string;
  readonly anchor: RideClockAnchor;
  readonly settings: RideSettings;
  /** The provider the rider chose per metric ("heart-rate:2a37"), if any. */
  readonly sources: Partial<Record<Metric, string>>;
}

/** The part of `Storage` used here (a fake in tests). */
export type MarkerStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

const MARKER_KEY = "ridevault.ride-in-progress";
const SETTINGS_KEY = "ridevault.ride-settings";

/** Remembers `marker` as the ride in progress. */
export function saveRideMarker(storage: MarkerStorage, marker: RideMarker): void {
  storage.setItem(MARKER_KEY, JSON.stringify(marker));
}

/** Forgets the ride in progress. */
export function clearRideMarker(storage: MarkerStorage): void {
  storage.removeItem(MARKER_KEY);
}

/** The ride in progress, if one is remembered and readable. */
export function loadRideMarker(storage: MarkerStorage): RideMarker | undefined {
  const value = readJson(storage, MARKER_KEY);
  if (typeof value !== "object" || value === null) return undefined;
  const { workoutId, title, anchor, settings, sources } = value as Record<string, unknown>;
  const decodedAnchor = decodeAnchor(anchor);
  if (typeof workoutId !== "string" || workoutId === "" || decodedAnchor === undefined) {
    return undefined;
  }
  return {
    workoutId,
    title: typeof title === "string" ? title : "",
    anchor: decodedAnchor,
    settings: decodeRideSettings(settings),
    sources: decodeSources(sources),
  };
}

/** The ride settings last used (defaults for anything missing or invalid). */
export function loadRideSettings(storage: Pick<Storage, "getItem">): RideSettings {
  return decodeRideSettings(readJson(storage, SETTINGS_KEY));
}

/** Remembers the ride settings for the next ride. */
export function saveRideSettings(storage: Pick<Storage, "setItem">, settings: RideSettings): void {
  storage.setItem(SETTINGS_KEY, JSON.stringify(settings));
}

/** Decodes ride settings field by field. */
export function decodeRideSettings(value: unknown): RideSettings {
  if (typeof value !== "object" || value === null) return DEFAULT_RIDE_SETTINGS;
  const { autoPause, lapEveryKm, lapEveryMin } = value as Record<string, unknown>;
  return {
    autoPause: autoPause === true,
    lapEveryKm: positiveOrNull(lapEveryKm),
    lapEveryMin: positiveOrNull(lapEveryMin),
  };
}

function decodeSources(value: unknown): Partial<Record<Metric, string>> {
  if (typeof value !== "object" || value === null) return {};
  const sources: Partial<Record<Metric, string>> = {};
  for (const metric of METRICS) {
    const provider = (value as Record<string, unknown>)[metric];
    if (typeof provider === "string" && /^[a-z-]+:[0-9a-f]{4}$/.test(provider)) {
      sources[metric] = provider;
    }
  }
  return sources;
}

function positiveOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
}

function readJson(storage: Pick<Storage, "getItem">, key: string): unknown {
  try {
    return JSON.parse(storage.getItem(key) ?? "null");
  } catch {
    return null;
  }
}
