import { describe, expect, it } from "vitest";
import { formatDuration, formatKm, formatKmh, formatSeconds } from "../src/format.js";
import { parseRoute } from "../src/router.js";

describe("parseRoute", () => {
  it("knows the app's pages", () => {
    expect(parseRoute("/")).toEqual({ page: "history" });
    expect(parseRoute("/record")).toEqual({ page: "record" });
    expect(parseRoute("/devices")).toEqual({ page: "devices" });
    expect(parseRoute("/account")).toEqual({ page: "account" });
    expect(parseRoute("/bin")).toEqual({ page: "bin" });
    expect(parseRoute("/workouts/Ab3_x-9")).toEqual({ page: "workout", id: "Ab3_x-9" });
    expect(parseRoute("/live/Ab3_x-9")).toEqual({ page: "live", id: "Ab3_x-9" });
  });

  it("reports anything else as not found", () => {
    expect(parseRoute("/workouts/")).toEqual({ page: "not-found", path: "/workouts/" });
    expect(parseRoute("/workouts/a/b")).toMatchObject({ page: "not-found" });
    expect(parseRoute("/admin")).toMatchObject({ page: "not-found" });
    expect(parseRoute("/live/a/b")).toMatchObject({ page: "not-found" });
  });
});

describe("formatting", () => {
  it("shows the project's units as riders read them", () => {
    expect(formatDuration(59_400)).toBe("0:59");
    expect(formatDuration(3_723_000)).toBe("1:02:03");
    expect(formatKm(42_195_000)).toBe("42.2 km");
    expect(formatKm(null)).toBe("–");
    expect(formatKmh(10_000)).toBe("36.0 km/h");
    expect([5, 60, 1200, 3600].map(formatSeconds)).toEqual(["5 s", "1 min", "20 min", "1 h"]);
  });
});
