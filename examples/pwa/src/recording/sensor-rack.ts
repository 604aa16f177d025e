/**
 * The sensors the rider has chosen, kept across pages and rides: Bluetooth sensors picked
 * one kind at a time (heart rate, power, speed/cadence, trainer) and the recorder's
 * simulator. A recording session gets one fixed source per kind (`sources`), each a relay of
 * whichever device is plugged into it, so a sensor picked or replaced mid-ride joins the
 * ride. Every sensor's state (connecting, connected, reconnecting in n s, lost) comes from
 * the source's own status and connection events. The simulator is created per ride, on the
 * ride's clock, and played up to the clock's now before every tick of the session; its trainer takes ERG targets like a real one.
 */
import { type Clock, err, ok, type Result } from "@ridevault/core/browser";
import {
  type ConnectionEvent,
  type CyclingService,
  createSimulator,
  createSourceEvents,
  createWebBluetoothSource,
  type FtmsControlError,
  type RideProfile,
  requestSensor,
  type SensorSource,
  type SimulatedSensor,
  type Simulator,
  type SourceEvents,
  type TrainerControl,
  type WebBluetoothSourceOptions,
} from "@ridevault/recorder";
import type { BluetoothSupport } from "./bluetooth-support.js";
import { ErgControl } from "./erg-control.js";
import type { RideClock } from "./ride-clock.js";

/** A kind of Bluetooth sensor the rider can pick. */
export type SensorKind = "heart-rate" | "power" | "speed-cadence" | "trainer";

/** The kinds, their labels and the services each asks the browser's chooser for. */
export const SENSOR_KINDS: readonly {
  readonly kind: SensorKind;
  readonly label: string;
  readonly services: readonly CyclingService[];
}[] = [
  { kind: "heart-rate", label: "Heart rate", services: ["heart_rate"] },
  { kind: "power", label: "Power meter", services: ["cycling_power"] },
  { kind: "speed-cadence", label: "Speed/cadence", services: ["cycling_speed_and_cadence"] },
  { kind: "trainer", label: "Trainer", services: ["fitness_machine"] },
];

/** The simulator's source name (provider ids "sim:2a37", …). */
export const SIMULATOR = "sim";

/** What a Bluetooth source may be given besides its device. */
export type BluetoothSourceOptions = Pick<
  WebBluetoothSourceOptions,
  "clock" | "timers" | "random" | "backoff"
>;

/** Where a sensor stands. `at` is the wall-clock ms of the next reconnect attempt. */
export type SensorStatus =
  | { readonly type: "ready" }
  | { readonly type: "connecting" }
  | { readonly type: "connected" }
  | { readonly type: "reconnecting"; readonly at: number }
  | { readonly type: "lost" };

/** One chosen sensor, as the Record screen lists it. */
export interface RackSensor {
  /** Its source name in the session: a `SensorKind` or `SIMULATOR`. */
  readonly name: string;
  readonly label: string;
  readonly status: SensorStatus;
  /** The last problem connecting, if any. */
  readonly problem: string | null;
}

/** Why a sensor could not be added or a trainer not driven. */
export interface SensorRackError {
  readonly code: "bluetooth-unavailable" | "bluetooth-request-failed" | "no-trainer";
  readonly message: string;
}

/** The simulator's ride: steady-ish intervals at 90 rpm. */
const SIMULATED_RIDE: RideProfile = {
  type: "intervals",
  cadence: 90,
  intervals: [
    { seconds: 60, watts: 150 },
    { seconds: 30, watts: 320, cadence: 100 },
    { seconds: 45, watts: 180 },
    { seconds: 20, watts: 420, cadence: 105 },
  ],
};

const SIMULATED_SENSORS: readonly SimulatedSensor[] = [
  "heart-rate",
  "power",
  "speed-cadence",
  "trainer",
];

const SIMULATOR_LABEL = "Simulator (heart rate, power, speed/cadence, trainer)";

interface Plugged {
  readonly label: string;
  status: SensorStatus;
  problem: string | null;
  readonly source: SensorSource;
  readonly trainer: TrainerControl | undefined;
  /** Unsubscribes everything plugging it in subscribed. */
  readonly cleanups: (() => void)[];
}

/** The rider's sensors; see the module comment. */
export class SensorRack {
  /** Whether Web Bluetooth can be used here, and if not why. */
  readonly bluetooth: BluetoothSupport;
  readonly #slots = new Map<string, SourceEvents>();
  readonly #plugged = new Map<string, Plugged>();
  readonly #listeners = new Set<() => void>();
  readonly #now: () => number;
  readonly #profile: RideProfile;
  readonly #sourceOptions: BluetoothSourceOptions;
  #simulatorChosen = false;
  #simulator:
    | { readonly simulator: Simulator; readonly clock: Clock; readonly started: number }
    | undefined;
  #snapshot: readonly RackSensor[] = [];
  readonly #erg = new ErgControl();
  /** The ride in progress, whose clock a simulator chosen mid-ride runs on. */
  #ride: RideClock | undefined;

  constructor(options: {
    readonly bluetooth: BluetoothSupport;
    /** Clock, timers, randomness and backoff of the Bluetooth sources (fakes in tests). */
    readonly bluetoothSource?: BluetoothSourceOptions;
    /** The simulator's ride; default intervals between 150 and 420 W. */
    readonly profile?: RideProfile;
  }) {
    this.bluetooth = options.bluetooth;
    this.#sourceOptions = options.bluetoothSource ?? {};
    const clock = this.#sourceOptions.clock;
    this.#now = clock ? () => clock.now() : () => Date.now();
    this.#profile = options.profile ?? SIMULATED_RIDE;
    for (const name of [...SENSOR_KINDS.map((k) => k.kind), SIMULATOR]) {
      this.#slots.set(name, createSourceEvents());
    }
  }

  /** The chosen sensors (a new array after every change). */
  get sensors(): readonly RackSensor[] {
    return this.#snapshot;
  }

  /** Whether the simulator rides with the next ride. */
  get simulatorChosen(): boolean {
    return this.#simulatorChosen;
  }

  /** Calls `listener` after every change of `sensors`; returns an unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** One source per kind and the simulator's, for a recording session. */
  sources(): Record<string, SensorSource> {
    const sources: Record<string, SensorSource> = {};
    for (const [name, slot] of this.#slots) {
      sources[name] = {
        start: async () => undefined,
        stop: async () => undefined,
        onNotification: slot.onNotification,
        onConnection: slot.onConnection,
      };
    }
    return sources;
  }

  /** Opens the browser's chooser for a `kind` sensor and connects it (call from a click). */
  async connect(kind: SensorKind): Promise<Result<void, SensorRackError>> {
    const support = this.bluetooth;
    if (!support.available) return err({ code: "bluetooth-unavailable", message: support.reason });
    const services = SENSOR_KINDS.find((k) => k.kind === kind)?.services ?? [];
    const device = await requestSensor(support.bluetooth, services);
    if (!device.ok) {
      const message =
        "no sensor was connected (the chooser was closed, or found no device); try again";
      return err({ code: "bluetooth-request-failed", message });
    }
    await this.remove(kind);
    const source = createWebBluetoothSource({
      ...this.#sourceOptions,
      device: device.value,
      services,
    });
    const plugged = this.#plug(kind, device.value.name ?? "Bluetooth sensor", source, {
      trainer: kind === "trainer" ? source.trainer : undefined,
      status: { type: "connecting" },
    });
    const stopStatus = source.onStatus((status) => {
      if (status.type === "connecting" && status.attempt === 0) {
        plugged.status = { type: "connecting" };
      }
      if (status.type === "connect-failed") plugged.problem = status.error.message;
      if (status.type === "connected") plugged.problem = null;
      if (status.type === "reconnect-scheduled") {
        plugged.status = { type: "reconnecting", at: this.#now() + status.delayMs };
      }
      this.#changed();
    });
    plugged.cleanups.push(stopStatus);
    await source.start();
    return ok(undefined);
  }

  /** Chooses (or drops) the simulator: it runs during rides, from now if one is running. */
  chooseSimulator(chosen: boolean): void {
    this.#simulatorChosen = chosen;
    if (!chosen) void this.#stopSimulator();
    else if (this.#ride !== undefined) void this.#startSimulator(this.#ride);
    this.#changed();
  }

  /** Disconnects and forgets the sensor `name`. */
  async remove(name: string): Promise<void> {
    if (name === SIMULATOR) return this.chooseSimulator(false);
    const plugged = this.#plugged.get(name);
    if (plugged === undefined) return;
    this.#plugged.delete(name);
    await plugged.source.stop();
    for (const cleanup of plugged.cleanups) cleanup();
    this.#changed();
  }

  /** A ride starts: the simulator, if chosen, starts on the ride's clock. */
  async beginRide(ride: RideClock): Promise<void> {
    this.#ride = ride;
    if (this.#simulatorChosen) await this.#startSimulator(ride);
  }

  /**
   * Plays the simulator up to the ride clock's now. The recorder calls it just before the
   * session closes seconds, so each second holds all its notifications.
   */
  step(): void {
    const running = this.#simulator;
    if (running === undefined) return;
    const { simulator, clock, started } = running;
    const behind = Math.floor(clock.now() - started - simulator.elapsedMs);
    if (behind > 0) simulator.tick(behind);
  }

  /** The ride ends: the simulator stops; Bluetooth sensors stay connected. */
  async endRide(): Promise<void> {
    this.#ride = undefined;
    await this.#stopSimulator();
  }

  /** The trainer to drive: a Bluetooth trainer if one is plugged in, else the simulator's. */
  trainer(): { readonly label: string; readonly control: TrainerControl } | undefined {
    for (const name of ["trainer", SIMULATOR]) {
      const plugged = this.#plugged.get(name);
      if (plugged?.trainer) return { label: plugged.label, control: plugged.trainer };
    }
    return undefined;
  }

  /** Sets the trainer's ERG target (see `ErgControl`). */
  async setErgTarget(watts: number): Promise<Result<void, FtmsControlError | SensorRackError>> {
    const trainer = this.trainer()?.control;
    if (trainer === undefined) {
      return err({ code: "no-trainer", message: "connect a trainer (or the simulator) first" });
    }
    return this.#erg.set(trainer, watts);
  }

  /** The ERG target the current trainer last accepted, or undefined. */
  get ergTarget(): number | undefined {
    const trainer = this.trainer()?.control;
    return trainer === undefined ? undefined : this.#erg.held(trainer);
  }

  #plug(
    name: string,
    label: string,
    source: SensorSource,
    options: { readonly trainer: TrainerControl | undefined; readonly status: SensorStatus },
  ): Plugged {
    const slot = this.#slots.get(name);
    if (slot === undefined) throw new Error(`no sensor slot ${name}`);
    const connected = new Map<string, boolean>();
    const plugged: Plugged = {
      label,
      status: options.status,
      problem: null,
      source,
      trainer: options.trainer,
      cleanups: [],
    };
    plugged.cleanups.push(source.onNotification(slot.emitNotification));
    const stopConnections = source.onConnection((event: ConnectionEvent) => {
      slot.emitConnection(event);
      if (event.type === "disconnected" && event.reason === "stopped") return;
      connected.set(event.sensor, event.type === "connected");
      const all = [...connected.values()];
      plugged.status = all.every(Boolean) ? { type: "connected" } : { type: "lost" };
      this.#changed();
    });
    plugged.cleanups.push(stopConnections);
    this.#plugged.set(name, plugged);
    this.#changed();
    return plugged;
  }

  async #startSimulator(ride: RideClock): Promise<void> {
    if (this.#simulator !== undefined) return;
    const simulator = createSimulator({
      profile: this.#profile,
      clock: ride.clock,
      seed: ride.anchor.wall,
      sensors: SIMULATED_SENSORS,
    });
    this.#simulator = { simulator, clock: ride.clock, started: ride.clock.now() };
    this.#plug(SIMULATOR, SIMULATOR_LABEL, simulator, {
      trainer: simulator.trainer,
      status: { type: "connecting" },
    });
    await simulator.start();
  }

  async #stopSimulator(): Promise<void> {
    const simulator = this.#simulator?.simulator;
    this.#simulator = undefined;
    const plugged = this.#plugged.get(SIMULATOR);
    this.#plugged.delete(SIMULATOR);
    await simulator?.stop();
    for (const cleanup of plugged?.cleanups ?? []) cleanup();
    this.#changed();
  }

  #changed(): void {
    const sensors: RackSensor[] = [];
    for (const [name, plugged] of this.#plugged) {
      sensors.push({
        name,
        label: plugged.label,
        status: plugged.status,
        problem: plugged.problem,
      });
    }
    if (this.#simulatorChosen && !this.#plugged.has(SIMULATOR)) {
      sensors.push({
        name: SIMULATOR,
        label: SIMULATOR_LABEL,
        status: { type: "ready" },
        problem: null,
      });
    }
    this.#snapshot = sensors;
    for (const listener of [...this.#listeners]) listener();
  }
}
