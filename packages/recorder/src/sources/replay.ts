/**
 * Replaying recorded notifications. A recording is the list of notifications a source
 * emitted, and `createReplaySource` plays it back as a `SensorSource`, driven by `tick(ms)`
 * like the simulator, so a ride captured from real sensors becomes a repeatable test. The
 * line format keeps recordings readable and diffable: one notification per line,
 * `time characteristic hex` (Unix ms, four hex digits, payload bytes as hex); blank lines and
 * lines starting with `#` are comments. Parsing validates every line and reports the first
 * bad one by number, because a recording is a file and files get edited by hand.
 */
import { err, ok, type Result } from "@ridevault/core";
import {
  createSourceEvents,
  isCharacteristicId,
  type SensorNotification,
  type SensorSource,
} from "./sensor-source.js";

/** A replayable source of recorded notifications. */
export interface ReplaySource extends SensorSource {
  /**
   * Advances replay time by `ms` and emits, in recording order, every notification whose
   * time has come. Replay time starts at the first notification's time. When the last one
   * has been emitted the source disconnects with reason "ended". Throws unless started.
   */
  tick(ms: number): void;
  /** How many notifications are still to come. */
  readonly remaining: number;
}

/** What was wrong with a line of a replay file. */
export type ReplayLineProblem = "field-count" | "time" | "characteristic" | "bytes";

/** A line of a replay file that does not parse; `line` counts from 1. */
export interface ReplayParseError {
  readonly code: "replay-malformed-line";
  readonly line: number;
  readonly problem: ReplayLineProblem;
  readonly message: string;
}

/** The sensor name a replay source uses in its connection events. */
export const REPLAY_SENSOR = "replay";

const HEADER = "# ridevault replay: time (Unix ms) characteristic (16-bit UUID) bytes (hex)";

/** Creates a source that plays `recording` back in list order. */
export function createReplaySource(recording: readonly SensorNotification[]): ReplaySource {
  const events = createSourceEvents();
  const characteristics = [...new Set(recording.map((n) => n.characteristic))];
  let index = 0;
  let running = false;
  let connected = false;
  let now = recording[0]?.time ?? 0;

  const disconnect = (reason: "stopped" | "ended") => {
    if (!connected) return;
    connected = false;
    events.emitConnection({
      type: "disconnected",
      sensor: REPLAY_SENSOR,
      characteristics,
      time: now,
      reason,
    });
  };

  const emitDue = () => {
    for (let next = recording[index]; next !== undefined && next.time <= now; ) {
      index += 1;
      events.emitNotification(next);
      next = recording[index];
    }
    if (index >= recording.length) disconnect("ended");
  };

  return {
    get remaining() {
      return recording.length - index;
    },
    async start() {
      if (running) return;
      running = true;
      if (index >= recording.length) return;
      connected = true;
      events.emitConnection({
        type: "connected",
        sensor: REPLAY_SENSOR,
        characteristics,
        time: now,
      });
    },
    async stop() {
      if (!running) return;
      running = false;
      disconnect("stopped");
    },
    tick(ms) {
      if (!running) throw new Error("the replay is not running: call start() before tick()");
      if (!(Number.isFinite(ms) && ms >= 0)) {
        throw new RangeError(`tick takes milliseconds ≥ 0, got ${ms}`);
      }
      now += ms;
      emitDue();
    },
    onNotification: events.onNotification,
    onConnection: events.onConnection,
  };
}

/**
 * Writes notifications in the replay line format, with a header comment. Throws a
 * `RangeError` for a notification no parser would read back (a time that is not a
 * non-negative integer, a characteristic that is not four lowercase hex digits).
 */
export function encodeReplay(recording: readonly SensorNotification[]): string {
  const lines = recording.map(({ time, characteristic, bytes }, i) => {
    if (!isReplayTime(time)) {
      throw new RangeError(`notification ${i} has time ${time}; replay times are Unix ms ≥ 0`);
    }
    if (!isCharacteristicId(characteristic)) {
      throw new RangeError(
        `notification ${i} has characteristic "${characteristic}"; expected e.g. "2a37"`,
      );
    }
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return hex === "" ? `${time} ${characteristic}` : `${time} ${characteristic} ${hex}`;
  });
  return `${[HEADER, ...lines].join("\n")}\n`;
}

/** Reads the replay line format; fails on the first malformed line. */
export function parseReplay(text: string): Result<SensorNotification[], ReplayParseError> {
  const notifications: SensorNotification[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const parsed = parseLine(line, i + 1);
    if (!parsed.ok) return parsed;
    notifications.push(parsed.value);
  }
  return ok(notifications);
}

function parseLine(line: string, number: number): Result<SensorNotification, ReplayParseError> {
  const fields = line.split(/\s+/);
  const [timeText = "", characteristic = "", hex = ""] = fields;
  if (fields.length < 2 || fields.length > 3) {
    return err(malformed(number, "field-count", `has ${fields.length} fields, expected 2 or 3`));
  }
  const time = /^\d+$/.test(timeText) ? Number(timeText) : Number.NaN;
  if (!isReplayTime(time)) {
    return err(malformed(number, "time", `time "${timeText}" is not Unix ms (digits only)`));
  }
  if (!isCharacteristicId(characteristic)) {
    return err(
      malformed(
        number,
        "characteristic",
        `characteristic "${characteristic}" is not four lowercase hex digits like "2a37"`,
      ),
    );
  }
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) {
    return err(malformed(number, "bytes", `bytes "${hex}" are not an even number of hex digits`));
  }
  const bytes = Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
  return ok({ characteristic, time, bytes });
}

function isReplayTime(time: number): boolean {
  return Number.isSafeInteger(time) && time >= 0;
}

function malformed(line: number, problem: ReplayLineProblem, detail: string): ReplayParseError {
  return {
    code: "replay-malformed-line",
    line,
    problem,
    message:
      `replay line ${line} ${detail}. Each line is "time characteristic hex", e.g. ` +
      `"1700000000000 2a37 0651"; fix or delete the line.`,
  };
}
