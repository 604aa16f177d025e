import { ManualClock } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import {
  encodeCscMeasurement,
  encodeCyclingPowerMeasurement,
  encodeHeartRateMeasurement,
  encodeIndoorBikeData,
} from "../sources/gatt-encoders.js";
import { createReplaySource } from "../sources/replay.js";
import type { SensorNotification, SensorSource } from "../sources/sensor-source.js";
import { createSimulator } from "../sources/simulator.js";
import { FakeTarget } from "../testing/fake-target.js";
import { createRecordingSession, type RecordingSession } from "./recording-session.js";
import type { SessionEvent, SessionOptions } from "./session-types.js";

const T0 = Date.UTC(2026, 5, 1, 6, 0, 0);

/** Notifications every `everyMs` from `from` for `seconds`, bytes made per elapsed ms. */
function stream(
  characteristic: string,
  seconds: number,
  everyMs: number,
  bytesAt: (elapsedMs: number) => Uint8Array,
  from = T0,
): SensorNotification[] {
  const out: SensorNotification[] = [];
  for (let ms = 0; ms < seconds * 1000; ms += everyMs) {
    out.push({ characteristic, time: from + ms, bytes: bytesAt(ms) });
  }
  return out;
}

/** A crank turning at `rpm` (60 or 120: whole ticks per revolution) from `revolutions0`. */
function crankAt(rpm: 60 | 120, revolutions0: number, eventTime0: number) {
  return (ms: number) => {
    const turned = Math.floor((ms * rpm) / 60_000);
    return encodeCscMeasurement({
      crank: {
        revolutions: (revolutions0 + turned) % 0x1_0000,
        eventTime: (eventTime0 + (turned * 60 * 1024) / rpm) % 0x1_0000,
      },
    });
  };
}

const powerOf = (watts: (ms: number) => number) => (ms: number) =>
  encodeCyclingPowerMeasurement({ power: watts(ms) });

interface Rig {
  readonly session: RecordingSession;
  readonly target: FakeTarget;
  readonly clock: ManualClock;
  readonly events: SessionEvent[];
  /** Advances every source and the clock by whole seconds, ticking the session each one. */
  ride(seconds: number): void;
}

type Tickable = SensorSource & { tick(ms: number): void };

async function rig(
  sources: Record<string, Tickable>,
  options: Partial<SessionOptions> = {},
): Promise<Rig> {
  const clock = new ManualClock(T0);
  const target = new FakeTarget();
  const session = createRecordingSession({
    target,
    sources,
    clock,
    timers: "manual",
    ...options,
  });
  const events: SessionEvent[] = [];
  session.onEvent((e) => events.push(e));
  for (const source of Object.values(sources)) await source.start();
  session.start();
  return {
    session,
    target,
    clock,
    events,
    ride(seconds) {
      for (let s = 0; s < seconds; s++) {
        clock.advance(1000);
        for (const source of Object.values(sources)) source.tick(1000);
        session.tick();
      }
    },
  };
}

const column = (target: FakeTarget, field: "power" | "heartRate" | "cadence" | "speed") =>
  target.samples.map((s) => s[field]);
const times = (target: FakeTarget) => target.samples.map((s) => (s.time - T0) / 1000);
/** The laps as [start s, end s, trigger], seconds from T0. */
const lapsOf = (target: FakeTarget) =>
  target.laps.map((l) => [(l.start - T0) / 1000, (l.end - T0) / 1000, l.trigger]);

describe("recording session: counters", () => {
  it("holds duplicates, crosses the 65535 rollover and three 64 s clock wraps exactly", async () => {
    const csc = createReplaySource(stream("2a5b", 200, 250, crankAt(60, 65_500, 60_000)));
    const { session, target, ride } = await rig({ csc });
    ride(200);
    await session.stop();
    // Second 0 is only a baseline; every later second is 60 rpm, duplicates held.
    expect(times(target)).toEqual(Array.from({ length: 199 }, (_, i) => i + 1));
    expect(new Set(column(target, "cadence"))).toEqual(new Set([60]));
    expect(target.timerTime).toBe(200_000);
  });

  it("after a sensor restart (counters back to 0) leaves one second out, then carries on", async () => {
    const before = stream("2a5b", 10, 250, crankAt(60, 40_000, 30_000));
    const after = stream("2a5b", 10, 250, crankAt(60, 0, 0), T0 + 10_000);
    const { session, target, ride } = await rig({ csc: createReplaySource([...before, ...after]) });
    ride(20);
    await session.stop();
    expect(times(target)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(new Set(column(target, "cadence"))).toEqual(new Set([60]));
  });
});

describe("recording session: dropouts", () => {
  it("records a 10 s power meter dropout as a gap, not as invented values", async () => {
    const sim = createSimulator({
      profile: {
        type: "dropouts",
        ride: { type: "steady", power: 230, cadence: 90, heartRate: 140 },
        dropouts: [{ sensor: "power", atSeconds: 20, seconds: 10 }],
      },
      clock: new ManualClock(T0),
      sensors: ["heart-rate", "power"],
      seed: 3,
    });
    const { session, target, ride, events } = await rig({ sim });
    ride(45);
    await session.stop();
    expect(times(target)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    const power = column(target, "power");
    expect(power.slice(0, 20)).toEqual(Array(20).fill(230));
    expect(power.slice(20, 30)).toEqual(Array(10).fill(undefined));
    expect(power.slice(30)).toEqual(Array(15).fill(230));
    expect(new Set(column(target, "heartRate"))).toEqual(new Set([140]));
    const sensorEvents = events.flatMap((e) =>
      e.type === "sensor" && e.event.sensor === "power" ? [e.event.type] : [],
    );
    expect(sensorEvents).toEqual(["connected", "disconnected", "connected"]);
    const switches = events.flatMap((e) =>
      e.type === "source-changed" && e.metric === "power" ? [e.provider] : [],
    );
    expect(switches).toEqual(["sim:2a63", undefined, "sim:2a63"]);
  });

  it("reports garbled notifications as events and keeps recording", async () => {
    const good = stream("2a37", 5, 1000, () =>
      encodeHeartRateMeasurement({ heartRate: 120, wide: false, rrIntervals1024: [512] }),
    );
    const bad = { characteristic: "2a37", time: T0 + 2500, bytes: new Uint8Array([0x01]) };
    const strange = { characteristic: "2a99", time: T0 + 2600, bytes: new Uint8Array([1]) };
    const replay = createReplaySource([...good.slice(0, 3), bad, strange, ...good.slice(3)]);
    const { session, target, ride, events } = await rig({ strap: replay });
    ride(5);
    await session.stop();
    expect(column(target, "heartRate")).toEqual([120, 120, 120, 120, 120]);
    expect(target.samples[0]?.rr).toEqual([500]);
    const errors = events.flatMap((e) => (e.type === "parse-error" ? [e.error.code] : []));
    expect(errors).toEqual(["gatt-too-short", "unknown-characteristic"]);
  });
});

describe("recording session: pause, auto-pause, laps", () => {
  const watts = (ms: number) => (ms >= 20_000 && ms < 35_000 ? 0 : 200);

  it("auto-pauses after N still seconds and resumes on the first moving second", async () => {
    const meter = createReplaySource(stream("2a63", 60, 250, powerOf(watts)));
    const { session, target, ride, events } = await rig(
      { meter },
      { autoPause: { metric: "power", below: 10, seconds: 5 } },
    );
    ride(60);
    await session.stop();
    const expected = [
      ...Array.from({ length: 25 }, (_, i) => i),
      ...Array.from({ length: 25 }, (_, i) => i + 35),
    ];
    expect(times(target)).toEqual(expected);
    expect(column(target, "power")).toEqual([
      ...Array(20).fill(200),
      ...Array(5).fill(0),
      ...Array(25).fill(200),
    ]);
    const states = events.flatMap((e) =>
      e.type === "state" ? [[e.state, (e.time - T0) / 1000]] : [],
    );
    expect(states).toEqual([
      ["recording", 0],
      ["auto-paused", 25],
      ["recording", 35],
      ["stopped", 60],
    ]);
    expect(target.timerTime).toBe(50_000);
  });

  it("does not auto-pause by default, and pauses and resumes by hand", async () => {
    const meter = createReplaySource(stream("2a63", 30, 250, powerOf(watts)));
    const { session, target, ride, clock } = await rig({ meter });
    ride(10);
    clock.advance(400);
    session.pause();
    expect(session.state).toBe("paused");
    ride(5);
    session.resume();
    ride(5);
    await session.stop();
    // Second 10 held the pause, second 15 the resume: it counts, 10 does not.
    expect(times(target)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 18, 19]);
    expect(target.timerTime).toBe(15_000);
    expect(target.endTime).toBe(T0 + 20_000);
  });

  it("closes laps by hand, every N metres and every N minutes of timer time", async () => {
    // 36 km/h = 10 000 mm/s: 50 m every 5 s.
    const trainer = createReplaySource(
      stream("2ad2", 30, 500, () =>
        encodeIndoorBikeData({ speedKmhX100: 3600, cadenceRpmX2: 180, power: 250 }),
      ),
    );
    const { session, target, ride, clock, events } = await rig(
      { trainer },
      { autoLap: { everyMetres: 50 } },
    );
    ride(7);
    clock.advance(300);
    expect(session.lap()).toBe(true);
    expect(session.lap()).toBe(false);
    ride(11);
    await session.stop();
    expect(lapsOf(target)).toEqual([
      [0, 5, "distance"],
      [5, 7, "manual"],
      [7, 12, "distance"],
      [12, 17, "distance"],
      [17, 18, "session-end"],
    ]);
    expect(target.samples.at(-1)?.distance).toBe(180_000);
    const lapEvents = events.flatMap((e) => (e.type === "lap" ? [e.lap.distanceMm] : []));
    expect(lapEvents).toEqual([50_000, 20_000, 50_000, 50_000, 10_000]);
    expect(target.timerTime).toBe(18_000);
    expect(session.live.lap).toBe(6);
  });

  it("closes time laps on timer time, not wall time", async () => {
    const meter = createReplaySource(
      stream(
        "2a63",
        30,
        500,
        powerOf(() => 150),
      ),
    );
    const { session, target, ride } = await rig({ meter }, { autoLap: { everyMs: 4000 } });
    ride(3);
    session.pause();
    ride(5);
    session.resume();
    ride(6);
    await session.stop();
    expect(lapsOf(target)).toEqual([
      [0, 9, "time"],
      [9, 13, "time"],
      [13, 14, "session-end"],
    ]);
  });
});

describe("recording session: sources", () => {
  it("takes one provider per metric, dedicated sensors first, switchable mid-ride", async () => {
    const profile = (power: number) =>
      ({ type: "steady", power, cadence: 90, heartRate: 150 }) as const;
    const meter = createSimulator({
      profile: profile(200),
      clock: new ManualClock(T0),
      sensors: ["power"],
    });
    const trainer = createSimulator({
      profile: profile(215),
      clock: new ManualClock(T0),
      sensors: ["trainer", "heart-rate"],
    });
    const { session, target, ride, events } = await rig({ meter, trainer });
    ride(10);
    session.setPreference("power", ["trainer:2ad2"]);
    ride(10);
    session.setPreference("power", ["nothing:2a63"]);
    ride(3);
    await session.stop();
    const power = column(target, "power");
    expect(power).toEqual([
      ...Array(10).fill(200),
      ...Array(10).fill(215),
      ...Array(3).fill(undefined),
    ]);
    expect(new Set(column(target, "heartRate"))).toEqual(new Set([150]));
    expect(session.providers).toEqual(
      expect.arrayContaining(["meter:2a63", "trainer:2ad2", "trainer:2a37"]),
    );
    const switches = events.flatMap((e) =>
      e.type === "source-changed" && e.metric === "power"
        ? [[e.provider, (e.time - T0) / 1000]]
        : [],
    );
    expect(switches).toEqual([
      ["meter:2a63", 0],
      ["trainer:2ad2", 10],
      [undefined, 20],
    ]);
  });

  it("publishes live values every second", async () => {
    const meter = createReplaySource(
      stream(
        "2a63",
        5,
        250,
        powerOf(() => 321),
      ),
    );
    const { session, ride } = await rig({ meter });
    const seen: number[] = [];
    session.onLive((live) => seen.push(live.timerMs));
    ride(3);
    expect(session.live).toMatchObject({
      state: "recording",
      power: 321,
      timerMs: 3000,
      lap: 1,
      sources: { power: "meter:2a63" },
    });
    expect(seen).toEqual([1000, 2000, 3000]);
    await session.stop();
    expect(session.live.state).toBe("stopped");
  });
});
