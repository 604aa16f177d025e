/**
 * Web Bluetooth to workout samples, on a fake radio and fake timers: a heart rate strap and
 * an FTMS trainer feed a session that ticks by itself. The strap drops out and comes back
 * after the source's backoff; the trainer is put in ERG mode through the source's control
 * point and its power follows. Every second is accounted for.
 */
import { ManualClock, type Random } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import {
  createRecordingSession,
  createWebBluetoothSource,
  FakeBluetoothDevice,
  FakeTarget,
  FakeTimers,
} from "../src/index.js";
import { encodeIndoorBikeData } from "../src/sources/gatt-encoders.js";

const T0 = Date.UTC(2026, 5, 1, 6, 0, 0);
const noJitter: Random = { bytes: (length) => new Uint8Array(length) };

describe("web bluetooth → session", () => {
  it("records through a strap dropout and follows an ERG target", async () => {
    const clock = new ManualClock(T0);
    const timers = new FakeTimers(clock);
    const strapDevice = new FakeBluetoothDevice({
      id: "hr-1",
      name: "Strap",
      services: ["heart_rate"],
      timers,
    });
    const trainerDevice: FakeBluetoothDevice = new FakeBluetoothDevice({
      id: "kickr-1",
      name: "Trainer",
      services: ["fitness_machine"],
      timers,
      measurement: () => {
        const target = trainerDevice.controlPoint.target;
        const power = target.mode === "erg" ? target.watts : 180;
        return encodeIndoorBikeData({ speedKmhX100: 3600, cadenceRpmX2: 180, power });
      },
    });
    const common = { clock, timers, random: noJitter };
    const strap = createWebBluetoothSource({ device: strapDevice, ...common });
    const trainer = createWebBluetoothSource({ device: trainerDevice, ...common });
    const target = new FakeTarget();
    const session = createRecordingSession({ target, sources: { strap, trainer }, clock, timers });
    await strap.start();
    await trainer.start();
    session.start();

    await timers.advance(10_000);
    expect((await trainer.trainer.requestControl()).ok).toBe(true);
    expect((await trainer.trainer.setTargetPower(250)).ok).toBe(true);
    await timers.advance(10_000);
    strapDevice.reachable = false;
    strapDevice.drop();
    await timers.advance(10_000);
    strapDevice.reachable = true;
    await timers.advance(20_000);
    await session.stop();

    const seconds = target.samples.map((s) => (s.time - T0) / 1000);
    expect(seconds).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const withHr = target.samples
      .filter((s) => s.heartRate !== undefined)
      .map((s) => (s.time - T0) / 1000);
    // Dropped at 20 s; reconnect attempts at 21, 23, 27 fail, the one at 35 s succeeds.
    expect(withHr).toEqual(
      Array.from({ length: 50 }, (_, i) => i).filter((s) => s <= 20 || s >= 35),
    );
    const power = target.samples.map((s) => s.power);
    expect(power.slice(0, 10)).toEqual(Array(10).fill(180));
    expect(power.slice(11)).toEqual(Array(39).fill(250));
    expect(new Set(target.samples.map((s) => s.cadence))).toEqual(new Set([90]));
    expect(target.samples.at(-1)?.distance).toBe(50 * 10_000);
    expect(target.timerTime).toBe(50_000);
    await strap.stop();
    await trainer.stop();
    expect(timers.size).toBe(0);
  });
});
