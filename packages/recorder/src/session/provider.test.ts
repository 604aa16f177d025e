import { describe, expect, it } from "vitest";
import {
  encodeCscMeasurement,
  encodeCyclingPowerMeasurement,
  encodeHeartRateMeasurement,
  encodeIndoorBikeData,
} from "../sources/gatt-encoders.js";
import { createProviderParser } from "./provider.js";

const at = (characteristic: string, time: number, bytes: Uint8Array) => ({
  characteristic,
  time,
  bytes,
});

describe("createProviderParser", () => {
  it("reads a strap: heart rate and RR in ms, nothing without skin contact", () => {
    const strap = createProviderParser("2a37");
    const worn = strap.read(
      at(
        "2a37",
        0,
        encodeHeartRateMeasurement({ heartRate: 150, wide: true, rrIntervals1024: [410, 420] }),
      ),
    );
    expect(worn).toEqual({ ok: true, value: { heartRate: 150, rr: [400, 410] } });
    // Flags 0x04: contact supported, not detected.
    expect(strap.read(at("2a37", 1, new Uint8Array([0x04, 0x48])))).toEqual({
      ok: true,
      value: {},
    });
    expect(strap.metrics).toEqual(["heartRate"]);
  });

  it("reads a power meter: power (never below 0), cadence and speed from its counters", () => {
    const meter = createProviderParser("2a63", { circumferenceMm: 2000 });
    const bytes = (power: number, k: number) =>
      encodeCyclingPowerMeasurement({
        power,
        crank: { revolutions: 10 + k, eventTime: 1024 * k },
        wheel: { revolutions: 100 + 5 * k, eventTime: 2048 * k },
      });
    expect(meter.read(at("2a63", 0, bytes(-5, 0)))).toEqual({
      ok: true,
      value: { power: 0, unknown: ["cadence", "speed"] },
    });
    expect(meter.read(at("2a63", 1000, bytes(250, 1)))).toEqual({
      ok: true,
      value: { power: 250, cadence: 60, speed: 10_000 },
    });
    meter.reset();
    const again = meter.read(at("2a63", 2000, bytes(250, 2)));
    expect(again.ok && again.value.unknown).toEqual(["cadence", "speed"]);
  });

  it("reads a speed/cadence sensor and a trainer in sample units", () => {
    const csc = createProviderParser("2a5b");
    csc.read(at("2a5b", 0, encodeCscMeasurement({ crank: { revolutions: 1, eventTime: 0 } })));
    const second = csc.read(
      at("2a5b", 500, encodeCscMeasurement({ crank: { revolutions: 2, eventTime: 512 } })),
    );
    expect(second).toEqual({ ok: true, value: { cadence: 120 } });
    const trainer = createProviderParser("2ad2");
    const data = trainer.read(
      at("2ad2", 0, encodeIndoorBikeData({ speedKmhX100: 3600, cadenceRpmX2: 181, power: 240 })),
    );
    expect(data).toEqual({ ok: true, value: { power: 240, cadence: 91, speed: 10_000 } });
  });

  it("returns errors for garbled bytes and unknown characteristics", () => {
    const meter = createProviderParser("2a63");
    const short = meter.read(at("2a63", 0, new Uint8Array([0x00])));
    expect(short.ok ? undefined : short.error.code).toBe("gatt-too-short");
    const unknown = createProviderParser("2a99").read(at("2a99", 0, new Uint8Array([1])));
    expect(unknown.ok ? undefined : unknown.error).toMatchObject({
      code: "unknown-characteristic",
      characteristic: "2a99",
    });
  });
});
