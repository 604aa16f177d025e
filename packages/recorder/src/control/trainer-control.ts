/**
 * Trainer control: what an app can ask of a smart trainer (take control, start, stop, ERG
 * target power, slope simulation), and `createFtmsController`, which speaks the Fitness
 * Machine Control Point over any transport that can write bytes and deliver indications —
 * a Web Bluetooth characteristic or the simulator's trainer. Requests go one at a time (the
 * spec allows one outstanding request); each waits for its indication up to a timeout. A
 * refusal, a timeout or a lost connection is a typed error, never an exception.
 */
import { err, ok, type Result } from "@ridevault/core";
import type { Unsubscribe } from "../sources/sensor-source.js";
import { systemTimers, type Timers } from "../timers.js";
import {
  encodeFtmsRequest,
  FTMS_OP_CODES,
  type FtmsBadResponseError,
  type FtmsInvalidRequestError,
  type FtmsRequest,
  type FtmsResult,
  parseFtmsResponse,
  type SimulationParameters,
} from "./ftms-control-point.js";

/** The machine refused a request, with the result code's meaning. */
export interface FtmsRefusedError {
  readonly code:
    | "ftms-not-supported"
    | "ftms-invalid-parameter"
    | "ftms-operation-failed"
    | "ftms-control-not-permitted";
  readonly request: FtmsRequest["type"];
  readonly message: string;
}

/** No response within the timeout, the write failed, or there is no trainer to talk to. */
export interface FtmsTransportError {
  readonly code: "ftms-timeout" | "ftms-write-failed" | "ftms-unavailable";
  readonly request: FtmsRequest["type"];
  readonly message: string;
}

/** Every error of a trainer control request; branch on `code`. */
export type FtmsControlError =
  | FtmsRefusedError
  | FtmsTransportError
  | FtmsInvalidRequestError
  | FtmsBadResponseError;

/** The outcome of one control request. */
export type ControlResult = Promise<Result<void, FtmsControlError>>;

/** Controls a smart trainer. Call `requestControl` first; trainers refuse anything else. */
export interface TrainerControl {
  requestControl(): ControlResult;
  reset(): ControlResult;
  /** Starts or resumes the machine's session. */
  start(): ControlResult;
  stop(): ControlResult;
  pause(): ControlResult;
  /** ERG mode: the trainer holds `watts` whatever the cadence. */
  setTargetPower(watts: number): ControlResult;
  /** Slope mode: the trainer simulates riding with these wind, grade and resistances. */
  setSimulation(parameters: SimulationParameters): ControlResult;
}

/** Writes request bytes and delivers indications: what the controller needs of a link. */
export interface ControlPointTransport {
  /** Writes with response; rejects when the link is down. */
  write(bytes: Uint8Array): Promise<void>;
  /** Subscribes to control point indications. */
  onIndication(listener: (bytes: Uint8Array) => void): Unsubscribe;
}

/** Options of `createFtmsController`. */
export interface FtmsControllerOptions {
  readonly transport: ControlPointTransport;
  /** How long to wait for each response; default 3000 ms. */
  readonly timeoutMs?: number;
  readonly timers?: Timers;
}

/** Default wait for a control point response. */
export const DEFAULT_CONTROL_TIMEOUT_MS = 3000;

const REFUSALS: Record<Exclude<FtmsResult, "success">, FtmsRefusedError["code"]> = {
  "not-supported": "ftms-not-supported",
  "invalid-parameter": "ftms-invalid-parameter",
  "operation-failed": "ftms-operation-failed",
  "control-not-permitted": "ftms-control-not-permitted",
};

const ADVICE: Record<FtmsRefusedError["code"], string> = {
  "ftms-not-supported": "this trainer does not support it",
  "ftms-invalid-parameter": "a value is out of the trainer's range (see its supported ranges)",
  "ftms-operation-failed": "the trainer could not do it now; try again",
  "ftms-control-not-permitted": "call requestControl() first (another app may hold control)",
};

/** Creates a `TrainerControl` speaking FTMS over `options.transport`. */
export function createFtmsController(options: FtmsControllerOptions): TrainerControl {
  const timers = options.timers ?? systemTimers;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONTROL_TIMEOUT_MS;
  let queue: Promise<unknown> = Promise.resolve();

  const send = (request: FtmsRequest): ControlResult => {
    const next = queue.then(() => exchange(request));
    queue = next;
    return next;
  };

  const exchange = (request: FtmsRequest): ControlResult => {
    const encoded = encodeFtmsRequest(request);
    if (!encoded.ok) return Promise.resolve(encoded);
    const op = FTMS_OP_CODES[request.type];
    const failure = (code: FtmsTransportError["code"], why: string) =>
      err<FtmsTransportError>({ code, request: request.type, message: `${request.type}: ${why}` });
    return new Promise((resolve) => {
      let done = false;
      const finish = (result: Result<void, FtmsControlError>) => {
        if (done) return;
        done = true;
        unsubscribe();
        timers.clearTimeout(timer);
        resolve(result);
      };
      const unsubscribe = options.transport.onIndication((bytes) => {
        const parsed = parseFtmsResponse(bytes);
        if (!parsed.ok) return finish(parsed);
        if (parsed.value.requestOpCode !== op) return;
        const { result } = parsed.value;
        if (result === "success") return finish(ok(undefined));
        const code = REFUSALS[result];
        finish(err({ code, request: request.type, message: `${request.type}: ${ADVICE[code]}` }));
      });
      const timer = timers.setTimeout(
        () =>
          finish(failure("ftms-timeout", `no response within ${timeoutMs} ms; is the trainer on?`)),
        timeoutMs,
      );
      options.transport.write(encoded.value).then(
        () => undefined,
        (error: unknown) =>
          finish(
            failure(
              "ftms-write-failed",
              `the write failed (${String(error)}); reconnect and retry`,
            ),
          ),
      );
    });
  };

  return {
    requestControl: () => send({ type: "request-control" }),
    reset: () => send({ type: "reset" }),
    start: () => send({ type: "start" }),
    stop: () => send({ type: "stop" }),
    pause: () => send({ type: "pause" }),
    setTargetPower: (watts) => send({ type: "set-target-power", watts }),
    setSimulation: (parameters) => send({ type: "set-simulation", ...parameters }),
  };
}

/** A `TrainerControl` that answers every request with "ftms-unavailable" and `why`. */
export function unavailableTrainer(why: string): TrainerControl {
  const refuse =
    (request: FtmsRequest["type"]): (() => ControlResult) =>
    async () =>
      err({ code: "ftms-unavailable", request, message: `${request}: ${why}` });
  return {
    requestControl: refuse("request-control"),
    reset: refuse("reset"),
    start: refuse("start"),
    stop: refuse("stop"),
    pause: refuse("pause"),
    setTargetPower: refuse("set-target-power"),
    setSimulation: refuse("set-simulation"),
  };
}
