import { decodeLiveSample, encodeLiveSample, unwrap } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { liveStateToSample } from "../src/live/use-live-publisher.js";
import type { LiveState } from "../src/recording/recorder-port.js";
import { expiryFrom, shareLinkInHash, shareMessage } from "../src/sharing/share-actions.js";

const NOW = new Date(2026, 5, 2, 9, 30).getTime();
const DAY = 24 * 3600 * 1000;

describe("expiryFrom", () => {
  it("turns the dialog's choices into an expiry", () => {
    expect(expiryFrom("never", "", NOW)).toEqual({ ok: true, value: null });
    expect(expiryFrom("1d", "", NOW)).toEqual({ ok: true, value: NOW + DAY });
    expect(expiryFrom("7d", "", NOW)).toEqual({ ok: true, value: NOW + 7 * DAY });
    expect(expiryFrom("30d", "", NOW)).toEqual({ ok: true, value: NOW + 30 * DAY });
  });

  it("lets a custom date last to the end of that day, and refuses a missing or past one", () => {
    expect(expiryFrom("custom", "2026-06-10", NOW)).toEqual({
      ok: true,
      value: new Date(2026, 5, 11).getTime(),
    });
    // Today still has time left.
    expect(expiryFrom("custom", "2026-06-02", NOW)).toEqual({
      ok: true,
      value: new Date(2026, 5, 3).getTime(),
    });
    expect(expiryFrom("custom", "2026-06-01", NOW)).toMatchObject({ ok: false });
    expect(expiryFrom("custom", "", NOW)).toMatchObject({ ok: false });
  });
});

describe("shareLinkInHash", () => {
  it("finds the share token in the address's fragment", () => {
    expect(shareLinkInHash("#share=rvshare1abc")).toBe("rvshare1abc");
    expect(shareLinkInHash("#pair=x&share=rvshare1def")).toBe("rvshare1def");
    expect(shareLinkInHash("")).toBeNull();
    expect(shareLinkInHash("#pair=ridevault-pair-1.x")).toBeNull();
  });
});

describe("shareMessage", () => {
  it("says what happened and what to do for the codes a rider meets", () => {
    expect(shareMessage({ code: "not-found", message: "" })).toMatch(/revoked/);
    expect(shareMessage({ code: "share-expired", message: "" })).toMatch(/expired.*new link/);
    expect(shareMessage({ code: "share-link-invalid", message: "" })).toMatch(/not valid/);
    expect(shareMessage({ code: "not-synced", message: "" })).toMatch(/wait until/);
    expect(shareMessage({ code: "quota", message: "too many" })).toBe("too many (quota)");
  });
});

describe("liveStateToSample", () => {
  const state: LiveState = {
    status: "recording",
    timerMs: 61_000,
    power: 251.6,
    heartRate: 140,
    cadence: undefined,
    speed: 9000,
    distanceM: 512.25,
    lap: 2,
    sources: {},
    error: null,
  };

  it("makes a live second that survives core's codec", () => {
    const sample = liveStateToSample(state, NOW);
    expect(sample).toEqual({
      time: NOW,
      timerMs: 61_000,
      lap: 2,
      state: "recording",
      distance: 512_250,
      power: 252,
      heartRate: 140,
      speed: 9000,
    });
    const bytes = unwrap(encodeLiveSample(sample as NonNullable<typeof sample>));
    expect(unwrap(decodeLiveSample(bytes))).toEqual(sample);
  });

  it("counts auto-pause as paused and sends nothing before the ride or once it stopped", () => {
    expect(liveStateToSample({ ...state, status: "auto-paused" }, NOW)?.state).toBe("paused");
    expect(liveStateToSample({ ...state, status: "ready" }, NOW)).toBeUndefined();
    expect(liveStateToSample({ ...state, status: "stopped" }, NOW)).toBeUndefined();
  });
});
