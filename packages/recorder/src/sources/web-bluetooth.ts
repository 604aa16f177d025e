/**
 * The Web Bluetooth source: one Bluetooth LE sensor (a strap, a power meter, a speed/cadence
 * sensor or an FTMS trainer) as a `SensorSource`. `requestSensor` opens the browser's
 * chooser for devices with any of the four cycling services; `createWebBluetoothSource`
 * connects to the chosen device, subscribes to the measurement characteristic of every
 * service it has, and emits each notification as it arrives. When the link drops
 * (`gattserverdisconnected`) it says so and reconnects by itself, waiting an exponential
 * backoff with jitter between attempts (clock, timers and randomness are injected), for as
 * long as the source runs. Failures are status events, never exceptions. A trainer's
 * Fitness Machine Control Point is exposed as `trainer`.
 */

import type { Clock } from "@ridevault/core";
import { err, ok, type Random, type Result, systemClock, systemRandom } from "@ridevault/core";
import {
  type ControlPointTransport,
  createFtmsController,
  type TrainerControl,
  unavailableTrainer,
} from "../control/trainer-control.js";
import { systemTimers, type Timers } from "../timers.js";
import {
  characteristicId,
  createSourceEvents,
  type SensorSource,
  type Unsubscribe,
} from "./sensor-source.js";
import type {
  WebBluetooth,
  WebBluetoothCharacteristic,
  WebBluetoothDevice,
} from "./web-bluetooth-types.js";

/** The cycling services and the measurement characteristic each notifies. */
export const CYCLING_SERVICES = {
  heart_rate: { service: 0x180d, measurement: 0x2a37 },
  cycling_power: { service: 0x1818, measurement: 0x2a63 },
  cycling_speed_and_cadence: { service: 0x1816, measurement: 0x2a5b },
  fitness_machine: { service: 0x1826, measurement: 0x2ad2 },
} as const;

/** A cycling service by its Web Bluetooth name. */
export type CyclingService = keyof typeof CYCLING_SERVICES;

const ALL_SERVICES = Object.keys(CYCLING_SERVICES) as CyclingService[];
const CONTROL_POINT = 0x2ad9;

/** Why a device could not be had or used. */
export interface WebBluetoothError {
  readonly code: "bluetooth-request-failed" | "bluetooth-connect-failed" | "bluetooth-no-service";
  readonly message: string;
}

/** Reconnect timing: `initialMs · factor^attempt`, capped at `maxMs`, less up to `jitter`. */
export interface BackoffOptions {
  /** Default 1000 ms. */
  readonly initialMs?: number;
  /** Default 30 000 ms. */
  readonly maxMs?: number;
  /** Default 2. */
  readonly factor?: number;
  /** Fraction of the delay drawn at random and taken off, 0–1; default 0.5. */
  readonly jitter?: number;
}

/** What the source is doing about its link. */
export type WebBluetoothStatus =
  | { readonly type: "connecting"; readonly attempt: number }
  | { readonly type: "connected"; readonly characteristics: readonly string[] }
  | { readonly type: "connect-failed"; readonly attempt: number; readonly error: WebBluetoothError }
  | { readonly type: "reconnect-scheduled"; readonly attempt: number; readonly delayMs: number };

/** Options of `createWebBluetoothSource`. */
export interface WebBluetoothSourceOptions {
  readonly device: WebBluetoothDevice;
  /** Which services to subscribe to when present; default all four. */
  readonly services?: readonly CyclingService[];
  readonly clock?: Clock;
  readonly timers?: Timers;
  readonly random?: Random;
  readonly backoff?: BackoffOptions;
}

/** A Bluetooth sensor as a source. */
export interface WebBluetoothSource extends SensorSource {
  /** The trainer's control point; "ftms-unavailable" unless an FTMS trainer is connected. */
  readonly trainer: TrainerControl;
  readonly connected: boolean;
  onStatus(listener: (status: WebBluetoothStatus) => void): Unsubscribe;
}

/** Opens the chooser for a device with any of `services` (call from a user gesture). */
export async function requestSensor(
  bluetooth: WebBluetooth,
  services: readonly CyclingService[] = ALL_SERVICES,
): Promise<Result<WebBluetoothDevice, WebBluetoothError>> {
  const uuids = services.map((name) => CYCLING_SERVICES[name].service);
  try {
    const device = await bluetooth.requestDevice({
      filters: uuids.map((uuid) => ({ services: [uuid] })),
      optionalServices: uuids,
    });
    return ok(device);
  } catch (error) {
    return err({
      code: "bluetooth-request-failed",
      message: `no device was chosen (${String(error)}); ask the rider to pick a sensor again`,
    });
  }
}

/** The wait before reconnect attempt `attempt` (0-based), given a uniform draw in [0, 1). */
export function reconnectDelay(attempt: number, options: BackoffOptions, draw: number): number {
  const initial = options.initialMs ?? 1000;
  const max = options.maxMs ?? 30_000;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const delay = Math.min(max, initial * (options.factor ?? 2) ** attempt);
  return Math.round(delay * (1 - jitter * draw));
}

interface Subscription {
  readonly characteristic: WebBluetoothCharacteristic;
  readonly listener: () => void;
}

/** Creates a source for `options.device`; `start()` connects. */
export function createWebBluetoothSource(options: WebBluetoothSourceOptions): WebBluetoothSource {
  const { device } = options;
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? systemRandom;
  const events = createSourceEvents();
  const statusListeners = new Set<{ readonly listener: (status: WebBluetoothStatus) => void }>();
  const indicationListeners = new Set<{ readonly listener: (bytes: Uint8Array) => void }>();
  const sensor = device.name ?? device.id;
  const wanted = options.services ?? ALL_SERVICES;
  let running = false;
  let generation = 0;
  let attempt = 0;
  let timer: unknown;
  let subscriptions: Subscription[] = [];
  let announced: string[] = [];
  let controlPoint: WebBluetoothCharacteristic | undefined;

  const status = (event: WebBluetoothStatus) => {
    for (const entry of [...statusListeners]) entry.listener(event);
  };

  const detach = () => {
    for (const { characteristic, listener } of subscriptions) {
      characteristic.removeEventListener("characteristicvaluechanged", listener);
    }
    subscriptions = [];
    controlPoint = undefined;
  };

  const disconnected = (reason: "signal-lost" | "stopped") => {
    detach();
    if (announced.length === 0) return;
    const characteristics = announced;
    announced = [];
    events.emitConnection({
      type: "disconnected",
      sensor,
      characteristics,
      time: Math.round(clock.now()),
      reason,
    });
  };

  const subscribe = async (characteristic: WebBluetoothCharacteristic, onValue: () => void) => {
    characteristic.addEventListener("characteristicvaluechanged", onValue);
    subscriptions.push({ characteristic, listener: onValue });
    await characteristic.startNotifications();
  };

  const bytesOf = (characteristic: WebBluetoothCharacteristic): Uint8Array | undefined => {
    const view = characteristic.value;
    if (!view) return undefined;
    return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
  };

  const connect = async (mine: number): Promise<Result<string[], WebBluetoothError>> => {
    const server = device.gatt;
    if (server === undefined) {
      return err({ code: "bluetooth-connect-failed", message: `${sensor} has no GATT server` });
    }
    try {
      await server.connect();
      const found: string[] = [];
      for (const name of wanted) {
        const { service: serviceUuid, measurement } = CYCLING_SERVICES[name];
        const service = await server.getPrimaryService(serviceUuid).catch(() => undefined);
        if (service === undefined || mine !== generation) continue;
        const characteristic = await service.getCharacteristic(measurement);
        const id = characteristicId(measurement);
        await subscribe(characteristic, () => {
          const bytes = bytesOf(characteristic);
          if (!bytes || !running || mine !== generation) return;
          events.emitNotification({ characteristic: id, time: Math.round(clock.now()), bytes });
        });
        found.push(id);
        if (name === "fitness_machine") {
          const point = await service.getCharacteristic(CONTROL_POINT).catch(() => undefined);
          if (point !== undefined) {
            await subscribe(point, () => {
              const bytes = bytesOf(point);
              if (!bytes) return;
              for (const entry of [...indicationListeners]) entry.listener(bytes);
            });
            controlPoint = point;
          }
        }
      }
      if (found.length === 0) {
        return err({
          code: "bluetooth-no-service",
          message: `${sensor} offers none of the services ${wanted.join(", ")}; choose another device`,
        });
      }
      return ok(found);
    } catch (error) {
      return err({
        code: "bluetooth-connect-failed",
        message: `connecting to ${sensor} failed (${String(error)}); retrying`,
      });
    }
  };

  const attemptConnect = async (): Promise<void> => {
    const mine = ++generation;
    status({ type: "connecting", attempt });
    const result = await connect(mine);
    if (!running || mine !== generation) {
      detach();
      return;
    }
    if (result.ok) {
      attempt = 0;
      announced = result.value;
      status({ type: "connected", characteristics: announced });
      events.emitConnection({
        type: "connected",
        sensor,
        characteristics: announced,
        time: Math.round(clock.now()),
      });
      return;
    }
    detach();
    status({ type: "connect-failed", attempt, error: result.error });
    scheduleReconnect();
    // A half-open link would keep the device from advertising to other apps.
    if (device.gatt?.connected) device.gatt.disconnect();
  };

  const scheduleReconnect = () => {
    const draw = new DataView(random.bytes(4).buffer).getUint32(0, true) / 0x1_0000_0000;
    const delayMs = reconnectDelay(attempt, options.backoff ?? {}, draw);
    status({ type: "reconnect-scheduled", attempt: attempt + 1, delayMs });
    attempt += 1;
    timer = timers.setTimeout(() => {
      timer = undefined;
      if (running) void attemptConnect();
    }, delayMs);
  };

  const onGattDisconnected = () => {
    if (!running) return;
    generation += 1;
    disconnected("signal-lost");
    if (timer === undefined) scheduleReconnect();
  };

  const transport: ControlPointTransport = {
    async write(bytes) {
      if (controlPoint === undefined) throw new Error(`${sensor} is not connected`);
      await controlPoint.writeValueWithResponse(bytes);
    },
    onIndication(listener) {
      const entry = { listener };
      indicationListeners.add(entry);
      return () => {
        indicationListeners.delete(entry);
      };
    },
  };
  const controller = createFtmsController({ transport, timers });
  const noTrainer = unavailableTrainer(`${sensor} is not a connected FTMS trainer`);
  const pick = () => (controlPoint === undefined ? noTrainer : controller);

  return {
    get connected() {
      return announced.length > 0;
    },
    trainer: {
      requestControl: () => pick().requestControl(),
      reset: () => pick().reset(),
      start: () => pick().start(),
      stop: () => pick().stop(),
      pause: () => pick().pause(),
      setTargetPower: (watts) => pick().setTargetPower(watts),
      setSimulation: (parameters) => pick().setSimulation(parameters),
    },
    async start() {
      if (running) return;
      running = true;
      attempt = 0;
      device.addEventListener("gattserverdisconnected", onGattDisconnected);
      await attemptConnect();
    },
    async stop() {
      if (!running) return;
      running = false;
      generation += 1;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      device.removeEventListener("gattserverdisconnected", onGattDisconnected);
      disconnected("stopped");
      device.gatt?.disconnect();
    },
    onNotification: events.onNotification,
    onConnection: events.onConnection,
    onStatus(listener) {
      const entry = { listener };
      statusListeners.add(entry);
      return () => {
        statusListeners.delete(entry);
      };
    },
  };
}
