import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_TIME, MIN_TIME } from "../workout/sample.js";
import {
  decodeLiveSample,
  encodeLiveSample,
  LIVE_SAMPLE_VERSION,
  type LiveSample,
} from "./live-sample-codec.js";

const T0 = Date.UTC(2026, 6, 4, 5, 0, 0);

const liveSampleArbitrary: fc.Arbitrary<LiveSample> = fc.record(
  {
    time: fc.integer({ min: MIN_TIME, max: MAX_TIME }),
    timerMs: fc.integer({ min: 0, max: 366 * 24 * 3600 * 1000 }),
    lap: fc.integer({ min: 1, max: 1_000_000 }),
    state: fc.constantFrom("recording" as const, "paused" as const),
    power: fc.integer({ min: 0, max: 5000 }),
    heartRate: fc.integer({ min: 0, max: 250 }),
    cadence: fc.integer({ min: 0, max: 254 }),
    speed: fc.integer({ min: 0, max: 50_000 }),
    distance: fc.integer({ min: 0, max: 2 ** 40 }),
  },
  { requiredKeys: ["time", "timerMs", "lap", "state"] },
);

function encoded(sample: LiveSample): Uint8Array {
  const result = encodeLiveSample(sample);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe("live sample codec", () => {
  it("decode(encode(sample)) is the identity, with absent values left absent", () => {
    fc.assert(
      fc.property(liveSampleArbitrary, (sample) => {
        expect(decodeLiveSample(encoded(sample))).toEqual({ ok: true, value: sample });
      }),
      { numRuns: 500 },
    );
  });

  it("keeps a zero apart from a missing value", () => {
    const zero = decodeLiveSample(
      encoded({ time: T0, timerMs: 0, lap: 1, state: "recording", power: 0, heartRate: 0 }),
    );
    const missing = decodeLiveSample(encoded({ time: T0, timerMs: 0, lap: 1, state: "recording" }));
    expect(zero.ok && zero.value).toEqual({
      time: T0,
      timerMs: 0,
      lap: 1,
      state: "recording",
      power: 0,
      heartRate: 0,
    });
    expect(missing.ok && Object.keys(missing.value).sort()).toEqual([
      "lap",
      "state",
      "time",
      "timerMs",
    ]);
  });

  it("is compact: a full second of a 4 h ride takes 24 bytes", () => {
    const full: LiveSample = {
      time: T0,
      timerMs: 4 * 3600 * 1000,
      lap: 12,
      state: "recording",
      power: 1200,
      heartRate: 181,
      cadence: 110,
      speed: 16_000,
      distance: 150_000_000,
    };
    expect(encoded(full).length).toBe(24);
    expect(encoded(full)[0]).toBe(LIVE_SAMPLE_VERSION);
  });

  it("refuses to encode values out of range, naming the field", () => {
    const base: LiveSample = { time: T0, timerMs: 1000, lap: 1, state: "recording" };
    const cases: [LiveSample, string][] = [
      [{ ...base, power: 5001 }, "power"],
      [{ ...base, heartRate: -1 }, "heartRate"],
      [{ ...base, speed: 1.5 }, "speed"],
      [{ ...base, lap: 0 }, "lap"],
      [{ ...base, time: 0 }, "time"],
      [{ ...base, timerMs: Number.NaN }, "timerMs"],
      [{ ...base, state: "stopped" as never }, "state"],
    ];
    for (const [sample, field] of cases) {
      const result = encodeLiveSample(sample);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe("live-sample-invalid");
        expect(result.error.message).toContain(field);
      }
    }
  });

  it("reports truncated, garbled, trailing and newer bytes as typed errors", () => {
    const good = encoded({ time: T0, timerMs: 1000, lap: 2, state: "paused", power: 250 });
    const codeOf = (bytes: Uint8Array) => {
      const result = decodeLiveSample(bytes);
      return result.ok ? "ok" : result.error.code;
    };
    expect(codeOf(new Uint8Array())).toBe("live-sample-corrupt");
    expect(codeOf(good.subarray(0, good.length - 1))).toBe("live-sample-corrupt");
    expect(codeOf(Uint8Array.of(...good, 0))).toBe("live-sample-corrupt");
    expect(codeOf(Uint8Array.of(LIVE_SAMPLE_VERSION, 0x80, ...good.subarray(2)))).toBe(
      "live-sample-corrupt",
    );
    expect(codeOf(Uint8Array.of(LIVE_SAMPLE_VERSION + 1, ...good.subarray(1)))).toBe(
      "live-sample-version",
    );
    // Well-formed bytes naming 6000 W: decoded, then refused.
    const w = Uint8Array.of(...good.subarray(0, good.length - 2), 0xf0, 0x2e);
    expect(codeOf(w)).toBe("live-sample-invalid");
  });

  it("never throws on any bytes, and whatever it accepts encodes back the same", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          liveSampleArbitrary.chain((sample) =>
            fc.tuple(fc.nat({ max: 19 }), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
              const bytes = encoded(sample);
              bytes[at % bytes.length] = byte;
              return bytes;
            }),
          ),
        ),
        (bytes) => {
          const result = decodeLiveSample(bytes);
          if (result.ok) expect(encoded(result.value)).toEqual(bytes);
          else expect(result.error.message.length).toBeGreaterThan(10);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
