import { describe, expect, it } from "vitest";
import {
  checkRelayUrl,
  DEFAULT_SETTINGS,
  loadSettings,
  sameOriginRelayUrl,
  saveSettings,
} from "../src/settings.js";

/** A `localStorage` stand-in. */
class FakeStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

describe("settings", () => {
  it("round-trips what the rider chose", () => {
    const storage = new FakeStorage();
    const chosen = {
      relayUrl: "wss://relay.example/sync",
      localOnly: true,
      ftp: 281,
      thresholdHeartRate: null,
    };
    saveSettings(chosen, storage);
    expect(loadSettings(storage)).toEqual(chosen);
  });

  it("falls back to defaults for missing, broken or invalid values", () => {
    const storage = new FakeStorage();
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
    storage.setItem("ridevault.settings", "{not json");
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
    storage.setItem(
      "ridevault.settings",
      JSON.stringify({ relayUrl: "http://x", localOnly: "yes", ftp: -5, thresholdHeartRate: "x" }),
    );
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
  });

  it("accepts only ws: and wss: relay URLs", () => {
    expect(checkRelayUrl(" wss://relay.example/sync ")).toEqual({
      ok: true,
      url: "wss://relay.example/sync",
    });
    expect(checkRelayUrl("https://relay.example/sync").ok).toBe(false);
    expect(checkRelayUrl("relay.example").ok).toBe(false);
  });

  it("derives the same-origin sync URL", () => {
    expect(sameOriginRelayUrl({ protocol: "http:", host: "127.0.0.1:8787" })).toBe(
      "ws://127.0.0.1:8787/sync",
    );
    expect(sameOriginRelayUrl({ protocol: "https:", host: "rides.example" })).toBe(
      "wss://rides.example/sync",
    );
  });
});
