import { ManualClock, type Random } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { FakeBluetooth, FakeBluetoothDevice } from "../testing/fake-bluetooth.js";
import { FakeTimers } from "../testing/fake-timers.js";
import type { ConnectionEvent, SensorNotification } from "./sensor-source.js";
import { runSensorSourceTests } from "./sensor-source-suite.js";
import {
  type CyclingService,
  createWebBluetoothSource,
  reconnectDelay,
  requestSensor,
  type WebBluetoothSourceOptions,
  type WebBluetoothStatus,
} from "./web-bluetooth.js";

const T0 = Date.UTC(2026, 5, 1, 6, 0, 0);
/** Draws 0 every time: no jitter, so delays are the plain exponential backoff. */
const noJitter: Random = { bytes: (length) => new Uint8Array(length) };

function setup(
  services: readonly CyclingService[] = ["heart_rate", "fitness_machine"],
  options: Partial<WebBluetoothSourceOptions> = {},
) {
  const clock = new ManualClock(T0);
  const timers = new FakeTimers(clock);
  const device = new FakeBluetoothDevice({ id: "dev-1", name: "Trainer", services, timers });
  const source = createWebBluetoothSource({ device, clock, timers, random: noJitter, ...options });
  const notifications: SensorNotification[] = [];
  const connections: ConnectionEvent[] = [];
  const statuses: WebBluetoothStatus[] = [];
  source.onNotification((n) => notifications.push(n));
  source.onConnection((e) => connections.push(e));
  source.onStatus((s) => statuses.push(s));
  return { clock, timers, device, source, notifications, connections, statuses };
}

runSensorSourceTests("web bluetooth (fake radio)", {
  async create() {
    const { source, timers } = setup();
    return { source, advance: (ms) => timers.advance(ms) };
  },
});

describe("requestSensor", () => {
  it("asks for any of the cycling services and reports a cancelled chooser as a value", async () => {
    const clock = new ManualClock(T0);
    const strap = new FakeBluetoothDevice({
      id: "hr",
      services: ["heart_rate"],
      timers: new FakeTimers(clock),
    });
    const bluetooth = new FakeBluetooth([strap]);
    const found = await requestSensor(bluetooth);
    expect(found.ok && found.value.id).toBe("hr");
    expect(bluetooth.requests[0]).toEqual({
      filters: [
        { services: [0x180d] },
        { services: [0x1818] },
        { services: [0x1816] },
        { services: [0x1826] },
      ],
      optionalServices: [0x180d, 0x1818, 0x1816, 0x1826],
    });
    bluetooth.cancel = true;
    const cancelled = await requestSensor(bluetooth, ["heart_rate"]);
    expect(cancelled.ok ? undefined : cancelled.error.code).toBe("bluetooth-request-failed");
  });
});

describe("createWebBluetoothSource", () => {
  it("subscribes to each measurement the device has and stamps notifications", async () => {
    const { source, timers, notifications, connections } = setup();
    await source.start();
    expect(connections).toEqual([
      { type: "connected", sensor: "Trainer", characteristics: ["2a37", "2ad2"], time: T0 },
    ]);
    await timers.advance(1000);
    expect(notifications.map((n) => [n.characteristic, n.time - T0])).toEqual([
      ["2a37", 500],
      ["2ad2", 500],
      ["2a37", 1000],
      ["2ad2", 1000],
    ]);
    expect(Array.from(notifications[1]?.bytes ?? [])).toEqual([
      0x44, 0, 0x10, 0x0e, 0x78, 0, 0xc8, 0,
    ]);
    await source.stop();
  });

  it("reconnects after a drop with exponential backoff, and starts over once it recovers", async () => {
    const { source, device, timers, connections, statuses, notifications } = setup(["heart_rate"]);
    await source.start();
    await timers.advance(2000);
    device.reachable = false;
    device.drop();
    expect(connections.at(-1)).toMatchObject({
      type: "disconnected",
      reason: "signal-lost",
      time: T0 + 2000,
    });
    await timers.advance(14_999);
    const delays = statuses.flatMap((s) => (s.type === "reconnect-scheduled" ? [s.delayMs] : []));
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    expect(statuses.filter((s) => s.type === "connect-failed")).toHaveLength(3);
    const silent = notifications.length;
    device.reachable = true;
    await timers.advance(1);
    expect(connections.at(-1)).toMatchObject({ type: "connected", time: T0 + 17_000 });
    await timers.advance(1000);
    expect(notifications.length).toBe(silent + 2);
    device.drop();
    await timers.advance(1000);
    expect(statuses.at(-3)).toEqual({ type: "reconnect-scheduled", attempt: 1, delayMs: 1000 });
    expect(connections.map((c) => c.type)).toEqual([
      "connected",
      "disconnected",
      "connected",
      "disconnected",
      "connected",
    ]);
    expect(device.listenerCount).toBe(1);
    await source.stop();
  });

  it("retries failed first connects, and stop() cancels a pending reconnect", async () => {
    const { source, device, timers, connections } = setup(["heart_rate"]);
    device.failConnects(2);
    await source.start();
    expect(source.connected).toBe(false);
    await timers.advance(1000 + 2000);
    expect(source.connected).toBe(true);
    expect(device.connects).toBe(3);
    device.reachable = false;
    device.drop();
    await source.stop();
    await timers.advance(60_000);
    expect(device.connects).toBe(3);
    expect(connections.map((c) => (c.type === "disconnected" ? c.reason : c.type))).toEqual([
      "connected",
      "signal-lost",
    ]);
    expect(device.listenerCount).toBe(0);
  });

  it("says when the device has none of the wanted services, and keeps trying", async () => {
    const { source, timers, statuses, device } = setup(["heart_rate"], {
      services: ["cycling_power"],
    });
    await source.start();
    await timers.advance(1000);
    const failures = statuses.flatMap((s) => (s.type === "connect-failed" ? [s.error.code] : []));
    expect(failures).toEqual(["bluetooth-no-service", "bluetooth-no-service"]);
    expect(device.connected).toBe(false);
    await source.stop();
  });

  it("controls an FTMS trainer through its control point while connected", async () => {
    const { source, device, timers } = setup(["fitness_machine"]);
    await source.start();
    expect((await source.trainer.requestControl()).ok).toBe(true);
    expect((await source.trainer.setTargetPower(240)).ok).toBe(true);
    expect(device.controlPoint.target).toEqual({ mode: "erg", watts: 240 });
    device.reachable = false;
    device.drop();
    const lost = await source.trainer.setTargetPower(250);
    expect(lost.ok ? undefined : lost.error.code).toBe("ftms-unavailable");
    device.reachable = true;
    await timers.advance(1000);
    expect((await source.trainer.setTargetPower(260)).ok).toBe(true);
    expect(device.controlPoint.target).toEqual({ mode: "erg", watts: 260 });
    await source.stop();
  });

  it("has no trainer control for a sensor without FTMS", async () => {
    const { source } = setup(["heart_rate"]);
    await source.start();
    const result = await source.trainer.requestControl();
    expect(result.ok ? undefined : result.error.code).toBe("ftms-unavailable");
    await source.stop();
  });
});

describe("reconnectDelay", () => {
  it("doubles up to the cap and takes a random share of up to `jitter` off", () => {
    const plain = [0, 1, 2, 3, 4, 5, 6].map((a) => reconnectDelay(a, {}, 0));
    expect(plain).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(reconnectDelay(2, {}, 0.5)).toBe(3000);
    expect(reconnectDelay(2, { jitter: 1 }, 0.75)).toBe(1000);
    expect(reconnectDelay(1, { initialMs: 500, factor: 3, maxMs: 1200, jitter: 0 }, 0.9)).toBe(
      1200,
    );
  });
});
