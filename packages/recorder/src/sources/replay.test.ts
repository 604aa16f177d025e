import { ManualClock, unwrap } from "@ridevault/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createReplaySource, encodeReplay, parseReplay } from "./replay.js";
import type { ConnectionEvent, SensorNotification } from "./sensor-source.js";
import { runSensorSourceTests } from "./sensor-source-suite.js";
import { createSimulator } from "./simulator.js";

const notificationArb: fc.Arbitrary<SensorNotification> = fc.record({
  characteristic: fc.integer({ min: 0, max: 0xffff }).map((u) => u.toString(16).padStart(4, "0")),
  time: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  bytes: fc.uint8Array({ maxLength: 24 }),
});

const n = (time: number, characteristic: string, bytes: number[]): SensorNotification => ({
  time,
  characteristic,
  bytes: Uint8Array.from(bytes),
});

describe("encodeReplay / parseReplay", () => {
  it("round-trips any recording", () => {
    fc.assert(
      fc.property(fc.array(notificationArb, { maxLength: 30 }), (recording) => {
        expect(unwrap(parseReplay(encodeReplay(recording)))).toEqual(recording);
      }),
    );
  });

  it("writes one readable line per notification", () => {
    const text = encodeReplay([n(1000, "2a37", [0x00, 0x51]), n(1250, "2ad2", [])]);
    expect(text.split("\n").slice(1)).toEqual(["1000 2a37 0051", "1250 2ad2", ""]);
  });

  it("skips comments and blank lines, accepts CRLF and upper-case hex", () => {
    const text = "# header\r\n\r\n  1000 2a37 00FF  \r\n# more\r\n2000 2a5b 02\r\n";
    expect(unwrap(parseReplay(text))).toEqual([n(1000, "2a37", [0, 255]), n(2000, "2a5b", [2])]);
  });

  it.each([
    ["1000", "field-count"],
    ["1000 2a37 0051 extra", "field-count"],
    ["-5 2a37 0051", "time"],
    ["1.5 2a37 0051", "time"],
    ["99999999999999999999 2a37 0051", "time"],
    ["1000 2A37 0051", "characteristic"],
    ["1000 180d1 0051", "characteristic"],
    ["1000 2a37 051", "bytes"],
    ["1000 2a37 zz", "bytes"],
  ])("reports %j as a malformed line with its number", (bad, problem) => {
    const text = `# header\n1000 2a37 0051\n\n${bad}\n2000 2a37 0052\n`;
    const result = parseReplay(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: "replay-malformed-line", line: 4, problem });
    expect(result.error.message).toContain("line 4");
  });

  it("refuses to write what it could not read back", () => {
    expect(() => encodeReplay([n(1.5, "2a37", [])])).toThrow(RangeError);
    expect(() => encodeReplay([n(1000, "2A37", [])])).toThrow(RangeError);
  });
});

describe("createReplaySource", () => {
  const recording = [
    n(1000, "2a37", [0x00, 0x50]),
    n(1400, "2a63", [0x00, 0x00, 0x2c, 0x01]),
    n(2000, "2a37", [0x00, 0x51]),
    n(2000, "2a37", [0x00, 0x52]),
  ];

  it("emits notifications in order as time comes, then ends", async () => {
    const source = createReplaySource(recording);
    const seen: SensorNotification[] = [];
    const connections: ConnectionEvent[] = [];
    source.onNotification((x) => seen.push(x));
    source.onConnection((e) => connections.push(e));
    await source.start();
    source.tick(0);
    expect(seen).toEqual(recording.slice(0, 1));
    source.tick(399);
    expect(seen).toHaveLength(1);
    source.tick(1);
    expect(seen).toHaveLength(2);
    source.tick(600);
    expect(seen).toEqual(recording);
    expect(source.remaining).toBe(0);
    expect(connections).toEqual([
      { type: "connected", sensor: "replay", characteristics: ["2a37", "2a63"], time: 1000 },
      {
        type: "disconnected",
        sensor: "replay",
        characteristics: ["2a37", "2a63"],
        time: 2000,
        reason: "ended",
      },
    ]);
  });

  it("stops with reason 'stopped' and stops emitting to unsubscribed listeners", async () => {
    const source = createReplaySource(recording);
    const seen: SensorNotification[] = [];
    const connections: ConnectionEvent[] = [];
    const unsubscribe = source.onNotification((x) => seen.push(x));
    source.onConnection((e) => connections.push(e));
    await source.start();
    source.tick(300);
    unsubscribe();
    source.tick(500);
    expect(seen).toHaveLength(1);
    await source.stop();
    await source.stop();
    expect(connections.map((e) => (e.type === "disconnected" ? e.reason : e.type))).toEqual([
      "connected",
      "stopped",
    ]);
    expect(() => source.tick(1)).toThrow(/start\(\)/);
  });

  it("replays a simulated ride byte for byte through the line format", async () => {
    const simulator = createSimulator({
      profile: { type: "steady", power: 200, cadence: 85 },
      clock: new ManualClock(1_700_000_000_000),
      seed: 3,
    });
    const recorded: SensorNotification[] = [];
    simulator.onNotification((x) => recorded.push(x));
    await simulator.start();
    simulator.tick(30_000);
    const replay = createReplaySource(unwrap(parseReplay(encodeReplay(recorded))));
    const replayed: SensorNotification[] = [];
    replay.onNotification((x) => replayed.push(x));
    await replay.start();
    for (let i = 0; i < 30; i++) replay.tick(1000);
    expect(recorded.length).toBeGreaterThan(100);
    expect(replayed).toEqual(recorded);
  });
});

runSensorSourceTests("replay", {
  async create() {
    const recording = Array.from({ length: 40 }, (_, i) =>
      n(5000 + 250 * i, i % 2 === 0 ? "2a37" : "2a63", [0, i]),
    );
    const replay = createReplaySource(recording);
    return { source: replay, advance: async (ms) => replay.tick(ms) };
  },
});
