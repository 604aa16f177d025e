import { describe, expect, it } from "vitest";
import { CSC_MEASUREMENT } from "../gatt/csc.js";
import { HEART_RATE_MEASUREMENT } from "../gatt/heart-rate.js";
import {
  characteristicId,
  createSourceEvents,
  isCharacteristicId,
  type SensorNotification,
} from "./sensor-source.js";

describe("createSourceEvents", () => {
  it("emits in subscription order and treats each subscription separately", () => {
    const events = createSourceEvents();
    const calls: string[] = [];
    const listener = (n: SensorNotification) => calls.push(`a${n.time}`);
    const first = events.onNotification(listener);
    events.onNotification(listener);
    events.onNotification((n) => calls.push(`b${n.time}`));
    events.emitNotification({ characteristic: "2a37", time: 1, bytes: new Uint8Array() });
    first();
    first();
    events.emitNotification({ characteristic: "2a37", time: 2, bytes: new Uint8Array() });
    expect(calls).toEqual(["a1", "a1", "b1", "a2", "b2"]);
  });

  it("lets a listener unsubscribe while being called", () => {
    const events = createSourceEvents();
    const seen: string[] = [];
    const unsubscribe = events.onConnection((e) => {
      seen.push(e.type);
      unsubscribe();
    });
    const event = { type: "connected", sensor: "hr", characteristics: ["2a37"], time: 0 } as const;
    events.emitConnection(event);
    events.emitConnection(event);
    expect(seen).toEqual(["connected"]);
  });
});

describe("characteristicId", () => {
  it("writes a descriptor's UUID the way sources name characteristics", () => {
    expect(characteristicId(HEART_RATE_MEASUREMENT.uuid)).toBe("2a37");
    expect(characteristicId(CSC_MEASUREMENT.uuid)).toBe("2a5b");
    expect(characteristicId(0x0a)).toBe("000a");
    expect(() => characteristicId(0x1_0000)).toThrow(RangeError);
    expect([
      isCharacteristicId("2a37"),
      isCharacteristicId("2A37"),
      isCharacteristicId("2a3"),
    ]).toEqual([true, false, false]);
  });
});
