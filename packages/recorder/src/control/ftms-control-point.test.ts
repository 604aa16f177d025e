import { unwrap } from "@ridevault/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeFtmsRequest,
  encodeFtmsRequest,
  encodeFtmsResponse,
  type FtmsRequest,
  parseFtmsResponse,
} from "./ftms-control-point.js";

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");

describe("encodeFtmsRequest", () => {
  it("writes the byte layouts of the specification", () => {
    const cases: [FtmsRequest, string][] = [
      [{ type: "request-control" }, "00"],
      [{ type: "reset" }, "01"],
      [{ type: "set-target-power", watts: 300 }, "05 2c 01"],
      [{ type: "set-target-power", watts: -1 }, "05 ff ff"],
      [{ type: "start" }, "07"],
      [{ type: "stop" }, "08 01"],
      [{ type: "pause" }, "08 02"],
      [
        {
          type: "set-simulation",
          windSpeedMmPerSecond: -1500,
          gradePercentX100: 450,
          crrX10000: 40,
          cwKgPerMX100: 51,
        },
        "11 24 fa c2 01 28 33",
      ],
    ];
    for (const [request, bytes] of cases)
      expect(hex(unwrap(encodeFtmsRequest(request)))).toBe(bytes);
  });

  it("refuses values that do not fit their field, naming the field", () => {
    const power = encodeFtmsRequest({ type: "set-target-power", watts: 40_000 });
    expect(power.ok ? undefined : power.error).toMatchObject({
      code: "ftms-invalid-request",
      field: "watts",
    });
    const crr = encodeFtmsRequest({
      type: "set-simulation",
      windSpeedMmPerSecond: 0,
      gradePercentX100: 0,
      crrX10000: 256,
      cwKgPerMX100: 0,
    });
    expect(crr.ok ? undefined : crr.error.field).toBe("crrX10000");
    const fraction = encodeFtmsRequest({ type: "set-target-power", watts: 12.5 });
    expect(fraction.ok).toBe(false);
  });

  it("decodes what it encodes (property)", () => {
    const request = fc.oneof(
      fc.constantFrom<FtmsRequest>(
        { type: "request-control" },
        { type: "reset" },
        { type: "start" },
        { type: "stop" },
        { type: "pause" },
      ),
      fc
        .integer({ min: -32768, max: 32767 })
        .map((watts) => ({ type: "set-target-power" as const, watts })),
      fc.record({
        type: fc.constant("set-simulation" as const),
        windSpeedMmPerSecond: fc.integer({ min: -32768, max: 32767 }),
        gradePercentX100: fc.integer({ min: -32768, max: 32767 }),
        crrX10000: fc.integer({ min: 0, max: 255 }),
        cwKgPerMX100: fc.integer({ min: 0, max: 255 }),
      }),
    );
    fc.assert(
      fc.property(request, (r) => {
        expect(decodeFtmsRequest(unwrap(encodeFtmsRequest(r)))).toEqual(r);
      }),
    );
    expect(decodeFtmsRequest(new Uint8Array([0x05, 0x01]))).toBeUndefined();
    expect(decodeFtmsRequest(new Uint8Array([0x42]))).toBeUndefined();
    expect(decodeFtmsRequest(new Uint8Array([0x08, 0x07]))).toBeUndefined();
  });
});

describe("parseFtmsResponse", () => {
  it("reads the request op code and every result code", () => {
    expect(unwrap(parseFtmsResponse(new Uint8Array([0x80, 0x00, 0x01])))).toEqual({
      requestOpCode: 0,
      result: "success",
    });
    const results = [1, 2, 3, 4, 5].map(
      (code) => unwrap(parseFtmsResponse(new Uint8Array([0x80, 0x05, code]))).result,
    );
    expect(results).toEqual([
      "success",
      "not-supported",
      "invalid-parameter",
      "operation-failed",
      "control-not-permitted",
    ]);
    const back = encodeFtmsResponse({ requestOpCode: 0x11, result: "operation-failed" });
    expect(hex(back)).toBe("80 11 04");
  });

  it("returns a typed error for short, foreign or unknown responses", () => {
    for (const bytes of [
      [0x80, 0x00],
      [0x81, 0x00, 0x01],
      [0x80, 0x00, 0x00],
      [0x80, 0x00, 0x06],
    ]) {
      const parsed = parseFtmsResponse(new Uint8Array(bytes));
      expect(parsed.ok ? undefined : parsed.error.code).toBe("ftms-bad-response");
    }
  });
});
