import { ManualClock } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import type { Unsubscribe } from "../sources/sensor-source.js";
import { FakeTimers } from "../testing/fake-timers.js";
import { createSimulatedControlPoint } from "./simulated-control-point.js";
import {
  type ControlPointTransport,
  createFtmsController,
  unavailableTrainer,
} from "./trainer-control.js";

const codeOf = (result: { ok: boolean; error?: { code: string } }) =>
  result.ok ? "ok" : result.error?.code;

describe("createFtmsController with the simulated trainer", () => {
  it("needs control first, then sets ERG and simulation targets the trainer holds", async () => {
    const point = createSimulatedControlPoint();
    const trainer = createFtmsController({ transport: point });
    expect(codeOf(await trainer.setTargetPower(200))).toBe("ftms-control-not-permitted");
    expect(codeOf(await trainer.requestControl())).toBe("ok");
    expect(codeOf(await trainer.start())).toBe("ok");
    expect(codeOf(await trainer.setTargetPower(250))).toBe("ok");
    expect(point.target).toEqual({ mode: "erg", watts: 250 });
    expect(codeOf(await trainer.setTargetPower(2500))).toBe("ftms-invalid-parameter");
    expect(point.target).toEqual({ mode: "erg", watts: 250 });
    const slope = {
      windSpeedMmPerSecond: 0,
      gradePercentX100: 300,
      crrX10000: 40,
      cwKgPerMX100: 51,
    };
    expect(codeOf(await trainer.setSimulation(slope))).toBe("ok");
    expect(point.target).toEqual({ mode: "simulation", ...slope });
    expect(codeOf(await trainer.pause())).toBe("ok");
    expect(codeOf(await trainer.stop())).toBe("ok");
    expect(point.target).toEqual({ mode: "free" });
    expect(codeOf(await trainer.reset())).toBe("ok");
    expect(point.controlled).toBe(false);
  });

  it("refuses a value that does not fit before writing anything", async () => {
    const point = createSimulatedControlPoint();
    const trainer = createFtmsController({ transport: point });
    point.setLinkDown(true);
    expect(codeOf(await trainer.setTargetPower(99_999))).toBe("ftms-invalid-request");
    expect(codeOf(await trainer.requestControl())).toBe("ftms-write-failed");
    point.setLinkDown(false);
    expect(codeOf(await trainer.requestControl())).toBe("ok");
  });

  it("times out when no response comes, and keeps requests in order", async () => {
    const clock = new ManualClock(0);
    const timers = new FakeTimers(clock);
    const written: number[] = [];
    const silent: ControlPointTransport = {
      async write(bytes) {
        written.push(bytes[0] ?? -1);
      },
      onIndication: (): Unsubscribe => () => undefined,
    };
    const trainer = createFtmsController({ transport: silent, timers, timeoutMs: 1000 });
    const first = trainer.requestControl();
    const second = trainer.setTargetPower(100);
    await timers.advance(999);
    expect(written).toEqual([0x00]);
    await timers.advance(1);
    const result = await first;
    expect(result.ok ? undefined : result.error).toMatchObject({
      code: "ftms-timeout",
      request: "request-control",
    });
    await timers.advance(1000);
    expect(codeOf(await second)).toBe("ftms-timeout");
    expect(written).toEqual([0x00, 0x05]);
    expect(timers.size).toBe(0);
  });

  it("ignores responses to other op codes and reports garbled ones", async () => {
    const listeners: ((bytes: Uint8Array) => void)[] = [];
    let reply: number[][] = [];
    const transport: ControlPointTransport = {
      async write() {
        queueMicrotask(() => {
          for (const bytes of reply) for (const l of [...listeners]) l(new Uint8Array(bytes));
        });
      },
      onIndication(listener) {
        listeners.push(listener);
        return () => listeners.splice(listeners.indexOf(listener), 1);
      },
    };
    const trainer = createFtmsController({ transport });
    reply = [
      [0x80, 0x07, 0x01],
      [0x80, 0x00, 0x05],
    ];
    expect(codeOf(await trainer.requestControl())).toBe("ftms-control-not-permitted");
    reply = [[0x80]];
    expect(codeOf(await trainer.start())).toBe("ftms-bad-response");
    reply = [[0x80, 0x07, 0x02]];
    expect(codeOf(await trainer.start())).toBe("ftms-not-supported");
    reply = [[0x80, 0x05, 0x04]];
    expect(codeOf(await trainer.setTargetPower(1))).toBe("ftms-operation-failed");
    expect(listeners).toHaveLength(0);
  });

  it("an unavailable trainer answers every request with ftms-unavailable", async () => {
    const trainer = unavailableTrainer("no FTMS trainer is connected");
    const result = await trainer.setTargetPower(200);
    expect(result.ok ? undefined : result.error).toMatchObject({
      code: "ftms-unavailable",
      request: "set-target-power",
    });
  });
});
