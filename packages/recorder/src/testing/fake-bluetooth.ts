/**
 * A fake Web Bluetooth radio for tests: `FakeBluetooth` answers `requestDevice` from a list
 * of `FakeBluetoothDevice`s, and each device implements the GATT surface the source uses. A
 * connected device notifies its measurement characteristics every `notifyEveryMs` on the
 * given timers; tests make it misbehave — `drop()` loses the link, `reachable = false` makes
 * connects fail, `failConnects(n)` fails the next n — and an FTMS device answers its control
 * point with the simulated trainer's control point.
 */
import {
  createSimulatedControlPoint,
  type SimulatedControlPoint,
} from "../control/simulated-control-point.js";
import {
  encodeCscMeasurement,
  encodeCyclingPowerMeasurement,
  encodeHeartRateMeasurement,
  encodeIndoorBikeData,
} from "../sources/gatt-encoders.js";
import { CYCLING_SERVICES, type CyclingService } from "../sources/web-bluetooth.js";
import type {
  BluetoothUuid,
  RequestDeviceOptions,
  WebBluetooth,
  WebBluetoothCharacteristic,
  WebBluetoothDevice,
  WebBluetoothServer,
  WebBluetoothService,
} from "../sources/web-bluetooth-types.js";
import type { Timers } from "../timers.js";

/** Options of a fake device. */
export interface FakeDeviceOptions {
  readonly id: string;
  readonly name?: string;
  readonly services: readonly CyclingService[];
  readonly timers: Timers;
  /** Default 500 ms. */
  readonly notifyEveryMs?: number;
  /** The payload of notification `count` of a measurement; default a plausible ride. */
  readonly measurement?: (uuid: number, count: number) => Uint8Array;
}

/** Plausible measurements: 140 bpm, 200 W at 60 rpm, 36 km/h. */
export function defaultMeasurement(uuid: number, count: number): Uint8Array {
  const crank = { revolutions: count % 0x1_0000, eventTime: (count * 1024) % 0x1_0000 };
  switch (uuid) {
    case 0x2a37:
      return encodeHeartRateMeasurement({ heartRate: 140, wide: false, rrIntervals1024: [] });
    case 0x2a63:
      return encodeCyclingPowerMeasurement({ power: 200, crank });
    case 0x2a5b:
      return encodeCscMeasurement({ crank });
    default:
      return encodeIndoorBikeData({ speedKmhX100: 3600, cadenceRpmX2: 120, power: 200 });
  }
}

class FakeCharacteristic implements WebBluetoothCharacteristic {
  value: DataView | undefined;
  notifying = false;
  readonly #listeners = new Set<() => void>();
  readonly #onWrite: (bytes: Uint8Array) => Promise<void>;

  constructor(onWrite: (bytes: Uint8Array) => Promise<void> = async () => undefined) {
    this.#onWrite = onWrite;
  }

  async startNotifications() {
    this.notifying = true;
    return this;
  }
  async stopNotifications() {
    this.notifying = false;
    return this;
  }
  writeValueWithResponse(value: Uint8Array): Promise<void> {
    return this.#onWrite(value);
  }
  addEventListener(_type: "characteristicvaluechanged", listener: () => void): void {
    this.#listeners.add(listener);
  }
  removeEventListener(_type: "characteristicvaluechanged", listener: () => void): void {
    this.#listeners.delete(listener);
  }
  /** Sets the value and fires "characteristicvaluechanged" when notifying. */
  notify(bytes: Uint8Array): void {
    if (!this.notifying) return;
    this.value = new DataView(bytes.slice().buffer);
    for (const listener of [...this.#listeners]) listener();
  }
  get listeners(): number {
    return this.#listeners.size;
  }
}

/** A fake device; see the module comment. */
export class FakeBluetoothDevice implements WebBluetoothDevice {
  readonly id: string;
  readonly name: string | undefined;
  readonly gatt: WebBluetoothServer;
  readonly services: readonly CyclingService[];
  /** The trainer side of the FTMS control point. */
  readonly controlPoint: SimulatedControlPoint = createSimulatedControlPoint();
  /** When false, connecting fails. */
  reachable = true;
  connects = 0;
  readonly #options: FakeDeviceOptions;
  readonly #disconnectListeners = new Set<() => void>();
  readonly #measurements = new Map<number, FakeCharacteristic>();
  readonly #control: FakeCharacteristic;
  #connected = false;
  #failures = 0;
  #loop: unknown;
  #count = 0;

  constructor(options: FakeDeviceOptions) {
    this.#options = options;
    this.id = options.id;
    this.name = options.name;
    this.services = options.services;
    for (const name of options.services) {
      this.#measurements.set(CYCLING_SERVICES[name].service, new FakeCharacteristic());
    }
    this.#control = new FakeCharacteristic((bytes) => this.controlPoint.write(bytes));
    this.controlPoint.onIndication((bytes) => this.#control.notify(bytes));
    const device = this;
    this.gatt = {
      get connected() {
        return device.#connected;
      },
      connect: () => this.#connect(),
      disconnect: () => this.#disconnect(true),
      getPrimaryService: (uuid) => this.#service(uuid),
    };
  }

  /** Fails the next `count` connects. */
  failConnects(count: number): void {
    this.#failures = count;
  }

  /** Loses the link, as out of range: notifications stop, "gattserverdisconnected" fires. */
  drop(): void {
    this.#disconnect(true);
  }

  /** Listeners attached to the measurement characteristics (to check none leak). */
  get listenerCount(): number {
    return [...this.#measurements.values()].reduce((sum, c) => sum + c.listeners, 0);
  }

  get connected(): boolean {
    return this.#connected;
  }

  addEventListener(_type: "gattserverdisconnected", listener: () => void): void {
    this.#disconnectListeners.add(listener);
  }

  removeEventListener(_type: "gattserverdisconnected", listener: () => void): void {
    this.#disconnectListeners.delete(listener);
  }

  async #connect(): Promise<WebBluetoothServer> {
    this.connects += 1;
    if (!this.reachable || this.#failures > 0) {
      this.#failures = Math.max(0, this.#failures - 1);
      throw new Error("NetworkError: connection attempt failed");
    }
    this.#connected = true;
    this.#schedule();
    return this.gatt;
  }

  #disconnect(fire: boolean): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.#options.timers.clearTimeout(this.#loop);
    for (const c of [...this.#measurements.values(), this.#control]) c.notifying = false;
    if (fire) for (const listener of [...this.#disconnectListeners]) listener();
  }

  #schedule(): void {
    this.#loop = this.#options.timers.setTimeout(() => {
      if (!this.#connected) return;
      for (const [service, characteristic] of this.#measurements) {
        const uuid = measurementOf(service);
        characteristic.notify((this.#options.measurement ?? defaultMeasurement)(uuid, this.#count));
      }
      this.#count += 1;
      this.#schedule();
    }, this.#options.notifyEveryMs ?? 500);
  }

  async #service(uuid: BluetoothUuid): Promise<WebBluetoothService> {
    if (!this.#connected) throw new Error("NetworkError: GATT server is disconnected");
    const measurement = typeof uuid === "number" ? this.#measurements.get(uuid) : undefined;
    if (measurement === undefined) throw new Error(`NotFoundError: no service ${String(uuid)}`);
    const isTrainer = uuid === CYCLING_SERVICES.fitness_machine.service;
    return {
      getCharacteristic: async (characteristic) => {
        if (characteristic === measurementOf(uuid as number)) return measurement;
        if (isTrainer && characteristic === 0x2ad9) return this.#control;
        throw new Error(`NotFoundError: no characteristic ${String(characteristic)}`);
      },
    };
  }
}

/** A fake `navigator.bluetooth` choosing among `devices`. */
export class FakeBluetooth implements WebBluetooth {
  readonly devices: readonly FakeBluetoothDevice[];
  /** When true, the rider cancels the chooser. */
  cancel = false;
  readonly requests: RequestDeviceOptions[] = [];

  constructor(devices: readonly FakeBluetoothDevice[]) {
    this.devices = devices;
  }

  async requestDevice(options: RequestDeviceOptions): Promise<WebBluetoothDevice> {
    this.requests.push(options);
    const wanted = new Set(options.filters.flatMap((f) => f.services));
    const device = this.devices.find((d) =>
      d.services.some((name) => wanted.has(CYCLING_SERVICES[name].service)),
    );
    if (this.cancel || device === undefined) {
      throw new Error("NotFoundError: User cancelled the requestDevice() chooser.");
    }
    return device;
  }
}

function measurementOf(service: number): number {
  const entry = Object.values(CYCLING_SERVICES).find((s) => s.service === service);
  return entry?.measurement ?? 0;
}
