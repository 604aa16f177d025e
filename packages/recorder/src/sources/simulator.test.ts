import { ManualClock, unwrap } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { parseCscMeasurement } from "../gatt/csc.js";
import { createCadenceCalculator, type RateUpdate } from "../gatt/cumulative.js";
import { parseCyclingPowerMeasurement } from "../gatt/cycling-power.js";
import { parseIndoorBikeData } from "../gatt/ftms.js";
import { parseHeartRateMeasurement } from "../gatt/heart-rate.js";
import { type RideProfile, rideStateAt, type SimulatedSensor } from "./ride-profile.js";
import type { ConnectionEvent, SensorNotification } from "./sensor-source.js";
import { runSensorSourceTests } from "./sensor-source-suite.js";
import { createSimulator, type SimulatorOptions } from "./simulator.js";

const START = 1_700_000_000_000;

/** Runs a simulator for `seconds` in 1 s ticks and collects everything it emitted. */
async function ride(
  profile: RideProfile,
  seconds: number,
  options: Partial<SimulatorOptions> = {},
) {
  const simulator = createSimulator({ profile, clock: new ManualClock(START), ...options });
  const notifications: SensorNotification[] = [];
  const connections: ConnectionEvent[] = [];
  simulator.onNotification((n) => notifications.push(n));
  simulator.onConnection((e) => connections.push(e));
  await simulator.start();
  for (let s = 0; s < seconds; s++) simulator.tick(1000);
  const of = (characteristic: string) =>
    notifications.filter((n) => n.characteristic === characteristic);
  return { simulator, notifications, connections, of };
}

const stateAt = (profile: RideProfile, n: SensorNotification) =>
  rideStateAt(profile, (n.time - START) / 1000);

const crankOf = (n: SensorNotification) =>
  n.characteristic === "2a63"
    ? unwrap(parseCyclingPowerMeasurement(n.bytes)).crank
    : unwrap(parseCscMeasurement(n.bytes)).crank;

/** Feeds crank readings to a cadence calculator, resetting it on every reconnect. */
function cadenceUpdates(notifications: readonly SensorNotification[]) {
  const calculator = createCadenceCalculator();
  return notifications.map((n) => {
    const crank = crankOf(n);
    if (crank === undefined) throw new Error("no crank data");
    const update: RateUpdate = calculator.update({
      revolutions: crank.revolutions,
      eventTime: crank.lastEventTime1024,
      receivedAt: n.time,
    });
    return { n, update };
  });
}

const steady: RideProfile = { type: "steady", power: 220, cadence: 90, heartRate: 145 };
const intervals: RideProfile = {
  type: "intervals",
  intervals: [
    { seconds: 30, watts: 350, cadence: 100 },
    { seconds: 20, watts: 120, cadence: 80 },
  ],
};

describe("createSimulator", () => {
  it("sends heart rate that decodes to the profile exactly, with plausible RR intervals", async () => {
    const { of } = await ride(intervals, 120);
    const beats = of("2a37");
    expect(beats.length).toBeGreaterThan(100);
    for (const n of beats) {
      const m = unwrap(parseHeartRateMeasurement(n.bytes));
      expect(m.heartRate).toBe(stateAt(intervals, n).heartRate);
      expect(m.heartRateIs16Bit).toBe(false);
      // Beats come at the heart rates of the two blocks (170 and 124 bpm).
      for (const rr of m.rrIntervalsMs) {
        expect(rr).toBeGreaterThanOrEqual(60_000 / 170 - 2);
        expect(rr).toBeLessThanOrEqual(60_000 / 124 + 2);
      }
    }
    expect(
      beats.flatMap((n) => unwrap(parseHeartRateMeasurement(n.bytes)).rrIntervalsMs).length,
    ).toBeGreaterThan(150);
  });

  it("sends the heart rate as u16 when asked", async () => {
    const { of } = await ride(steady, 5, { heartRateFormat: "u16" });
    const m = unwrap(parseHeartRateMeasurement(of("2a37")[0]?.bytes ?? new Uint8Array()));
    expect(m).toMatchObject({ heartRate: 145, heartRateIs16Bit: true });
  });

  it("sends power that decodes to the profile exactly, from the power meter and the trainer", async () => {
    const { of } = await ride(intervals, 120);
    const powers = of("2a63").map((n) => {
      expect(unwrap(parseCyclingPowerMeasurement(n.bytes)).power).toBe(stateAt(intervals, n).power);
      return stateAt(intervals, n).power;
    });
    expect(new Set(powers)).toEqual(new Set([350, 120]));
    for (const n of of("2ad2")) {
      expect(unwrap(parseIndoorBikeData(n.bytes)).power).toBe(stateAt(intervals, n).power);
    }
  });

  it("sends FTMS speed and cadence within the spec's resolution", async () => {
    for (const profile of [intervals, { type: "coasting" } as const]) {
      const { of } = await ride(profile, 90);
      expect(of("2ad2").length).toBeGreaterThan(80);
      for (const n of of("2ad2")) {
        const data = unwrap(parseIndoorBikeData(n.bytes));
        const state = stateAt(profile, n);
        expect(data.moreData).toBe(false);
        expect(Math.abs((data.speedKmhX100 ?? -1) / 100 - state.speedKmh)).toBeLessThanOrEqual(
          0.005,
        );
        expect(Math.abs((data.cadenceRpmX2 ?? -1) / 2 - state.cadence)).toBeLessThanOrEqual(0.25);
      }
    }
  });

  it("notifies each sensor at 1–4 Hz", async () => {
    const { of } = await ride(steady, 60);
    for (const characteristic of ["2a37", "2a63", "2a5b", "2ad2"]) {
      const times = of(characteristic).map((n) => n.time);
      for (let i = 1; i < times.length; i++) {
        const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
        expect(gap).toBeGreaterThanOrEqual(240);
        expect(gap).toBeLessThanOrEqual(1010);
      }
    }
  });

  it("gives cadence within 1 rpm of the profile through the crank counters", async () => {
    for (const characteristic of ["2a63", "2a5b"]) {
      const updates = cadenceUpdates((await ride(steady, 60)).of(characteristic));
      expect(updates[0]?.update).toEqual({ status: "baseline", reason: "first" });
      const values = updates.slice(1).map(({ update }) => update);
      expect(values.filter((u) => u.status === "fresh").length).toBeGreaterThan(40);
      for (const u of values) {
        if (u.status === "waiting") continue;
        expect(u.status === "fresh" || u.status === "held").toBe(true);
        if ("value" in u) expect(Math.abs(u.value - 90)).toBeLessThanOrEqual(1);
      }
    }
  });

  it("resends an unchanged event time when no revolution happened", async () => {
    const { of } = await ride({ type: "steady", power: 100, cadence: 30 }, 20);
    const times = of("2a5b").map((n) => crankOf(n)?.lastEventTime1024);
    const repeats = times.filter((t, i) => i > 0 && t === times[i - 1]);
    expect(repeats.length).toBeGreaterThan(0);
  });

  it("reports cadence 0 while coasting: the crank counters stop", async () => {
    const updates = cadenceUpdates((await ride({ type: "coasting" }, 30)).of("2a5b"));
    const crank = updates.map(({ n }) => crankOf(n));
    expect(new Set(crank.map((c) => `${c?.revolutions}@${c?.lastEventTime1024}`)).size).toBe(1);
    expect(updates.at(-1)?.update).toEqual({ status: "stale", value: 0 });
  });

  it("rolls the event time and the crank revolutions over without breaking cadence", async () => {
    const minutes = 10;
    // A seed whose sensor starts close enough to 65535 revolutions to roll over in the ride.
    let seed = 1;
    for (; seed < 2000; seed++) {
      const { of } = await ride(steady, 1, { seed, sensors: ["speed-cadence"] });
      const first = of("2a5b")[0];
      if (first && (crankOf(first)?.revolutions ?? 0) > 0x1_0000 - 90 * minutes + 60) break;
    }
    const { of } = await ride(steady, minutes * 60, { seed, sensors: ["speed-cadence"] });
    const updates = cadenceUpdates(of("2a5b"));
    const crank = updates.map(({ n }) => crankOf(n));
    const wraps = (pick: (c: { revolutions: number; lastEventTime1024: number }) => number) =>
      crank.filter((c, i) => {
        const previous = crank[i - 1];
        return c && previous && pick(c) < pick(previous);
      }).length;
    expect(wraps((c) => c.lastEventTime1024)).toBeGreaterThanOrEqual((minutes * 60) / 64 - 1);
    expect(wraps((c) => c.revolutions)).toBe(1);
    const statuses = updates.slice(1).map(({ update }) => update.status);
    expect(statuses).not.toContain("baseline");
    for (const { update } of updates.slice(1)) {
      if ("value" in update) expect(Math.abs(update.value - 90)).toBeLessThanOrEqual(1);
    }
  });

  it("drops a sensor out and back in; the first reading after reconnecting is a baseline", async () => {
    const profile: RideProfile = {
      type: "dropouts",
      ride: steady,
      dropouts: [{ sensor: "power", atSeconds: 20, seconds: 10 }],
    };
    const { of, connections } = await ride(profile, 60);
    const power = connections.filter((e) => e.sensor === "power");
    expect(power.map((e) => [e.type, e.time - START, "reason" in e ? e.reason : ""])).toEqual([
      ["connected", 0, ""],
      ["disconnected", 20_000, "signal-lost"],
      ["connected", 30_000, ""],
    ]);
    const notifications = of("2a63");
    expect(notifications.some((n) => n.time > START + 20_000 && n.time < START + 30_000)).toBe(
      false,
    );
    // A session resets its calculators on "connected"; replay that here.
    const calculator = createCadenceCalculator();
    const after = notifications.filter((n) => n.time >= START + 30_000);
    const before = notifications.filter((n) => n.time < START + 20_000);
    calculator.update(reading(before.at(-1)));
    calculator.reset();
    expect(calculator.update(reading(after[0]))).toEqual({ status: "baseline", reason: "first" });
    const turned =
      (crankOf(after[0] as SensorNotification)?.revolutions ?? 0) -
      (crankOf(before.at(-1) as SensorNotification)?.revolutions ?? 0);
    expect(turned).toBeGreaterThanOrEqual(12);
    const values = after.slice(1).map((n) => calculator.update(reading(n)));
    expect(values.some((u) => u.status === "fresh" && Math.abs(u.value - 90) <= 1)).toBe(true);
  });

  it("makes a long dropout a baseline even without a reset: the event clock may have wrapped", async () => {
    const profile: RideProfile = {
      type: "dropouts",
      ride: steady,
      dropouts: [{ sensor: "speed-cadence", atSeconds: 10, seconds: 70 }],
    };
    const updates = cadenceUpdates((await ride(profile, 90)).of("2a5b"));
    const first = updates.find(({ n }) => n.time >= START + 80_000);
    expect(first?.update).toEqual({ status: "baseline", reason: "gap" });
  });

  it("is deterministic for a seed and varies with it", async () => {
    const hex = async (seed: number) =>
      (await ride(intervals, 30, { seed })).notifications.map(
        (n) => `${n.time} ${n.characteristic} ${Buffer.from(n.bytes).toString("hex")}`,
      );
    expect(await hex(7)).toEqual(await hex(7));
    expect(await hex(7)).not.toEqual(await hex(8));
  });

  it("simulates only the sensors asked for, and refuses to tick before start", async () => {
    const sensors: SimulatedSensor[] = ["heart-rate", "trainer"];
    const { notifications, simulator } = await ride(steady, 10, { sensors });
    expect(new Set(notifications.map((n) => n.characteristic))).toEqual(new Set(["2a37", "2ad2"]));
    await simulator.stop();
    expect(() => simulator.tick(1000)).toThrow(/start\(\)/);
  });
});

function reading(n: SensorNotification | undefined) {
  const crank = n && crankOf(n);
  if (!n || !crank) throw new Error("expected a notification with crank data");
  return { revolutions: crank.revolutions, eventTime: crank.lastEventTime1024, receivedAt: n.time };
}

runSensorSourceTests("simulator", {
  async create() {
    const simulator = createSimulator({
      profile: { type: "steady", power: 180, cadence: 88 },
      clock: new ManualClock(START),
    });
    return { source: simulator, advance: async (ms) => simulator.tick(ms) };
  },
});

describe("simulator trainer control", () => {
  it("holds an ERG target on the trainer and the power meter while pedalling", async () => {
    const { simulator, notifications } = await ride(
      { type: "steady", power: 150, cadence: 90 },
      5,
      {
        sensors: ["power", "trainer"],
      },
    );
    expect((await simulator.trainer.setTargetPower(300)).ok).toBe(false);
    expect((await simulator.trainer.requestControl()).ok).toBe(true);
    expect((await simulator.trainer.setTargetPower(300)).ok).toBe(true);
    expect(simulator.controlPoint.target).toEqual({ mode: "erg", watts: 300 });
    const before = notifications.length;
    for (let s = 0; s < 5; s++) simulator.tick(1000);
    const after = notifications.slice(before);
    const powers = after.map((n) =>
      n.characteristic === "2a63"
        ? unwrap(parseCyclingPowerMeasurement(n.bytes)).power
        : unwrap(parseIndoorBikeData(n.bytes)).power,
    );
    expect(new Set(powers)).toEqual(new Set([300]));
    expect((await simulator.trainer.stop()).ok).toBe(true);
    expect(simulator.controlPoint.target).toEqual({ mode: "free" });
  });
});
