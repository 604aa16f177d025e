/**
 * The acceptance suite of the sensor source seam: every `SensorSource` implementation runs
 * it (the simulator and the replay here; a Web Bluetooth source against a fake radio). It
 * checks the contract a recording session relies on, not any one source's behaviour:
 * connection events come first and name their characteristics, notifications are well formed
 * and only from connected characteristics, unsubscribing works, and `stop()` disconnects
 * everything exactly once and silences the source.
 */
import { describe, expect, it } from "vitest";
import {
  type ConnectionEvent,
  isCharacteristicId,
  type SensorNotification,
  type SensorSource,
} from "./sensor-source.js";

/**
 * Makes a fresh source that will notify at least once within `advance(5000)`. `advance`
 * lets time pass however the source is driven (ticks, a fake radio, a timer).
 */
export interface SensorSourceFactory {
  create(): Promise<{ source: SensorSource; advance: (ms: number) => Promise<void> }>;
}

/** Runs the sensor-source acceptance suite. */
export function runSensorSourceTests(name: string, factory: SensorSourceFactory): void {
  describe(`sensor source: ${name}`, () => {
    it("announces connections before notifying, and notifies only what it announced", async () => {
      const { source, advance } = await factory.create();
      const log = record(source);
      await source.start();
      await advance(5000);
      expect(log.notifications.length).toBeGreaterThan(0);
      const first = log.order.indexOf("notification");
      expect(log.order.slice(0, first)).toContain("connection");
      const announced = new Set<string>();
      for (const event of log.connections) {
        expect(event.characteristics.length).toBeGreaterThan(0);
        for (const c of event.characteristics) {
          expect(isCharacteristicId(c)).toBe(true);
          if (event.type === "connected") announced.add(c);
        }
      }
      for (const n of log.notifications) {
        expect(announced.has(n.characteristic)).toBe(true);
        expect(Number.isSafeInteger(n.time)).toBe(true);
        expect(n.bytes).toBeInstanceOf(Uint8Array);
      }
      await source.stop();
    });

    it("does not call a listener after it unsubscribed", async () => {
      const { source, advance } = await factory.create();
      const kept = record(source);
      const dropped: SensorNotification[] = [];
      const unsubscribe = source.onNotification((n) => dropped.push(n));
      unsubscribe();
      unsubscribe();
      await source.start();
      await advance(5000);
      expect(kept.notifications.length).toBeGreaterThan(0);
      expect(dropped).toEqual([]);
      await source.stop();
    });

    it("disconnects every connected sensor once on stop, then stays silent", async () => {
      const { source, advance } = await factory.create();
      const log = record(source);
      await source.start();
      await source.start();
      await advance(1000);
      await source.stop();
      await source.stop();
      const connected = new Map<string, number>();
      for (const event of log.connections) {
        connected.set(event.sensor, (connected.get(event.sensor) ?? 0) + 1);
        if (event.type === "disconnected") connected.set(event.sensor, 0);
      }
      expect([...connected.values()].every((count) => count === 0)).toBe(true);
      expect(log.connections.at(-1)?.type).toBe("disconnected");
      const seen = log.notifications.length;
      await advance(5000).catch(() => undefined);
      expect(log.notifications.length).toBe(seen);
    });
  });
}

function record(source: SensorSource) {
  const order: ("connection" | "notification")[] = [];
  const notifications: SensorNotification[] = [];
  const connections: ConnectionEvent[] = [];
  source.onNotification((n) => {
    order.push("notification");
    notifications.push(n);
  });
  source.onConnection((event) => {
    order.push("connection");
    connections.push(event);
  });
  return { order, notifications, connections };
}
