/**
 * The app's settings, kept in `localStorage`: where to sync (the same-origin relay by
 * default, another relay, or nowhere — anonymous local-only use) and the rider's FTP and
 * threshold heart rate for power and heart-rate zones. Stored JSON is decoded field by field;
 * anything unreadable falls back to the default instead of breaking the app.
 */

/** What the rider chose. */
export interface AppSettings {
  /** The relay's sync URL; null means the relay that served this app (`ws(s)://host/sync`). */
  readonly relayUrl: string | null;
  /** True: never connect anywhere; the vault stays on this device. */
  readonly localOnly: boolean;
  /** Functional threshold power, W. */
  readonly ftp: number | null;
  /** Lactate threshold heart rate, bpm. */
  readonly thresholdHeartRate: number | null;
}

/** Settings of a fresh install. */
export const DEFAULT_SETTINGS: AppSettings = {
  relayUrl: null,
  localOnly: false,
  ftp: 250,
  thresholdHeartRate: 170,
};

const KEY = "ridevault.settings";

/** Reads the settings (defaults for anything missing or invalid). */
export function loadSettings(storage: Pick<Storage, "getItem"> = localStorage): AppSettings {
  let stored: unknown;
  try {
    stored = JSON.parse(storage.getItem(KEY) ?? "{}");
  } catch {
    return DEFAULT_SETTINGS;
  }
  if (typeof stored !== "object" || stored === null) return DEFAULT_SETTINGS;
  const value = stored as Record<string, unknown>;
  const relayUrl = typeof value.relayUrl === "string" ? checkRelayUrl(value.relayUrl) : null;
  return {
    relayUrl: relayUrl?.ok ? relayUrl.url : null,
    localOnly: value.localOnly === true,
    ftp: positiveOr(value.ftp, DEFAULT_SETTINGS.ftp),
    thresholdHeartRate: positiveOr(value.thresholdHeartRate, DEFAULT_SETTINGS.thresholdHeartRate),
  };
}

/** Stores the settings. */
export function saveSettings(
  settings: AppSettings,
  storage: Pick<Storage, "setItem"> = localStorage,
): void {
  storage.setItem(KEY, JSON.stringify(settings));
}

/** Checks a relay URL typed by the rider: `ws:` or `wss:`, parseable. */
export function checkRelayUrl(
  input: string,
): { readonly ok: true; readonly url: string } | { readonly ok: false; readonly message: string } {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, message: "not a URL; it looks like wss://relay.example/sync" };
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    return { ok: false, message: "a relay URL starts with wss:// (or ws:// on your own machine)" };
  }
  return { ok: true, url: url.toString() };
}

/** The sync URL of the relay that served this page. */
export function sameOriginRelayUrl(
  location: Pick<Location, "protocol" | "host"> = window.location,
): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/sync`;
}

function positiveOr(value: unknown, fallback: number | null): number | null {
  if (value === null) return null;
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : fallback;
}
