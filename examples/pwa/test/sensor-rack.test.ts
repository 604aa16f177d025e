import { ManualClock, type Random } from "@ridevault/core";
import {
  type ConnectionEvent,
  FakeBluetooth,
  FakeBluetoothDevice,
  FakeTimers,
  type SensorNotification,
} from "@ridevault/recorder";
import { describe, expect, it } from "vitest";
import { anchorAt, createRideClock } from "../src/recording/ride-clock.js";
import { SensorRack } from "../src/recording/sensor-rack.js";

const T0 = Date.UTC(2026, 5, 1, 6, 0, 0);
/** No jitter: reconnect delays are the plain backoff (1 s, 2 s, …). */
const noJitter: Random = { bytes: (length) => new Uint8Array(length) };

function setup() {
  const clock = new ManualClock(T0);
  const timers = new FakeTimers(clock);
  const strap = new FakeBluetoothDevice({
    id: "s",
    name: "Strap",
    services: ["heart_rate"],
    timers,
  });
  const trainer = new FakeBluetoothDevice({
    id: "t",
    name: "KICKR",
    services: ["fitness_machine"],
    timers,
  });
  const bluetooth = new FakeBluetooth([strap, trainer]);
  const rack = new SensorRack({
    bluetooth: { available: true, bluetooth },
    bluetoothSource: { clock, timers, random: noJitter },
  });
  return { clock, timers, strap, trainer, bluetooth, rack };
}

describe("SensorRack", () => {
  it("connects a picked strap, relays it to its slot, and reports drop, retries and recovery", async () => {
    const { timers, strap, bluetooth, rack } = setup();
    const notifications: SensorNotification[] = [];
    const connections: ConnectionEvent[] = [];
    const slot = rack.sources()["heart-rate"];
    slot?.onNotification((n) => notifications.push(n));
    slot?.onConnection((e) => connections.push(e));

    expect((await rack.connect("heart-rate")).ok).toBe(true);
    expect(bluetooth.requests[0]?.filters).toEqual([{ services: [0x180d] }]);
    expect(rack.sensors).toEqual([
      { name: "heart-rate", label: "Strap", status: { type: "connected" }, problem: null },
    ]);
    await timers.advance(2000);
    expect(notifications.length).toBeGreaterThan(0);
    expect(notifications.every((n) => n.characteristic === "2a37")).toBe(true);

    strap.reachable = false;
    strap.drop();
    await timers.advance(0);
    expect(rack.sensors[0]?.status).toEqual({ type: "reconnecting", at: T0 + 3000 });
    await timers.advance(1000);
    expect(rack.sensors[0]?.status).toEqual({ type: "reconnecting", at: T0 + 5000 });
    expect(rack.sensors[0]?.problem).toMatch(/Strap/);
    strap.reachable = true;
    await timers.advance(2000);
    expect(rack.sensors[0]?.status).toEqual({ type: "connected" });
    expect(rack.sensors[0]?.problem).toBeNull();
    expect(connections.map((e) => e.type)).toEqual(["connected", "disconnected", "connected"]);

    await rack.remove("heart-rate");
    expect(rack.sensors).toEqual([]);
    expect(connections.at(-1)).toMatchObject({ type: "disconnected", reason: "stopped" });
  });

  it("sets a Bluetooth trainer's ERG target through its control point, and shows refusals", async () => {
    const { trainer, rack } = setup();
    expect((await rack.setErgTarget(200)).ok ? "" : "no-trainer").toBe("no-trainer");
    await rack.connect("trainer");
    expect(rack.trainer()?.label).toBe("KICKR");
    expect((await rack.setErgTarget(250)).ok).toBe(true);
    expect(trainer.controlPoint.target).toEqual({ mode: "erg", watts: 250 });
    const refused = await rack.setErgTarget(2500);
    expect(refused.ok ? "" : refused.error.code).toBe("ftms-invalid-parameter");
    expect(trainer.controlPoint.target).toEqual({ mode: "erg", watts: 250 });
    expect(rack.ergTarget).toBe(250);
    // The trainer restarts and forgets who controls it: the rack takes control again.
    await trainer.controlPoint.write(new Uint8Array([0x01]));
    expect(trainer.controlPoint.controlled).toBe(false);
    expect((await rack.setErgTarget(180)).ok).toBe(true);
    expect(trainer.controlPoint.target).toEqual({ mode: "erg", watts: 180 });
  });

  it("plays the simulator on the ride clock only during a ride; its trainer follows ERG", async () => {
    const rack = new SensorRack({ bluetooth: { available: false, reason: "none" } });
    const notifications: SensorNotification[] = [];
    rack.sources().sim?.onNotification((n) => notifications.push(n));
    rack.chooseSimulator(true);
    expect(rack.sensors.map((s) => s.status.type)).toEqual(["ready"]);
    let wall = T0;
    const ride = createRideClock(anchorAt(1, T0), () => wall);
    await rack.beginRide(ride);
    expect(rack.sensors.map((s) => s.status.type)).toEqual(["connected"]);
    expect((await rack.setErgTarget(300)).ok).toBe(true);
    wall += 3000;
    rack.step();
    const times = notifications.map((n) => n.time);
    expect(times.length).toBeGreaterThan(4);
    expect(Math.max(...times)).toBeLessThanOrEqual(T0 + 3000);
    expect(new Set(notifications.map((n) => n.characteristic))).toEqual(
      new Set(["2a37", "2a63", "2a5b", "2ad2"]),
    );
    await rack.endRide();
    expect(rack.sensors.map((s) => s.status.type)).toEqual(["ready"]);
    expect(rack.trainer()).toBeUndefined();
  });

  it("starts the simulator at once when it is chosen mid-ride", async () => {
    const rack = new SensorRack({ bluetooth: { available: false, reason: "none" } });
    await rack.beginRide(createRideClock(anchorAt(1, T0), () => T0));
    expect(rack.sensors).toEqual([]);
    rack.chooseSimulator(true);
    await Promise.resolve();
    expect(rack.sensors.map((s) => s.status.type)).toEqual(["connected"]);
    expect(rack.trainer()?.label).toMatch(/Simulator/);
    await rack.endRide();
  });

  it("without Web Bluetooth, connecting says why", async () => {
    const rack = new SensorRack({ bluetooth: { available: false, reason: "no radio here" } });
    const connected = await rack.connect("power");
    expect(connected.ok ? null : connected.error).toEqual({
      code: "bluetooth-unavailable",
      message: "no radio here",
    });
  });
});
