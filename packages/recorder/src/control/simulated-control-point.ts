/**
 * The trainer's side of the Fitness Machine Control Point, simulated: it decodes request
 * bytes, answers with the indications a well-behaved FTMS trainer sends (control must be
 * requested first; unknown op codes are "not supported"; targets outside the trainer's range
 * are "invalid parameter") and reports the accepted targets, so the simulator's power can
 * follow an ERG target. It is a `ControlPointTransport`, so `createFtmsController` drives it
 * through the same bytes as a real trainer.
 */
import type { Unsubscribe } from "../sources/sensor-source.js";
import {
  decodeFtmsRequest,
  encodeFtmsResponse,
  type FtmsResult,
  type SimulationParameters,
} from "./ftms-control-point.js";
import type { ControlPointTransport } from "./trainer-control.js";

/** What the simulated trainer is asked to hold. */
export type TrainerTarget =
  | { readonly mode: "free" }
  | { readonly mode: "erg"; readonly watts: number }
  | ({ readonly mode: "simulation" } & SimulationParameters);

/** A simulated control point; `target` is what the trainer currently holds. */
export interface SimulatedControlPoint extends ControlPointTransport {
  readonly target: TrainerTarget;
  /** Whether a client holds control (after "request control", until "reset"). */
  readonly controlled: boolean;
  /** Makes the next writes fail as if the link were down (true) or works again (false). */
  setLinkDown(down: boolean): void;
}

/** The ERG range the simulated trainer accepts, W. */
export const SIMULATED_POWER_RANGE = { min: 0, max: 2000 } as const;

/** Creates a simulated control point; `onTarget` hears every accepted target change. */
export function createSimulatedControlPoint(
  onTarget: (target: TrainerTarget) => void = () => undefined,
): SimulatedControlPoint {
  const listeners = new Set<{ readonly listener: (bytes: Uint8Array) => void }>();
  let target: TrainerTarget = { mode: "free" };
  let controlled = false;
  let linkDown = false;

  const setTarget = (next: TrainerTarget) => {
    target = next;
    onTarget(next);
  };

  const handle = (bytes: Uint8Array): FtmsResult => {
    const request = decodeFtmsRequest(bytes);
    if (request === undefined) return "not-supported";
    if (request.type === "request-control") {
      controlled = true;
      return "success";
    }
    if (!controlled) return "control-not-permitted";
    switch (request.type) {
      case "reset":
        controlled = false;
        setTarget({ mode: "free" });
        return "success";
      case "set-target-power":
        if (
          request.watts < SIMULATED_POWER_RANGE.min ||
          request.watts > SIMULATED_POWER_RANGE.max
        ) {
          return "invalid-parameter";
        }
        setTarget({ mode: "erg", watts: request.watts });
        return "success";
      case "set-simulation": {
        const { type: _type, ...parameters } = request;
        setTarget({ mode: "simulation", ...parameters });
        return "success";
      }
      case "stop":
        setTarget({ mode: "free" });
        return "success";
      default:
        return "success";
    }
  };

  return {
    get target() {
      return target;
    },
    get controlled() {
      return controlled;
    },
    setLinkDown(down) {
      linkDown = down;
    },
    async write(bytes) {
      if (linkDown) throw new Error("the simulated trainer is disconnected");
      const result = handle(bytes);
      const response = encodeFtmsResponse({ requestOpCode: bytes[0] ?? 0, result });
      // A real trainer indicates after the write is acknowledged.
      queueMicrotask(() => {
        for (const entry of [...listeners]) entry.listener(response);
      });
    },
    onIndication(listener): Unsubscribe {
      const entry = { listener };
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };
}
