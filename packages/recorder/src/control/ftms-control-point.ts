/**
 * The Fitness Machine Control Point (0x2AD9) codec: the requests a trainer accepts, as bytes,
 * and the indications it answers with. A request is an op code and its parameters
 * (little-endian); the answer is `0x80`, the request's op code and a result code. Units are
 * the spec's resolutions, named in the fields: wind speed in 0.001 m/s (mm/s), grade in
 * 0.01 %, rolling resistance in 0.0001, wind resistance in 0.01 kg/m. Requests with values
 * out of their field's range are refused before anything is written; a garbled indication is
 * a typed error, never an exception.
 */
import { err, ok, type Result } from "@ridevault/core";
import type { GattCharacteristic } from "../gatt/errors.js";
import { ByteReader } from "../gatt/reader.js";

/** Fitness Machine Control Point, 0x2AD9 (write, indicate). */
export const FITNESS_MACHINE_CONTROL_POINT: GattCharacteristic = {
  uuid: 0x2ad9,
  name: "Fitness Machine Control Point",
};

/** Indoor bike simulation parameters (op code 0x11), in the spec's resolutions. */
export interface SimulationParameters {
  /** Head wind (positive) or tail wind, 0.001 m/s (= mm/s), −32768…32767. */
  readonly windSpeedMmPerSecond: number;
  /** Road grade, 0.01 %, −32768…32767 (e.g. 450 = 4.5 %). */
  readonly gradePercentX100: number;
  /** Coefficient of rolling resistance, 0.0001, 0…255 (e.g. 40 = 0.004). */
  readonly crrX10000: number;
  /** Wind resistance coefficient (CwA), 0.01 kg/m, 0…255 (e.g. 51 = 0.51). */
  readonly cwKgPerMX100: number;
}

/** A request to the control point. */
export type FtmsRequest =
  | { readonly type: "request-control" }
  | { readonly type: "reset" }
  | { readonly type: "set-target-power"; readonly watts: number }
  | { readonly type: "start" }
  | { readonly type: "stop" }
  | { readonly type: "pause" }
  | ({ readonly type: "set-simulation" } & SimulationParameters);

/** The op code of each request type. */
export const FTMS_OP_CODES = {
  "request-control": 0x00,
  reset: 0x01,
  "set-target-power": 0x05,
  start: 0x07,
  stop: 0x08,
  pause: 0x08,
  "set-simulation": 0x11,
} as const satisfies Record<FtmsRequest["type"], number>;

/** The op code of a response indication. */
export const FTMS_RESPONSE_CODE = 0x80;

/** What the machine said about a request (result codes 0x01–0x05). */
export type FtmsResult =
  | "success"
  | "not-supported"
  | "invalid-parameter"
  | "operation-failed"
  | "control-not-permitted";

const RESULTS: readonly FtmsResult[] = [
  "success",
  "not-supported",
  "invalid-parameter",
  "operation-failed",
  "control-not-permitted",
];

/** A decoded response indication. */
export interface FtmsResponse {
  /** The op code of the request answered. */
  readonly requestOpCode: number;
  readonly result: FtmsResult;
}

/** A request whose values do not fit its fields; nothing was sent. */
export interface FtmsInvalidRequestError {
  readonly code: "ftms-invalid-request";
  readonly field: string;
  readonly message: string;
}

/** An indication that is not a well-formed control point response. */
export interface FtmsBadResponseError {
  readonly code: "ftms-bad-response";
  readonly bytes: string;
  readonly message: string;
}

/** Encodes a request as the bytes to write to the control point. */
export function encodeFtmsRequest(
  request: FtmsRequest,
): Result<Uint8Array, FtmsInvalidRequestError> {
  const op = FTMS_OP_CODES[request.type];
  switch (request.type) {
    case "set-target-power": {
      const bad = checkRange("watts", request.watts, -32768, 32767);
      return bad ?? ok(withInts([op], [request.watts]));
    }
    case "stop":
      return ok(new Uint8Array([op, 0x01]));
    case "pause":
      return ok(new Uint8Array([op, 0x02]));
    case "set-simulation": {
      const bad =
        checkRange("windSpeedMmPerSecond", request.windSpeedMmPerSecond, -32768, 32767) ??
        checkRange("gradePercentX100", request.gradePercentX100, -32768, 32767) ??
        checkRange("crrX10000", request.crrX10000, 0, 255) ??
        checkRange("cwKgPerMX100", request.cwKgPerMX100, 0, 255);
      if (bad) return bad;
      const bytes = withInts([op], [request.windSpeedMmPerSecond, request.gradePercentX100]);
      return ok(new Uint8Array([...bytes, request.crrX10000, request.cwKgPerMX100]));
    }
    default:
      return ok(new Uint8Array([op]));
  }
}

/**
 * Decodes a request as a machine receives it; the simulated trainer uses it. Unknown op
 * codes and short payloads are `undefined` (a machine answers them "not supported").
 */
export function decodeFtmsRequest(bytes: Uint8Array): FtmsRequest | undefined {
  const reader = new ByteReader(bytes);
  if (reader.remaining < 1) return undefined;
  const op = reader.u8();
  const rest = reader.remaining;
  switch (op) {
    case 0x00:
      return { type: "request-control" };
    case 0x01:
      return { type: "reset" };
    case 0x05:
      return rest >= 2 ? { type: "set-target-power", watts: reader.s16() } : undefined;
    case 0x07:
      return { type: "start" };
    case 0x08: {
      const parameter = rest >= 1 ? reader.u8() : undefined;
      if (parameter === 0x01) return { type: "stop" };
      return parameter === 0x02 ? { type: "pause" } : undefined;
    }
    case 0x11:
      if (rest < 6) return undefined;
      return {
        type: "set-simulation",
        windSpeedMmPerSecond: reader.s16(),
        gradePercentX100: reader.s16(),
        crrX10000: reader.u8(),
        cwKgPerMX100: reader.u8(),
      };
    default:
      return undefined;
  }
}

/** Encodes a response indication (what a machine sends back). */
export function encodeFtmsResponse(response: FtmsResponse): Uint8Array {
  return new Uint8Array([
    FTMS_RESPONSE_CODE,
    response.requestOpCode,
    RESULTS.indexOf(response.result) + 1,
  ]);
}

/** Decodes a control point indication: `0x80`, request op code, result code 0x01–0x05. */
export function parseFtmsResponse(bytes: Uint8Array): Result<FtmsResponse, FtmsBadResponseError> {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
  const bad = (why: string) =>
    err<FtmsBadResponseError>({
      code: "ftms-bad-response",
      bytes: hex,
      message: `control point indication [${hex}] ${why}; the trainer sent something this recorder does not understand`,
    });
  if (bytes.length < 3) return bad(`has ${bytes.length} bytes, a response needs 3`);
  const reader = new ByteReader(bytes);
  if (reader.u8() !== FTMS_RESPONSE_CODE) return bad("does not start with the response code 0x80");
  const requestOpCode = reader.u8();
  const result = RESULTS[reader.u8() - 1];
  if (result === undefined) return bad("has an unknown result code");
  return ok({ requestOpCode, result });
}

function checkRange(
  field: string,
  value: number,
  min: number,
  max: number,
): { readonly ok: false; readonly error: FtmsInvalidRequestError } | undefined {
  if (Number.isInteger(value) && value >= min && value <= max) return undefined;
  return err({
    code: "ftms-invalid-request",
    field,
    message: `${field} must be an integer from ${min} to ${max}, got ${value}; nothing was sent`,
  });
}

/** `prefix` followed by each value as a little-endian signed 16-bit integer. */
function withInts(prefix: readonly number[], values: readonly number[]): Uint8Array {
  const out = new Uint8Array(prefix.length + values.length * 2);
  out.set(prefix);
  const view = new DataView(out.buffer);
  for (const [i, value] of values.entries()) view.setInt16(prefix.length + i * 2, value, true);
  return out;
}
